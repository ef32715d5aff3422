"""The demo's events: a believable year around today, loaded once however often `flask demo` runs."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app import demo as real_demo
from tests.demo_snapshot import load_demo
from app.directory.models import Network, WorkingGroup
from app.events import demo, recurrence, service
from app.events.models import Event, OccurrenceChange, event_tags


@pytest.fixture
def loaded(app):
    load_demo()
    return db.session.scalars(select(Event).order_by(Event.id)).all()  # in the order the demo made them


def event_titled(title, slug):
    return db.session.scalar(select(Event).join(Network).where(Network.slug == slug, Event.title == title))


def test_demo_loads_twice_without_duplicates(loaded):
    counts = (len(loaded), db.session.scalar(select(func.count(OccurrenceChange.id))))
    real_demo.load_demo()
    assert (db.session.scalar(select(func.count(Event.id))),
            db.session.scalar(select(func.count(OccurrenceChange.id)))) == counts
    titles = db.session.execute(select(Event.network_id, Event.title)).all()
    assert len(titles) == len(set(titles))
    # Weeks later too: no second set of series (only a title naming a new year may be new).
    series = db.session.scalar(select(func.count(Event.id)).where(Event.repeat.is_not(None)))
    assert demo.load_demo_events(today=date.today() + timedelta(days=40)) <= 3
    assert db.session.scalar(select(func.count(Event.id)).where(Event.repeat.is_not(None))) == series


def test_every_demo_event_has_a_valid_schedule(loaded):
    assert len(loaded) >= 15
    for event in loaded:
        service.check_schedule(event)  # raises EventError if not
        assert event.uid and event.last_ends_at == recurrence.last_end(event, event.changes)
        assert event.description.strip()
        for change in event.changes:  # every change names a date the rule really has
            assert recurrence.occurrence(event, [], change.original_start) is not None


def test_demo_plans_hold_on_any_day_of_the_year():
    day = date(2027, 1, 1)
    for offset in range(0, 366, 5):
        for plan in demo.plans(day + timedelta(days=offset)):
            tz = "Europe/Berlin"
            event = Event(starts_at=recurrence.to_utc(plan.start, tz), ends_at=recurrence.to_utc(plan.end, tz),
                          timezone=tz, all_day=plan.all_day, repeat=plan.repeat,
                          repeat_interval=plan.repeat_interval, repeat_until=plan.repeat_until)
            service.check_schedule(event)
            for wall, *_ in plan.changes:
                assert recurrence.occurrence(event, [], recurrence.to_utc(wall, tz)) is not None


def test_cafe_in_stendal_has_one_cancelled_and_one_moved_date(loaded):
    cafe = event_titled("Ehrenamtscafé Stendal", "landkreis-stendal")
    assert cafe.repeat == "weekly" and cafe.status == "published" and cafe.visibility == "public"
    actions = [c.action for c in cafe.changes]
    assert actions.count("cancelled") == 1 and actions.count("moved") == 1
    cancelled = next(c for c in cafe.changes if c.action == "cancelled")
    assert cancelled.reason
    moved = next(c for c in cafe.changes if c.action == "moved")
    original = recurrence.to_local(moved.original_start, cafe.timezone)
    new = recurrence.to_local(moved.starts_at, cafe.timezone)
    assert (original.weekday(), original.hour) == (3, 15)  # Thursday 15:00 ...
    assert new.date() != original.date() and new.hour != original.hour  # ... to another day and time
    # A year around today, weekly.
    occurrences = recurrence.expand(cafe, cafe.changes, utcnow() - timedelta(days=190), utcnow() + timedelta(days=190))
    assert 45 <= len(occurrences) <= 53
    assert sum(o.cancelled for o in occurrences) == 1 and sum(o.moved for o in occurrences) == 1


def test_magdeburg_working_groups_meet_monthly(loaded):
    for name in ("Arbeit und Ausbildung", "Sprache", "Interkultur & Soziales"):
        group = db.session.scalar(select(WorkingGroup).join(Network).where(
            Network.slug == "magdeburg", WorkingGroup.name == name))
        series = db.session.scalars(select(Event).where(Event.working_group_id == group.id,
                                                        Event.repeat == "monthly")).all()
        assert len(series) == 1, name
        event = series[0]
        assert event.kind.code == "working_group_meeting" and event.venue_name and event.accessibility
        occurrences = recurrence.expand(event, event.changes, utcnow() - timedelta(days=200),
                                        utcnow() + timedelta(days=200))
        assert 10 <= len(occurrences) <= 13, name
        assert event.starts_at < utcnow() < event.last_ends_at


def test_network_meeting_is_in_the_city_hall(loaded):
    meeting = next(e for e in loaded if e.kind.code == "network_meeting" and e.network.slug == "magdeburg")
    assert "Rathaus" in meeting.venue_name and meeting.venue_room == "Adelheidfoyer"
    assert recurrence.to_local(meeting.starts_at, meeting.timezone).month == 10
    assert abs(meeting.starts_at - utcnow()) < timedelta(days=190)


def test_public_published_events_in_the_next_60_days(loaded):
    now = utcnow()
    found = service.window(service.Filters(), now, now + timedelta(days=60))
    published = [o for o in found if o.event.status == "published" and not o.cancelled]
    assert {o.event.visibility for o in found} == {"public"}
    assert {o.event.network.slug for o in published} == {"magdeburg", "altmarkkreis-salzwedel", "landkreis-stendal"}
    assert {o.event.kind.code for o in published} >= {"working_group_meeting", "training", "public_event"}
    assert len(published) >= 15
    page, _next = service.upcoming(service.Filters(), now)
    assert len(page) == service.PAGE_SIZE


def test_demo_has_the_variety_the_pages_need(loaded):
    by_title = {e.title: e for e in loaded}
    assert any(e.all_day and e.ends_at - e.starts_at > timedelta(days=1) for e in loaded)
    assert any(not e.all_day and recurrence.to_local(e.ends_at, e.timezone).date()
               > recurrence.to_local(e.starts_at, e.timezone).date() for e in loaded)
    assert {"public", "members"} <= {e.visibility for e in loaded} <= {"public", "members", "invited"}
    assert {e.status for e in loaded} == {"published", "draft", "cancelled"}
    assert all(e.cancel_reason for e in loaded if e.status == "cancelled")
    assert {"ar", "uk", "en"} <= {code for e in loaded for code in e.language_codes}
    assert {"Ehrenamt", "Sprache", "Arbeitsmarkt"} <= {t.name for e in loaded for t in e.tags}
    assert any("Einbürgerung" in title for title in by_title)
    assert any(title.startswith("Bürgerdialog") for title in by_title)
    assert any(title.startswith("Ideenwerkstatt") for title in by_title)
    assert any(title.startswith("Trainerqualifizierung") for title in by_title)
    exchange = [e for e in loaded if e.kind.code == "exchange"]
    assert any("Halle" in e.venue_address or "Dessau" in e.venue_address for e in exchange)
    # Every public event a phone user can reach says where it is or how to join.
    for event in loaded:
        assert event.venue_name or event.online_url
    # Local times are planned, not UTC accidents: nothing in the night.
    for event in loaded:
        if not event.all_day:
            assert 8 <= recurrence.to_local(event.starts_at, event.timezone).hour <= 19


def test_demo_command_reports_events(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert " events" in result.output
    assert db.session.scalar(select(func.count(Event.id))) >= 15


def test_demo_takes_the_date_it_is_given(app):
    load_demo()  # networks, groups and the events around today
    for table in (OccurrenceChange.__table__, event_tags, Event.__table__):
        db.session.execute(table.delete())
    db.session.commit()
    assert demo.load_demo_events(today=date(2027, 3, 1)) >= 15
    db.session.commit()
    cafe = event_titled("Ehrenamtscafé Stendal", "landkreis-stendal")
    first = recurrence.to_local(cafe.starts_at, cafe.timezone)
    assert first.date() < date(2027, 3, 1) and first.time() == datetime(2027, 1, 1, 15).time()
