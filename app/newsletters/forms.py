"""Forms of composing a newsletter: the issue's title, and one form per kind of block."""
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..events.forms import MAX_DESCRIPTION, MultiCheckboxField, date_field
from ..reports.service import MAX_DAYS

KIND_LABELS = {
    "editorial": _l("Editorial"),
    "announcements": _l("Announcements"),
    "portrait": _l("Partner portrait"),
    "counselling": _l("Counselling offers"),
    "look_back": _l("Look back"),
    "coming": _l("Coming events"),
}


def _title(required: bool = False):
    return StringField(_l("Heading"), validators=[DataRequired() if required else Optional(), Length(max=200)])


def _text(label, required: bool = True):
    return TextAreaField(label, validators=[DataRequired() if required else Optional(),
                                            Length(max=MAX_DESCRIPTION)])


def _one_line(value):
    """Inner line breaks too: the title becomes the mail's Subject, where one would be a header injection."""
    return " ".join(value.split()) if value else value


class IssueForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_one_line], validators=[DataRequired(), Length(max=200)])


class EditorialForm(FlaskForm):
    title = _title()
    text = _text(_l("Text"))


class CounsellingForm(FlaskForm):
    title = _title(required=True)
    text = _text(_l("The offers: who, what, where, when"))


class PortraitForm(FlaskForm):
    organization_id = SelectField(_l("Partner from the directory"), coerce=int,
                                  validators=[DataRequired(_l("Please choose a partner."))])
    title = _title()
    text = _text(_l("Who they are and what they offer"))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [(0, _("Choose …"))] + [(o.id, o.name) for o in organizations]


class _PickForm(FlaskForm):
    """Announcements or events, chosen by ticking them."""
    title = _title()
    item_ids = MultiCheckboxField(coerce=int)
    empty_message = ""

    def validate_item_ids(self, field):
        if not field.data:
            raise ValidationError(self.empty_message)


class AnnouncementsForm(_PickForm):
    def __init__(self, *args, announcements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids.label.text = _("Announcements")
        self.item_ids.choices = [(a.id, a.title) for a in announcements]
        self.empty_message = _("Please tick at least one announcement.")


class ComingForm(_PickForm):
    def __init__(self, *args, events=(), describe=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids.label.text = _("Events")
        self.item_ids.choices = [(e.id, describe(e)) for e in events]
        self.empty_message = _("Please tick at least one event.")


class LookBackForm(FlaskForm):
    title = _title()
    period_start = date_field(_l("From"), DataRequired(_l("Please enter the first day.")))
    period_end = date_field(_l("To"), DataRequired(_l("Please enter the last day.")))
    text = _text(_l("A few words (optional)"), required=False)

    def validate_period_end(self, field):
        start = self.period_start.data
        if start and field.data:
            if field.data < start:
                raise ValidationError(_("The last day comes before the first."))
            if (field.data - start).days >= MAX_DAYS:
                raise ValidationError(_("A look back covers at most five years."))


FORMS = {"editorial": EditorialForm, "announcements": AnnouncementsForm, "portrait": PortraitForm,
         "counselling": CounsellingForm, "look_back": LookBackForm, "coming": ComingForm}
