"""Share, subscribe and add to calendar (issue 16): the link builders (escaping, UTC times, all-day
dates, clock changes in Europe/Berlin, one date of a series) and the pages that show them: the
event page, the confirmation page and the Subscribe box."""
import html
import re
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.extensions import db
from app.core.urls import share_urls
from app.events import recurrence
from app.events import service as events
from app.events.models import Event
from app.mail.itip import calendar_urls
from app.registrations.models import RegistrationSettings
from tests.factories import local

TRICKY = "Kaffee & Kuchen? #1 – Begegnungscafé / Українська 100%"


def _event(title=TRICKY, all_day=False, **fields):
    values = {"title": title, "all_day": all_day, "timezone": "Europe/Berlin", "venue_name": "Haus & Hof",
              "venue_room": "", "venue_address": "Breiter Weg 1, 39104 Magdeburg", "online_url": ""}
    values.update(fields)
    return SimpleNamespace(**values)


def _date(start, end):
    return SimpleNamespace(starts_at=start, ends_at=end)


def _query(url: str) -> dict:
    parts = urlsplit(url)
    return {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}


# --- Add to calendar: the links ---------------------------------------------------------

def test_calendar_links_escape_the_title_and_place():
    urls = calendar_urls(_event(), _date(local(2026, 5, 6, 18), local(2026, 5, 6, 20)),
                         "https://example.org/events/7?at=x&y=1")
    google, outlook = _query(urls["google"]), _query(urls["outlook"])
    # Every reserved character arrives as written: nothing leaks into other parameters.
    assert google["text"] == TRICKY and outlook["subject"] == TRICKY
    assert google["location"] == outlook["location"] == "Haus & Hof, Breiter Weg 1, 39104 Magdeburg"
    assert google["details"] == outlook["body"] == "https://example.org/events/7?at=x&y=1"
    assert set(google) == {"action", "text", "dates", "details", "location"}
    assert "#" not in urls["google"] and "#" not in urls["outlook"] and urls["google"].isascii()
    assert urls["google"].startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&")
    assert urls["outlook"].startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert outlook["rru"] == "addevent" and outlook["path"] == "/calendar/action/compose"


def test_calendar_links_in_utc_with_z():
    urls = calendar_urls(_event(), _date(local(2026, 5, 6, 18), local(2026, 5, 6, 20)), "")
    assert _query(urls["google"])["dates"] == "20260506T160000Z/20260506T180000Z"  # CEST: UTC+2
    outlook = _query(urls["outlook"])
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
        "2026-05-06T16:00:00Z", "2026-05-06T18:00:00Z", "false")


@pytest.mark.parametrize("day, hours, expected", [
    # The Sunday clocks go forward: the day before in CET, the day itself in CEST.
    ((2026, 3, 28), (10, 12), "20260328T090000Z/20260328T110000Z"),
    ((2026, 3, 29), (10, 12), "20260329T080000Z/20260329T100000Z"),
    ((2026, 3, 29), (1, 4), "20260329T000000Z/20260329T020000Z"),  # across the switch: two real hours
    # The Sunday clocks go back.
    ((2026, 10, 24), (10, 12), "20261024T080000Z/20261024T100000Z"),
    ((2026, 10, 25), (10, 12), "20261025T090000Z/20261025T110000Z"),
    ((2026, 10, 25), (1, 4), "20261024T230000Z/20261025T030000Z"),  # across the switch: four real hours
])
def test_calendar_links_across_clock_changes(day, hours, expected):
    start, end = local(*day, hours[0]), local(*day, hours[1])
    urls = calendar_urls(_event(), _date(start, end), "")
    assert _query(urls["google"])["dates"] == expected
    first, last = expected.split("/")
    outlook = _query(urls["outlook"])
    assert outlook["startdt"] == datetime.strptime(first, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
    assert outlook["enddt"] == datetime.strptime(last, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("first, days, google, outlook_end", [
    (date(2026, 10, 25), 1, "20261025/20261026", "2026-10-26"),  # the day clocks go back
    (date(2026, 3, 28), 2, "20260328/20260330", "2026-03-30"),  # over the day clocks go forward
])
def test_calendar_links_all_day(first, days, google, outlook_end):
    # All-day dates are stored as local midnights, the end exclusive.
    start = local(first.year, first.month, first.day)
    last = first + timedelta(days=days)
    urls = calendar_urls(_event(all_day=True), _date(start, local(last.year, last.month, last.day)), "")
    assert _query(urls["google"])["dates"] == google
    outlook = _query(urls["outlook"])
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (first.isoformat(), outlook_end, "true")


def test_calendar_links_online_only_and_translated_title():
    event = _event(venue_name="", venue_address="", online_url="https://meet.example.org/abc?pwd=1&x=2")
    urls = calendar_urls(event, _date(local(2026, 5, 6, 18), local(2026, 5, 6, 20)), "", title="Café (English)")
    assert _query(urls["google"])["location"] == "https://meet.example.org/abc?pwd=1&x=2"
    assert _query(urls["google"])["text"] == "Café (English)"


# --- Share and subscribe: the links ------------------------------------------------------

def test_share_links_escape_and_add_nothing_to_the_address():
    url = "https://treffpunkt.example.org/events/7?at=20260329T080000Z"
    links = share_urls(url, TRICKY, "Sunday, 29 March 2026, 10:00 – 12:00")
    whatsapp = _query(links["whatsapp"])
    assert links["whatsapp"].startswith("https://wa.me/?text=")
    assert whatsapp == {"text": f"{TRICKY} – Sunday, 29 March 2026, 10:00 – 12:00\n{url}"}
    telegram = _query(links["telegram"])
    assert links["telegram"].startswith("https://t.me/share/url?")
    assert telegram == {"url": url, "text": f"{TRICKY} – Sunday, 29 March 2026, 10:00 – 12:00"}
    assert links["email"].startswith("mailto:?subject=")
    mail = _query(links["email"])
    assert mail["subject"] == TRICKY and mail["body"].endswith(f"\n\n{url}")
    # Mail programs show "+" as it is: spaces must be %20.
    assert "+" not in links["email"] and "%20" in links["email"]
    for link in links.values():
        assert "utm_" not in link


def test_share_links_without_text():
    links = share_urls("https://example.org/e/1", "Café")
    assert _query(links["telegram"]) == {"url": "https://example.org/e/1", "text": "Café"}


def test_subscribe_links(app):
    from app.feeds.views import subscribe_links  # after the events' views, as create_app imports them

    links = subscribe_links("https://example.org/feeds/n/magdeburg.ics?tag=a&kind=2", "Netzwerk & Co")
    assert links["https"] == "https://example.org/feeds/n/magdeburg.ics?tag=a&kind=2"
    assert links["webcal"] == "webcal://example.org/feeds/n/magdeburg.ics?tag=a&kind=2"
    assert links["google"].startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F")
    assert _query(links["google"]) == {"cid": links["webcal"]}
    assert links["outlook"].startswith("https://outlook.live.com/calendar/0/addfromweb?")
    assert _query(links["outlook"]) == {"url": links["https"], "name": "Netzwerk & Co"}
    assert _query(subscribe_links("https://example.org/x.ics")["outlook"]) == {"url": "https://example.org/x.ics"}


# --- The pages ---------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def frozen_now(app, monkeypatch):
    from app.events import public
    from app.registrations import service

    monkeypatch.setattr(public, "utcnow", lambda: NOW)
    monkeypatch.setattr(events, "utcnow", lambda: NOW)
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make, frozen_now):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def make_event(network, title=TRICKY, visibility="public", registrations=False, **fields):
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title=title, status="published", visibility=visibility,
                  timezone="Europe/Berlin", languages="de", venue_name="Rathaus")
    fields.setdefault("starts_at", local(2026, 3, 29, 10))
    fields.setdefault("ends_at", local(2026, 3, 29, 12))
    events.save(event, **fields)
    db.session.flush()
    if registrations:
        db.session.add(RegistrationSettings(event_id=event.id, waiting_list=True, retention_days=30))
    db.session.commit()
    return event


def page(client, url) -> str:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def hrefs(text: str, prefix: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', text) if html.unescape(h).startswith(prefix)]


def test_event_page_offers_calendar_and_share(client, network):
    event = make_event(network)
    text = page(client, f"/events/{event.id}")
    [google] = hrefs(text, "https://calendar.google.com/calendar/render?")
    assert _query(google)["text"] == TRICKY and _query(google)["dates"] == "20260329T080000Z/20260329T100000Z"
    assert _query(google)["details"] == f"http://localhost/events/{event.id}"
    [outlook] = hrefs(text, "https://outlook.live.com/calendar/0/deeplink/compose?")
    assert _query(outlook)["startdt"] == "2026-03-29T08:00:00Z"
    assert f'href="/events/{event.id}.ics" download' in text
    [whatsapp] = hrefs(text, "https://wa.me/")
    assert _query(whatsapp)["text"].startswith(f"{TRICKY} – Sunday, March 29, 2026")
    assert _query(whatsapp)["text"].endswith(f"\nhttp://localhost/events/{event.id}")
    [telegram] = hrefs(text, "https://t.me/share/url?")
    assert _query(telegram)["url"] == f"http://localhost/events/{event.id}"
    [mail] = hrefs(text, "mailto:?")
    assert _query(mail)["subject"] == TRICKY
    # The event's address to copy, and the Share button for the Web Share API (shown by share.js).
    assert re.search(rf'<input type="text" id="share-url" value="http://localhost/events/{event.id}" readonly', text)
    assert f'data-share-url="http://localhost/events/{event.id}"' in text
    assert 'rel="noopener noreferrer">WhatsApp' in text
    assert "/static/js/share.js" in text
    # The actions come before the description and registration, right after the facts.
    assert text.index("event-facts") < text.index("event-actions") < text.index("QR code for posters")


def test_series_date_links_that_date(client, network):
    event = make_event(network, starts_at=local(2026, 10, 18, 10), ends_at=local(2026, 10, 18, 12),
                       repeat="weekly", repeat_until=date(2026, 11, 15))
    second = recurrence.to_utc(datetime(2026, 10, 25, 10), "Europe/Berlin")  # after clocks go back
    key = f"{second:%Y%m%dT%H%M%SZ}"
    text = page(client, f"/events/{event.id}?at={key}")
    [google] = hrefs(text, "https://calendar.google.com/calendar/render?")
    assert _query(google)["dates"] == "20261025T090000Z/20261025T110000Z"
    assert _query(google)["details"] == f"http://localhost/events/{event.id}?at={key}"
    [telegram] = hrefs(text, "https://t.me/share/url?")
    assert _query(telegram)["url"] == f"http://localhost/events/{event.id}?at={key}"
    assert "All dates of the series (.ics file)" in text


def test_no_calendar_for_past_and_no_share_for_internal_events(coordinator_client, coordinator, frozen_now):
    client, [network] = coordinator_client, coordinator.coordinated_networks
    past = make_event(network, title="Gestern", starts_at=local(2026, 2, 1, 10), ends_at=local(2026, 2, 1, 12))
    text = page(client, f"/events/{past.id}")
    assert "calendar.google.com/calendar/render" not in text and "wa.me" in text
    internal = make_event(network, title="Intern", visibility="members")
    text = page(client, f"/events/{internal.id}")
    assert "calendar.google.com/calendar/render" in text and "wa.me" not in text and "share-url" not in text


def test_confirmation_page_offers_calendar_and_share(client, network):
    event = make_event(network, registrations=True)
    response = client.post(f"/events/{event.id}/register", headers={"Accept-Language": "en"},
                           data={"name": "Erika Muster", "email": "erika@example.org", "organization_name": "",
                                 "at": ""})
    assert response.status_code == 302
    text = page(client, response.headers["Location"])
    assert "You are registered" in text
    [google] = hrefs(text, "https://calendar.google.com/calendar/render?")
    assert _query(google)["dates"] == "20260329T080000Z/20260329T100000Z"
    assert hrefs(text, "https://outlook.live.com/calendar/0/deeplink/compose?")
    assert f'href="/events/{event.id}.ics" download' in text
    assert hrefs(text, "https://wa.me/") and hrefs(text, "mailto:?subject=")
    assert '<details class="action-menu add-to-calendar" open>' in text


def test_subscribe_box_on_the_list(client, network):
    make_event(network)
    text = page(client, "/events?network=magdeburg")
    feed = "http://localhost/feeds/events.ics?network=magdeburg"
    assert 'href="webcal://localhost/feeds/events.ics?network=magdeburg"' in text
    [google] = hrefs(text, "https://calendar.google.com/calendar/r?")
    assert _query(google) == {"cid": "webcal://localhost/feeds/events.ics?network=magdeburg"}
    [outlook] = hrefs(text, "https://outlook.live.com/calendar/0/addfromweb?")
    assert _query(outlook)["url"] == feed
    assert re.search(rf'<input type="text" id="subscribe-url" value="{re.escape(feed)}" readonly', text)
    assert 'data-copy="subscribe-url"' in text and 'role="status"' in text
    # Folded up above the list, not below it.
    assert text.index('<details class="subscribe subscribe-compact') < text.index('id="event-summary"')


def test_subscribe_box_on_the_event_page_names_the_network(client, network):
    event = make_event(network)
    text = page(client, f"/events/{event.id}")
    [outlook] = hrefs(text, "https://outlook.live.com/calendar/0/addfromweb?")
    assert _query(outlook) == {"url": "http://localhost/feeds/n/magdeburg.ics", "name": "Netzwerk Magdeburg"}


def test_subscribe_box_follows_the_filters_with_htmx(client, network):
    make_event(network)
    response = client.get("/events?network=magdeburg", headers={"HX-Request": "true", "Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert "<h1>" not in text  # the fragment
    assert '<details class="subscribe subscribe-compact no-print" id="subscribe" hx-swap-oob="outerHTML">' in text
    assert 'value="http://localhost/feeds/events.ics?network=magdeburg"' in text
    assert "Subscribe to these events" in text
