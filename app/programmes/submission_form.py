"""The one form of a programme entry: the submitter's (by link) and the coordinator's edit.

Empty fields that review needs (service.REQUIRED_FIELDS) are no errors: such an entry is saved
as a draft. Values that cannot be kept are: too long, a bad e-mail address or time, a day
outside the campaign's week. Every field has a length limit.
"""
from datetime import datetime

from flask import current_app, request
from flask_babel import format_date, get_locale, gettext as _, lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from werkzeug.datastructures import CombinedMultiDict
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..directory import service as directory
from ..events import pictures, recurrence
from ..events.forms import MultiCheckboxField, PictureChecks, date_field, picture_fields, time_field
from ..events.labels import LANGUAGE_LABELS
from ..events.service import EventError, to_utc_checked
from ..registrations.forms import HoneypotForm, check_email
from . import service
from .labels import TARGET_GROUP_LABELS, category_label
from .models import MAX_DESCRIPTION, MAX_TITLE, Campaign, Submission

MAX_CAPACITY = 10_000
# Plain text fields: (form field = submission column, length limit).
TEXT_FIELDS = {"title": MAX_TITLE, "description": MAX_DESCRIPTION, "venue_name": 200, "venue_address": 300,
               "district": 100, "accessibility": 500, "fee": 200, "organization_name": 200, "contact_name": 200,
               "contact_phone": 50}


def _text(label, limit: int, field=StringField):
    return field(label, validators=[Optional(), Length(max=limit, message=_l(
        "This can have at most %(max)d characters; this has %(length)d."))])


class SubmissionForm(PictureChecks, HoneypotForm):
    """`HoneypotForm` brings the honeypot (`homepage`); the coordinator's edit simply leaves it out."""

    title = _text(_l("Title"), MAX_TITLE)
    description = _text(_l("Description"), MAX_DESCRIPTION, TextAreaField)
    # Sign language is spoken at events, but no text is written in it.
    text_language = SelectField(_l("Language of this text"),
                                choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items() if k != "dgs"])
    category_id = SelectField(_l("Category"), coerce=int, default=0)
    # A translation of title and description into one of the site's languages (optional).
    translation_language = SelectField(_l("Language of the translation"), default="")
    translated_title = _text(_l("Title in that language"), MAX_TITLE)
    translated_description = _text(_l("Description in that language"), MAX_DESCRIPTION, TextAreaField)

    start_date = date_field(_l("Date"))
    start_time = time_field(_l("Start time"))
    end_time = time_field(_l("End time"))

    venue_name = _text(_l("Venue"), 200)
    venue_address = _text(_l("Address"), 300)
    district = _text(_l("District or place"), 100)
    accessibility = _text(_l("Accessibility"), 500, TextAreaField)
    step_free = BooleanField(_l("Step-free access for wheelchairs"))

    languages = MultiCheckboxField(_l("Languages spoken"), default=["de"],
                                   choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    target_groups = MultiCheckboxField(_l("For whom"), default=["everyone"],
                                       choices=[SelectChoice(k, v) for k, v in TARGET_GROUP_LABELS.items()])
    is_free = RadioField(_l("Admission"), default="free",
                         choices=[SelectChoice("free", _l("Free")), SelectChoice("fee", _l("With a fee"))])
    fee = _text(_l("Fee"), 200)
    registration_required = BooleanField(_l("Registration required"))
    capacity = IntegerField(_l("Number of places"), validators=[
        Optional(), NumberRange(min=1, max=MAX_CAPACITY,
                                message=_l("Please enter a number from %(min)d to %(max)d."))])

    organization_name = _text(_l("Organization"), 200)
    contact_name = _text(_l("Contact person"), 200)
    contact_email = StringField(_l("E-mail address"), validators=[
        DataRequired(message=_l("Please enter an e-mail address: the link to your entry is sent there.")),
        Length(max=254), check_email])
    contact_phone = _text(_l("Phone"), 50)
    picture, picture_alt, remove_picture = picture_fields()
    kept_picture: str | None = None  # the entry's picture before this change

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.translation_language.choices = [SelectChoice("", _l("No translation"))] + [
            SelectChoice(code, LANGUAGE_LABELS[code]) for code in current_app.config["LANGUAGES"]]
        for name in service.REQUIRED_FIELDS:  # marked in the form; empty, they make a draft
            self[name].flags.required = True

    def validate_start_date(self, field):
        first, last = self.campaign.starts_on, self.campaign.ends_on
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(_("Please choose a day of the programme, from %(first)s to %(last)s.",
                                    first=format_date(first, "medium"), last=format_date(last, "medium")))

    def validate_translation_language(self, field):
        if field.data and field.data == self.text_language.data:
            raise ValidationError(_("The translation needs another language than the text."))
        if not field.data and (self.translated_title.data or self.translated_description.data):
            raise ValidationError(_("Please choose the language of the translation."))

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_("Please choose at least one language."))

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # A date without any time, or times without a date, could not be kept: say so rather
        # than drop what was typed.
        times = self.start_time.data or self.end_time.data
        if self.start_date.data and not times and not self.start_time.errors:
            self.start_time.errors.append(_("Please enter the start time as well, or leave the date empty for now."))
        if times and not self.start_date.data and not self.start_date.errors:
            self.start_date.errors.append(_("Please enter the date as well, or leave the times empty for now."))
        start, end = self.start_time.data, self.end_time.data
        if start and end and end <= start and not self.end_time.errors:  # one day: wall clock times compare
            self.end_time.errors.append(_("The end must be after the start."))
        return not any(f.errors for f in self)

    def first_error(self) -> str | None:
        """Name of the first field with an error: it gets the focus."""
        return next((f.name for f in self if f.errors), None)

    def add_error(self, error: service.ProgrammeError) -> None:
        """Show a problem the service found next to its field (the title when it names none)."""
        target = self[error.field] if error.field in self else self.title
        target.errors = [*target.errors, str(error)]

    def _moment(self, moment, field: str) -> datetime | None:
        if self.start_date.data is None or moment is None:
            return None
        try:
            return to_utc_checked(datetime.combine(self.start_date.data, moment), self.campaign.network.timezone,
                                  field)
        except EventError as error:
            raise service.ProgrammeError(str(error), field) from error

    def submission_fields(self, campaign: Campaign) -> dict:
        """The values for service.start / edit_by_submitter (keys from service.SUBMISSION_FIELDS),
        after validate(). Raises ProgrammeError for a time the clocks skip or repeat."""
        starts_at = self._moment(self.start_time.data, "start_time")
        ends_at = self._moment(self.end_time.data, "end_time")
        fields = {name: (self[name].data or "").strip() for name in TEXT_FIELDS}
        fields["title"] = " ".join(fields["title"].split())
        is_free = self.is_free.data != "fee"
        return {
            **fields,
            "fee": "" if is_free else fields["fee"],
            "text_language": self.text_language.data,
            "category_id": self.category_id.data or None,
            "starts_at": starts_at, "ends_at": ends_at,
            "step_free": bool(self.step_free.data),
            "languages": ",".join(code for code in LANGUAGE_LABELS if code in self.languages.data),
            "target_groups": ",".join(code for code in TARGET_GROUP_LABELS if code in self.target_groups.data),
            "is_free": is_free,
            "registration_required": bool(self.registration_required.data),
            "capacity": self.capacity.data,
            "contact_email": self.contact_email.data,
            "translations": self._translations(),
            **self._picture(),
        }

    def _picture(self) -> dict:
        """The entry's picture after this change: a new upload is stored now (and goes with the
        rest when the change is rolled back)."""
        if self.remove_picture.data:
            return {"picture_hash": None, "picture_alt": ""}
        digest = pictures.store(self.picture_data).hash if self.picture_data is not None else self.kept_picture
        alt = " ".join((self.picture_alt.data or "").split())
        return {"picture_hash": digest, "picture_alt": alt if digest else ""}

    def _translations(self) -> dict:
        language = self.translation_language.data
        texts = {"title": " ".join((self.translated_title.data or "").split()),
                 "description": (self.translated_description.data or "").strip()}
        texts = {field: text for field, text in texts.items() if text}
        return {language: texts} if language and texts else {}

    def fill(self, submission: Submission) -> None:
        for name in TEXT_FIELDS:
            self[name].data = getattr(submission, name)
        for name in ("text_language", "step_free", "registration_required", "capacity", "contact_email"):
            self[name].data = getattr(submission, name)
        self.category_id.data = submission.category_id or 0
        self.languages.data = submission.language_codes
        self.target_groups.data = submission.target_group_codes
        self.is_free.data = "free" if submission.is_free else "fee"
        self.picture_alt.data = submission.picture_alt
        for language, texts in (submission.translations or {}).items():  # the form holds one
            self.translation_language.data = language
            self.translated_title.data = texts.get("title", "")
            self.translated_description.data = texts.get("description", "")
        tz = submission.campaign.network.timezone
        start = recurrence.to_local(submission.starts_at, tz) if submission.starts_at else None
        end = recurrence.to_local(submission.ends_at, tz) if submission.ends_at else None
        self.start_date.data = (start or end).date() if start or end else None
        self.start_time.data = start.time() if start else None
        self.end_time.data = end.time() if end else None


def submission_form(campaign: Campaign, formdata=None, submission: Submission | None = None) -> SubmissionForm:
    """The form with the campaign's categories; filled from `submission` when given and nothing
    was posted. A new entry's text language is the page's, when it is one of the choices."""
    if formdata is not None and request.files:
        formdata = CombinedMultiDict([request.files, formdata])
    form = SubmissionForm(formdata=formdata, campaign=campaign)
    if submission is not None:
        form.kept_picture = submission.picture_hash
        form.has_picture = submission.picture_hash is not None
    form.category_id.choices = [SelectChoice(0, _l("— please choose —"))] + [
        SelectChoice(c.id, category_label(c)) for c in campaign.categories]
    if formdata is None:
        if submission is not None:
            form.fill(submission)
        elif str(get_locale()) in LANGUAGE_LABELS:
            form.text_language.data = str(get_locale())
    form.organization_names = directory.member_names(campaign.network_id)
    return form
