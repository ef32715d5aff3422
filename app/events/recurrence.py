"""Occurrences of events: RFC 5545 recurrence (python-dateutil) in the event's own zone.

A series is expanded in local wall-clock time and only then converted to UTC, so the
weekly café stays at 15:00 across both daylight-saving changes. Nothing here touches
the database: callers pass the changes (skipped, cancelled, moved occurrences) in.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekdays

from ..core.formatting import to_local  # noqa: F401  (part of this module's interface)
from ..core.params import in_calendar

# Ten years of a weekly meeting: more is a typing mistake, not a plan.
MAX_OCCURRENCES = 520
_FREQ = {"weekly": WEEKLY, "monthly": MONTHLY}
_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_utc(wall: datetime, tz: str) -> datetime:
    """Naive wall-clock time in zone tz -> UTC instant (the earlier one if ambiguous)."""
    return wall.replace(tzinfo=zone(tz), fold=0).astimezone(timezone.utc)


def does_not_exist(wall: datetime, tz: str) -> bool:
    """True for a wall-clock time the clocks skip (e.g. 02:30 on the last Sunday of March)."""
    return to_local(to_utc(wall, tz), tz) != wall


def is_ambiguous(wall: datetime, tz: str) -> bool:
    """True for a wall-clock time that happens twice (e.g. 02:30 on the last Sunday of October)."""
    first = wall.replace(tzinfo=zone(tz), fold=0).utcoffset()
    second = wall.replace(tzinfo=zone(tz), fold=1).utcoffset()
    return first != second


def weekday_ordinal(day) -> int:
    """Which weekday of its month a date is: 1..4, or -1 for the fifth (= the last)."""
    ordinal = (day.day - 1) // 7 + 1
    return -1 if ordinal == 5 else ordinal


@dataclass(frozen=True)
class Rule:
    """The recurrence fields of an event, as plain values."""

    repeat: str | None
    interval: int
    until: object  # date or None
    count: int | None
    start: datetime  # naive local
    tz: str

    @classmethod
    def of(cls, event) -> "Rule":
        return cls(event.repeat, event.repeat_interval or 1, event.repeat_until, event.repeat_count,
                   to_local(event.starts_at, event.timezone), event.timezone)

    def dateutil(self) -> rrule:
        weekday = weekdays[self.start.weekday()]
        if self.repeat == "monthly":
            weekday = weekday(weekday_ordinal(self.start))
        until = datetime.combine(self.until, time.max) if self.until else None
        return rrule(_FREQ[self.repeat], dtstart=self.start, interval=self.interval, byweekday=weekday,
                     until=until, count=self.count)

    def starts(self) -> list[datetime]:
        """Every local start of the series; bounded, since a series must end."""
        return list(self.dateutil()[: MAX_OCCURRENCES + 1])

    def ical(self, all_day: bool = False) -> str:
        """The RRULE value for iCalendar, UNTIL in UTC (parsers disagree on local UNTIL);
        for an all-day series (DATE DTSTART) UNTIL is a DATE, as RFC 5545 requires."""
        day = _ICAL_DAYS[self.start.weekday()]
        if self.repeat == "monthly":
            day = f"{weekday_ordinal(self.start)}{day}"
        parts = [f"FREQ={self.repeat.upper()}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        parts.append(f"BYDAY={day}")
        if self.count:
            parts.append(f"COUNT={self.count}")
        elif self.until and all_day:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        elif self.until:
            last_moment = to_utc(datetime.combine(self.until, time(23, 59, 59)), self.tz)
            parts.append(f"UNTIL={last_moment:%Y%m%dT%H%M%SZ}")
        return ";".join(parts)


@dataclass(frozen=True)
class Occurrence:
    """One date of an event: the event itself, or one instance of a series."""

    event: object
    original_start: datetime  # UTC start the rule produced (RECURRENCE-ID)
    starts_at: datetime
    ends_at: datetime
    change: object = None  # the OccurrenceChange that applies, if any

    @property
    def cancelled(self) -> bool:
        return self.event.status == "cancelled" or (self.change is not None and self.change.action == "cancelled")

    @property
    def moved(self) -> bool:
        return self.change is not None and self.change.action == "moved"

    @property
    def key(self) -> str:
        """Names the occurrence in URLs: its original start in UTC."""
        return f"{self.original_start:%Y%m%dT%H%M%SZ}"


def parse_key(key: str) -> datetime | None:
    """The instant an occurrence key names, or None for anything else (dates outside the years
    Treffpunkt plans in included)."""
    try:
        moment = datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment if in_calendar(moment) else None


def wall_duration(event) -> timedelta:
    """Length in wall-clock terms: an 18:00-20:00 meeting stays so on the switch days."""
    return to_local(event.ends_at, event.timezone) - to_local(event.starts_at, event.timezone)


def expand(event, changes, window_start: datetime, window_end: datetime) -> list[Occurrence]:
    """The occurrences of `event` that overlap [window_start, window_end), changes applied.

    `changes` are the event's OccurrenceChange rows.
    """
    if not event.is_series:
        if event.starts_at < window_end and event.ends_at > window_start:
            return [Occurrence(event, event.starts_at, event.starts_at, event.ends_at)]
        return []
    by_start = {c.original_start: c for c in changes}
    duration = wall_duration(event)
    tz = event.timezone
    rule = Rule.of(event).dateutil()
    # Widen by the duration and a day so that zone offsets cannot hide an overlap.
    low = to_local(window_start, tz) - duration - timedelta(days=1)
    high = to_local(window_end, tz) + timedelta(days=1)
    found = []
    for wall in rule.between(low, high, inc=True):
        start = to_utc(wall, tz)
        change = by_start.get(start)
        if change is not None and change.action in ("skipped", "moved"):
            continue  # a moved one is listed below at its new time
        end = to_utc(wall + duration, tz)
        if start < window_end and end > window_start:
            found.append(Occurrence(event, start, start, end, change))
    for change in by_start.values():
        if change.action == "moved" and change.starts_at < window_end and change.ends_at > window_start:
            found.append(Occurrence(event, change.original_start, change.starts_at, change.ends_at, change))
    found.sort(key=lambda o: o.starts_at)
    return found


def following(event, changes, after: datetime, limit: int, until: datetime | None = None) -> list[Occurrence]:
    """The first `limit` occurrences that start at or after `after` (and not after `until`),
    changes applied. `changes` are the event's OccurrenceChange rows."""
    if not event.is_series:
        return [Occurrence(event, event.starts_at, event.starts_at, event.ends_at)] if event.starts_at >= after else []
    by_start = {c.original_start: c for c in changes}
    duration = wall_duration(event)
    tz = event.timezone
    found = [
        Occurrence(event, c.original_start, c.starts_at, c.ends_at, c)
        for c in by_start.values() if c.action == "moved" and c.starts_at >= after
    ]
    taken = 0
    for wall in Rule.of(event).dateutil().xafter(to_local(after, tz) - timedelta(days=1), inc=True):
        start = to_utc(wall, tz)
        if start < after:
            continue
        if until is not None and start > until:
            break
        change = by_start.get(start)
        if change is None or change.action == "cancelled":
            found.append(Occurrence(event, start, start, to_utc(wall + duration, tz), change))
            taken += 1
            if taken >= limit:
                break
    found.sort(key=lambda o: o.starts_at)
    return found[:limit]


def occurrence(event, changes, original_start: datetime) -> Occurrence | None:
    """The occurrence whose rule-given start is `original_start`, or None if the rule has none."""
    if not event.is_series:
        return Occurrence(event, event.starts_at, event.starts_at, event.ends_at) \
            if original_start == event.starts_at else None
    wall = to_local(original_start, event.timezone)
    if not Rule.of(event).dateutil().between(wall, wall, inc=True):
        return None
    change = next((c for c in changes if c.original_start == original_start), None)
    if change is not None and change.action == "moved":
        return Occurrence(event, original_start, change.starts_at, change.ends_at, change)
    end = to_utc(wall + wall_duration(event), event.timezone)
    return Occurrence(event, original_start, original_start, end, change)


def last_end(event, changes=()) -> datetime:
    """End of the event's last occurrence (for finding the series that reach a window)."""
    if not event.is_series:
        return event.ends_at
    starts = Rule.of(event).starts()
    last = to_utc(starts[-1] + wall_duration(event), event.timezone) if starts else event.ends_at
    moved = [c.ends_at for c in changes if c.action == "moved" and c.ends_at]
    return max([last, *moved])
