"""The stored dates (events/occurrences.py) always equal what the rules give (issue 15).

Hypothesis draws series (weekly or monthly, intervals, a number of dates or a last day, start
times around both daylight-saving changes, all-day ones) and what organizers do to them through
the same service functions the pages call: skip, cancel, move and restore single dates, change
"this and all following", change the whole series' time. After every step the rows in the table
must be exactly the expansion of each rule with its changes."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import delete, func, select

from app.core.extensions import db
from app.events import occurrences, recurrence, service
from app.events.models import Event, StoredOccurrence
from app.events.service import EventError

BERLIN = "Europe/Berlin"
FAR_PAST, FAR_FUTURE = datetime(1990, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()
# Days just before both clock changes of 2027 (28 March, 31 October) and of 2028.
FIRST_DAYS = [date(2027, 3, 1) + timedelta(days=n) for n in range(0, 35, 3)] + \
             [date(2027, 10, 1) + timedelta(days=n) for n in range(0, 35, 3)] + [date(2028, 3, 20), date(2028, 10, 22)]


def expected(event) -> set[tuple]:
    """Every date of the event from recurrence.expand (cancelled and moved ones with their
    change), plus the skipped ones, which expand leaves out."""
    changes = list(event.changes)
    found = {(o.original_start, o.starts_at, o.ends_at, o.change.action if o.change is not None else "")
             for o in recurrence.expand(event, changes, FAR_PAST, FAR_FUTURE)}
    for change in changes:
        if change.action == "skipped":
            planned = recurrence.occurrence(event, [], change.original_start)
            found.add((planned.original_start, planned.starts_at, planned.ends_at, "skipped"))
    return found


def stored(event) -> set[tuple]:
    return {tuple(row) for row in db.session.execute(
        select(StoredOccurrence.original_start, StoredOccurrence.starts_at, StoredOccurrence.ends_at,
               StoredOccurrence.state).where(StoredOccurrence.event_id == event.id))}


def check_all(network) -> None:
    db.session.flush()
    for event in db.session.scalars(select(Event).where(Event.network_id == network.id)):
        assert stored(event) == expected(event), event.id


series = st.fixed_dictionaries({
    "day": st.sampled_from(FIRST_DAYS),
    "hour": st.integers(0, 23),
    "minute": st.sampled_from([0, 30]),
    "hours": st.integers(1, 6),
    "all_day": st.booleans(),
    "repeat": st.sampled_from(["weekly", "monthly"]),
    "interval": st.integers(1, 3),
    "count": st.one_of(st.none(), st.integers(1, 40)),
    "until_days": st.integers(0, 500),
})
steps = st.lists(st.tuples(
    st.sampled_from(["skip", "cancel", "move", "restore", "following", "whole"]),
    st.integers(0, 1000),  # which date
    st.integers(-50, 50).filter(bool),  # hours to move by
), max_size=8)


def _shifted(event, start: datetime, hours: int):
    """The times of the date at `start`, moved by whole wall-clock hours in the event's zone."""
    found = recurrence.occurrence(event, [], start)
    tz = event.timezone
    return tuple(service.to_utc_checked(recurrence.to_local(moment, tz) + timedelta(hours=hours), tz, "start_time")
                 for moment in (found.starts_at, found.ends_at))


def apply(event, action: str, which: int, hours: int):
    """One organizer's step on one of the series' dates; returns the event that holds the dates
    after it (the new series of a "this and all following")."""
    starts = recurrence.Rule.of(event).starts()
    start = recurrence.to_utc(starts[which % len(starts)], event.timezone)
    if action in ("skip", "cancel"):
        service.change_occurrence(event, start, {"skip": "skipped", "cancel": "cancelled"}[action], reason="x")
    elif action == "restore":
        service.restore_occurrence(event, start)
    elif action == "move":
        starts_at, ends_at = _shifted(event, start, hours)
        service.change_occurrence(event, start, "moved", starts_at=starts_at, ends_at=ends_at)
    else:  # the whole series, or this date and all following ones, at another time
        if action == "whole":
            start = event.starts_at
        starts_at, ends_at = _shifted(event, start, hours)
        return service.change_following(event, start, starts_at=starts_at, ends_at=ends_at,
                                        repeat_count=service.remaining_count(event, start))
    return event


@pytest.fixture
def network(app, make):
    network = make.network("stendal")
    db.session.commit()  # each example rolls back what it did, not this
    return network


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=series, actions=steps)
def test_stored_dates_equal_the_expanded_rules(network, plan, actions):
    kind = service.kinds(network)[0]
    wall = datetime.combine(plan["day"], datetime.min.time()) + timedelta(hours=plan["hour"], minutes=plan["minute"])
    if plan["all_day"]:
        wall = datetime.combine(plan["day"], datetime.min.time())
    end = wall + (timedelta(days=1) if plan["all_day"] else timedelta(hours=plan["hours"]))
    event = Event(network_id=network.id, kind_id=kind.id, title="Sprachcafé", timezone=BERLIN, status="published",
                  visibility="public")
    try:
        service.save(event, starts_at=recurrence.to_utc(wall, BERLIN), ends_at=recurrence.to_utc(end, BERLIN),
                     all_day=plan["all_day"], repeat=plan["repeat"], repeat_interval=plan["interval"],
                     repeat_count=plan["count"],
                     repeat_until=None if plan["count"] else plan["day"] + timedelta(days=plan["until_days"]))
        check_all(network)
        for action, which, hours in actions:
            try:
                with db.session.begin_nested():
                    event = apply(event, action, which, hours)
            except EventError:
                continue  # refused (the hour of a clock change, a date the rule no longer has): nothing saved
            check_all(network)
    except EventError:
        pass  # the series itself was refused
    finally:
        db.session.rollback()


def test_single_events_have_one_row_and_deleting_removes_rows(app, make):
    network = make.network("stendal")
    kind = service.kinds(network)[0]
    start = recurrence.to_utc(datetime(2027, 3, 28, 10), BERLIN)
    single = service.save(Event(network_id=network.id, kind_id=kind.id, title="Netzwerktreffen",
                                timezone=BERLIN), starts_at=start, ends_at=start + timedelta(hours=2))
    weekly = service.save(Event(network_id=network.id, kind_id=kind.id, title="Café", timezone=BERLIN),
                          starts_at=start, ends_at=start + timedelta(hours=2), repeat="weekly", repeat_count=5)
    db.session.commit()
    assert stored(single) == {(start, start, start + timedelta(hours=2), "")}
    assert len(stored(weekly)) == 5
    # Any other change leaves the rows alone; a change of time rewrites them.
    single.title = "Netzwerktreffen (neu)"
    db.session.commit()
    later = start + timedelta(days=1)
    service.save(single, starts_at=later, ends_at=later + timedelta(hours=2))
    db.session.commit()
    assert stored(single) == {(later, later, later + timedelta(hours=2), "")}
    db.session.delete(weekly)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StoredOccurrence)
                             .where(StoredOccurrence.event_id == weekly.id)) == 0


def test_rebuild_writes_the_rows_the_flushes_wrote(app, make):
    """What migration 0010 and bulk loads use gives the same rows as keeping them current."""
    from tests.demo_snapshot import load_demo

    load_demo()
    before = set(db.session.execute(select(StoredOccurrence.event_id, StoredOccurrence.original_start,
                                           StoredOccurrence.starts_at, StoredOccurrence.ends_at,
                                           StoredOccurrence.state)).all())
    db.session.execute(delete(StoredOccurrence))
    written = occurrences.rebuild(db.session.connection())
    after = set(db.session.execute(select(StoredOccurrence.event_id, StoredOccurrence.original_start,
                                          StoredOccurrence.starts_at, StoredOccurrence.ends_at,
                                          StoredOccurrence.state)).all())
    assert written == len(after) > 150 and after == before
    db.session.rollback()
