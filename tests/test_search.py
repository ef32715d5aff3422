"""The public search (issue 16): public events and programme entries found by title, text,
place, organizer, tags and programme facts, by word starts and despite a typo; never a draft or
an event that is not public; documents follow every edit; upcoming before past; the htmx
fragment; hostile input; a number of queries that does not grow with the data."""
import html
import re
from datetime import datetime, timezone

import pytest

from app.core.extensions import db
from app.directory import service as directory
from app.events import service as events
from app.events.models import Event
from app.programmes import review
from app.search import service as search_service
from tests.factories import local
from tests.test_programmes_public import assorted_programme

UTC = timezone.utc
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(search_service, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


@pytest.fixture
def kind(network):
    return next(k for k in events.kinds(network) if k.code == "public_event")


def add(network, kind, title, start=None, hours=2, tags=(), **fields):
    values = {"status": "published", "visibility": "public"}
    values.update({k: fields.pop(k) for k in list(fields) if k in values})
    event = Event(network_id=network.id, kind_id=kind.id, title=title, timezone="Europe/Berlin", **values)
    start = start or local(2027, 2, 10, 18)
    events.save(event, starts_at=start, ends_at=start.replace(hour=start.hour + hours), **fields)
    if tags:
        events.set_tags(event, list(tags))
    db.session.flush()
    return event


def find(client, query, **headers):
    """(titles found, the status line, the correction notice or None, the page)."""
    response = client.get("/search", query_string={"q": query}, headers={"Accept-Language": "en", **headers})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    titles = [html.unescape(t) for t in re.findall(r'class="event-title"><a [^>]*>([^<]*)</a>', text)]
    status = re.search(r'id="search-status"[^>]*>(.*?)</p>', text, re.S)
    corrected = re.search(r'class="notice search-corrected">(.*?)</p>', text, re.S)
    return (titles, html.unescape(status.group(1).strip()) if status else None,
            html.unescape(corrected.group(1)) if corrected else None, text)


@pytest.fixture
def assorted(network, kind, make):
    caritas = make.organization(network, "Caritas Magdeburg")
    add(network, kind, "Interkultureller Kochabend", description="Wir **kochen** gemeinsam Gerichte aus Syrien.",
        venue_name="Stadtteiltreff Oase", organization_id=caritas.id, tags=["Kultur & Begegnung"])
    add(network, kind, "Bewerbungstraining", start=local(2027, 2, 11, 10), description="Lebenslauf und Anschreiben.",
        venue_name="Volkshochschule", venue_address="Leibnizstraße 23", tags=["Beruf"])
    db.session.commit()


@pytest.mark.parametrize("query, expected", [
    ("Kochabend", ["Interkultureller Kochabend"]),  # title
    ("gerichte", ["Interkultureller Kochabend"]),  # text (Markdown)
    ("Oase", ["Interkultureller Kochabend"]),  # place
    ("Leibnizstraße", ["Bewerbungstraining"]),  # address
    ("caritas", ["Interkultureller Kochabend"]),  # organizer
    ("Begegnung", ["Interkultureller Kochabend"]),  # tag
    ("beruf", ["Bewerbungstraining"]),  # tag
    ("lebensl", ["Bewerbungstraining"]),  # word start
    ("KOCH syrien", ["Interkultureller Kochabend"]),  # every word, any field, any case
    ("kochabend lebenslauf", []),  # each in another event
])
def test_finds_public_events_by_title_text_place_organizer_and_tags(client, assorted, query, expected):
    titles, status, corrected, _page = find(client, query)
    assert titles == expected
    assert corrected is None
    assert status == (f"{len(expected)} event found." if expected else f"Nothing found for “{query}”.")


def test_programme_entries_are_found_by_their_programme_facts(client, app):
    assorted_programme()
    assert find(client, "Kalligrafie")[0] == ["Kalligrafie-Workshop"]
    assert find(client, "Ukrainische Gemeinde")[0] == ["Ukrainian evening"]  # organizer as submitted
    assert set(find(client, "Buckau")[0]) == {"Kalligrafie-Workshop", "Konzert im Park"}  # district
    assert set(find(client, "interkulturelle woche")[0]) == {  # the programme, cancelled entry included
        "Begegnungscafé", "Kalligrafie-Workshop", "Ukrainian evening", "Sprachcafé für Kinder", "Konzert im Park"}
    assert find(client, "Prüfung")[0] == []  # still in review: no event yet
    titles, _status, _corrected, page = find(client, "Kalligrafie")
    assert "Buckau" in page and "Volkshochschule" in page  # the card shows the entry's district and organizer


@pytest.mark.parametrize("query, correction, expected", [
    ("Kochabent", "kochabend", ["Interkultureller Kochabend"]),
    ("bewerbungstrainig", "bewerbungstraining", ["Bewerbungstraining"]),
    ("Stadteiltreff", "stadtteiltreff", ["Interkultureller Kochabend"]),
    ("lebenslaf anschreiben", "lebenslauf anschreiben", ["Bewerbungstraining"]),  # the word that found nothing
])
def test_a_typo_is_searched_as_the_closest_word_and_said_so(client, assorted, query, correction, expected):
    titles, status, corrected, _page = find(client, query)
    assert titles == expected
    assert corrected == f"Nothing was found for “{query}”. Showing results for “{correction}”."
    assert status == "1 event found."


def test_nothing_close_is_nothing_found(client, assorted):
    assert find(client, "Zeppelin")[:3] == ([], "Nothing found for “Zeppelin”.", None)
    assert find(client, "kochabend zeppelin")[:3] == ([], "Nothing found for “kochabend zeppelin”.", None)


@pytest.mark.parametrize("fields", [
    {"status": "draft"}, {"visibility": "members"}, {"visibility": "invited"}])
def test_events_that_are_not_public_are_never_found_nor_offered_as_corrections(client, network, kind, fields):
    add(network, kind, "Geheimtreffen der Steuerungsgruppe", **fields)
    db.session.commit()
    assert find(client, "Geheimtreffen")[:3] == ([], "Nothing found for “Geheimtreffen”.", None)
    assert find(client, "Geheimtreffn")[:3] == ([], "Nothing found for “Geheimtreffn”.", None)
    assert find(client, "Steuerung")[0] == []


def test_documents_follow_publishing_edits_renames_and_deletion(client, network, kind, make):
    organization = make.organization(network, "Caritas Magdeburg")
    event = add(network, kind, "Nähcafé", status="draft", organization_id=organization.id, tags=["Handarbeit"])
    db.session.commit()
    assert find(client, "Nähcafé")[0] == []
    events.publish(event)
    db.session.commit()
    assert find(client, "Nähcafé")[0] == ["Nähcafé"]

    events.save(event, title="Reparaturcafé", venue_name="Bürgerhaus Cracau")
    db.session.commit()
    assert find(client, "Nähcafé")[0] == []
    assert find(client, "reparatur cracau")[0] == ["Reparaturcafé"]

    directory.update_organization(organization, "Diakonie Mitteldeutschland")
    event.tags[0].name = "Nachhaltigkeit"
    db.session.commit()
    assert find(client, "Diakonie")[0] == ["Reparaturcafé"]
    assert find(client, "Caritas")[0] == []
    assert find(client, "nachhaltig")[0] == ["Reparaturcafé"]

    events.cancel(event, "Raum nicht verfügbar")
    db.session.commit()
    assert find(client, "Reparaturcafé")[0] == ["Reparaturcafé"]  # cancelled events stay public, marked
    events.save(event, visibility="members")
    db.session.commit()
    assert find(client, "Reparaturcafé")[0] == []
    events.save(event, visibility="public")
    db.session.commit()
    assert find(client, "Reparaturcafé")[0] == ["Reparaturcafé"]
    db.session.delete(event)
    db.session.commit()
    assert find(client, "Reparaturcafé")[0] == []


def test_programme_edits_follow(client, app):
    p = assorted_programme()
    p.calligraphy.district = "Sudenburg"
    p.campaign.title = "Woche der Vielfalt"
    db.session.commit()
    assert find(client, "Sudenburg")[0] == ["Kalligrafie-Workshop"]
    assert "Kalligrafie-Workshop" not in find(client, "Buckau")[0]
    assert len(find(client, "Vielfalt")[0]) == 5
    review.decline(p.cafe, p.coordinator, "Abgesagt.")
    db.session.commit()
    assert find(client, "Begegnungscafé")[0] == ["Begegnungscafé"]  # cancelled, still in the programme


def test_upcoming_by_next_date_first_then_past_by_last_date(client, network, kind):
    add(network, kind, "Treffen im Herbst", start=local(2026, 10, 1, 18))
    add(network, kind, "Treffen im Sommer", start=local(2026, 7, 1, 18))
    add(network, kind, "Treffen im März", start=local(2027, 3, 1, 18))
    series = add(network, kind, "Treffen jeden Donnerstag", start=local(2026, 12, 3, 18), repeat="weekly",
                 repeat_count=10)
    db.session.commit()
    titles, status, _corrected, page = find(client, "treffen")
    assert titles == ["Treffen jeden Donnerstag", "Treffen im März", "Treffen im Herbst", "Treffen im Sommer"]
    assert status == "4 events found."
    upcoming, past = page.split('class="search-past-heading"')
    assert "Treffen im März" in upcoming and "Treffen im Herbst" in past
    # The series by its next date: 21 January 2027, the first after the 15th.
    assert f'href="/events/{series.id}?at=20270121T170000Z"' in upcoming


def test_htmx_gets_the_results_and_the_status_out_of_band(client, assorted):
    titles, _status, _corrected, page = find(client, "kochabend", **{"HX-Request": "true"})
    assert titles == ["Interkultureller Kochabend"]
    assert "<html" not in page and "<form" not in page
    assert re.search(r'<p id="search-status"[^>]*hx-swap-oob="innerHTML"', page)
    full = find(client, "kochabend")[3]
    assert 'role="search"' in full and 'hx-get="/search"' in full and 'hx-push-url="true"' in full
    assert '<input type="search" id="search-q" name="q" value="kochabend"' in full
    assert re.search(r'<label for="search-q">', full)


@pytest.mark.parametrize("query", [
    '"', "'", "AND", "OR NOT", "*", "sprach*", "-koch", "NEAR(a b)", "a:b", "^koch", "(", "'; DROP TABLE events; --",
    "ü" * 500, "x " * 100, "\u202e", "🙂"])
def test_hostile_or_odd_input_is_just_words(client, assorted, query):
    find(client, query)


def test_search_box_and_long_queries(client, assorted):
    titles, *_rest = find(client, "koch" + " " * 300 + "x" * 300)
    assert titles == []  # cut to 200 characters, not an error
    page = find(client, "")[3]
    assert 'value=""' in page and "search-status" in page


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_rate_limited_per_address(client, app):
    for _ in range(60):
        assert client.get("/search?q=x").status_code == 200
    assert client.get("/search?q=x").status_code == 429


def test_queries_do_not_grow_with_events(client, network, kind, count_queries):
    def grow(count):
        for number in range(count):
            add(network, kind, f"Sprachtreff {number}", start=local(2027, 2, 1 + number % 28, 18),
                venue_name=f"Ort {number}", tags=[f"Thema {number % 7}"], repeat="weekly" if number % 3 else None,
                repeat_count=4 if number % 3 else None)

    grow(5)
    few = {query: count_queries(lambda: find(client, query)) for query in ("sprachtreff", "sprachtref ort")}
    typo_few = count_queries(lambda: find(client, "sprachtreffs"))
    grow(45)
    assert {query: count_queries(lambda: find(client, query)) for query in few} == few
    assert count_queries(lambda: find(client, "sprachtreffs")) == typo_few
    assert len(find(client, "sprachtreff")[0]) == 50
