"""Forms of the coordinator's campaign pages: the campaign, a category, a partner.
(The submission form, shared by the submitters and the review, is in submission_form.py.)"""
from datetime import date, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp, URL

from ..events.forms import check_range, date_field
from .models import MAX_DESCRIPTION, MAX_TITLE

FIRST_YEAR, LAST_YEAR = 2000, 2100
# Submissions close this long before the week, so that there is time to review and print.
REVIEW_TIME = timedelta(weeks=6)
MAX_CATEGORY_NAME = 100  # as long as the column
_required_date = InputRequired(message=_l("Please enter the date."))
_in_range = lambda form, field: check_range(field)  # noqa: E731
_email_message = _l("Please enter a valid e-mail address, e.g. name@example.org.")
_url_message = _l("Please enter a full address, e.g. https://example.org.")


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    year = IntegerField(_l("Year"), validators=[
        InputRequired(message=_l("Please enter the year.")),
        NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Please enter a year between %(min)s and %(max)s."))])
    motto = StringField(_l("Motto"), validators=[Optional(), Length(max=MAX_TITLE)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=MAX_DESCRIPTION, message=_l(
        "The introduction can have at most %(max)d characters; this one has %(length)d."))])
    starts_on = date_field(_l("First day"), _required_date, _in_range)
    ends_on = date_field(_l("Last day"), _required_date, _in_range)
    submissions_from = date_field(_l("Submissions open on"), _required_date, _in_range)
    submissions_until = date_field(_l("Last day for submissions"), _required_date, _in_range)
    contact_email = EmailField(_l("Contact e-mail for organizers"), validators=[
        Optional(), Length(max=254), Email(message=_email_message)])

    def campaign_fields(self) -> dict:
        """The values for service.create_campaign / update_campaign."""
        return {"title": self.title.data, "year": self.year.data, "motto": self.motto.data or "",
                "intro": self.intro.data or "", "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                "submissions_from": self.submissions_from.data, "submissions_until": self.submissions_until.data,
                "contact_email": self.contact_email.data or ""}

    def suggest(self, today: date, email: str) -> None:
        """A new campaign: the coming Intercultural Week, submissions open from today until six
        weeks before it."""
        starts_on, ends_on = intercultural_week(today.year)
        if starts_on < today:
            starts_on, ends_on = intercultural_week(today.year + 1)
        self.year.data = starts_on.year
        self.title.data = _("Intercultural Week %(year)s", year=starts_on.year)
        self.starts_on.data, self.ends_on.data = starts_on, ends_on
        self.submissions_from.data = today
        self.submissions_until.data = max(starts_on - REVIEW_TIME, today)
        self.contact_email.data = email

    def first_error(self) -> str | None:
        """Name of the first field with an error: it gets the focus."""
        return next((f.name for f in self if f.errors), None)


def intercultural_week(year: int) -> tuple[date, date]:
    """Late September: from the second-to-last to the last Sunday of the month, as the
    Intercultural Week usually runs (the exact dates vary a little from year to year)."""
    last_day = date(year, 9, 30)
    last_sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
    return last_sunday - timedelta(days=7), last_sunday


class CategoryForm(FlaskForm):
    name = StringField(_l("A new category"), validators=[DataRequired(message=_l("Please enter a name.")),
                                               Length(max=MAX_CATEGORY_NAME)])


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Please enter a name.")),
                                               Length(max=200)])
    website = URLField(_l("Website"), validators=[
        Optional(), Length(max=300), Regexp(r"^https?://", message=_url_message),
        URL(require_tld=True, message=_url_message)])
