"""Forms of the organizer pages: an event (or the rest of a series), a moved date, a cancellation, a kind."""
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, TimeField, URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, StopValidation, \
    URL, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.types import utcnow
from . import pictures, recurrence, service
from .labels import LANGUAGE_LABELS, VISIBILITY_LABELS, kind_label
from .service import EventError

MAX_DESCRIPTION = 20_000
FIRST_YEAR = 2000
YEARS_AHEAD = 10

# What organizers pick, and what it means as (repeat, repeat_interval).
REPEAT_LABELS = {
    "none": _l("Does not repeat"),
    "weekly": _l("Every week"),
    "biweekly": _l("Every two weeks"),
    "monthly": _l("Every month on this weekday (e.g. every first Tuesday)"),
}
_REPEAT_RULES = {"none": (None, 1), "weekly": ("weekly", 1), "biweekly": ("weekly", 2), "monthly": ("monthly", 1)}

_url = [Optional(), Length(max=500),
        Regexp(r"^https?://", message=_l("Please enter a full address, e.g. https://example.org.")),
        URL(require_tld=True, message=_l("Please enter a full address, e.g. https://example.org."))]


class _EmptyIsNone:
    """An empty date or time input is "not given", not "invalid"; required-ness is checked apart."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class LocalDateField(_EmptyIsNone, DateField):
    pass


class LocalTimeField(_EmptyIsNone, TimeField):
    pass


def date_field(label, *validators):
    return LocalDateField(label, validators=list(validators),
                          invalid_value_message=_l("Please enter a date, e.g. 2027-03-04."))


def time_field(label):
    return LocalTimeField(label, format=["%H:%M", "%H:%M:%S"],
                          invalid_value_message=_l("Please enter a time, e.g. 15:00."))


def date_limits() -> tuple[date, date]:
    """The dates an organizer can plan: from 2000 to ten years from today."""
    today = utcnow().date()
    try:
        last = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return date(FIRST_YEAR, 1, 1), last


def check_range(field) -> None:
    first, last = date_limits()
    if field.data is not None and not first <= field.data <= last:
        raise ValidationError(_("This date is too far away. Please choose a date between %(first)s and %(last)s.",
                                first=format_date(first, "medium"), last=format_date(last, "medium")))


def _wall(day: date, moment: time | None) -> datetime:
    return datetime.combine(day, moment or time())


class _Schedule:
    """Start and end as typed: date fields and time fields, all-day or not (mixed into the forms)."""

    def validate_start_date(self, field):
        check_range(field)

    def validate_end_date(self, field):
        check_range(field)

    def validate_start_time(self, field):
        self._time_needed(field, _("Please enter a start time, or choose “All day”."))

    def validate_end_time(self, field):
        self._time_needed(field, _("Please enter an end time, or choose “All day”."))

    def _time_needed(self, field, message):
        if self._is_all_day():
            field.errors[:] = []  # times do not count for an all-day event
            raise StopValidation()
        if field.data is None and not field.errors:
            raise StopValidation(message)

    def _is_all_day(self) -> bool:
        return bool(getattr(self, "all_day", None) and self.all_day.data)

    def schedule(self, tz: str) -> tuple[datetime, datetime]:
        """(starts_at, ends_at) in UTC. An all-day event runs from local midnight to the midnight
        after its last day. Raises EventError for a time that does not exist or exists twice."""
        end_day = self.end_date.data or self.start_date.data
        if self._is_all_day():
            starts_at = service.to_utc_checked(_wall(self.start_date.data, None), tz, "start_date")
            ends_at = service.to_utc_checked(_wall(end_day + timedelta(days=1), None), tz, "end_date")
            if ends_at <= starts_at:
                raise EventError(_("The end must be after the start."), field="end_date")
            return starts_at, ends_at
        starts_at = service.to_utc_checked(_wall(self.start_date.data, self.start_time.data), tz, "start_time")
        ends_at = service.to_utc_checked(_wall(end_day, self.end_time.data), tz, "end_time")
        if ends_at <= starts_at:
            raise EventError(_("The end must be after the start."),
                             field="end_time" if end_day == self.start_date.data else "end_date")
        return starts_at, ends_at

    def fill_schedule(self, starts_at: datetime, ends_at: datetime, tz: str, all_day: bool) -> None:
        start, end = recurrence.to_local(starts_at, tz), recurrence.to_local(ends_at, tz)
        if all_day:
            end -= timedelta(days=1)  # the stored end is exclusive
        self.start_date.data = start.date()
        self.end_date.data = end.date() if end.date() != start.date() else None  # empty: the same day
        self.start_time.data = None if all_day else start.time()
        self.end_time.data = None if all_day else end.time()

    def first_error(self) -> str | None:
        """Name of the first field with an error: it gets the focus."""
        return next((f.name for f in self if f.errors), None)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PictureChecks:
    """An optional picture, its text alternative (required with a picture) and "remove": the
    checks of the event form and the programme's submission form, which declare the fields
    `picture`, `picture_alt` and `remove_picture`. The view sets `has_picture`."""

    has_picture = False
    picture_data: bytes | None = None  # the checked upload, for pictures.set_picture()

    def validate_picture(self, field):
        if not self._picture_chosen():
            return
        data = field.data.read(pictures.MAX_PICTURE_BYTES + 1)  # one byte more tells "too big"
        try:
            pictures.check_upload(data)
        except EventError as error:
            raise ValidationError(str(error)) from None
        self.picture_data = data

    def validate_picture_alt(self, field):
        kept = self.has_picture and not self.remove_picture.data
        if (self._picture_chosen() or kept) and not (field.data or "").strip():
            raise ValidationError(_("Please describe the picture in a few words, for people who cannot see it."))

    def _picture_chosen(self) -> bool:
        return bool(getattr(self.picture.data, "filename", "")) and not self.remove_picture.data


def picture_fields():
    """The three fields PictureChecks checks, declared last in each form."""
    return (FileField(_l("Picture (optional)")),
            StringField(_l("What the picture shows"), validators=[Length(max=pictures.MAX_ALT)]),
            BooleanField(_l("Remove the picture")))


class EventForm(PictureChecks, _Schedule, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind_id = SelectField(_l("Kind"), coerce=int)
    working_group_id = SelectField(_l("Working group"), coerce=int, default=0)
    organization_id = SelectField(_l("Organized by"), coerce=int, default=0)
    contact_person_id = SelectField(_l("Contact person"), coerce=int, default=0)
    description = TextAreaField(_l("Description"), validators=[
        Optional(), Length(max=MAX_DESCRIPTION, message=_l(
            "The description can have at most %(max)d characters; this one has %(length)d."))])

    start_date = date_field(_l("Start date"), InputRequired(message=_l("Please enter the date.")))
    start_time = time_field(_l("Start time"))
    end_date = date_field(_l("End date"))
    end_time = time_field(_l("End time"))
    all_day = BooleanField(_l("All day"))
    repeat = SelectField(_l("Repeat"), choices=[SelectChoice(k, v) for k, v in REPEAT_LABELS.items()],
                         default="none")
    repeat_until = date_field(_l("Last date"))
    repeat_count = IntegerField(_l("or number of dates"), validators=[
        Optional(), NumberRange(min=1, max=recurrence.MAX_OCCURRENCES)])

    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    venue_room = StringField(_l("Room"), validators=[Optional(), Length(max=100)])
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional(), Length(max=500)])
    map_url = URLField(_l("Map link"), validators=_url)
    online_url = URLField(_l("Online link"), validators=_url)

    languages = MultiCheckboxField(_l("Languages spoken"), default=["de"],
                                   choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    text_language = SelectField(_l("Language of the title and description"), default="de",
                                choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    visibility = RadioField(_l("Who may see it"), default="public",
                            choices=[SelectChoice(k, v) for k, v in VISIBILITY_LABELS.items()])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)])
    picture, picture_alt, remove_picture = picture_fields()

    def set_choices(self, kinds, groups, organizations, people, group_required: bool = False) -> None:
        """The network's kinds, groups, member organizations and contact people; a group lead
        (group_required) picks one of the groups they lead."""
        self.kind_id.choices = [SelectChoice(k.id, kind_label(k)) for k in kinds]
        none = [] if group_required else [SelectChoice(0, _l("— none —"))]
        self.working_group_id.choices = none + [SelectChoice(g.id, g.name) for g in groups]
        self.organization_id.choices = [SelectChoice(0, _l("— none —"))] + [
            SelectChoice(o.id, o.name) for o in organizations]
        self.contact_person_id.choices = [SelectChoice(0, _l("— none —"))] + [
            SelectChoice(p.id, f"{p.name} ({p.organization.name})") for p in people]

    def validate_languages(self, field):
        if not field.data:
            raise ValidationError(_("Please choose at least one language."))

    def validate_repeat_until(self, field):
        check_range(field)

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.repeat.data == "none":  # hidden then; whatever is in them does not count
            self.repeat_until.errors, self.repeat_count.errors = [], []
        elif self.repeat_until.data and self.repeat_count.data:
            self.repeat_count.errors.append(_("Please give either a last date or a number of dates, not both."))
        return not any(f.errors for f in self)

    def event_fields(self, tz: str) -> dict:
        """The values for service.save(); raises EventError for a time the clocks skip or repeat."""
        starts_at, ends_at = self.schedule(tz)
        repeat, interval = _REPEAT_RULES[self.repeat.data]
        text = lambda field: (field.data or "").strip()  # noqa: E731
        return {
            "title": " ".join(self.title.data.split()),
            "kind_id": self.kind_id.data,
            "working_group_id": self.working_group_id.data or None,
            "organization_id": self.organization_id.data or None,
            "contact_person_id": self.contact_person_id.data or None,
            "description": text(self.description),
            "starts_at": starts_at, "ends_at": ends_at, "all_day": bool(self.all_day.data),
            "repeat": repeat, "repeat_interval": interval,
            "repeat_until": self.repeat_until.data if repeat else None,
            "repeat_count": self.repeat_count.data if repeat and not self.repeat_until.data else None,
            "venue_name": text(self.venue_name), "venue_address": text(self.venue_address),
            "venue_room": text(self.venue_room), "accessibility": text(self.accessibility),
            "map_url": text(self.map_url), "online_url": text(self.online_url),
            "languages": ",".join(code for code in LANGUAGE_LABELS if code in self.languages.data),
            "text_language": self.text_language.data,
            "visibility": self.visibility.data,
        }

    def tag_names(self) -> list[str]:
        return [name for name in (self.tags.data or "").split(",") if name.strip()]

    def fill(self, event) -> None:
        """Show an event's values (for editing, duplicating, or changing the rest of a series)."""
        for name in ("title", "kind_id", "description", "all_day", "venue_name", "venue_address", "venue_room",
                     "accessibility", "map_url", "online_url", "visibility", "repeat_until", "repeat_count",
                     "text_language"):
            getattr(self, name).data = getattr(event, name)
        for name in ("working_group_id", "organization_id", "contact_person_id"):
            getattr(self, name).data = getattr(event, name) or 0
        self.fill_schedule(event.starts_at, event.ends_at, event.timezone, event.all_day)
        self.repeat.data = next((key for key, rule in _REPEAT_RULES.items()
                                 if rule == (event.repeat, event.repeat_interval or 1)), "none")
        self.languages.data = event.language_codes
        self.tags.data = ", ".join(tag.name for tag in event.tags)
        self.picture_alt.data = event.picture.alt if event.picture is not None else ""


class MoveForm(_Schedule, FlaskForm):
    """A new date and time for one occurrence of a series."""

    start_date = date_field(_l("New date"), InputRequired(message=_l("Please enter the date.")))
    start_time = time_field(_l("Start time"))
    end_date = date_field(_l("End date"))
    end_time = time_field(_l("End time"))
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])

    def _is_all_day(self) -> bool:
        return bool(getattr(self, "event_all_day", False))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Please give a reason: "
                                                                             "people will see it.")),
                                                     Length(max=2000)])


class KindForm(FlaskForm):
    name = StringField(_l("A new kind"), validators=[DataRequired(), Length(max=100)])
