"""Event logic shared by the organizer pages, the public pages, the demo and later the feeds."""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.extensions import db
from ..core.types import utcnow
from ..directory.models import Network, WorkingGroup
from ..directory.signals import network_created
from . import recurrence
from .models import BUILTIN_KINDS, Event, EventKind, OccurrenceChange, StoredOccurrence, Tag, event_tags
from .signals import event_changed, event_rescheduled

PAGE_SIZE = 20
# Changing any of these means calendars must update their copy (SEQUENCE goes up).
_SCHEDULE_FIELDS = ("starts_at", "ends_at", "all_day", "timezone", "repeat", "repeat_interval", "repeat_until",
                    "repeat_count", "venue_name", "venue_address", "venue_room", "online_url", "status")
# Longer is a typing mistake; knowing it lets a calendar find dates by their start alone.
MAX_LENGTH = timedelta(days=31)


class EventError(ValueError):
    """A problem the organizer can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str = "start_date"):
        super().__init__(message)
        self.field = field


# --- Kinds and tags ---------------------------------------------------------------

def id_param(value) -> int | None:
    """A positive id (or page number) from a query parameter; None for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@network_created.connect
def add_builtin_kinds(network: Network, **_) -> None:
    """Every new network starts with the built-in kinds (see migration 0002 for older ones)."""
    for position, code in enumerate(BUILTIN_KINDS):
        db.session.add(EventKind(network_id=network.id, code=code, name=code, position=position))


def kinds(network: Network) -> list[EventKind]:
    return db.session.scalars(
        select(EventKind).where(EventKind.network_id == network.id).order_by(EventKind.position, EventKind.name)
    ).all()


def add_kind(network: Network, name: str) -> EventKind:
    name = " ".join(name.split())
    if db.session.scalar(select(EventKind).where(EventKind.network_id == network.id,
                                                 func.lower(EventKind.name) == name.lower())):
        raise EventError(_("This network has a kind of this name already."), field="name")
    kind = EventKind(network_id=network.id, name=name, position=len(kinds(network)))
    db.session.add(kind)
    return kind


def set_tags(event: Event, names: list[str]) -> None:
    wanted = {}
    for name in names:
        name = " ".join(name.split())[:60]
        if name:
            wanted.setdefault(slug_of(name), name)
    existing = {t.slug: t for t in db.session.scalars(
        select(Tag).where(Tag.network_id == event.network_id, Tag.slug.in_(list(wanted))))} if wanted else {}
    tags = [existing.get(slug) or Tag(network_id=event.network_id, name=name, slug=slug)
            for slug, name in wanted.items()]
    if [t.slug for t in event.tags] != [t.slug for t in tags]:
        event.updated_at = utcnow()  # feeds revalidate by updated_at; the tag table alone would not tell
    event.tags = tags


def slug_of(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.lower().translate(table))
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "tag"


# --- Creating and changing --------------------------------------------------------

def new_uid() -> str:
    """Globally unique and stable: random, qualified by the site's domain at creation."""
    domain = urlsplit(current_app.config.get("BASE_URL") or "").hostname or "treffpunkt.local"
    return f"{secrets.token_hex(16)}@{domain}"


def to_utc_checked(wall: datetime, tz: str, field: str) -> datetime:
    """A local date and time as typed -> UTC, refusing times that do not exist or exist twice."""
    if recurrence.does_not_exist(wall, tz):
        raise EventError(_("%(time)s does not exist on %(day)s: the clocks go forward an hour. "
                           "Please choose another time.", time=wall.strftime("%H:%M"),
                           day=wall.strftime("%d.%m.%Y")), field=field)
    if recurrence.is_ambiguous(wall, tz):
        raise EventError(_("%(time)s happens twice on %(day)s: the clocks go back an hour. "
                           "Please choose another time.", time=wall.strftime("%H:%M"),
                           day=wall.strftime("%d.%m.%Y")), field=field)
    return recurrence.to_utc(wall, tz)


def _check_length(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at - starts_at > MAX_LENGTH:
        raise EventError(_("An event can last 31 days at most. For regular dates, use a series."),
                         field="end_date")


def check_schedule(event: Event) -> None:
    """Refuse what calendars cannot show right: end before start, endless or huge series,
    and occurrences that start or end in an hour that is skipped or happens twice."""
    if event.ends_at <= event.starts_at:
        raise EventError(_("The end must be after the start."), field="end_date")
    _check_length(event.starts_at, event.ends_at)
    if not event.is_series:
        return
    if not event.repeat_until and not event.repeat_count:
        raise EventError(_("A series needs an end: a last date or a number of dates."), field="repeat_until")
    rule = recurrence.Rule.of(event)
    if event.repeat_until and event.repeat_until < rule.start.date():
        raise EventError(_("The last date of the series is before its first."), field="repeat_until")
    starts = rule.starts()
    if len(starts) > recurrence.MAX_OCCURRENCES:
        raise EventError(_("A series can have %(num)d dates at most.", num=recurrence.MAX_OCCURRENCES),
                         field="repeat_until")
    if event.all_day:
        return
    duration = recurrence.to_local(event.ends_at, event.timezone) - rule.start
    for wall in starts:
        for moment in (wall, wall + duration):
            if recurrence.does_not_exist(moment, event.timezone) or recurrence.is_ambiguous(moment, event.timezone):
                raise EventError(_("On %(day)s the series would start or end in the hour of the clock change. "
                                   "Please choose another time.", day=moment.strftime("%d.%m.%Y")),
                                 field="start_time")


def save(event: Event, **fields) -> Event:
    """Apply field values, check the schedule, keep derived values right; new events get a UID."""
    before = {name: getattr(event, name) for name in _SCHEDULE_FIELDS} if event.id else None
    for name, value in fields.items():
        setattr(event, name, value)
    if not event.uid:
        event.uid = new_uid()
    check_schedule(event)
    event.last_ends_at = recurrence.last_end(event, event.changes)
    if before is not None and any(before[name] != getattr(event, name) for name in _SCHEDULE_FIELDS):
        event.sequence = (event.sequence or 0) + 1
        event_rescheduled.send(event, before=before)
    db.session.add(event)
    return event


def publish(event: Event) -> None:
    if event.status == "draft":
        save(event, status="published")


def cancel(event: Event, reason: str) -> None:
    """Cancelled events stay visible, marked, with the reason."""
    save(event, status="cancelled", cancel_reason=reason.strip())


def announce(event: Event, dates: list[datetime] | None = None) -> None:
    """After an organizer changed time, place or status (of the whole event, or of these dates
    of a series): whoever needs to know is told (signals.event_changed)."""
    event_changed.send(event, dates=dates)


def duplicate(event: Event) -> Event:
    """"Same as last time": a draft copy one week later (a series starts again then too)."""
    copy = Event(
        network_id=event.network_id, working_group_id=event.working_group_id, kind_id=event.kind_id,
        title=event.title, description=event.description, organization_id=event.organization_id,
        contact_person_id=event.contact_person_id, all_day=event.all_day, timezone=event.timezone,
        repeat=event.repeat, repeat_interval=event.repeat_interval, repeat_count=event.repeat_count,
        venue_name=event.venue_name, venue_address=event.venue_address, venue_room=event.venue_room,
        accessibility=event.accessibility, map_url=event.map_url, online_url=event.online_url,
        languages=event.languages, text_language=event.text_language, visibility=event.visibility, status="draft",
    )
    week = timedelta(days=7)
    start_wall = recurrence.to_local(event.starts_at, event.timezone) + week
    end_wall = recurrence.to_local(event.ends_at, event.timezone) + week
    copy.starts_at = recurrence.to_utc(start_wall, event.timezone)
    copy.ends_at = recurrence.to_utc(end_wall, event.timezone)
    copy.repeat_until = event.repeat_until + week if event.repeat_until else None
    copy.tags = list(event.tags)
    return copy


# --- Single occurrences of a series -----------------------------------------------

def occurrence_or_none(event: Event, key: str):
    moment = recurrence.parse_key(key)
    return recurrence.occurrence(event, event.changes, moment) if moment else None


def change_occurrence(event: Event, original_start: datetime, action: str, reason: str = "",
                      starts_at: datetime | None = None, ends_at: datetime | None = None) -> OccurrenceChange:
    """Skip, cancel or move one occurrence; a second change of the same one replaces the first."""
    change = next((c for c in event.changes if c.original_start == original_start), None)
    if change is None:
        change = OccurrenceChange(original_start=original_start, action=action)
        event.changes.append(change)
    if action == "moved":
        if ends_at <= starts_at:
            raise EventError(_("The end must be after the start."), field="end_date")
        _check_length(starts_at, ends_at)
        for moment in (starts_at, ends_at):
            wall = recurrence.to_local(moment, event.timezone)
            if recurrence.is_ambiguous(wall, event.timezone):
                raise EventError(_("This time happens twice on the day the clocks go back. "
                                   "Please choose another time."), field="start_time")
    change.action, change.reason = action, reason.strip()
    change.starts_at, change.ends_at = (starts_at, ends_at) if action == "moved" else (None, None)
    change.sequence = (change.sequence or 0) + 1
    event.sequence = (event.sequence or 0) + 1
    event.last_ends_at = recurrence.last_end(event, event.changes)
    return change


def restore_occurrence(event: Event, original_start: datetime) -> None:
    for change in list(event.changes):
        if change.original_start == original_start:
            event.changes.remove(change)
    event.sequence = (event.sequence or 0) + 1
    event.last_ends_at = recurrence.last_end(event, event.changes)


def split_series(event: Event, original_start: datetime, **fields) -> Event:
    """"This and all following": the series ends before this occurrence, and a new series
    with the given values starts with it. Changes of later occurrences move along where
    the new rule still produces them."""
    tail = duplicate(event)
    tail.status = event.status
    first = recurrence.occurrence(event, [], original_start)
    if first is None:
        raise EventError(_("The series has no date at this time."))
    tail.starts_at, tail.ends_at = first.starts_at, first.ends_at
    tail.repeat_until = event.repeat_until
    tail.repeat_count = None
    if event.repeat_count:
        done = [s for s in recurrence.Rule.of(event).starts()
                if recurrence.to_utc(s, event.timezone) < original_start]
        tail.repeat_count = event.repeat_count - len(done)
    day_before = recurrence.to_local(original_start, event.timezone).date() - timedelta(days=1)
    later = [c for c in event.changes if c.original_start >= original_start]
    for change in later:
        event.changes.remove(change)
    save(event, repeat_until=day_before, repeat_count=None)
    save(tail, **fields)
    for change in later:
        if recurrence.occurrence(tail, [], change.original_start) is not None:
            tail.changes.append(OccurrenceChange(original_start=change.original_start, action=change.action,
                                                 starts_at=change.starts_at, ends_at=change.ends_at,
                                                 reason=change.reason))
    tail.last_ends_at = recurrence.last_end(tail, tail.changes)
    return tail


# --- Finding occurrences ----------------------------------------------------------

@dataclass
class Filters:
    network_id: int | None = None
    working_group_id: int | None = None
    kind_id: int | None = None
    language: str | None = None
    tag_slug: str | None = None
    organization_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _group_and_subgroups(group_id: int):
    """Ids of a working group and of the groups below it, at any depth: a group's events
    include its sub-groups'."""
    tree = select(WorkingGroup.id).where(WorkingGroup.id == group_id).cte("group_tree", recursive=True)
    tree = tree.union_all(select(WorkingGroup.id).where(WorkingGroup.parent_id == tree.c.id))
    return select(tree.c.id)


def _candidates(filters: Filters, start: datetime | None, end: datetime | None, public: bool,
                network_ids=None):
    """Events (single or series) that may have occurrences in [start, end)."""
    stmt = select(Event)
    if start is not None:
        stmt = stmt.where(Event.last_ends_at > start)
    if end is not None:
        stmt = stmt.where(Event.starts_at < end)
    if public:
        stmt = stmt.where(Event.visibility == "public", Event.status.in_(("published", "cancelled")))
    if network_ids is not None:
        stmt = stmt.where(Event.network_id.in_(network_ids))
    if filters.network_id:
        stmt = stmt.where(Event.network_id == filters.network_id)
    if filters.working_group_id:
        stmt = stmt.where(Event.working_group_id.in_(_group_and_subgroups(filters.working_group_id)))
    if filters.kind_id:
        stmt = stmt.where(Event.kind_id == filters.kind_id)
    if filters.organization_id:
        stmt = stmt.where(Event.organization_id == filters.organization_id)
    if filters.language:
        stmt = stmt.where(or_(Event.languages == filters.language,
                              Event.languages.like(f"{filters.language},%"),
                              Event.languages.like(f"%,{filters.language}"),
                              Event.languages.like(f"%,{filters.language},%")))
    if filters.tag_slug:
        stmt = stmt.where(Event.id.in_(
            select(event_tags.c.event_id).join(Tag, Tag.id == event_tags.c.tag_id).where(Tag.slug == filters.tag_slug)))
    return stmt


def _changes_for(events) -> dict[int, list[OccurrenceChange]]:
    """The occurrence changes of all series among `events`, by event id, in one query."""
    series_ids = [e.id for e in events if e.is_series]
    by_event: dict[int, list[OccurrenceChange]] = {}
    if series_ids:
        for change in db.session.scalars(
                select(OccurrenceChange).where(OccurrenceChange.event_id.in_(series_ids))):
            by_event.setdefault(change.event_id, []).append(change)
    return by_event


def _load_tags(events) -> None:
    """Tags of all listed events in one query."""
    if not events:
        return
    rows = db.session.execute(
        select(event_tags.c.event_id, Tag).join(Tag, Tag.id == event_tags.c.tag_id)
        .where(event_tags.c.event_id.in_([e.id for e in events])).order_by(Tag.name)
    ).all()
    by_event: dict[int, list[Tag]] = {}
    for event_id, tag in rows:
        by_event.setdefault(event_id, []).append(tag)
    for event in events:
        set_committed_value(event, "tags", by_event.get(event.id, []))


def _binary(column):
    """The column compared by code point, as Python sorts strings, whatever the database's locale."""
    return column.collate("C" if db.session.get_bind().dialect.name == "postgresql" else "BINARY")


def _dated(filters: Filters, start: datetime, end: datetime | None, public: bool, network_ids=None):
    """(event, stored date) pairs of the candidate events, skipped dates left out, in the order
    lists show them: by start, then title."""
    # Bounded by the dates' own starts, not the events' ends: the database then walks the dates
    # in order of start and stops at the page's end, however many events there are.
    stmt = _candidates(filters, None, None, public, network_ids).add_columns(StoredOccurrence).join(
        StoredOccurrence, StoredOccurrence.event_id == Event.id).where(StoredOccurrence.state != "skipped")
    if end is not None:
        stmt = stmt.where(StoredOccurrence.starts_at < end)
    return stmt.order_by(StoredOccurrence.starts_at, _binary(Event.title), Event.id)


def _occurrences(rows) -> list[recurrence.Occurrence]:
    """Occurrences from (event, stored date) rows, each with its change, in one query."""
    changed = _changes_for(list({event.id: event for event, _row in rows}.values()))
    by_date = {(c.event_id, c.original_start): c for changes in changed.values() for c in changes}
    return [recurrence.Occurrence(event, row.original_start, row.starts_at, row.ends_at,
                                  by_date.get((event.id, row.original_start))) for event, row in rows]


def window(filters: Filters, start: datetime, end: datetime, public: bool = True, network_ids=None):
    """Every occurrence overlapping [start, end), ordered by start: for calendar views."""
    rows = db.session.execute(_dated(filters, start, end, public, network_ids).where(
        StoredOccurrence.ends_at > start, StoredOccurrence.starts_at > start - MAX_LENGTH)).all()
    found = _occurrences(rows)
    _load_tags(list({o.event.id: o.event for o in found}.values()))
    return found


def next_dates(event: Event, after: datetime, limit: int) -> list[recurrence.Occurrence]:
    """The first `limit` dates of one event starting at or after `after`, changes applied."""
    rows = db.session.scalars(
        select(StoredOccurrence).where(StoredOccurrence.event_id == event.id, StoredOccurrence.state != "skipped",
                                       StoredOccurrence.starts_at >= after)
        .order_by(StoredOccurrence.starts_at).limit(limit)).all()
    by_start = {c.original_start: c for c in event.changes} if any(r.state for r in rows) else {}
    return [recurrence.Occurrence(event, r.original_start, r.starts_at, r.ends_at, by_start.get(r.original_start))
            for r in rows]


def shown_dates(event_ids, now: datetime) -> list[recurrence.Occurrence]:
    """One date of each of these events, for lists that show events rather than dates (search
    results): the first that has not ended by `now`, else the last; skipped dates left out.
    In one query for the events and their dates, one for the changes of series, one for tags."""
    ids = list(event_ids)
    if not ids:
        return []
    ended = StoredOccurrence.ends_at <= now
    ranked = select(StoredOccurrence.id, func.row_number().over(
        partition_by=StoredOccurrence.event_id,
        # Dates to come first, the soonest first; else the latest.
        order_by=(case((ended, 1), else_=0), case((ended, None), else_=StoredOccurrence.starts_at),
                  StoredOccurrence.starts_at.desc())).label("n")).where(
        StoredOccurrence.event_id.in_(ids), StoredOccurrence.state != "skipped").subquery()
    rows = db.session.execute(
        select(Event, StoredOccurrence).join(StoredOccurrence, StoredOccurrence.event_id == Event.id)
        .join(ranked, and_(ranked.c.id == StoredOccurrence.id, ranked.c.n == 1))
        .options(joinedload(Event.organization), joinedload(Event.working_group))).all()
    found = _occurrences(rows)
    _load_tags([o.event for o in found])
    return found


def upcoming(filters: Filters, after: datetime, limit: int = PAGE_SIZE, public: bool = True,
             ongoing_at: datetime | None = None):
    """A page of occurrences starting at or after `after`, and where the next page starts.
    The stored dates come ordered and limited from the database, whatever the number of series.
    With `ongoing_at` (the first page), dates that began earlier but have not ended by then come
    first: a three-day festival stays listed until its last day."""
    end = None
    if filters.date_to:
        end = recurrence.to_utc(datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time()),
                                current_app.config["BABEL_DEFAULT_TIMEZONE"])
    starts = StoredOccurrence.starts_at >= after
    if ongoing_at is not None:
        # No date is longer than MAX_LENGTH: the database still walks one range of starts.
        starts = and_(StoredOccurrence.starts_at >= after - MAX_LENGTH,
                      or_(starts, StoredOccurrence.ends_at > ongoing_at))
    rows = db.session.execute(
        _dated(filters, after, end, public).where(starts).options(joinedload(Event.organization))
        .limit(limit + 1)).all()
    found = _occurrences(rows)
    page, rest = found[:limit], found[limit:]
    _load_tags(list({o.event.id: o.event for o in page}.values()))
    next_after = None
    if rest:
        next_after = rest[0].starts_at
        if page and next_after == page[0].starts_at:
            next_after += timedelta(microseconds=1)  # a page full of one start time: move on
    return page, next_after


def archive(filters: Filters, page: int, public: bool = True, per_page: int = PAGE_SIZE):
    """Past events (a series once, by its last date), newest first, numbered pages."""
    now = utcnow()
    stmt = _candidates(filters, datetime.min.replace(tzinfo=now.tzinfo), None, public).where(
        Event.last_ends_at <= now)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    events = db.session.scalars(
        stmt.order_by(Event.last_ends_at.desc(), Event.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    _load_tags(events)
    return events, total


def conflicts(event: Event) -> list[recurrence.Occurrence]:
    """Other events' occurrences at the same time in the same venue or the same working group."""
    same_place = []
    if event.venue_name.strip():
        same_place.append(func.lower(Event.venue_name) == event.venue_name.strip().lower())
    if event.working_group_id:
        same_place.append(Event.working_group_id == event.working_group_id)
    if not same_place:
        return []
    horizon_end = min(event.last_ends_at, event.starts_at + timedelta(days=366))
    others = db.session.scalars(
        select(Event).where(Event.network_id == event.network_id, Event.id != (event.id or 0),
                            Event.status != "cancelled", or_(*same_place),
                            Event.starts_at < horizon_end, Event.last_ends_at > event.starts_at)
    ).all()
    if not others:
        return []
    mine = recurrence.expand(event, list(event.changes), event.starts_at, horizon_end)
    changes = _changes_for(others)
    clashes = []
    for other in others:
        for theirs in recurrence.expand(other, changes.get(other.id, []), event.starts_at, horizon_end):
            if theirs.cancelled:
                continue
            if any(o.starts_at < theirs.ends_at and theirs.starts_at < o.ends_at and not o.cancelled for o in mine):
                clashes.append(theirs)
    clashes.sort(key=lambda o: o.starts_at)
    return clashes


# --- Organizer helpers ------------------------------------------------------------

CALENDAR_VIEWS = ("month", "week", "agenda")
AGENDA_DAYS = 28


def manageable_group_ids(user, network: Network) -> set[int] | None:
    """The working groups whose events the user manages in this network; None for all of them
    (coordinators). Groups led and their sub-groups, from the network's groups in memory."""
    from ..directory.access import can_manage_network

    if can_manage_network(user, network):
        return None
    children: dict[int | None, list] = {}
    for group in network.working_groups:
        children.setdefault(group.parent_id, []).append(group)
    found, todo = set(), [g.id for g in user.led_groups if g.network_id == network.id]
    while todo:
        group_id = todo.pop()
        if group_id not in found:
            found.add(group_id)
            todo.extend(g.id for g in children.get(group_id, []))
    return found


def calendar_range(view: str, day: date) -> tuple[date, date, date, date]:
    """(first day shown, last day shown, a day of the previous page, a day of the next page).
    A month is shown in whole weeks, Monday to Sunday."""
    if view == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        last = following - timedelta(days=1)
        return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday()), previous, following
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6), monday - timedelta(days=7), monday + timedelta(days=7)
    step = timedelta(days=AGENDA_DAYS)
    return day, day + step - timedelta(days=1), day - step, day + step


def local_midnight(day: date, tz: str) -> datetime:
    return recurrence.to_utc(datetime.combine(day, datetime.min.time()), tz)


def calendar(filters: Filters, first: date, last: date, tz: str) -> list[tuple[date, list]]:
    """Every day from first to last with (occurrence, starts that day) pairs: drafts included,
    a multi-day event on each of its days, days in zone tz. The number of queries does not
    depend on the data."""
    found = window(filters, local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz), public=False)
    days: dict[date, list] = {first + timedelta(days=n): [] for n in range((last - first).days + 1)}
    for occurrence in found:
        start = recurrence.to_local(occurrence.starts_at, tz)
        end = recurrence.to_local(occurrence.ends_at, tz)
        last_day = (end - timedelta(microseconds=1)).date() if end > start else start.date()
        day = max(start.date(), first)
        while day <= min(last_day, last):
            days[day].append((occurrence, day == start.date()))
            day += timedelta(days=1)
    return list(days.items())


def series_dates(event: Event, after: datetime, limit: int) -> list[recurrence.Occurrence]:
    """The series' dates from `after` on, in the order of the rule, skipped, cancelled and
    moved ones included (each with its change): what the organizer manages."""
    if not event.is_series:
        return []
    by_start = {c.original_start: c for c in event.changes}
    tz = event.timezone
    rule = recurrence.Rule.of(event)
    duration = recurrence.to_local(event.ends_at, tz) - rule.start
    found = []
    for wall in rule.dateutil().xafter(recurrence.to_local(after, tz), inc=True):
        start = recurrence.to_utc(wall, tz)
        change = by_start.get(start)
        if change is not None and change.action == "moved":
            found.append(recurrence.Occurrence(event, start, change.starts_at, change.ends_at, change))
        else:
            found.append(recurrence.Occurrence(event, start, start, recurrence.to_utc(wall + duration, tz), change))
        if len(found) >= limit:
            break
    return found


_WEEKLY = {1: _l("Every %(day)s"), 2: _l("Every two weeks on %(day)s")}
_MONTHLY = {
    1: _l("Every first %(day)s of the month"),
    2: _l("Every second %(day)s of the month"),
    3: _l("Every third %(day)s of the month"),
    4: _l("Every fourth %(day)s of the month"),
    -1: _l("Every last %(day)s of the month"),
}
_MONTHLY_EVERY_N = {
    1: _l("Every %(num)d months on the first %(day)s"),
    2: _l("Every %(num)d months on the second %(day)s"),
    3: _l("Every %(num)d months on the third %(day)s"),
    4: _l("Every %(num)d months on the fourth %(day)s"),
    -1: _l("Every %(num)d months on the last %(day)s"),
}


def rule_in_words(event: Event) -> str:
    """The series' rule in words: "Every Thursday", "Every first Tuesday of the month".

    Whole sentences per case, so that translations need not assemble ordinals."""
    rule = recurrence.Rule.of(event)
    day = format_date(rule.start.date(), "EEEE")
    if event.repeat == "weekly":
        if rule.interval in _WEEKLY:
            return str(_WEEKLY[rule.interval]) % {"day": day}
        return _("Every %(num)d weeks on %(day)s", num=rule.interval, day=day)
    ordinal = recurrence.weekday_ordinal(rule.start)
    if rule.interval == 1:
        return str(_MONTHLY[ordinal]) % {"day": day}
    return str(_MONTHLY_EVERY_N[ordinal]) % {"num": rule.interval, "day": day}


def rule_text(event: Event) -> str:
    """E.g. "Every two weeks on Thursday, until 4 Nov 2027" or "Every first Tuesday of the month, 10 dates"."""
    text = rule_in_words(event)
    if event.repeat_count:
        return _("%(rule)s, %(num)d dates", rule=text, num=event.repeat_count)
    return _("%(rule)s, until %(day)s", rule=text, day=format_date(event.repeat_until, "medium"))


def remaining_count(event: Event, original_start: datetime) -> int | None:
    """For a series with a number of dates: how many are left from this one on."""
    if not event.repeat_count:
        return None
    starts = recurrence.Rule.of(event).starts()
    return len([s for s in starts if recurrence.to_utc(s, event.timezone) >= original_start])


def keep_changes_by_day(event: Event) -> None:
    """After a series' time or rule changed: a skipped, cancelled or moved date stays so when
    the new rule still has a date on that day (at its new time); changes of days the rule no
    longer has are dropped, so that none is left pointing at nothing."""
    tz = event.timezone
    rule = recurrence.Rule.of(event).dateutil() if event.is_series else None
    for change in list(event.changes):
        if rule is not None and recurrence.occurrence(event, [], change.original_start) is not None:
            continue
        new_start = None
        if rule is not None:
            day = recurrence.to_local(change.original_start, tz).date()
            walls = rule.between(datetime.combine(day, datetime.min.time()),
                                 datetime.combine(day, datetime.max.time()), inc=True)
            new_start = recurrence.to_utc(walls[0], tz) if walls else None
        if new_start is None or any(c.original_start == new_start for c in event.changes):
            event.changes.remove(change)
        else:
            change.original_start = new_start
    event.last_ends_at = recurrence.last_end(event, event.changes)


def save_keeping_changes(event: Event, **fields) -> Event:
    """save(), with the single-date changes following their days (see keep_changes_by_day)."""
    save(event, **fields)
    if event.id:
        keep_changes_by_day(event)
    return event


def change_following(event: Event, original_start: datetime, **fields) -> Event:
    """"This and all following": from the first date on that is the whole series; later it
    splits the series (split_series). Single-date changes from this date on stay with their
    days. Returns the event that holds the changed dates."""
    if original_start == event.starts_at:
        return save_keeping_changes(event, **fields)
    later = [(c.original_start, c.action, c.starts_at, c.ends_at, c.reason)
             for c in event.changes if c.original_start >= original_start]
    tail = split_series(event, original_start, **fields)
    carried = {c.original_start for c in tail.changes}
    for start, action, starts_at, ends_at, reason in later:
        if start not in carried:
            tail.changes.append(OccurrenceChange(original_start=start, action=action, starts_at=starts_at,
                                                 ends_at=ends_at, reason=reason))
    keep_changes_by_day(tail)
    return tail


def kind_usage(network: Network) -> dict[int, int]:
    """How many events use each of the network's kinds."""
    return dict(db.session.execute(
        select(Event.kind_id, func.count()).where(Event.network_id == network.id).group_by(Event.kind_id)).all())


def rename_kind(kind: EventKind, name: str) -> None:
    name = " ".join(name.split())
    if kind.code:
        raise EventError(_("The built-in kinds keep their names (they are translated)."), field="name")
    if db.session.scalar(select(EventKind).where(EventKind.network_id == kind.network_id, EventKind.id != kind.id,
                                                 func.lower(EventKind.name) == name.lower())):
        raise EventError(_("This network has a kind of this name already."), field="name")
    kind.name = name


def remove_kind(kind: EventKind) -> None:
    if kind.code:
        raise EventError(_("The built-in kinds cannot be removed."), field="name")
    if db.session.scalar(select(func.count()).select_from(Event).where(Event.kind_id == kind.id)):
        raise EventError(_("Events use this kind, so it stays."), field="name")
    db.session.delete(kind)


def calendar_title(view: str, day: date, first: date, last: date) -> str:
    """What a calendar page shows: "March 2027", or the days from first to last."""
    from babel.dates import format_interval
    from flask_babel import get_locale

    if view == "month":
        return format_date(day, "MMMM yyyy")
    return format_interval(first, last, "yMMMd", locale=get_locale())
