"""The public programme (issue 7): the page and its filters, the htmx fragment, the embed and
its frame headers, partner logos, the programme's feed, the event page's link to its
programme, and a bounded number of queries. The booklet is in test_programmes_booklet.py.

Shared set-up for programme tests lives here (`make_programme`, `entry`, `titles`)."""
import io
import json
import re
import subprocess
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from PIL import Image

from app.core.extensions import db
from app.core.types import utcnow
from app.events import recurrence
from app.programmes import review, service
from app.programmes.models import Partner

from . import factories
from .mails import HAVE_ICS_CHECK, ICS_CHECK

BERLIN = "Europe/Berlin"
# The programme's week: next September, whenever the tests run.
YEAR = recurrence.to_local(utcnow(), BERLIN).year + 1
FIRST_DAY = date(YEAR, 9, 20)


def at(day: int, hour: int, minutes: int = 0):
    """A time on the programme's day `day` (1 = the first), in Berlin, as stored (UTC)."""
    moment = FIRST_DAY + timedelta(days=day - 1)
    return factories.local(moment.year, moment.month, moment.day, hour, minutes)


def make_programme(network=None, title="Interkulturelle Woche", motto="Neue Räume", coordinator=None):
    """An unpublished campaign of `network` (made when not given) and a coordinator of it."""
    network = network or factories.network("magdeburg", "Netzwerk Magdeburg")
    coordinator = coordinator or factories.user(f"coord-{network.slug}@example.org", coordinates=[network])
    campaign = service.create_campaign(
        network, title=title, year=YEAR, starts_on=FIRST_DAY, ends_on=FIRST_DAY + timedelta(days=6),
        submissions_from=date(YEAR, 5, 1), submissions_until=date(YEAR, 8, 15), motto=motto,
        intro="**Willkommen** zur Woche der Begegnung.", contact_email="iwk@example.org")
    db.session.flush()
    return SimpleNamespace(network=network, campaign=campaign, coordinator=coordinator,
                           categories={c.code: c for c in campaign.categories})


def entry(p, title, category="encounter", day=1, hour=15, hours=2, approve=True, **fields):
    """A complete submission (approved unless told otherwise) of programme `p`."""
    values = dict(
        title=title, description=f"Beschreibung von {title}.", text_language="de",
        category_id=p.categories[category].id, starts_at=at(day, hour), ends_at=at(day, hour + hours),
        venue_name="Einewelthaus", venue_address="Schellingstraße 3, 39104 Magdeburg", district="Stadtfeld",
        languages="de", target_groups="everyone", is_free=True, organization_name="Einewelthaus Magdeburg",
        contact_name="Erika Muster", contact_email="erika@example.org")
    values.update(fields)
    submission = service.start(p.campaign, **values)
    db.session.flush()
    if approve:
        review.approve(submission, p.coordinator)
        db.session.flush()
    return submission


def assorted_programme(network=None):
    """Four published entries that each filter tells apart, one cancelled, one still in review."""
    p = make_programme(network)
    p.cafe = entry(p, "Begegnungscafé", "encounter", day=1, district="Stadtfeld", languages="de,ar",
                   target_groups="everyone", step_free=True, accessibility="Aufzug am Hintereingang")
    p.calligraphy = entry(p, "Kalligrafie-Workshop", "workshop", day=2, district="Buckau", languages="de",
                          target_groups="adults", is_free=False, fee="5 €, ermäßigt 3 €", step_free=False,
                          registration_required=True, capacity=12, organization_name="Volkshochschule")
    p.evening = entry(p, "Ukrainian evening", "art", day=2, hour=19, district="Stadtfeld", languages="uk,de",
                      target_groups="families,children", text_language="en", step_free=True,
                      organization_name="Ukrainische Gemeinde")
    p.kids = entry(p, "Sprachcafé für Kinder", "talk", day=3, district="Neustadt", languages="de,fa",
                   target_groups="children", organization_name="Caritas")
    p.concert = entry(p, "Konzert im Park", "art", day=4, district="Buckau", organization_name="Caritas")
    p.waiting = entry(p, "Noch in Prüfung", "food", day=5, approve=False)
    review.publish(p.campaign)
    db.session.flush()
    review.decline(p.concert, p.coordinator, "Die Band ist erkrankt.")
    db.session.commit()
    return p


PUBLISHED = ["Begegnungscafé", "Kalligrafie-Workshop", "Ukrainian evening", "Sprachcafé für Kinder"]
ALL_SHOWN = PUBLISHED + ["Konzert im Park"]


def titles(text: str) -> list[str]:
    from html import unescape

    return [unescape(t) for t in re.findall(r'class="event-title"><a [^>]*>([^<]*)</a>', text)]


def get(client, url, **headers):
    response = client.get(url, headers={"Accept-Language": "en", **headers})
    return response, response.get_data(as_text=True)


@pytest.fixture
def assorted(app):
    return assorted_programme()


# --- The page and its filters ----------------------------------------------------------

def test_programme_page_shows_the_published_entries_day_by_day(client, assorted):
    response, text = get(client, f"/programmes/{assorted.campaign.slug}")
    assert response.status_code == 200
    assert titles(text) == ALL_SHOWN  # in time order; the one in review is not there
    assert "Noch in Prüfung" not in text
    assert "Neue Räume" in text and "<strong>Willkommen</strong>" in text and "Netzwerk Magdeburg" in text
    assert text.count('class="event-day"') == 4
    assert "5 events" in text
    assert f'href="/events/{assorted.cafe.event_id}"' in text
    # The facts of an entry: category, organizer, venue (its address is on the event page),
    # district, access, spoken languages, groups, fee.
    assert "Encounter" in text and "Volkshochschule" in text and "Schellingstraße 3" not in text
    assert "(Stadtfeld)" in text and "Aufzug am Hintereingang" in text
    assert 'Step-free</span>' in text
    assert '<span aria-hidden="true" class="codes">DE AR</span><span class="visually-hidden">German, Arabic</span>' in text
    assert "<li>Families</li><li>Children</li>" in text
    assert "5 €, ermäßigt 3 €" in text and "Free of charge" in text
    # Links to the booklet and the feed.
    assert f'/programmes/{assorted.campaign.slug}/booklet.pdf' in text
    assert f'webcal://localhost/feeds/programmes/{assorted.campaign.slug}.ics' in text


def test_cancelled_entries_are_marked_with_the_reason(client, assorted):
    _, text = get(client, f"/programmes/{assorted.campaign.slug}")
    item = entry_items(text)["Konzert im Park"]
    assert "is-cancelled" in item and "Cancelled</strong> Die Band ist erkrankt." in item
    assert "Register" not in item


def test_availability_shown_only_where_registration_is_open(client, assorted):
    _, text = get(client, f"/programmes/{assorted.campaign.slug}")
    assert text.count('class="badge badge-') == 1
    assert "Registration open" in entry_items(text)["Kalligrafie-Workshop"]


@pytest.mark.parametrize("query, expected", [
    ("day={day2}", ["Kalligrafie-Workshop", "Ukrainian evening"]),
    ("category={workshop}", ["Kalligrafie-Workshop"]),
    ("spoken=uk", ["Ukrainian evening"]),
    ("spoken=ar", ["Begegnungscafé"]),
    ("district=Stadtfeld", ["Begegnungscafé", "Ukrainian evening"]),
    ("district=Buckau", ["Kalligrafie-Workshop", "Konzert im Park"]),
    # "everyone" is for every group: found under any group chosen
    ("group=children", ["Begegnungscafé", "Ukrainian evening", "Sprachcafé für Kinder", "Konzert im Park"]),
    ("group=adults", ["Begegnungscafé", "Kalligrafie-Workshop", "Konzert im Park"]),
    ("step_free=1", ["Begegnungscafé", "Ukrainian evening"]),
    ("free=1", ["Begegnungscafé", "Ukrainian evening", "Sprachcafé für Kinder", "Konzert im Park"]),
    ("day={day2}&district=Stadtfeld&free=1", ["Ukrainian evening"]),
    ("category={art}&step_free=1", ["Ukrainian evening"]),
])
def test_each_filter_narrows_the_list(client, assorted, query, expected):
    values = {"day2": (FIRST_DAY + timedelta(days=1)).isoformat(),
              **{code: c.id for code, c in assorted.categories.items()}}
    response, text = get(client, f"/programmes/{assorted.campaign.slug}?" + query.format(**values))
    assert response.status_code == 200
    assert titles(text) == expected
    assert f"{len(expected)} of 5 event" in text


@pytest.mark.parametrize("query", [
    "day=2027-13-45", "day=" + "9" * 400, f"day={date(YEAR, 1, 1).isoformat()}", "category=abc", "category=-3",
    "category=99999999999999", "spoken=xx", "spoken=", "district=Nirgendwo", "group=aliens", "step_free=yes",
    "free=on&free=", "unknown=1", "day=&category=&spoken=&district=&group=",
])
def test_bad_parameters_are_ignored(client, assorted, query):
    response, text = get(client, f"/programmes/{assorted.campaign.slug}?{query}")
    assert response.status_code == 200
    assert titles(text) == ALL_SHOWN
    assert "5 events" in text and "Reset filters" not in text


def test_another_campaigns_category_is_ignored(client, assorted):
    other = make_programme(factories.network("stendal"), title="Woche in Stendal")
    db.session.commit()
    _, text = get(client, f"/programmes/{assorted.campaign.slug}?category={other.categories['workshop'].id}")
    assert titles(text) == ALL_SHOWN


def test_filter_form_offers_what_the_programme_has_and_keeps_the_choice(client, assorted):
    slug = assorted.campaign.slug
    _, text = get(client, f"/programmes/{slug}?spoken=uk&step_free=1")
    assert '<option value="uk" selected>Ukrainian</option>' in text
    assert '<option value="ru"' not in text  # nobody speaks it here
    assert 'name="step_free" value="1" checked' in text and 'name="free" value="1">' in text
    assert '<option value="Buckau">' in text and '<option value="Neustadt">' in text
    assert f'value="{assorted.categories["food"].id}"' not in text  # the food entry is not published
    assert f'hx-get="/programmes/{slug}"' in text and 'hx-target="#programme-list"' in text
    assert 'hx-push-url="true"' in text and 'type="submit"' in text


def test_htmx_gets_only_the_results(client, assorted):
    response, text = get(client, f"/programmes/{assorted.campaign.slug}?spoken=uk", **{"HX-Request": "true"})
    assert response.status_code == 200
    assert text.lstrip().startswith('<p id="programme-count" hx-swap-oob="innerHTML">1 of 5 events</p>')
    assert '<div id="programme-list"' in text and "<html" not in text and "<form" not in text
    assert titles(text) == ["Ukrainian evening"]
    # Boosted navigation and history restores want the whole page.
    _, full = get(client, f"/programmes/{assorted.campaign.slug}", **{"HX-Request": "true",
                                                                     "HX-History-Restore-Request": "true"})
    assert "<html" in full


def entry_items(text: str) -> dict[str, str]:
    """Each entry's <li> by its title."""
    return {titles(item)[0]: item for item in re.findall(r'<li class="event programme-entry.*?\n</li>', text, re.S)}


def test_entries_kept_rendered_show_every_change_at_once(client, assorted):
    """Entries are rendered once and kept by everything they show (views/public.py
    `programme_entry`): a change to the event, the submission, a category's name, the
    registration, the language or the frame shows on the next request. One change per entry
    and round, so that each value of the key is proven on its own."""
    slug = assorted.campaign.slug
    for path in (f"/programmes/{slug}", f"/programmes/{slug}/embed"):
        for headers in ({}, {"HX-Request": "true"}, {"Accept-Language": "de"}):
            get(client, path, **headers)
    assorted.cafe.event.title = "Begegnungscafé am Markt"
    assorted.calligraphy.event.registration_settings.is_open = False
    assorted.evening.fee, assorted.evening.is_free = "2 €", False
    assorted.categories["talk"].code, assorted.categories["talk"].name = None, "Gesprächsrunde"
    assorted.concert.district = "Sudenburg"
    db.session.commit()
    _, text = get(client, f"/programmes/{slug}")
    items = entry_items(text)
    assert "Begegnungscafé am Markt" in items
    assert "badge" not in items["Kalligrafie-Workshop"]
    assert "2 €" in items["Ukrainian evening"] and "Gesprächsrunde" in items["Sprachcafé für Kinder"]
    assert "(Sudenburg)" in items["Konzert im Park"]
    _, german = get(client, f"/programmes/{slug}", **{"Accept-Language": "de"})
    german_items = "".join(entry_items(german).values())
    assert "Eintritt" in german_items and "Admission" not in german_items
    _, embed = get(client, f"/programmes/{slug}/embed")
    assert all('target="_blank"' in item for item in entry_items(embed).values())
    assorted.cafe.event.status = "cancelled"
    assorted.calligraphy.event.registration_settings.is_open = True
    assorted.kids.event.venue_name = "Altes Rathaus"
    db.session.commit()
    _, text = get(client, f"/programmes/{slug}", **{"HX-Request": "true"})
    items = entry_items(text)
    assert "is-cancelled" in items["Begegnungscafé am Markt"] and "Registration open" in items["Kalligrafie-Workshop"]
    assert "Altes Rathaus" in items["Sprachcafé für Kinder"]


def test_entries_kept_rendered_are_bounded(client, assorted, monkeypatch):
    from collections import OrderedDict

    from app.programmes.views import public as views

    from tests.demo_crawl import normalized

    def page():  # the CSRF token's signed time may tick between two answers
        return normalized(get(client, f"/programmes/{assorted.campaign.slug}")[1].encode())

    expected = page()
    monkeypatch.setattr(views, "_rendered", OrderedDict())
    monkeypatch.setattr(views, "_ENTRIES_KEPT", 3)
    for _ in range(3):  # five entries through three places: rendered again, the same text
        assert page() == expected and len(views._rendered) == 3


def test_text_is_marked_with_its_language(client, assorted):
    _, english_page = get(client, f"/programmes/{assorted.campaign.slug}")
    assert re.search(r'<a href="/events/\d+" lang="de" dir="auto">Begegnungscafé</a>', english_page)
    assert '<span class="text-language">in German</span>' in english_page
    assert re.search(r'<a href="/events/\d+">Ukrainian evening</a>', english_page)  # same as the page's
    german = client.get(f"/programmes/{assorted.campaign.slug}", headers={"Accept-Language": "de"})
    text = german.get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in text
    assert re.search(r'<a href="/events/\d+" lang="en" dir="auto">Ukrainian evening</a>', text)
    assert re.search(r'<a href="/events/\d+">Begegnungscafé</a>', text)


def test_html_in_the_entries_is_escaped(client, app):
    p = make_programme()
    entry(p, '<script>alert("t")</script> Fest', organization_name="<b>Verein</b>",
          venue_name='<img src=x onerror="alert(1)">', district="<i>Mitte</i>")
    review.publish(p.campaign)
    db.session.commit()
    for url in (f"/programmes/{p.campaign.slug}", f"/programmes/{p.campaign.slug}/embed"):
        _, text = get(client, url)
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Fest" in text
        assert "<script>alert" not in text and "<b>Verein" not in text and "<img src=x" not in text
        assert "&lt;i&gt;Mitte&lt;/i&gt;" in text


# --- Who sees what -----------------------------------------------------------------------

def test_unpublished_programme_is_404_except_for_its_coordinators(app, make):
    p = make_programme()
    entry(p, "Vorschau-Eintrag")
    other_network = make.network("stendal")
    make.user("other@example.org", coordinates=[other_network])
    db.session.commit()
    slug = p.campaign.slug
    urls = [f"/programmes/{slug}", f"/programmes/{slug}/embed", f"/programmes/{slug}/booklet.pdf",
            f"/feeds/programmes/{slug}.ics"]
    anonymous = app.test_client()
    other = app.test_client()
    make.login(other, "other@example.org")
    for client in (anonymous, other):
        for url in urls:
            assert client.get(url).status_code == 404, url
    own = app.test_client()
    make.login(own, p.coordinator.email)
    response, text = get(own, f"/programmes/{slug}")
    assert response.status_code == 200
    assert "Not public yet." in text and "Vorschau-Eintrag" in text  # the draft event, previewed
    assert 'name="robots" content="noindex"' in text and "webcal://" not in text
    booklet = own.get(f"/programmes/{slug}/booklet.pdf")
    assert booklet.status_code == 200 and booklet.data.startswith(b"%PDF")
    assert "no-store" in booklet.headers["Cache-Control"]
    assert own.get(f"/programmes/{slug}/embed").status_code == 404  # never a preview in a frame
    assert own.get(f"/feeds/programmes/{slug}.ics").status_code == 404


def test_unknown_programme_is_404(client, app):
    for url in ("/programmes/nope", "/programmes/nope/embed", "/programmes/nope/booklet.pdf",
                "/programmes/nope/partners/1/logo", "/feeds/programmes/nope.ics", "/programmes/" + "x" * 500):
        assert client.get(url).status_code == 404, url


def test_unpublished_again_is_404_for_the_public(client, assorted):
    review.unpublish(assorted.campaign)
    db.session.commit()
    assert client.get(f"/programmes/{assorted.campaign.slug}").status_code == 404


def test_an_approved_entry_changed_by_its_organizer_stays_in_the_programme(client, assorted):
    """The edit goes back to review; the programme keeps the approved event meanwhile."""
    service.edit_by_submitter(assorted.kids, title="Sprachcafé für Kinder und Eltern")
    db.session.commit()
    assert assorted.kids.status == "submitted"
    _, text = get(client, f"/programmes/{assorted.campaign.slug}")
    assert titles(text) == ALL_SHOWN


def test_an_entry_whose_event_is_no_longer_public_leaves_the_programme(app, client, assorted):
    """The entries' query asks only for the campaign; the event's visibility and status are
    checked afterwards, for the page, the preview and the booklet alike."""
    assorted.cafe.event.visibility = "members"
    assorted.kids.event.status = "draft"
    db.session.commit()
    slug = assorted.campaign.slug
    shown = [t for t in ALL_SHOWN if t not in ("Begegnungscafé", "Sprachcafé für Kinder")]
    _, text = get(client, f"/programmes/{slug}")
    assert titles(text) == shown and "3 events" in text
    review.unpublish(assorted.campaign)
    db.session.commit()
    own = app.test_client()
    factories.login(own, assorted.coordinator.email)
    _, preview = get(own, f"/programmes/{slug}")
    assert titles(preview) == [t for t in ALL_SHOWN if t != "Begegnungscafé"]  # drafts are previewed


# --- The embed -------------------------------------------------------------------------------

def test_embed_is_framable_and_the_other_pages_are_not(client, assorted):
    slug = assorted.campaign.slug
    response, text = get(client, f"/programmes/{slug}/embed")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp and "default-src 'self'" in csp
    for url in (f"/programmes/{slug}", "/events", f"/events/{assorted.cafe.event_id}"):
        other = client.get(url)
        assert other.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], url
    # Again, now that the embed's options met the app's (talisman keeps them per view).
    assert "X-Frame-Options" not in client.get(f"/programmes/{slug}/embed").headers


@pytest.mark.config(EMBED_FRAME_ANCESTORS="https://www.magdeburg.de")
def test_embed_frame_ancestors_can_be_limited(client, assorted):
    response = client.get(f"/programmes/{assorted.campaign.slug}/embed")
    assert "frame-ancestors https://www.magdeburg.de" in response.headers["Content-Security-Policy"]


def test_embed_has_no_site_chrome_and_opens_links_in_a_new_tab(client, assorted):
    slug = assorted.campaign.slug
    response, text = get(client, f"/programmes/{slug}/embed?category={assorted.categories['art'].id}")
    assert titles(text) == ["Ukrainian evening", "Konzert im Park"]
    assert "site-header" not in text and "site-footer" not in text and 'class="nav"' not in text
    assert "css/app.css" in text
    # Every link leaves the frame in a new tab, but those that stay in the embed (reset filters).
    links = [link for link in re.findall(r"<a [^>]*>", text) if f"/programmes/{slug}/embed" not in link]
    assert len(links) == 3 and all('target="_blank"' in link and 'rel="noopener"' in link for link in links)
    assert 'Reset filters' in text
    assert f'href="/programmes/{slug}?category={assorted.categories["art"].id}"' in text  # Full programme
    assert "Full programme" in text
    assert 'name="day"' in text and 'name="category"' in text and "hx-get" not in text


# --- Partner logos ---------------------------------------------------------------------------

def png(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 6), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_partner_logo(client, assorted, make):
    campaign = assorted.campaign
    with_logo = Partner(name="Stadt Magdeburg", website="https://www.magdeburg.de", logo=png(), logo_type="image/png")
    without = Partner(name="Ohne Logo")
    campaign.partners.extend([with_logo, without])
    other = make_programme(make.network("stendal"), title="Woche in Stendal")
    foreign = Partner(name="Fremd", logo=png("blue"), logo_type="image/png")
    other.campaign.partners.append(foreign)
    db.session.commit()
    url = f"/programmes/{campaign.slug}/partners/{with_logo.id}/logo"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data == png()
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(f"/programmes/{campaign.slug}/partners/{without.id}/logo").status_code == 404
    assert client.get(f"/programmes/{campaign.slug}/partners/{foreign.id}/logo").status_code == 404
    assert client.get(f"/programmes/{other.campaign.slug}/partners/{foreign.id}/logo").status_code == 404  # unpublished
    _, text = get(client, f"/programmes/{campaign.slug}")
    assert '<a href="https://www.magdeburg.de" rel="noopener noreferrer">' in text
    assert f'<img src="{url}" alt="Stadt Magdeburg"' in text
    assert '<span class="partner-name">Ohne Logo</span>' in text


# --- The feed -----------------------------------------------------------------------------------

def test_feed_holds_exactly_the_programmes_published_and_cancelled_events(client, assorted, make):
    make.meeting_event(assorted.network, title="Netzwerktreffen", start=at(1, 10), visibility="public")
    db.session.commit()
    response = client.get(f"/feeds/programmes/{assorted.campaign.slug}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    found = {str(c["SUMMARY"]): str(c.get("STATUS")) for c in calendar.walk("VEVENT")}
    assert found == {**{title: "CONFIRMED" for title in PUBLISHED}, "Konzert im Park": "CANCELLED"}
    assert str(calendar["X-WR-CALNAME"]) == "Interkulturelle Woche"
    assert "Netzwerktreffen" not in response.get_data(as_text=True)
    again = client.get(f"/feeds/programmes/{assorted.campaign.slug}.ics",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert "public" in response.headers["Cache-Control"]


def test_feed_changes_when_an_entry_changes(client, assorted):
    url = f"/feeds/programmes/{assorted.campaign.slug}.ics"
    first = client.get(url)
    review.edit_by_coordinator(assorted.cafe, assorted.coordinator, venue_name="Rathaus")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Rathaus" in changed.data


def test_ics_check_agrees_on_the_programme_feed(client, assorted, tmp_path):
    if not HAVE_ICS_CHECK:
        pytest.skip("ics-check needs Node (>= 20) and tools/ics-check")
    path = tmp_path / "programme.ics"
    path.write_bytes(client.get(f"/feeds/programmes/{assorted.campaign.slug}.ics").data)
    result = subprocess.run([str(ICS_CHECK), str(path), "--from", f"{YEAR}-09-01", "--to", f"{YEAR}-10-31",
                             "--json", "-"], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    warnings = [item for item in report["lint"] if item["severity"] != "info"]
    assert report["ok"], (report["reasons"], warnings, report.get("diff"))
    assert warnings == []


# --- The event page -------------------------------------------------------------------------

def test_event_page_links_to_its_published_programme(client, assorted):
    _, text = get(client, f"/events/{assorted.cafe.event_id}")
    assert (f'<p class="part-of">Part of: <a href="/programmes/{assorted.campaign.slug}">'
            "Interkulturelle Woche</a></p>") in text
    assert re.search(r'<h1 lang="de" dir="auto">Begegnungscafé</h1>', text)
    assert '<div lang="de" dir="auto"><p>Beschreibung von Begegnungscafé.</p>' in text
    _, evening = get(client, f"/events/{assorted.evening.event_id}")
    assert "<h1>Ukrainian evening</h1>" in evening  # written in the page's language
    review.unpublish(assorted.campaign)
    db.session.commit()
    _, text = get(client, f"/events/{assorted.cafe.event_id}")
    assert "Part of:" not in text


def test_event_page_costs_the_same_in_a_programme_or_not(app, assorted, make, count_queries):
    outside = make.meeting_event(assorted.network, title="Netzwerktreffen", start=at(1, 10), visibility="public")
    db.session.commit()
    client = app.test_client()
    plain = count_queries(lambda: client.get(f"/events/{outside.id}"))
    in_programme = count_queries(lambda: client.get(f"/events/{assorted.cafe.event_id}"))
    assert in_programme == plain  # both ask for the programme the event may be part of


# --- Queries ---------------------------------------------------------------------------------

def test_queries_do_not_grow_with_the_programme(app, make, count_queries):
    categories = ("encounter", "workshop", "art", "talk", "food")
    districts = ("Stadtfeld", "Buckau", "Neustadt", "Sudenburg")
    languages = ("de", "de,ar", "de,uk", "de,fa,en")
    counts = {}
    for size in (10, 60):
        p = make_programme(make.network(f"n{size}"), title=f"Woche {size}")
        for n in range(size):
            entry(p, f"Veranstaltung {n}", categories[n % 5], day=1 + n % 7, hour=9 + n % 10,
                  district=districts[n % 4], languages=languages[n % 4], step_free=n % 2 == 0,
                  is_free=n % 3 != 0, fee="" if n % 3 else "3 €", registration_required=n % 4 == 0,
                  organization_name=f"Verein {n % 15}")
        review.publish(p.campaign)
        db.session.commit()
        slug, art = p.campaign.slug, p.categories["art"].id
        client = app.test_client()
        for label, query, headers in (("page", "", {}), ("filtered", f"?category={art}&step_free=1&spoken=uk", {}),
                                      ("fragment", "?district=Buckau", {"HX-Request": "true"}),
                                      ("embed", "", {})):
            path = f"/programmes/{slug}/embed" if label == "embed" else f"/programmes/{slug}"

            def fetch(path=path, query=query, headers=headers):
                response = client.get(path + query, headers=headers)
                assert response.status_code == 200 and "Veranstaltung" in response.get_data(as_text=True)

            counts[(size, label)] = count_queries(fetch)
    for label in ("page", "filtered", "fragment", "embed"):
        assert counts[(10, label)] == counts[(60, label)] <= 4, counts
