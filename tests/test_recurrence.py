"""Series keep their local wall-clock time across both daylight-saving changes in Europe/Berlin."""
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from app.core.extensions import db
from app.events import recurrence, service
from app.events.models import Event
from tests.factories import local

BERLIN = "Europe/Berlin"
UTC = timezone.utc



def make_event(network, kind, start, end, **fields):
    event = Event(network_id=network.id, kind_id=kind.id, title="Ehrenamtscafé", timezone=BERLIN,
                  status="published", visibility="public")
    return service.save(event, starts_at=start, ends_at=end, **fields)


@pytest.fixture(autouse=True)
def english(app):
    """The messages checked below are the English msgids; the default language is German."""
    with force_locale("en"):
        yield


@pytest.fixture
def network(app, make):
    return make.network("stendal")


@pytest.fixture
def kind(network):
    return service.kinds(network)[0]


def walls(occurrences):
    return [recurrence.to_local(o.starts_at, BERLIN).strftime("%Y-%m-%d %H:%M") for o in occurrences]


def test_weekly_series_keeps_15_00_across_both_changes(network, kind):
    # Thursdays 15:00-17:00 from early March to early November 2027.
    event = make_event(network, kind, local(2027, 3, 4, 15), local(2027, 3, 4, 17),
                       repeat="weekly", repeat_until=date(2027, 11, 4))
    found = recurrence.expand(event, [], local(2027, 3, 1), local(2027, 12, 1))
    assert len(found) == 36
    assert {recurrence.to_local(o.starts_at, BERLIN).time().isoformat() for o in found} == {"15:00:00"}
    assert {o.ends_at - o.starts_at for o in found} == {timedelta(hours=2)}
    # In UTC the start moves by an hour with summer time.
    march = next(o for o in found if o.starts_at.date() == date(2027, 3, 25))
    april = next(o for o in found if o.starts_at.date() == date(2027, 4, 1))
    november = next(o for o in found if o.starts_at.date() == date(2027, 11, 4))
    assert (march.starts_at.hour, april.starts_at.hour, november.starts_at.hour) == (14, 13, 14)


def test_sunday_series_on_the_switch_days(network, kind):
    event = make_event(network, kind, local(2027, 3, 21, 10), local(2027, 3, 21, 12),
                       repeat="weekly", repeat_count=3)
    assert walls(recurrence.expand(event, [], local(2027, 3, 1), local(2027, 5, 1))) == [
        "2027-03-21 10:00", "2027-03-28 10:00", "2027-04-04 10:00"]
    autumn = make_event(network, kind, local(2027, 10, 24, 10), local(2027, 10, 24, 12),
                        repeat="weekly", repeat_count=2)
    found = recurrence.expand(autumn, [], local(2027, 10, 1), local(2027, 12, 1))
    assert walls(found) == ["2027-10-24 10:00", "2027-10-31 10:00"]
    assert found[1].ends_at - found[1].starts_at == timedelta(hours=2)


def test_every_two_weeks_and_first_tuesday_of_the_month(network, kind):
    biweekly = make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 20),
                          repeat="weekly", repeat_interval=2, repeat_count=4)
    assert walls(recurrence.expand(biweekly, [], local(2027, 1, 1), local(2027, 3, 1))) == [
        "2027-01-05 18:00", "2027-01-19 18:00", "2027-02-02 18:00", "2027-02-16 18:00"]
    monthly = make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 20),
                         repeat="monthly", repeat_until=date(2027, 5, 31))
    assert walls(recurrence.expand(monthly, [], local(2027, 1, 1), local(2027, 6, 1))) == [
        "2027-01-05 18:00", "2027-02-02 18:00", "2027-03-02 18:00", "2027-04-06 18:00", "2027-05-04 18:00"]
    assert recurrence.Rule.of(monthly).ical() == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270531T215959Z"
    assert recurrence.Rule.of(biweekly).ical() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4"


def test_last_weekday_of_the_month(network, kind):
    event = make_event(network, kind, local(2027, 1, 29, 9), local(2027, 1, 29, 10),  # 5th Friday
                       repeat="monthly", repeat_count=3)
    assert walls(recurrence.expand(event, [], local(2027, 1, 1), local(2027, 5, 1))) == [
        "2027-01-29 09:00", "2027-02-26 09:00", "2027-03-26 09:00"]


def test_skip_cancel_and_move_single_occurrences(network, kind):
    event = make_event(network, kind, local(2027, 3, 4, 15), local(2027, 3, 4, 17),
                       repeat="weekly", repeat_count=6)
    service.change_occurrence(event, local(2027, 3, 11, 15), "skipped")
    service.change_occurrence(event, local(2027, 3, 18, 15), "cancelled", reason="Krankheit")
    # Moved across the spring change, to the Saturday after.
    service.change_occurrence(event, local(2027, 3, 25, 15), "moved",
                              starts_at=local(2027, 3, 27, 10), ends_at=local(2027, 3, 27, 12))
    db.session.flush()
    found = recurrence.expand(event, event.changes, local(2027, 3, 1), local(2027, 5, 1))
    assert walls(found) == ["2027-03-04 15:00", "2027-03-18 15:00", "2027-03-27 10:00",
                            "2027-04-01 15:00", "2027-04-08 15:00"]
    assert [o.cancelled for o in found] == [False, True, False, False, False]
    assert found[2].moved and found[2].original_start == local(2027, 3, 25, 15)
    # A moved occurrence shows up in a window that only holds its new date.
    assert walls(recurrence.expand(event, event.changes, local(2027, 3, 27), local(2027, 3, 28))) == [
        "2027-03-27 10:00"]
    following = recurrence.following(event, event.changes, local(2027, 3, 12), 3)
    assert walls(following) == ["2027-03-18 15:00", "2027-03-27 10:00", "2027-04-01 15:00"]
    service.restore_occurrence(event, local(2027, 3, 11, 15))
    assert len(recurrence.expand(event, event.changes, local(2027, 3, 1), local(2027, 5, 1))) == 6


@pytest.mark.parametrize("wall,message", [
    (datetime(2027, 3, 28, 2, 30), "does not exist"),  # the hour the clocks skip
    (datetime(2027, 10, 31, 2, 30), "happens twice"),  # the hour that repeats
])
def test_typed_times_on_the_switch_days(app, wall, message):
    with pytest.raises(service.EventError, match=message) as error:
        service.to_utc_checked(wall, BERLIN, "start_time")
    assert error.value.field == "start_time"
    assert service.to_utc_checked(datetime(2027, 3, 28, 3, 30), BERLIN, "x") == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("start,end,field", [
    ((2027, 10, 24, 2, 30), (2027, 10, 24, 4, 0), "start_time"),  # a week later 02:30 happens twice
    ((2027, 3, 21, 1, 0), (2027, 3, 21, 2, 30), "start_time"),    # a week later the end falls in the gap
])
def test_series_touching_the_changing_hour_are_refused(network, kind, start, end, field):
    with pytest.raises(service.EventError) as error:
        make_event(network, kind, local(*start), local(*end), repeat="weekly", repeat_count=3)
    assert error.value.field == field


def test_series_must_end_and_stay_bounded(network, kind):
    with pytest.raises(service.EventError, match="needs an end"):
        make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 20), repeat="weekly")
    with pytest.raises(service.EventError, match="at most"):
        make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 20), repeat="weekly",
                   repeat_until=date(2040, 1, 1))
    with pytest.raises(service.EventError, match="after the start"):
        make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 17))


def test_sequence_rises_on_schedule_changes_only(network, kind):
    event = make_event(network, kind, local(2027, 1, 5, 18), local(2027, 1, 5, 20))
    db.session.commit()
    uid = event.uid
    assert event.sequence == 0 and uid.endswith("@treffpunkt.local")
    service.save(event, title="Neuer Titel")
    assert event.sequence == 0
    service.save(event, venue_name="Rathaus")
    assert event.sequence == 1
    service.cancel(event, "Raum fehlt")
    assert (event.sequence, event.status, event.uid) == (2, "cancelled", uid)


def test_this_and_all_following(network, kind):
    event = make_event(network, kind, local(2027, 3, 4, 15), local(2027, 3, 4, 17),
                       repeat="weekly", repeat_until=date(2027, 4, 29))
    service.change_occurrence(event, local(2027, 4, 22, 15), "cancelled")
    db.session.flush()
    tail = service.split_series(event, local(2027, 4, 1, 15), starts_at=local(2027, 4, 1, 16),
                                ends_at=local(2027, 4, 1, 18))
    db.session.flush()
    head = recurrence.expand(event, event.changes, local(2027, 3, 1), local(2027, 6, 1))
    rest = recurrence.expand(tail, tail.changes, local(2027, 3, 1), local(2027, 6, 1))
    assert walls(head) == ["2027-03-04 15:00", "2027-03-11 15:00", "2027-03-18 15:00", "2027-03-25 15:00"]
    assert walls(rest) == ["2027-04-01 16:00", "2027-04-08 16:00", "2027-04-15 16:00", "2027-04-22 16:00",
                           "2027-04-29 16:00"]
    assert tail.uid != event.uid and not any(o.cancelled for o in rest)  # 15:00 changes do not fit 16:00


def test_all_day_and_multi_day_events(network, kind):
    event = make_event(network, kind, local(2027, 9, 20), local(2027, 9, 25), all_day=True)
    found = recurrence.expand(event, [], local(2027, 9, 1), local(2027, 10, 1))
    assert len(found) == 1 and found[0].ends_at - found[0].starts_at == timedelta(days=5)
