"""Calendar feeds: two independent parsers (icalendar + recurring-ical-events, and vobject with
its own rruleset expansion) must give the same instants as the app's own expansion
(service.window, what the event pages show) over 2027, a year with both clock changes;
HTTP validators and 304s from one query; private feeds; escaping; a bounded number of
queries; and tools/ics-check (Thunderbird's ical.js, node-ical and two Python parsers)."""
import json
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from app.core.cache import store
from app.core.extensions import db
from app.events import recurrence, service
from app.events.models import Event
from app.feeds import service as feeds
from app.registrations.models import Registration
from tests.factories import local
from tests.test_ics import ICS_CHECK

BERLIN = ZoneInfo("Europe/Berlin")
YEAR_START = datetime(2027, 1, 1, tzinfo=BERLIN)
YEAR_END = datetime(2028, 1, 1, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def fresh_cache(app):
    store().clear()


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def add(network, title, start, end, tags=(), **fields):
    kind = service.kinds(network)[0]
    values = {"status": "published", "visibility": "public", "timezone": "Europe/Berlin"}
    values.update(fields)
    event = Event(network_id=network.id, kind_id=kind.id, title=title, **{
        k: values.pop(k) for k in ("status", "visibility", "timezone")})
    service.save(event, starts_at=start, ends_at=end, **values)
    if tags:
        service.set_tags(event, list(tags))
    db.session.flush()
    return event


def cafe(network):
    """Weekly café Thursdays 15:00–17:00 from March to November 2027 (both clock changes), one
    date skipped, one moved, one cancelled."""
    event = add(network, "Sprachcafé", local(2027, 3, 4, 15), local(2027, 3, 4, 17), repeat="weekly",
                repeat_interval=1, repeat_until=date(2027, 11, 25), venue_name="Stadtbibliothek",
                online_url="https://meet.example.org/cafe", tags=["Sprache", "Interkulturelle Woche"])
    service.change_occurrence(event, local(2027, 3, 18, 15), "skipped")
    service.change_occurrence(event, local(2027, 4, 1, 15), "moved", reason="Ostern",
                              starts_at=local(2027, 4, 2, 16), ends_at=local(2027, 4, 2, 18))
    service.change_occurrence(event, local(2027, 10, 28, 15), "cancelled", reason="Krank")
    db.session.flush()
    return event


@pytest.fixture
def assorted(network):
    cafe(network)
    add(network, "Interkulturelle Woche", local(2027, 9, 24), local(2027, 9, 27), all_day=True,
        tags=["Interkulturelle Woche"])
    cancelled = add(network, "Netzwerktreffen", local(2027, 10, 31, 18), local(2027, 10, 31, 20))
    service.cancel(cancelled, "Raum fehlt")
    add(network, "Monatstreffen", local(2027, 1, 26, 18), local(2027, 1, 26, 20), repeat="monthly",
        repeat_interval=1, repeat_count=12)
    add(network, "Intern", local(2027, 5, 5, 10), local(2027, 5, 5, 12), visibility="members")
    add(network, "Entwurf", local(2027, 5, 6, 10), local(2027, 5, 6, 12), status="draft")
    db.session.commit()
    return network


# --- Two independent parsers ------------------------------------------------------------

def _norm(value):
    if isinstance(value, datetime):
        assert value.tzinfo is not None, "floating time in a feed"
        return value.astimezone(timezone.utc)
    return value  # a date: all day


def by_icalendar(data: bytes):
    calendar = Calendar.from_ical(data)
    found = set()
    for component in recurring_ical_events.of(calendar).between(YEAR_START, YEAR_END):
        found.add((str(component["UID"]), _norm(component["DTSTART"].dt), _norm(component["DTEND"].dt), str(component["STATUS"]),
                   str(component["SUMMARY"])))
    return found


def by_vobject(data: bytes):
    calendar = vobject.readOne(data.decode("utf-8"))
    masters, overrides = {}, {}
    for vevent in getattr(calendar, "vevent_list", []):
        if hasattr(vevent, "recurrence_id"):
            overrides.setdefault(vevent.uid.value, {})[_norm(vevent.recurrence_id.value)] = vevent
        else:
            masters[vevent.uid.value] = vevent
    found = set()

    def add_instance(uid, start, end, vevent):
        local_start = start.astimezone(BERLIN) if isinstance(start, datetime) else start
        low = YEAR_START if isinstance(start, datetime) else YEAR_START.date()
        high = YEAR_END if isinstance(start, datetime) else YEAR_END.date()
        if low <= local_start < high:
            found.add((uid, _norm(start), _norm(end), vevent.status.value, vevent.summary.value))

    for uid, master in masters.items():
        start, end = master.dtstart.value, master.dtend.value
        ruleset = master.getrruleset(addRDate=True)
        mine = overrides.get(uid, {})
        if ruleset is None:
            add_instance(uid, start, end, master)
            continue
        all_day = not isinstance(start, datetime)
        for instance in ruleset:
            if all_day:
                instance = instance.date()
            key = _norm(instance)
            if key in mine:
                override = mine.pop(key)
                add_instance(uid, override.dtstart.value, override.dtend.value, override)
            else:
                add_instance(uid, instance, instance + (end - start), master)
        assert not mine, f"overrides without an instance: {list(mine)}"
    return found


def expected(filters=None, public=True, keep=lambda o: True, personal_uid=False):
    """What the app itself shows (service.window): the instants of every date in 2027."""
    found = set()
    for o in service.window(filters or service.Filters(), YEAR_START.astimezone(timezone.utc),
                            YEAR_END.astimezone(timezone.utc), public=public):
        event = o.event
        if not keep(o) or recurrence.to_local(o.starts_at, event.timezone) < YEAR_START.replace(tzinfo=None):
            continue
        if event.all_day:
            start = recurrence.to_local(o.starts_at, event.timezone).date()
            end = recurrence.to_local(o.ends_at, event.timezone).date()
        else:
            start, end = o.starts_at, o.ends_at
        found.add((event.uid, start, end, "CANCELLED" if o.cancelled else "CONFIRMED", event.title))
    return found


def check_both(data: bytes, want: set):
    assert by_icalendar(data) == want
    assert by_vobject(data) == want


def test_network_feed_parsers_agree_with_the_event_pages(client, assorted):
    response = client.get("/feeds/n/magdeburg.ics")
    assert response.status_code == 200
    data = response.data
    want = expected(service.Filters(network_id=assorted.id))
    # The café keeps 15:00 local on both sides of both changes; the moved and cancelled dates.
    cafe_dates = sorted((s, st) for uid, s, e, st, title in want if title == "Sprachcafé")
    assert (local(2027, 3, 25, 15), "CONFIRMED") in cafe_dates  # before the March change (28.3.)
    assert (local(2027, 4, 8, 15), "CONFIRMED") in cafe_dates  # after it
    assert (local(2027, 4, 2, 16), "CONFIRMED") in cafe_dates  # moved
    assert (local(2027, 10, 28, 15), "CANCELLED") in cafe_dates
    assert (local(2027, 11, 4, 15), "CONFIRMED") in cafe_dates  # after the October change
    assert all(s != local(2027, 3, 18, 15) for s, _st in cafe_dates)  # skipped
    assert local(2027, 3, 25, 15).hour == 14 and local(2027, 4, 8, 15).hour == 13 and local(2027, 11, 4, 15).hour == 14  # UTC: CET, CEST, CET
    assert ("Interkulturelle Woche" in {t for *_x, t in want})
    assert not {t for *_x, t in want} & {"Intern", "Entwurf"}
    check_both(data, want)


def test_series_is_one_vevent_with_rrule_exdate_and_overrides(client, assorted):
    data = client.get("/feeds/n/magdeburg.ics").data
    calendar = Calendar.from_ical(data)
    cafe_events = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == "Sprachcafé"]
    masters = [c for c in cafe_events if "RECURRENCE-ID" not in c]
    assert len(masters) == 1
    master = masters[0]
    assert master["RRULE"]["UNTIL"][0].tzinfo is not None  # UNTIL in UTC
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20271125T225959Z;BYDAY=TH" in data
    assert b"EXDATE;TZID=Europe/Berlin:20270318T150000" in data
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20270401T150000" in data
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20271028T150000" in data
    assert b"\r\nDURATION" not in data and b"RDATE" not in data and b"\xef\xbb\xbf" not in data
    overrides = {c["RECURRENCE-ID"].dt: c for c in cafe_events if "RECURRENCE-ID" in c}
    moved = overrides[datetime(2027, 4, 1, 15, tzinfo=BERLIN)]
    assert moved["DTEND"].dt == datetime(2027, 4, 2, 18, tzinfo=BERLIN)
    cancelled = overrides[datetime(2027, 10, 28, 15, tzinfo=BERLIN)]
    assert cancelled["STATUS"] == "CANCELLED"
    for override in overrides.values():  # every property repeated
        for name in ("SUMMARY", "LOCATION", "DESCRIPTION", "URL", "UID", "SEQUENCE", "DTSTAMP", "CATEGORIES"):
            assert name in override
        assert int(override["SEQUENCE"]) >= 1
    assert "Sprache" in str(master["CATEGORIES"].to_ical())
    assert "https://meet.example.org/cafe" in str(master["DESCRIPTION"])
    assert "/events/" in str(master["URL"]) and "/register" not in str(master["URL"])
    allday = next(c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == "Interkulturelle Woche")
    assert allday["DTSTART"].dt == date(2027, 9, 24) and allday["DTEND"].dt == date(2027, 9, 27)
    assert b"DTSTART;VALUE=DATE:20270924" in data
    for line in data.split(b"\r\n"):
        assert len(line) <= 75


def test_calendar_properties_and_http_headers(client, assorted):
    response = client.get("/feeds/n/magdeburg.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300, must-revalidate"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    data = response.data
    for line in (b"VERSION:2.0", b"PRODID:-//Treffpunkt//Treffpunkt//DE", b"CALSCALE:GREGORIAN",
                 b"X-WR-CALNAME:Netzwerk Magdeburg", b"X-WR-TIMEZONE:Europe/Berlin",
                 b"REFRESH-INTERVAL;VALUE=DURATION:PT1H", b"X-PUBLISHED-TTL:PT1H", b"BEGIN:VTIMEZONE"):
        assert line + b"\r\n" in data
    assert b"METHOD" not in data
    assert data.count(b"BEGIN:VTIMEZONE") == 1


def test_conditional_requests_cost_one_query(client, assorted, count_queries):
    first = client.get("/feeds/n/magdeburg.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    results = []
    assert count_queries(lambda: results.append(
        client.get("/feeds/n/magdeburg.ics", headers={"If-None-Match": etag}))) == 1
    assert count_queries(lambda: results.append(
        client.get("/feeds/n/magdeburg.ics", headers={"If-Modified-Since": modified}))) == 1
    for response in results:
        assert response.status_code == 304 and response.data == b""
        assert response.headers["ETag"] == etag
    # A change makes a new ETag, and the 304 turns into the new feed.
    event = db.session.query(Event).filter_by(title="Netzwerktreffen").one()
    service.save(event, venue_name="Rathaus")
    db.session.commit()
    again = client.get("/feeds/n/magdeburg.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert b"LOCATION:Rathaus" in again.data


def test_head(client, assorted):
    response = client.head("/feeds/n/magdeburg.ics")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] == client.get("/feeds/n/magdeburg.ics").headers["ETag"]


def test_an_edit_rebuilds_only_that_event(client, assorted):
    client.get("/feeds/n/magdeburg.ics")
    built = feeds.built_pieces
    store().forget_local()  # as in another worker: the pieces come from the shared store
    client.get("/feeds/n/magdeburg.ics")
    assert feeds.built_pieces == built  # all from the cache
    event = db.session.query(Event).filter_by(title="Monatstreffen").one()
    service.save(event, venue_name="Rathaus")
    db.session.commit()
    data = client.get("/feeds/n/magdeburg.ics").data
    assert feeds.built_pieces == built + 1
    assert b"LOCATION:Rathaus" in data


def test_text_is_escaped_and_folded(client, network):
    title = "Café; Sprache, Arbeit \\ neu 🎉 مرحبا بكم"
    description = "Zeile eins; zwei, drei\nZeile zwei: C:\\Termine\\neu\n\nשלום – Grüße 👋🏽 " + "ä" * 60
    add(network, title, local(2027, 6, 8, 18), local(2027, 6, 8, 20), description=description,
        venue_name="Haus \"Mitte\", Raum 1; Eingang B")
    db.session.commit()
    data = client.get("/feeds/n/magdeburg.ics").data
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folded between characters, never inside one
    unfolded = data.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Café\\; Sprache\\, Arbeit \\\\ neu 🎉 مرحبا بكم" in unfolded
    assert "LOCATION:Haus \"Mitte\"\\, Raum 1\\; Eingang B" in unfolded
    vevent = Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith("Zeile eins; zwei, drei\nZeile zwei: C:\\Termine\\neu")
    v = vobject.readOne(data.decode()).vevent
    assert v.summary.value == title
    assert v.description.value.startswith("Zeile eins; zwei, drei\nZeile zwei: C:\\Termine\\neu")


def test_network_without_events_is_a_valid_empty_calendar(client, network):
    db.session.commit()
    response = client.get("/feeds/n/magdeburg.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar.walk("VEVENT") == []
    assert vobject.readOne(response.data.decode()).name == "VCALENDAR"
    assert client.get("/feeds/n/nowhere.ics").status_code == 404


def test_old_events_leave_the_feed_and_cancelled_ones_stay(client, network):
    from app.core.types import utcnow

    now = utcnow().replace(microsecond=0)
    add(network, "Lange her", now - timedelta(days=100), now - timedelta(days=100) + timedelta(hours=2))
    add(network, "Kürzlich", now - timedelta(days=80), now - timedelta(days=80) + timedelta(hours=2))
    gone = add(network, "Abgesagt", now + timedelta(days=10), now + timedelta(days=10, hours=2))
    service.cancel(gone, "")
    db.session.commit()
    calendar = Calendar.from_ical(client.get("/feeds/n/magdeburg.ics").data)
    found = {str(c["SUMMARY"]): str(c["STATUS"]) for c in calendar.walk("VEVENT")}
    assert found == {"Kürzlich": "CONFIRMED", "Abgesagt": "CANCELLED"}


def test_feeds_by_group_kind_tag_organization_and_filters(client, network, make):
    group = make.group(network, "Sprache")
    organization = make.organization(network, "VHS")
    training = service.kinds(network)[2]
    add(network, "Gruppe", local(2027, 6, 1, 10), local(2027, 6, 1, 12), working_group_id=group.id)
    add(network, "Schulung", local(2027, 6, 2, 10), local(2027, 6, 2, 12), kind_id=training.id)
    add(network, "Woche", local(2027, 6, 3, 10), local(2027, 6, 3, 12), tags=["Interkulturelle Woche"])
    add(network, "VHS-Kurs", local(2027, 6, 4, 10), local(2027, 6, 4, 12), organization_id=organization.id)
    db.session.commit()

    def titles(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return {str(c["SUMMARY"]) for c in Calendar.from_ical(response.data).walk("VEVENT")}

    assert titles(f"/feeds/n/magdeburg/groups/{group.id}.ics") == {"Gruppe"}
    assert titles(f"/feeds/n/magdeburg/kinds/{training.id}.ics") == {"Schulung"}
    assert titles("/feeds/n/magdeburg/tags/interkulturelle-woche.ics") == {"Woche"}
    assert titles(f"/feeds/n/magdeburg/organizations/{organization.id}.ics") == {"VHS-Kurs"}
    assert titles(f"/feeds/events.ics?network=magdeburg&kind={training.id}") == {"Schulung"}
    assert titles("/feeds/events.ics") == {"Gruppe", "Schulung", "Woche", "VHS-Kurs"}
    # The list page offers its filters as a feed.
    page = client.get(f"/events?network=magdeburg&kind={training.id}").data.decode()
    assert f'type="text/calendar" title="Upcoming events" href="http://localhost/feeds/events.ics?network=magdeburg&amp;kind={training.id}"' in page or \
        "feeds/events.ics?" in page
    assert "webcal://localhost/feeds/events.ics" in page


def test_single_event_ics(client, network):
    public = add(network, "Offen", local(2027, 6, 1, 10), local(2027, 6, 1, 12))
    internal = add(network, "Intern", local(2027, 6, 1, 10), local(2027, 6, 1, 12), visibility="members")
    db.session.commit()
    response = client.get(f"/events/{public.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert [str(c["UID"]) for c in Calendar.from_ical(response.data).walk("VEVENT")] == [public.uid]
    assert client.get(f"/events/{internal.id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
    page = client.get(f"/events/{public.id}").data.decode()
    assert f"/events/{public.id}.ics" in page and "webcal://" in page
    assert 'rel="alternate" type="text/calendar"' in page


def test_group_private_feed_and_rotation(client, network, make):
    group = make.group(network, "Sprache")
    lead = make.user("lead@example.org", leads=[group])
    add(network, "Öffentlich", local(2027, 6, 1, 10), local(2027, 6, 1, 12), working_group_id=group.id)
    add(network, "Nur Mitglieder", local(2027, 6, 2, 10), local(2027, 6, 2, 12), working_group_id=group.id,
        visibility="members")
    add(network, "Eingeladen", local(2027, 6, 3, 10), local(2027, 6, 3, 12), working_group_id=group.id,
        visibility="invited")
    add(network, "Entwurf", local(2027, 6, 4, 10), local(2027, 6, 4, 12), working_group_id=group.id,
        status="draft")
    add(network, "Andere Gruppe intern", local(2027, 6, 5, 10), local(2027, 6, 5, 12), visibility="members")
    db.session.commit()
    make.login(client, lead.email)
    page = client.get(f"/n/magdeburg/groups/{group.id}").data.decode()
    assert "/feeds/private/" not in page
    response = client.post(f"/n/magdeburg/groups/{group.id}/feed-link")
    assert response.status_code == 303
    page = client.get(f"/n/magdeburg/groups/{group.id}").data.decode()
    url = page.split('value="http://localhost/feeds/private/')[1].split('"')[0]
    old = f"/feeds/private/{url}"
    client.post("/logout")
    response = client.get(old)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    titles = {str(c["SUMMARY"]) for c in Calendar.from_ical(response.data).walk("VEVENT")}
    assert titles == {"Öffentlich", "Nur Mitglieder", "Eingeladen"}
    etag = response.headers["ETag"]
    # Rotating revokes the old address: 404, also for a client that revalidates.
    group_row = db.session.get(type(group), group.id)
    feeds.rotate("group", group_row)
    db.session.commit()
    gone = client.get(old)
    assert gone.status_code == 404
    assert gone.headers["Content-Type"].startswith("text/html")  # the plain 404 page, telling nothing
    assert b"Nur Mitglieder" not in gone.data and b"ETag" not in gone.data and "ETag" not in gone.headers
    assert client.get(old, headers={"If-None-Match": etag}).status_code == 404
    new = feeds.token_of(feeds.secret_of("group", group_row))
    assert client.get(f"/feeds/private/{new}.ics").status_code == 200
    assert client.get("/feeds/private/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/feeds/private/" + "x" * 200 + ".ics").status_code == 404


def test_rotating_needs_the_groups_lead(client, network, make):
    group = make.group(network, "Sprache")
    other = make.user("other@example.org")
    db.session.commit()
    make.login(client, other.email)
    assert client.post(f"/n/magdeburg/groups/{group.id}/feed-link").status_code == 403


def _register(event, email, start=None, status="confirmed"):
    token, token_hash = __import__("app.registrations.service", fromlist=["new_token"]).new_token()
    db.session.add(Registration(event_id=event.id, occurrence_start=start or event.starts_at, name="X",
                                email=email, status=status, token_hash=token_hash))
    return token


def test_personal_feed_shows_only_that_persons_events(client, network, count_queries):
    series = cafe(network)
    mine = add(network, "Meins", local(2027, 6, 1, 10), local(2027, 6, 1, 12), visibility="invited")
    theirs = add(network, "Fremd", local(2027, 6, 2, 10), local(2027, 6, 2, 12))
    cancelled_registration = add(network, "Abgemeldet", local(2027, 6, 3, 10), local(2027, 6, 3, 12))
    from app.registrations.models import RegistrationSettings

    db.session.add(RegistrationSettings(event_id=mine.id))
    token = _register(mine, "Ana@Example.org")
    _register(series, "ana@example.org", local(2027, 4, 8, 15))
    _register(series, "ana@example.org", local(2027, 10, 28, 15))  # that date is cancelled
    _register(theirs, "bo@example.org")
    _register(cancelled_registration, "ana@example.org", status="cancelled")
    db.session.commit()
    page = client.get(f"/r/{token}").data.decode()
    assert "/feeds/me/" not in page
    assert client.post(f"/r/{token}/calendar-link").status_code == 303
    page = client.get(f"/r/{token}").data.decode()
    url = "/feeds/me/" + page.split('value="http://localhost/feeds/me/')[1].split('"')[0]
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    data = response.data
    want = expected(public=False, keep=lambda o: o.event.title == "Meins")
    want |= {(f"{o.key}-{o.event.uid}", *rest) for o in service.window(
        service.Filters(), YEAR_START, YEAR_END, public=False) if o.event.id == series.id
        and o.original_start in (local(2027, 4, 8, 15), local(2027, 10, 28, 15))
        for rest in [(o.starts_at, o.ends_at, "CANCELLED" if o.cancelled else "CONFIRMED", o.event.title)]}
    assert len(want) == 3
    got_ical = {(str(c["UID"]), _norm(c["DTSTART"].dt), _norm(c["DTEND"].dt), str(c["STATUS"]), str(c["SUMMARY"]))
                for c in recurring_ical_events.of(Calendar.from_ical(data)).between(YEAR_START, YEAR_END)}
    assert got_ical == want
    assert by_vobject(data) == want
    # 304 in one query here too, and a new registration changes the ETag.
    etag = response.headers["ETag"]
    results = []
    assert count_queries(lambda: results.append(client.get(url, headers={"If-None-Match": etag}))) == 1
    assert results[0].status_code == 304
    _register(theirs, "ana@example.org")
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/feeds/me/unknown.ics").status_code == 404


def _many(network, singles: int, series: int):
    for n in range(singles):
        add(network, f"Treffen {n}", local(2027, 1, 4, 10) + timedelta(days=n), local(2027, 1, 4, 12) + timedelta(days=n),
            tags=["Sprache"] if n % 2 else ())
    for n in range(series):
        event = add(network, f"Reihe {n}", local(2027, 1, 5, 15) + timedelta(days=n), local(2027, 1, 5, 17) + timedelta(days=n),
                    repeat="weekly", repeat_interval=1, repeat_count=30)
        service.change_occurrence(event, event.starts_at + timedelta(days=14), "cancelled")
    db.session.commit()


def test_query_count_does_not_grow_with_the_feed(app, client, network, count_queries):
    _many(network, 4, 1)
    small = count_queries(lambda: client.get("/feeds/n/magdeburg.ics"))
    store().clear()
    _many(network, 50, 10)
    large_cold = count_queries(lambda: client.get("/feeds/n/magdeburg.ics"))
    event = db.session.scalar(db.select(Event).order_by(Event.id))
    service.save(event, venue_name="Rathaus")
    db.session.commit()
    large_after_edit = count_queries(lambda: client.get("/feeds/n/magdeburg.ics"))
    assert small == large_cold <= 8
    assert large_after_edit <= large_cold  # only the edited event is loaded
    # Unchanged since: the content version's one row says so, the feed comes from the cache.
    store().forget_local()
    assert count_queries(lambda: client.get("/feeds/n/magdeburg.ics")) == 1


def test_unchanged_feed_is_served_from_the_cache_and_edits_show_at_once(app, client, network):
    _many(network, 3, 1)
    first = client.get("/feeds/n/magdeburg.ics")
    assert client.get("/feeds/n/magdeburg.ics").data == first.data
    event = db.session.scalar(db.select(Event).order_by(Event.id))
    service.set_tags(event, ["Neues Schlagwort"])
    db.session.commit()
    changed = client.get("/feeds/n/magdeburg.ics")
    assert changed.headers["ETag"] != first.headers["ETag"] and b"Neues Schlagwort" in changed.data


def _ics_check(path):
    result = subprocess.run([str(ICS_CHECK), str(path), "--from", "2027-01-01", "--to", "2027-12-31",
                             "--feed", "--strict", "--json", "-"], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    # No warning is allowed; infos only (e.g. I-METHOD: a feed without METHOD is fine).
    warnings = [item for item in report["lint"] if item["severity"] != "info"]
    assert report["ok"], (report["reasons"], warnings, report.get("diff"))
    assert warnings == []
    return report


def test_ics_check_agrees_on_every_kind_of_feed(client, assorted, make, tmp_path):
    if shutil.which("node") is None or not ICS_CHECK.exists():
        pytest.skip("ics-check needs Node (>= 20) and tools/ics-check")
    from app.registrations.models import RegistrationSettings

    network = assorted
    group = make.group(network, "Sprache")
    # A weekly all-day series, and a weekend series whose instances span both clock changes
    # (Fri 09:00 to Mon 17:00): those go out as overrides with their own DTEND.
    add(network, "Markttag", local(2027, 3, 6), local(2027, 3, 7), all_day=True, repeat="weekly",
        repeat_interval=1, repeat_until=date(2027, 11, 27), working_group_id=group.id)
    weekend = add(network, "Wochenendseminar", local(2027, 3, 19, 9), local(2027, 3, 22, 17), repeat="weekly",
                  repeat_interval=1, repeat_count=40, working_group_id=group.id, visibility="members",
                  description="Mit Übernachtung; bitte Schlafsack, Isomatte mitbringen.\nC:\\Pfad")
    db.session.add(RegistrationSettings(event_id=weekend.id))
    token = _register(weekend, "ana@example.org", local(2027, 3, 26, 9))
    _register(weekend, "ana@example.org", local(2027, 10, 29, 9))
    group_secret = feeds.rotate("group", group)
    person_secret = feeds.rotate("person", email="ana@example.org")
    db.session.commit()
    assert token
    urls = {
        "network": "/feeds/n/magdeburg.ics",
        "group-private": f"/feeds/private/{feeds.token_of(group_secret)}.ics",
        "personal": f"/feeds/me/{feeds.token_of(person_secret)}.ics",
        "event": f"/events/{db.session.query(Event).filter_by(title='Sprachcafé').one().id}.ics",
        "tag": "/feeds/n/magdeburg/tags/interkulturelle-woche.ics",
    }
    counts = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        path = tmp_path / f"{name}.ics"
        path.write_bytes(response.data)
        counts[name] = _ics_check(path)["parsers"]
    assert counts


def test_calendar_names_are_escaped(client, network, tmp_path):
    """NAME is TEXT like X-WR-CALNAME: a title or network name with , ; \\ or a line break is
    escaped in both, or ics-check (E-TEXT-ESCAPE) and strict parsers refuse the feed."""
    if shutil.which("node") is None or not ICS_CHECK.exists():
        pytest.skip("ics-check needs Node (>= 20) and tools/ics-check")
    title = "Café, Sprache; Arbeit \\ neu\nzweite Zeile"
    event = add(network, title, local(2027, 6, 8, 18), local(2027, 6, 8, 20))
    network.name = "Netzwerk Halle, Saale; Süd \\ Nord"
    db.session.commit()
    for url, name in ((f"/events/{event.id}.ics", title), ("/feeds/n/magdeburg.ics", network.name)):
        data = client.get(url).data
        escaped = name.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        unfolded = data.replace(b"\r\n ", b"").decode()
        assert f"\r\nNAME:{escaped}\r\n" in unfolded and f"\r\nX-WR-CALNAME:{escaped}\r\n" in unfolded
        calendar = vobject.readOne(data.decode())
        assert calendar.contents["name"][0].value == calendar.contents["x-wr-calname"][0].value == name
        path = tmp_path / "feed.ics"
        path.write_bytes(data)
        _ics_check(path)
