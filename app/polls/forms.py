"""Forms of the organizer's poll pages: a new poll, more dates, and deciding on a date."""
from datetime import datetime, time

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, RadioField, SelectField, StringField, \
    TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..events import recurrence, service as events
from ..events.forms import MAX_DESCRIPTION, check_range, date_field, time_field, _url
from ..events.labels import VISIBILITY_LABELS
from . import service
from .service import PollError

# Rows shown without JavaScript; "Add a row" re-renders the form with more.
DAY_ROWS, SLOT_ROWS = 6, 3
MORE_ROWS = 3
MAX_ROWS = 60


def _in_range(form, field):
    check_range(field)


class SlotForm(Form):
    start = time_field(_l("From"))
    end = time_field(_l("To"))

    def validate_start(self, field):
        if field.data is None and self.end.data is not None:
            raise ValidationError(_("Please enter both times of this slot, or neither."))

    def validate_end(self, field):
        if field.data is None and self.start.data is not None:
            raise ValidationError(_("Please enter both times of this slot, or neither."))


class DatesForm(FlaskForm):
    """Candidate dates: days, and the same time slots on each of them (none: whole days)."""

    days = FieldList(date_field(_l("Day"), _in_range), min_entries=DAY_ROWS, max_entries=MAX_ROWS)
    slots = FieldList(FormField(SlotForm), min_entries=SLOT_ROWS, max_entries=MAX_ROWS)
    dates_error: tuple[str, str] | None = None  # the service's ("days" or "slots", message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._number_rows()

    def _number_rows(self) -> None:
        """Each row's own label ("Day 2", "Slot 1: from"), for screen readers and voice control."""
        for number, entry in enumerate(self.days, 1):
            entry.label.text = _("Day %(num)d", num=number)
        for number, entry in enumerate(self.slots, 1):
            entry.start.label.text = _("Slot %(num)d: from", num=number)
            entry.end.label.text = _("Slot %(num)d: to", num=number)

    def add_rows(self, which: str) -> None:
        """One more set of empty rows of `which` ("days" or "slots"), below those typed."""
        rows = {"days": self.days, "slots": self.slots}.get(which)
        if rows is not None:
            for _n in range(min(MORE_ROWS, MAX_ROWS - len(rows))):
                rows.append_entry()
            self._number_rows()

    def candidates(self, tz: str) -> list[service.Candidate]:
        """The typed days times the typed slots; raises PollError (e.g. a slot that ends first)."""
        days = [entry.data for entry in self.days if entry.data is not None]
        slots = [(entry.start.data, entry.end.data) for entry in self.slots
                 if entry.start.data is not None and entry.end.data is not None]
        return service.candidates(days, slots, tz)


class DetailsForm(FlaskForm):
    """What a poll asks and until when: for a new poll, and to change it later (e.g. a later deadline)."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online link"), validators=_url)
    deadline_date = date_field(_l("Answers until (date)"), InputRequired(message=_l("Please enter the deadline.")),
                                _in_range)
    deadline_time = time_field(_l("Time"))
    allow_maybe = BooleanField(_l("Allow “if need be” answers"), default=True)
    hide_results = BooleanField(_l("Hide the results from participants until the poll is closed"))
    open_link = BooleanField(_l("Open link: anyone with the link may answer"))

    def deadline(self, tz: str) -> datetime:
        """The deadline in UTC; without a time, at the end of that day."""
        wall = datetime.combine(self.deadline_date.data, self.deadline_time.data or time(23, 59))
        try:
            return events.to_utc_checked(wall, tz, "deadline")
        except events.EventError as error:
            raise PollError(str(error), field="deadline") from None

    def values(self, tz: str) -> dict:
        text = lambda field: (field.data or "").strip()  # noqa: E731
        return {"title": " ".join(self.title.data.split()), "description": text(self.description),
                "venue_name": text(self.venue_name), "venue_address": text(self.venue_address),
                "online_url": text(self.online_url), "deadline": self.deadline(tz),
                "allow_maybe": bool(self.allow_maybe.data), "hide_results": bool(self.hide_results.data),
                "open_link": bool(self.open_link.data)}

    def fill(self, poll) -> None:
        for name in ("title", "description", "venue_name", "venue_address", "online_url", "allow_maybe",
                     "hide_results", "open_link"):
            getattr(self, name).data = getattr(poll, name)
        deadline = recurrence.to_local(poll.deadline, poll.timezone)
        self.deadline_date.data, self.deadline_time.data = deadline.date(), deadline.time()


class PollForm(DetailsForm, DatesForm):
    working_group_id = SelectField(_l("Working group"), coerce=int, default=0)

    def set_groups(self, groups, group_required: bool) -> None:
        """The groups the user may manage; a group lead must pick one, a coordinator may leave
        it empty (a poll of the whole network)."""
        none = [] if group_required else [SelectChoice(0, _l("— the whole network —"))]
        self.working_group_id.choices = none + [SelectChoice(g.id, g.name) for g in groups]


class DecideForm(FlaskForm):
    visibility = RadioField(_l("Who may see the event"), default="members",
                            choices=[SelectChoice(k, v) for k, v in VISIBILITY_LABELS.items()])
    take_registrations = BooleanField(_l("Take registrations"), default=True)
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional(), NumberRange(1, 100_000)])
