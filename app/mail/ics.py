"""The VEVENT of an event or one of its dates, shared by the calendar feeds and the mails' iTIP
messages (itip.py), and the VTIMEZONE they carry.

Built with the `icalendar` package, never by hand. The VTIMEZONE is written with yearly
RRULEs (`vtimezone`), not with icalendar's `add_missing_timezones()`: ical.js, the parser
inside Thunderbird, reads the RDATE lists that one writes an hour off for every summer-time
event (see tools/ics-check). `vtimezone` is meant to be reused by the calendar feeds.
"""
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import YEARLY, rrule, weekday as rrule_weekday
from icalendar import Event as VEvent, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vRecur, vText
from icalendar.parser import content_line as _content_line

from ..core.formatting import to_local
from ..core.markdown import to_text
from ..core.types import utcnow

PRODID = "-//Treffpunkt//Treffpunkt//DE"


def _fast_path(fold):
    """icalendar folds every content line character by character: a third of building a feed.
    Most lines are short ASCII, which it leaves as they are; for those, skip the walk (the same
    text; tests/test_ics.py compares). Should icalendar rename its helper, this does nothing."""
    def foldline(line: str, limit: int = 75, fold_sep: str = "\r\n ") -> str:
        if len(line) < limit and line.isascii():
            return line
        return fold(line, limit, fold_sep)

    foldline.original = fold
    return foldline


if hasattr(_content_line, "_foldline"):
    _content_line._foldline = _fast_path(_content_line._foldline)
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(tz: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta, str]]:
    """The UTC offset changes of `tz` in `year`: (UTC instant, offset before, offset after, name after)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    before = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = moment + timedelta(days=1)
        after = following.astimezone(tz).utcoffset()
        if after != before:
            # Narrow down to the minute within that day.
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((high, before, after, high.astimezone(tz).tzname()))
            before = after
        moment = following
    return found


def _yearly_rule(local: datetime) -> dict:
    """RRULE for "the n-th (or last) weekday of this month", the way zone rules are stated."""
    days_in_month = ((local.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
    ordinal = -1 if local.day + 7 > days_in_month else (local.day - 1) // 7 + 1
    return {"FREQ": "YEARLY", "BYMONTH": local.month, "BYDAY": f"{ordinal}{_DAYS[local.weekday()]}"}


@lru_cache(maxsize=16)
def _vtimezone_ical(tz_name: str) -> bytes:
    tz = ZoneInfo(tz_name)
    component = Timezone()
    component.add("TZID", tz_name)
    component.add("X-LIC-LOCATION", tz_name)
    year = utcnow().year
    changes = _transitions(tz, year)
    if len(changes) != 2:  # no daylight saving time (or an irregular year): one fixed offset
        offset = datetime(year, 7, 1, tzinfo=timezone.utc).astimezone(tz)
        standard = TimezoneStandard()
        standard.add("TZOFFSETFROM", offset.utcoffset())
        standard.add("TZOFFSETTO", offset.utcoffset())
        standard.add("TZNAME", offset.tzname())
        standard.add("DTSTART", datetime(1970, 1, 1))
        component.add_component(standard)
        return component.to_ical()
    # Daylight first, as in tools/ics-check/fixtures/good.ics.
    for instant, before, after, name in sorted(changes, key=lambda c: c[2] < c[1]):
        local = (instant + before).replace(tzinfo=None)  # wall clock just before the change
        rule = _yearly_rule(local)
        # DTSTART: the rule's first instance in 1970, at the wall-clock time of the change.
        ordinal, day = int(rule["BYDAY"][:-2]), _DAYS.index(rule["BYDAY"][-2:])
        first = rrule(YEARLY, dtstart=datetime(1970, 1, 1, local.hour, local.minute), count=1,
                      bymonth=rule["BYMONTH"], byweekday=rrule_weekday(day, ordinal))[0]
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        part.add("TZOFFSETFROM", before)
        part.add("TZOFFSETTO", after)
        part.add("TZNAME", name)
        part.add("DTSTART", first)
        part.add("RRULE", rule)
        component.add_component(part)
    return component.to_ical()


def vtimezone(tz_name: str) -> Timezone:
    """A VTIMEZONE for `tz_name` with yearly RRULEs for the zone's current rules.

    Good for times from now on (past rule changes are not written). Every parser that
    ics-check drives reads it like the IANA zone.
    """
    return Timezone.from_ical(_vtimezone_ical(tz_name))


def _location(event) -> str:
    parts = [p for p in (event.venue_name, event.venue_room, event.venue_address) if p]
    if parts:
        return ", ".join(parts)
    return event.online_url or ""


def _organizer(event):
    """ORGANIZER: the organizing organization's name with a contact address; None if there is no address."""
    email = ""
    if event.contact_person is not None and event.contact_person.email:
        email = event.contact_person.email
    elif event.organization is not None and event.organization.email:
        email = event.organization.email
    if not email:
        return None
    address = vCalAddress(f"mailto:{email}")
    name = event.organization.name if event.organization is not None else event.network.name
    address.params["CN"] = vText(name)
    return address


def event_page_url(event, occurrence=None) -> str:
    """The public event page (the date's page for one date of a series); "" outside an app."""
    from flask import current_app, url_for
    from werkzeug.routing import BuildError

    values = {"event_id": event.id}
    if event.is_series and occurrence is not None:
        values["at"] = occurrence.key
    try:
        base = current_app.config.get("BASE_URL")
        return base + url_for("events.show", **values) if base else url_for("events.show", _external=True, **values)
    except (RuntimeError, BuildError):  # no request and no SERVER_NAME
        return ""


def _local_value(event, moment: datetime):
    """A stored UTC instant as iCalendar writes it for this event: a TZID time, or a DATE all day."""
    if event.all_day:
        return to_local(moment, event.timezone).date()
    return to_local(moment, event.timezone).replace(tzinfo=ZoneInfo(event.timezone))  # ;TZID=<zone>:


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def build_vevent(event, occurrence=None, *, cancelled: bool | None = None, sequence: int | None = None,
                 extra_text: str = "", url: str | None = None, dtstamp: datetime | None = None,
                 rrule: str | None = None, exdates=(), recurrence_id: bool | None = None,
                 uid: str | None = None, categories=()) -> VEvent:
    """One VEVENT of `event`: shared by the invitation mails and the calendar feeds.

    `occurrence` None means the event itself (for a series: its first date, the master that
    carries `rrule` and `exdates`). An occurrence of a series gets a RECURRENCE-ID of its
    original start, written like DTSTART (unless `recurrence_id` is False), and repeats every
    property of the master, since an override replaces the whole instance. SEQUENCE is
    `sequence`, else the occurrence change's, else the event's. DTSTAMP is `dtstamp` (feeds pass
    the last change, so the bytes stay the same until the event changes), else now.
    """
    starts_at = occurrence.starts_at if occurrence is not None else event.starts_at
    ends_at = occurrence.ends_at if occurrence is not None else event.ends_at
    change = occurrence.change if occurrence is not None else None
    if sequence is None:
        sequence = max(event.sequence or 0, change.sequence or 0) if change is not None else (event.sequence or 0)
    if cancelled is None:
        cancelled = event.status == "cancelled" or (change is not None and change.action == "cancelled")
    modified = max(event.updated_at, change.updated_at) if change is not None and change.updated_at \
        else event.updated_at
    modified = _utc(modified or utcnow())

    vevent = VEvent()
    vevent.add("UID", uid or event.uid)
    vevent.add("DTSTAMP", _utc(dtstamp) if dtstamp is not None else _utc(utcnow()))
    vevent.add("LAST-MODIFIED", modified)
    vevent.add("SEQUENCE", sequence)
    vevent.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    if recurrence_id is None:
        recurrence_id = event.is_series and occurrence is not None
    if recurrence_id:
        vevent.add("RECURRENCE-ID", _local_value(event, occurrence.original_start))
    start, end = _local_value(event, starts_at), _local_value(event, ends_at)
    if event.all_day and end <= start:
        end = start + timedelta(days=1)  # DTEND is exclusive
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)  # never DURATION: parsers disagree on it across clock changes
    if rrule:
        vevent.add("RRULE", vRecur.from_ical(rrule))
    for moment in exdates:
        vevent.add("EXDATE", _local_value(event, moment))
    vevent.add("SUMMARY", event.title)
    location = _location(event)
    if location:
        vevent.add("LOCATION", location)
    description = "\n\n".join(part for part in (to_text(event.description), extra_text.strip()) if part)
    if description:
        vevent.add("DESCRIPTION", description)
    if url is None:
        url = event_page_url(event, occurrence)
    if url:
        vevent.add("URL", url)
    organizer = _organizer(event)
    if organizer is not None:
        vevent.add("ORGANIZER", organizer)
    if categories:
        vevent.add("CATEGORIES", list(categories))
    vevent.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent
