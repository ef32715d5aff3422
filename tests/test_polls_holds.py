"""The holds feed of a poll's participant: TENTATIVE holds for the dates not answered "no",
CANCELLED once the poll is closed or decided, then gone; both clock changes; and four parsers
(tools/ics-check --feed --strict) read it alike."""
import json
import subprocess
from datetime import date, time, timedelta

import pytest
from icalendar import Calendar

from app.core.extensions import db
from app.polls import holds, privacy, service
from tests.mails import HAVE_ICS_CHECK, ICS_CHECK

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")

BERLIN = "Europe/Berlin"


@pytest.fixture
def poll(app, make):
    """Dates on both sides of both clock changes of 2027 (28 March, 31 October), 10:00–12:00
    Berlin time, and one whole day in between."""
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    days = [date(2027, 3, 26), date(2027, 3, 30), date(2027, 10, 29), date(2027, 11, 2)]
    dates = service.candidates(days, [(time(10), time(12))], BERLIN) + \
        service.candidates([date(2027, 10, 30)], [], BERLIN)
    created = service.create(network, None, None, dates, title="Austausch, Stendal; Koordination",
                             venue_name="Kreishaus", venue_address="Hospitalstraße 1-2, 39576 Stendal",
                             deadline=make.local(2027, 3, 1))
    db.session.flush()
    return created


def _answer(poll, name, choices):
    """choices: per option (in date order) yes / maybe / no / None (left open)."""
    participant = service.new_participant(poll, name, f"{name.lower()}@example.org")
    db.session.flush()
    service.save_answers(participant, {option.id: choice for option, choice in zip(poll.options, choices)
                                       if choice is not None}, name)
    db.session.commit()
    return participant


def _events(data: bytes):
    calendar = Calendar.from_ical(data)
    return calendar, calendar.walk("VEVENT")


def _ics_check(tmp_path, data: bytes) -> dict:
    path = tmp_path / "holds.ics"
    path.write_bytes(data)
    result = subprocess.run([str(ICS_CHECK), str(path), "--from", "2027-01-01", "--to", "2027-12-31", "--feed",
                             "--strict", "--json", "-"], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    warnings = [item for item in report["lint"] if item["severity"] != "info"]
    assert report["ok"] and not warnings, (report["reasons"], warnings, report.get("diff"))
    return report


def test_open_poll_holds_every_date_not_answered_no(poll):
    ana = _answer(poll, "Ana", ["yes", "no", "maybe", None, "yes"])
    data = holds.calendar(ana)
    calendar, vevents = _events(data)
    # Date order: 26.3., 30.3., 29.10., 30.10. (whole day), 2.11. — the "no" of 30 March is not held.
    assert [e["DTSTART"].dt.date() if hasattr(e["DTSTART"].dt, "date") else e["DTSTART"].dt for e in vevents] == [
        date(2027, 3, 26), date(2027, 10, 29), date(2027, 10, 30), date(2027, 11, 2)]
    assert {str(e["STATUS"]) for e in vevents} == {"TENTATIVE"}
    assert {str(e["TRANSP"]) for e in vevents} == {"OPAQUE"}
    assert {int(e["SEQUENCE"]) for e in vevents} == {0}
    assert all(str(e["SUMMARY"]) == "Held for the poll: Austausch, Stendal; Koordination" for e in vevents)
    assert all(str(e["LOCATION"]) == "Kreishaus, Hospitalstraße 1-2, 39576 Stendal" for e in vevents)
    # Calendars are shared and synced: the feed never carries the link that changes the answers.
    assert service.answer_url(ana) not in data.decode() and "URL" not in vevents[0]
    uids = [str(e["UID"]) for e in vevents]
    held = [o for o in poll.options if o.starts_at.date() != date(2027, 3, 30)]
    assert uids == [f"poll-{poll.id}-date-{o.id}@treffpunkt.local" for o in held]
    # The whole day: DATE values, DTEND exclusive.
    whole = vevents[2]
    assert whole["DTSTART"].dt == date(2027, 10, 30) and whole["DTEND"].dt == date(2027, 10, 31)
    assert "TZID" not in whole["DTSTART"].params
    assert b"\r\nX-WR-CALNAME:Held for the poll: Austausch\\, Stendal\\; Koordination\r\n" in data
    assert len(calendar.walk("VTIMEZONE")) == 1
    # The same bytes until something changes (clients and caches compare them).
    assert holds.calendar(ana) == holds.calendar(ana)


def test_local_times_on_both_sides_of_both_clock_changes(poll):
    bea = _answer(poll, "Bea", ["yes", "yes", "yes", "yes", "yes"])
    _calendar, vevents = _events(holds.calendar(bea))
    timed = [e for e in vevents if "TZID" in e["DTSTART"].params]
    assert {e["DTSTART"].params["TZID"] for e in timed} == {BERLIN}
    # 10:00 on the wall clock every time; UTC moves by the hour of summer time.
    assert [(e["DTSTART"].dt.hour, e["DTEND"].dt.hour) for e in timed] == [(10, 12)] * 4
    assert [e["DTSTART"].dt.utcoffset() for e in timed] == [timedelta(hours=h) for h in (1, 2, 2, 1)]


@pytest.mark.skipif(not HAVE_ICS_CHECK, reason="ics-check needs Node (>= 20) and tools/ics-check")
def test_four_parsers_agree_on_held_and_cancelled_dates(poll, tmp_path):
    bea = _answer(poll, "Bea", ["yes", "maybe", "yes", None, "yes"])
    report = _ics_check(tmp_path, holds.calendar(bea))
    assert len(report["occurrences"]) == 4
    for parser, found in report["occurrences"].items():
        # The instants in UTC: 10:00 in winter time is 09:00Z, in summer time 08:00Z.
        assert sorted(o["start"] for o in found) == [
            "2027-03-26T09:00:00Z", "2027-03-30T08:00:00Z", "2027-10-29T08:00:00Z", "2027-10-30",
            "2027-11-02T09:00:00Z"], parser
        assert {o["status"] for o in found} == {"TENTATIVE"}, parser
    service.close(poll)
    db.session.commit()
    report = _ics_check(tmp_path, holds.calendar(bea))
    assert all({o["status"] for o in found} == {"CANCELLED"} and len(found) == 5
               for found in report["occurrences"].values())


def test_holds_are_cancelled_when_the_poll_closes_then_gone(poll):
    ana = _answer(poll, "Ana", ["yes", "no", "maybe", None, "yes"])
    service.close(poll)
    db.session.commit()
    calendar, vevents = _events(holds.calendar(ana))
    assert len(vevents) == 4
    assert {str(e["STATUS"]) for e in vevents} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in vevents} == {1}
    assert {str(e["TRANSP"]) for e in vevents} == {"TRANSPARENT"}
    # The same UIDs as the holds, so that clients replace them.
    assert str(vevents[0]["UID"]) == f"poll-{poll.id}-date-{poll.options[0].id}@treffpunkt.local"
    late = poll.closed_at + holds.CANCELLED_FOR + timedelta(minutes=1)
    data = holds.calendar(ana, now=late)
    calendar, vevents = _events(data)
    assert vevents == [] and not calendar.walk("VTIMEZONE")
    assert b"\r\nX-WR-CALNAME:Held for the poll: Austausch\\, Stendal" in data
    # Reopened: held again.
    service.reopen(poll)
    db.session.commit()
    assert {str(e["STATUS"]) for e in _events(holds.calendar(ana, now=late))[1]} == {"TENTATIVE"}


def test_decided_poll_cancels_every_hold(poll):
    ana = _answer(poll, "Ana", ["yes", "yes", "maybe", None, "yes"])
    service.decide(poll, poll.options[0], take_registrations=False)
    db.session.commit()
    _calendar, vevents = _events(holds.calendar(ana))
    assert len(vevents) == 5 and {str(e["STATUS"]) for e in vevents} == {"CANCELLED"}
    assert _events(holds.calendar(ana, now=poll.closed_at + timedelta(days=15)))[1] == []


@pytest.mark.config(BASE_URL="https://treffpunkt.example.org", BABEL_DEFAULT_LOCALE="en")
def test_uid_carries_the_site_host(app, poll):
    ana = _answer(poll, "Ana", ["yes", None, None, None, None])
    with app.test_request_context():  # the feed is built in a request
        vevent = _events(holds.calendar(ana))[1][0]
    assert str(vevent["UID"]) == f"poll-{poll.id}-date-{poll.options[0].id}@treffpunkt.example.org"


def test_http_feed(client, poll):
    ana = _answer(poll, "Ana", ["yes", "no", None, None, None])
    url = service.holds_url(ana)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].replace(" ", "").lower() == "text/calendar;charset=utf-8"
    assert len(_events(response.data)[1]) == 4
    assert client.get("/p/holds/" + "x" * 43 + ".ics").status_code == 404
    # Once the poll's people are purged, the address is a dead link like any other.
    service.close(poll)
    db.session.commit()
    assert {str(e["STATUS"]) for e in _events(client.get(url).data)[1]} == {"CANCELLED"}
    privacy.purge_expired(now=poll.closed_at + timedelta(days=poll.retention_days + 1))
    db.session.commit()
    assert client.get(url).status_code == 404
