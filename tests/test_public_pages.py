"""The public face (issue 16): the home page, a network's public page, availability on every
list, ongoing multi-day events, a group's events with its sub-groups', and query counts that
do not grow with the data."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from app.core.extensions import db
from app.events import public, service
from app.events.models import Event
from app.registrations import service as registrations
from app.registrations.models import RegistrationSettings
from tests.factories import local

NOW = datetime(2027, 1, 15, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from app.registrations import availability

    for module in (public, service, availability):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def add(network, title, start, hours=2, kind="other", **fields):
    kinds = {k.code: k for k in service.kinds(network)}
    event = Event(network_id=network.id, kind_id=kinds[kind].id, title=title, status="published",
                  visibility="public", timezone="Europe/Berlin")
    service.save(event, starts_at=start, ends_at=start + timedelta(hours=hours), **fields)
    db.session.flush()
    return event


def takes(event, capacity=None, waiting_list=True, taken=0, opens_at=None):
    db.session.add(RegistrationSettings(event_id=event.id, capacity=capacity, waiting_list=waiting_list,
                                        opens_at=opens_at))
    db.session.flush()
    for n in range(taken):
        registrations.register(event, event.starts_at, f"P {n}", f"p{n}-{event.id}@example.org", None, "", {},
                               notify=False)
    return event


def get(client, url):
    response = client.get(url, headers={"Accept-Language": "en"})
    return response, response.get_data(as_text=True).replace("\u202f", " ")


def card_of(text, title):
    """The <li> of the card whose title is `title`."""
    for item in re.findall(r'<li class="event[^"]*">.*?\n</li>', text, re.S):
        if f">{title}</a>" in item:
            return item
    raise AssertionError(f"no card {title!r}")


# --- Availability ---------------------------------------------------------------------

@pytest.fixture
def assorted(network):
    events = {
        "plenty": takes(add(network, "Viel Platz", local(2027, 2, 1, 10)), capacity=20, taken=2),
        "few": takes(add(network, "Fast voll", local(2027, 2, 2, 10)), capacity=10, taken=8),
        "waiting": takes(add(network, "Warteliste", local(2027, 2, 3, 10)), capacity=2, taken=2),
        "full": takes(add(network, "Ausgebucht", local(2027, 2, 4, 10)), capacity=1, waiting_list=False, taken=1),
        "later": takes(add(network, "Bald", local(2027, 2, 5, 10)), capacity=5,
                       opens_at=datetime(2027, 1, 20, 8, tzinfo=timezone.utc)),
        "unlimited": takes(add(network, "Offen", local(2027, 2, 6, 10))),
        "none": add(network, "Ohne Anmeldung", local(2027, 2, 7, 10)),
    }
    db.session.commit()
    return events


EXPECTED_BADGES = {
    "Viel Platz": "Registration open",
    "Fast voll": "Only 2 places left",
    "Warteliste": "Fully booked – waiting list",
    "Ausgebucht": "Fully booked",
    "Bald": "Registration from Jan 20, 2027",
    "Offen": "Registration open",
}


@pytest.mark.parametrize("url", ["/events", "/", "/n/magdeburg"])
def test_lists_show_places_left_fully_booked_waiting_list_and_not_yet(client, assorted, url):
    _, text = get(client, url)
    for title, badge in EXPECTED_BADGES.items():
        assert badge in card_of(text, title), title
    if url != "/":  # the home page has room for the first six
        assert "badge" not in card_of(text, "Ohne Anmeldung")


def test_a_series_counts_places_per_date(client, network):
    cafe = takes(add(network, "Sprachcafé", local(2027, 2, 1, 15), repeat="weekly", repeat_count=3), capacity=2)
    registrations.register(cafe, cafe.starts_at, "A", "a@example.org", None, "", {}, notify=False)
    registrations.register(cafe, cafe.starts_at, "B", "b@example.org", None, "", {}, notify=False)
    db.session.commit()
    _, text = get(client, "/events")
    cards = re.findall(r'<li class="event[^"]*">.*?\n</li>', text, re.S)
    assert len(cards) == 3
    assert "Fully booked – waiting list" in cards[0]
    assert all("Only 2 places left" in card for card in cards[1:])  # 2 of 2: "few"


# --- Home ---------------------------------------------------------------------------------

def test_home_leads_to_programme_events_networks_search_and_login(client, network, make):
    from tests.test_programmes_public import assorted_programme

    programme = assorted_programme(network)
    add(network, "Abgesagt", local(2027, 1, 20, 10)).status = "cancelled"
    add(network, "Demnächst", local(2027, 1, 21, 10))
    db.session.commit()
    response, text = get(client, "/")
    assert response.status_code == 200
    teaser = re.search(r'<a class="programme-teaser" href="([^"]+)">', text)
    assert teaser and teaser.group(1) == f"/programmes/{programme.campaign.slug}"
    assert programme.campaign.title in text
    assert ">Demnächst</a>" in text and ">Abgesagt</a>" not in text  # cancelled: only on the full list
    assert 'action="/search"' in text and 'name="q"' in text
    assert 'href="/n/magdeburg"' in text
    assert ">Organizer login</a>" in text
    assert "webcal://localhost/feeds/events.ics" in text


def test_logged_in_organizers_go_on_to_their_networks(client, network, make):
    make.user("k@example.org", coordinates=[network])
    db.session.commit()
    make.login(client, "k@example.org")
    assert client.get("/").headers["Location"].endswith("/networks")


# --- A network's public page ---------------------------------------------------------------

def test_network_page_for_the_public(client, network, make):
    network.description = "Rund 65 Organisationen."
    network.contact_name, network.contact_email = "Koordinierungsstelle Integration", "integration@example.org"
    network.contact_phone = "0391 540 0"
    parent = make.group(network, "Sprache")
    make.group(network, "Berufssprachkurse", parent=parent)
    add(network, "Netzwerktreffen", local(2027, 2, 1, 10))
    add(network, "Entwurf", local(2027, 2, 2, 10), ).status = "draft"
    db.session.commit()
    response, text = get(client, "/n/magdeburg")
    assert response.status_code == 200
    assert "<h1>Netzwerk Magdeburg</h1>" in text and "Rund 65 Organisationen." in text
    assert "Koordinierungsstelle Integration" in text and 'href="mailto:integration@example.org"' in text
    assert 'href="tel:05405400"' not in text and 'href="tel:03915400"' in text
    assert ">Netzwerktreffen</a>" in text and "Entwurf" not in text
    assert f'href="/events?network=magdeburg&amp;group={parent.id}"' in text
    assert "Berufssprachkurse" in text
    assert "webcal://localhost/feeds/n/magdeburg.ics" in text
    # Nothing of the organizers' pages.
    assert "/n/magdeburg/organizations" not in text and "/n/magdeburg/edit" not in text


def test_network_page_organizers_see_their_overview_and_the_public_view_on_request(client, network, make):
    make.user("k@example.org", coordinates=[network])
    db.session.commit()
    make.login(client, "k@example.org")
    _, overview = get(client, "/n/magdeburg")
    assert "/n/magdeburg/organizations" in overview and 'href="/n/magdeburg?view=public"' in overview
    _, public_view = get(client, "/n/magdeburg?view=public")
    assert "/n/magdeburg/organizations" not in public_view and "<h1>Netzwerk Magdeburg</h1>" in public_view


def test_unknown_network_is_404(client, app):
    assert client.get("/n/nirgendwo").status_code == 404


def test_network_contact_is_edited_with_clear_messages(client, network, make):
    make.user("k@example.org", coordinates=[network])
    db.session.commit()
    make.login(client, "k@example.org")
    response = client.post("/n/magdeburg/edit", data={
        "name": "Netzwerk Magdeburg", "contact_name": "Koordinierung", "contact_email": "kein-mail",
        "contact_phone": "abc", "website": "magdeburg"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "valid e-mail address" in text and "digits, spaces" in text and "full address" in text
    db.session.refresh(network)
    assert network.contact_name == ""  # nothing half-saved
    response = client.post("/n/magdeburg/edit", data={
        "name": "Netzwerk Magdeburg", "contact_name": "Koordinierung", "contact_email": "k@magdeburg.example",
        "contact_phone": "0391 540", "website": "https://www.magdeburg.de"})
    assert response.status_code in (302, 303)
    db.session.refresh(network)
    assert (network.contact_name, network.contact_email, network.contact_phone, network.website) == (
        "Koordinierung", "k@magdeburg.example", "0391 540", "https://www.magdeburg.de")


def test_a_groups_events_include_its_sub_groups(client, network, make):
    parent = make.group(network, "Sprache")
    child = make.group(network, "Berufssprachkurse", parent=parent)
    grandchild = make.group(network, "Prüfungen", parent=child)
    other = make.group(network, "Arbeit")
    add(network, "Oben", local(2027, 2, 1, 10), working_group_id=parent.id)
    add(network, "Mitte", local(2027, 2, 2, 10), working_group_id=child.id)
    add(network, "Unten", local(2027, 2, 3, 10), working_group_id=grandchild.id)
    add(network, "Daneben", local(2027, 2, 4, 10), working_group_id=other.id)
    db.session.commit()

    def titles(url):
        return re.findall(r'class="event-title"><a [^>]*>([^<]+)</a>', get(client, url)[1])

    assert titles(f"/events?group={parent.id}") == ["Oben", "Mitte", "Unten"]
    assert titles(f"/events?group={child.id}") == ["Mitte", "Unten"]
    assert titles(f"/events?group={other.id}") == ["Daneben"]


# --- Ongoing events ----------------------------------------------------------------------------

def test_a_multi_day_event_stays_listed_until_it_ends(client, network):
    add(network, "Festival", local(2027, 1, 13, 10), hours=24 * 4)  # 13th to 17th, now is the 15th
    add(network, "Vorbei", local(2027, 1, 13, 10), hours=24)
    add(network, "Morgen", local(2027, 1, 16, 10))
    db.session.commit()
    _, text = get(client, "/events")
    assert re.findall(r'class="event-title"><a [^>]*>([^<]+)</a>', text) == ["Festival", "Morgen"]
    # Under today's heading, with its whole span.
    today = text.index("Friday, January 15, 2027")
    assert today < text.index(">Festival</a>") < text.index("Saturday, January 16, 2027")
    assert "Jan 13, 2027" in card_of(text, "Festival")
    # Not again on the next pages.
    next_page = public.encode_cursor(local(2027, 1, 16, 0))
    _, later = get(client, f"/events?after={next_page}")
    assert ">Festival</a>" not in later


# --- Query counts -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/n/{slug}", "/events"])
def test_public_pages_query_count_does_not_grow(app, make, count_queries, url):
    def measure(n):
        network = make.network(f"net-{n}")
        for g in range(n // 5 + 1):
            make.group(network, f"Gruppe {g}")
        for i in range(n):
            event = add(network, f"Termin {i}", local(2027, 2, 1, 10) + timedelta(hours=5 * i),
                        repeat="weekly" if i % 3 == 0 else None, repeat_count=4 if i % 3 == 0 else None)
            if i % 2:
                takes(event, capacity=5, taken=i % 4)
        db.session.commit()
        client = app.test_client()
        return count_queries(lambda: client.get(url.format(slug=network.slug)))

    small = measure(3)
    assert small == measure(30)


# --- What a phone downloads --------------------------------------------------------------------

def test_static_files_are_versioned_cached_for_a_year_and_compressed(client, app):
    _, text = get(client, "/")
    css = re.search(r'href="(/static/css/app\.css\?v=\w+)"', text).group(1)
    response = client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert response.headers["Content-Encoding"] == "br"
    # The ETag the browser got (marked by the compression) still gives a 304.
    again = client.get(css, headers={"Accept-Encoding": "br, gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # A changed file has a new address; an address without a version is checked each time.
    assert "max-age=31536000" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_pages_are_compressed_for_browsers_that_ask(client, network):
    page = client.get("/events", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    import gzip

    assert b"<html" in gzip.decompress(page.data)
    assert "Content-Encoding" not in client.get("/feeds/events.ics", headers={"Accept-Encoding": "gzip"}).headers
