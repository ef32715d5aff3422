"""The iTIP messages of the mails (mail/itip.py): parsed back with icalendar, and checked with
tools/ics-check in iTIP mode (four parsers must agree, ORGANIZER and the recipient as ATTENDEE)
when Node is there."""
import json
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.core.extensions import db
from app.events import recurrence, service
from app.events.models import Event
from app.mail import itip
from app.mail.ics import vtimezone
from tests.factories import local
from tests.mails import HAVE_ICS_CHECK, ICS_CHECK

BERLIN = ZoneInfo("Europe/Berlin")
ANA = itip.Attendee("ana@example.org", "Ana Müller, geb. Schulz", "ACCEPTED")


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def add(network, title, start, end, **fields):
    kind = service.kinds(network)[0]
    event = Event(network_id=network.id, kind_id=kind.id, title=title, status="published",
                  visibility="public", timezone="Europe/Berlin")
    service.save(event, starts_at=start, ends_at=end, **fields)
    db.session.flush()
    return event


def parse(data: bytes):
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    return calendar, events[0]


def test_summer_event_is_a_request_with_the_event_uid_and_a_berlin_time(network, make):
    org = make.organization(network, "Caritas Magdeburg", email="info@caritas.example")
    event = add(network, "Netzwerktreffen; Sprache, Arbeit", local(2027, 7, 8, 18), local(2027, 7, 8, 20),
                venue_name="Rathaus", venue_room="Foyer", venue_address="Alter Markt 6, 39104 Magdeburg",
                organization_id=org.id)
    db.session.refresh(event)
    data = itip.message(event, None, "REQUEST", ANA, extra_text="Manage: https://x.example/r/abc")
    calendar, vevent = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    assert str(vevent["UID"]) == event.uid
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["DTSTART"].dt == datetime(2027, 7, 8, 18, tzinfo=BERLIN)
    assert vevent["DTEND"].dt == datetime(2027, 7, 8, 20, tzinfo=BERLIN)
    assert b"DTSTART;TZID=Europe/Berlin:20270708T180000" in data
    assert int(vevent["SEQUENCE"]) == event.sequence
    assert vevent["STATUS"] == "CONFIRMED"
    assert "Rathaus, Foyer, Alter Markt 6" in str(vevent["LOCATION"])
    assert "https://x.example/r/abc" in str(vevent["DESCRIPTION"])
    assert str(vevent["ORGANIZER"]) == "mailto:info@caritas.example"
    assert vevent["ORGANIZER"].params["CN"] == "Caritas Magdeburg"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:ana@example.org" and attendee.params["CN"] == "Ana Müller, geb. Schulz"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"], attendee.params["ROLE"]) == \
        ("ACCEPTED", "TRUE", "REQ-PARTICIPANT")
    assert b'CN="Ana M' in data  # a comma in a name is quoted
    # The VTIMEZONE is written with RRULEs, not RDATE lists (ical.js reads those an hour off).
    rules = {str(part["TZNAME"]): part["RRULE"] for part in calendar.walk("VTIMEZONE")[0].subcomponents}
    assert rules == {"CEST": {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]},
                     "CET": {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}}
    assert b"RDATE" not in data
    assert "RECURRENCE-ID" not in vevent


def test_vtimezone_matches_the_fixture_the_parsers_agree_on():
    text = vtimezone("Europe/Berlin").to_ical().decode()
    for line in ("TZID:Europe/Berlin", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
                 "DTSTART:19700329T020000", "DTSTART:19701025T030000", "TZNAME:CET"):
        assert line in text.splitlines(), line
    assert "BEGIN:STANDARD" in vtimezone("Asia/Tokyo").to_ical().decode()


def test_cancelled_occurrence_of_a_series_carries_recurrence_id_and_raised_sequence(network):
    event = add(network, "Ehrenamtscafé", local(2027, 1, 6, 15), local(2027, 1, 6, 17),
                repeat="weekly", repeat_count=20)
    original = local(2027, 1, 20, 15)
    change = service.change_occurrence(event, original, "cancelled", "Krank")
    db.session.flush()
    occurrence = recurrence.occurrence(event, event.changes, original)
    data = itip.message(event, occurrence, "CANCEL", ANA)
    calendar, vevent = parse(data)
    assert calendar["METHOD"] == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["RECURRENCE-ID"].dt == datetime(2027, 1, 20, 15, tzinfo=BERLIN)
    assert vevent["RECURRENCE-ID"].params["TZID"] == "Europe/Berlin"
    assert int(vevent["SEQUENCE"]) == max(event.sequence, change.sequence) >= 1
    # No contact address: the installation's sender, in the network's name (replies go there).
    assert str(vevent["ORGANIZER"]) == "mailto:treffpunkt@localhost"
    assert vevent["ORGANIZER"].params["CN"] == "Netzwerk Magdeburg"


def test_all_day_event_uses_dates_with_an_exclusive_end(network):
    event = add(network, "Interkulturelle Woche", local(2027, 9, 20), local(2027, 9, 25), all_day=True)
    calendar, vevent = parse(itip.message(event, None, "REQUEST", ANA))
    assert vevent["DTSTART"].dt == date(2027, 9, 20)
    assert vevent["DTEND"].dt == date(2027, 9, 25)
    assert not calendar.walk("VTIMEZONE")


def _ics_check(path: Path, *args) -> dict:
    result = subprocess.run([str(ICS_CHECK), str(path), "--json", "-", "--itip", "--strict", "--recipient",
                             ANA.email, *args], capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout)


@pytest.mark.skipif(not HAVE_ICS_CHECK, reason="ics-check needs Node.js and shared/tools/ics-check")
def test_four_parsers_read_summer_winter_and_cancelled_messages_alike(network, tmp_path):
    summer = add(network, "Sommer", local(2027, 7, 8, 18), local(2027, 7, 8, 20))
    winter = add(network, "Winter", local(2027, 1, 14, 18), local(2027, 1, 14, 20))
    series = add(network, "Café", local(2027, 1, 6, 15), local(2027, 1, 6, 17), repeat="weekly", repeat_count=30)
    original = local(2027, 4, 7, 15)
    service.change_occurrence(series, original, "cancelled")
    db.session.flush()
    cases = {
        "summer": (summer, None, "REQUEST", datetime(2027, 7, 8, 16)),
        "winter": (winter, None, "REQUEST", datetime(2027, 1, 14, 17)),
        "cancelled": (series, recurrence.occurrence(series, series.changes, original), "CANCEL",
                      datetime(2027, 4, 7, 13)),
    }
    for name, (event, occurrence, method, utc_start) in cases.items():
        path = tmp_path / f"{name}.ics"
        path.write_bytes(itip.message(event, occurrence, method, ANA, extra_text="https://x.example/e"))
        report = _ics_check(path)
        assert report["ok"], (name, report["reasons"], report["lint"])
        assert report["agree"] and not report["diff"], (name, report["diff"])
        assert all(not parser["errors"] and parser["count"] == 1 for parser in report["parsers"]), name
        starts = {o["start"] for found in report["occurrences"].values() for o in found}
        assert starts == {utc_start.strftime("%Y-%m-%dT%H:%M:%SZ")}, (name, starts)


def test_the_fold_fast_path_gives_icalendars_own_folding():
    from icalendar.parser import content_line

    fold = content_line._foldline
    assert fold.original is not fold  # the fast path is in place
    lines = ["SUMMARY:Sprachcafé", "UID:" + "a" * 70, "UID:" + "a" * 71, "DESCRIPTION:" + "x" * 62,
             "DESCRIPTION:" + "x" * 63, "DESCRIPTION:" + "x" * 200, "SUMMARY:مقهى اللغة " * 8,
             "SUMMARY:Кафе " * 10, "DESCRIPTION:a\\\\" + "b" * 80, ""]
    for line in lines:
        assert fold(line) == fold.original(line), line
