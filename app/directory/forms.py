from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, URL

from .models import GROUP_KINDS, ORGANIZATION_KINDS

ORGANIZATION_KIND_LABELS = {
    "authority": _l("Public authority"),
    "job_center": _l("Job centre / employment agency"),
    "education": _l("Education provider"),
    "language_school": _l("Language school"),
    "welfare": _l("Welfare association / counselling"),
    "migrant_organization": _l("Migrant organization"),
    "association": _l("Association / initiative"),
    "chamber": _l("Chamber"),
    "university": _l("University / college"),
    "employer": _l("Employer"),
    "other": _l("Other"),
}
assert set(ORGANIZATION_KIND_LABELS) == set(ORGANIZATION_KINDS)

GROUP_KIND_LABELS = {
    "working_group": _l("Working group"),
    "working_table": _l("Working table"),
}
assert set(GROUP_KIND_LABELS) == set(GROUP_KINDS)

_email_message = _l("Please enter a valid e-mail address, e.g. name@example.org.")
_phone = Regexp(r"^[0-9 +()/\-.]*$", message=_l("Use digits, spaces and + ( ) / - only."))


def _website_field():
    return URLField(_l("Website"), validators=[
        Optional(), Length(max=300),
        URL(require_tld=True, message=_l("Please enter a full address, e.g. https://example.org."))])


def _email_field():
    return EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254), Email(message=_email_message)])


def _phone_field():
    return StringField(_l("Phone"), validators=[Optional(), Length(max=50), _phone])


class NetworkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name for web addresses"),
        validators=[DataRequired(), Length(min=2, max=80),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Lower-case letters, digits and hyphens only, e.g. magdeburg."))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # The coordination's public contact: a role or office, never taken from an account.
    contact_name = StringField(_l("Contact on the public page"), validators=[Optional(), Length(max=200)],
                               description=_l("A role or office, e.g. Coordination office for integration."))
    contact_email = _email_field()
    contact_phone = _phone_field()
    website = _website_field()


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in ORGANIZATION_KIND_LABELS.items()], default="other")
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[
        Optional(), Regexp(r"^\d{5}$", message=_l("A German postcode has five digits."))])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    website = _website_field()
    email = _email_field()
    phone = _phone_field()


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = StringField(_l("Role or function"), validators=[Optional(), Length(max=200)])
    email = _email_field()
    phone = _phone_field()


class WorkingGroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in GROUP_KIND_LABELS.items()], default="working_group")
    parent_id = SelectField(_l("Part of"), coerce=int, default=0)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def set_parent_choices(self, groups, exclude=None) -> None:
        self.parent_id.choices = [SelectChoice(0, _l("— none (a group of its own) —"))] + [
            SelectChoice(g.id, g.name) for g in groups if exclude is None or (g.id != exclude.id and exclude not in g.ancestors())
        ]
