"""Every date of every event stored as a row (models.StoredOccurrence), so that the upcoming
list, the calendars and the event page read dates with an index instead of expanding every
series' rule on every request.

The rule and its changes stay the source of truth: the rows of an event are written anew from
them after every flush that changed its schedule or one of its dates (`_keep_current`), so in
the same transaction as the change, whichever code made it. A series has at most
recurrence.MAX_OCCURRENCES dates, so all of them are stored and there is no horizon to move
on. Data written around the ORM (migrations, bulk loads) gets its rows from `rebuild`.
"""
from types import SimpleNamespace

from sqlalchemy import delete, event as sa_event, insert, inspect, select
from sqlalchemy.orm import Session

from . import recurrence
from .models import Event, OccurrenceChange, StoredOccurrence

# The fields an event's dates are made of; any other change leaves its rows as they are.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "repeat", "repeat_interval", "repeat_until",
                   "repeat_count", "changes")
_table = StoredOccurrence.__table__


def rows(event, changes) -> list[dict]:
    """The rows of an event: one for a single event; for a series one per date of its rule,
    with the change of that date applied (a moved date at its new time)."""
    if not event.is_series:
        return [{"event_id": event.id, "original_start": event.starts_at, "starts_at": event.starts_at,
                 "ends_at": event.ends_at, "state": ""}]
    by_start = {c.original_start: c for c in changes}
    tz = event.timezone
    duration = recurrence.wall_duration(event)
    found = []
    for wall in recurrence.Rule.of(event).starts():
        start = recurrence.to_utc(wall, tz)
        change = by_start.get(start)
        if change is not None and change.action == "moved":
            found.append({"event_id": event.id, "original_start": start, "starts_at": change.starts_at,
                          "ends_at": change.ends_at, "state": "moved"})
        else:
            found.append({"event_id": event.id, "original_start": start, "starts_at": start,
                          "ends_at": recurrence.to_utc(wall + duration, tz),
                          "state": change.action if change is not None else ""})
    return found


def _schedule_changed(event: Event) -> bool:
    state = inspect(event)
    return any(state.attrs[name].history.has_changes() for name in SCHEDULE_FIELDS)


@sa_event.listens_for(Session, "after_flush")
def _keep_current(session: Session, _context) -> None:
    """After a flush (the session still lists what it wrote): rewrite the rows of every event
    that is new, deleted, had its schedule changed, or had a date skipped, cancelled, moved or
    restored. They are read back from the tables, which the flush has just brought up to date."""
    touched: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Event):
            touched.add(obj.id)
        elif isinstance(obj, OccurrenceChange):
            touched.add(obj.event_id)
    for obj in session.dirty:
        if isinstance(obj, Event) and _schedule_changed(obj):
            touched.add(obj.id)
        elif isinstance(obj, OccurrenceChange) and session.is_modified(obj):
            touched.add(obj.event_id)
    touched.discard(None)
    if touched:
        rebuild(session.connection(), touched)


def rebuild(connection, event_ids=None) -> int:
    """Write the rows of these events (all when None) from the events and changes tables as
    they are: after a flush, and for data that did not pass through the ORM (migrations, bulk
    loads). Returns the number of rows written."""
    events_table, changes_table = Event.__table__, OccurrenceChange.__table__
    # Only what rows() reads: migration 0010 runs this on tables that later gain columns.
    events = select(*(events_table.c[name] for name in (
        "id", "starts_at", "ends_at", "timezone", "repeat", "repeat_interval", "repeat_until", "repeat_count")))
    changes = select(*(changes_table.c[name] for name in (
        "event_id", "original_start", "action", "starts_at", "ends_at")))
    if event_ids is None:
        connection.execute(delete(_table))
    else:
        ids = list(event_ids)
        connection.execute(delete(_table).where(_table.c.event_id.in_(ids)))
        events, changes = events.where(events_table.c.id.in_(ids)), changes.where(changes_table.c.event_id.in_(ids))
    by_event = {}
    for row in connection.execute(changes).mappings():
        by_event.setdefault(row["event_id"], []).append(SimpleNamespace(**row))
    new = []
    written = 0
    for row in connection.execute(events).mappings().all():
        new.extend(rows(SimpleNamespace(**row, is_series=row["repeat"] is not None), by_event.get(row["id"], [])))
        if len(new) >= 5000:  # bounded memory for large data sets
            connection.execute(insert(_table), new)
            written, new = written + len(new), []
    if new:
        connection.execute(insert(_table), new)
    return written + len(new)
