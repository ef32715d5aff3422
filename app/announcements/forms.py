"""The announcement form: title, text, the time it shows, and an optional picture or PDF."""
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..core.formatting import to_local
from ..events import pictures
from ..events.forms import date_field, time_field
from ..events.labels import LANGUAGE_LABELS
from ..events.service import EventError, to_utc_checked
from . import service
from .service import AnnouncementError


class AnnouncementForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please enter a title.")), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Length(max=service.MAX_TEXT)],
                         description=_l("Markdown: *italic*, **bold**, lists with -, links as [text](https://…)."))
    text_language = SelectField(_l("Language of the title and text"), default="de",
                                choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    from_date = date_field(_l("Show from"), InputRequired(message=_l("Please enter the date.")))
    from_time = time_field(_l("at (optional)"))
    until_date = date_field(_l("Show until (optional)"))
    until_time = time_field(_l("until (optional)"))
    attachment = FileField(_l("Picture or PDF (optional)"),
                           description=_l("A JPEG, PNG or WebP picture up to 8 MB, or a PDF up to 10 MB."))
    picture_alt = StringField(_l("What the picture shows"), validators=[Length(max=pictures.MAX_ALT)])
    remove_attachment = BooleanField(_l("Remove the attachment"))

    has_picture = False  # the view sets it when editing one that has a picture
    upload: service.Upload | None = None  # the checked attachment

    def validate_attachment(self, field):
        if not self.file_chosen() or self.remove_attachment.data:
            return
        data = field.data.read(service.MAX_UPLOAD + 1)  # more than either limit tells "too big"
        try:
            self.upload = service.check_upload(data, field.data.filename or "")
        except AnnouncementError as error:
            raise ValidationError(str(error)) from None

    def validate_picture_alt(self, field):
        new_picture = self.upload is not None and not self.upload.is_pdf
        kept = self.has_picture and not self.remove_attachment.data and not self.file_chosen()
        if (new_picture or kept) and not (field.data or "").strip():
            raise ValidationError(_("Please describe the picture in a few words, for people who cannot see it."))

    def file_chosen(self) -> bool:
        return bool(getattr(self.attachment.data, "filename", ""))

    def lost_file(self) -> bool:
        """A file was chosen but the form comes back: browsers never fill a file field again."""
        return bool(self.errors) and self.file_chosen()

    def fields(self, tz: str) -> dict:
        """The values for service.save(); raises AnnouncementError for a time the clocks skip or repeat."""
        try:
            shows_from = to_utc_checked(datetime.combine(self.from_date.data, self.from_time.data or time()),
                                        tz, "from_time" if self.from_time.data else "from_date")
            shows_until = None
            if self.until_date.data:
                # A day without a time: to its end, i.e. the next local midnight.
                until = (datetime.combine(self.until_date.data, self.until_time.data) if self.until_time.data
                         else datetime.combine(self.until_date.data + timedelta(days=1), time()))
                shows_until = to_utc_checked(until, tz, "until_time" if self.until_time.data else "until_date")
        except EventError as error:
            raise AnnouncementError(str(error), error.field) from None
        if shows_until is not None and shows_until <= shows_from:
            raise AnnouncementError(_("The end must be after the start."),
                                    "until_time" if self.until_time.data else "until_date")
        return {"title": " ".join(self.title.data.split()), "text": (self.text.data or "").strip(),
                "text_language": self.text_language.data, "shows_from": shows_from, "shows_until": shows_until,
                "picture_alt": " ".join((self.picture_alt.data or "").split())}

    def validate_until_time(self, field):
        if field.data is not None and not self.until_date.data:
            raise ValidationError(_("Please enter the date too."))

    def fill(self, announcement, tz: str) -> None:
        """Show a stored announcement: a time of local midnight as a day without a time."""
        for name in ("title", "text", "text_language", "picture_alt"):
            getattr(self, name).data = getattr(announcement, name)
        self.from_date.data, self.from_time.data = _day_and_time(to_local(announcement.shows_from, tz))
        if announcement.shows_until is not None:
            until = to_local(announcement.shows_until, tz)
            if until.time() == time():
                self.until_date.data, self.until_time.data = until.date() - timedelta(days=1), None
            else:
                self.until_date.data, self.until_time.data = until.date(), until.time()


def _day_and_time(local: datetime) -> tuple[date, time | None]:
    return local.date(), (None if local.time() == time() else local.time())


class TranslationForm(FlaskForm):
    """One other language's title and text; empty fields remove the translation."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Length(max=service.MAX_TEXT)])
