"""The public event pages in a real browser: the list with filters (htmx and without
JavaScript), the event page with its JSON-LD block (no CSP complaint) and QR code, the
print view; axe at desktop and phone width, screenshots of each."""
import json
import re
import time
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory import service as directory
from app.events import public, service
from app.events.models import Event

from .conftest import DESKTOP, PHONE, SCREENSHOTS, assert_accessible, assert_same_document, mark_document, screenshot
from tests.factories import local

pytestmark = pytest.mark.browser

BERLIN = "Europe/Berlin"
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)



@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    # The live server runs in this process: it sees the same "now".
    monkeypatch.setattr(public, "utcnow", lambda: NOW)
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


@pytest.fixture
def programme(magdeburg):
    """A spring of events in Magdeburg: the weekly café with a cancelled and a moved date,
    a training with every detail, a cancelled event, an all-day festival, a draft."""
    from app.directory.models import Network, Organization

    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    kinds = {k.code: k for k in service.kinds(network)}

    def add(kind, title, start, end, tags=(), **fields):
        event = Event(network_id=network.id, kind_id=kinds[kind].id, title=title, timezone=BERLIN,
                      status=fields.pop("status", "published"), visibility=fields.pop("visibility", "public"))
        service.save(event, starts_at=start, ends_at=end, **fields)
        if tags:
            service.set_tags(event, list(tags))
        db.session.flush()
        return event

    vhs = magdeburg.organization_ids["Volkshochschule Magdeburg"]
    person = directory.save_person(db.session.get(Organization, vhs), None, name="Jana Schulz",
                                   role="Integrationskurse", email="j.schulz@vhs-md.example", phone="0391 535 47 70")
    db.session.flush()
    cafe = add("public_event", "Ehrenamtscafé im Stadtteiltreff", local(2027, 3, 4, 15), local(2027, 3, 4, 17),
               repeat="weekly", repeat_until=date(2027, 11, 11), venue_name="Stadtteiltreff Oase",
               venue_address="Breiter Weg 1, 39104 Magdeburg", languages="de,ar,uk", tags=["Ehrenamt", "Begegnung"],
               description="Kaffee, Tee und Gespräche. **Alle sind willkommen**, auch ohne Anmeldung.")
    service.change_occurrence(cafe, local(2027, 3, 11, 15), "cancelled", "Der Raum wird renoviert.")
    service.change_occurrence(cafe, local(2027, 3, 18, 15), "moved", "Wegen des Stadtfests",
                              starts_at=local(2027, 3, 19, 16), ends_at=local(2027, 3, 19, 18))
    training = add(
        "training", "Schulung für Integrationslots:innen: Gesprächsführung", local(2027, 3, 9, 9, 30),
        local(2027, 3, 9, 16), working_group_id=magdeburg.group_ids["Sprache"], organization_id=vhs,
        contact_person_id=person.id, venue_name="Volkshochschule Magdeburg", venue_room="Raum 2.14",
        venue_address="Leibnizstraße 23, 39104 Magdeburg",
        accessibility="Aufzug vorhanden, barrierefreies WC im Erdgeschoss",
        map_url="https://www.openstreetmap.org/?mlat=52.1205&mlon=11.6276", online_url="https://meet.example.org/lotsen",
        languages="de,en", tags=["Weiterbildung", "Ehrenamt"],
        description="## Inhalt\n\n- Aktives Zuhören\n- Umgang mit schwierigen Situationen\n\n"
                    "Bitte melden Sie sich bis zum 1. März an.")
    cancelled = add("network_meeting", "Netzwerktreffen Frühjahr", local(2027, 3, 10, 10), local(2027, 3, 10, 13),
                    venue_name="Altes Rathaus, Foyer", languages="de")
    service.cancel(cancelled, "Wird auf den Herbst verschoben.")
    add("public_event", "Fest der Kulturen", local(2027, 3, 13), local(2027, 3, 14), all_day=True,
        venue_name="Domplatz", languages="de,ar,fa,uk,ru", tags=["Begegnung"])
    add("working_group_meeting", "AG Arbeit und Ausbildung", local(2027, 3, 16, 14), local(2027, 3, 16, 16),
        working_group_id=magdeburg.group_ids["Arbeit und Ausbildung"], venue_name="Jobcenter, Raum 101")
    add("other", "Entwurf: Sommerfest", local(2027, 6, 1, 14), local(2027, 6, 1, 18), status="draft")
    db.session.commit()
    data = SimpleNamespace(cafe=cafe.id, training=training.id, cancelled=cancelled.id,
                           training_kind=kinds["training"].id)
    db.session.rollback()
    return data


def check_both_widths(page, name):
    """axe at 1280 and 360 px, no sideways scrolling on the phone, then the screenshots."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)


def wait_until_loaded(image, timeout=5.0):
    """Poll from Python: wait_for_function would evaluate a string in the page, which the CSP forbids."""
    deadline = time.monotonic() + timeout
    while not image.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the image did not load"
        time.sleep(0.05)


def _titles(page):
    return page.locator("#event-list .event-title a").all_inner_texts()


def test_list_filters_with_htmx(page, programme):
    page.goto("/events")
    assert page.locator("h1").inner_text() == "Upcoming events"
    titles = _titles(page)
    assert titles[:6] == ["Ehrenamtscafé im Stadtteiltreff", "Schulung für Integrationslots:innen: Gesprächsführung",
                          "Netzwerktreffen Frühjahr", "Ehrenamtscafé im Stadtteiltreff", "Fest der Kulturen",
                          "AG Arbeit und Ausbildung"]
    assert "Entwurf: Sommerfest" not in titles
    expect(page.locator("#event-list .mark-cancelled").first).to_be_visible()
    assert page.locator("#event-list h2").first.inner_text() == "Thursday, March 4, 2027"
    check_both_widths(page, "events-list")
    mark_document(page)

    page.click(".filter-box summary")  # folded away until asked for
    page.select_option("#filter-kind", str(programme.training_kind))
    page.wait_for_url(f"**kind={programme.training_kind}*")
    expect(page.locator("#event-list .event")).to_have_count(1)
    assert _titles(page) == ["Schulung für Integrationslots:innen: Gesprächsführung"]
    expect(page.locator("#event-summary")).to_have_text("1 date")

    page.select_option("#filter-kind", "")
    page.select_option("#filter-spoken", "uk")
    page.wait_for_url("**spoken=uk*")
    expect(page.locator("#event-list")).not_to_contain_text("Schulung")
    assert set(_titles(page)) == {"Ehrenamtscafé im Stadtteiltreff", "Fest der Kulturen"}
    page.fill("#filter-to", "2027-03-20")
    page.wait_for_url("**to=2027-03-20*")
    # The café on the 4th, the 11th (cancelled) and moved to the 19th; the festival on the 13th.
    expect(page.locator("#event-list .event")).to_have_count(4)
    expect(page.locator("#event-list")).to_contain_text("Moved")
    assert_same_document(page)
    check_both_widths(page, "events-list-filtered")

    # The pushed address is a real page.
    page.reload()
    assert page.input_value("#filter-spoken") == "uk"
    assert page.input_value("#filter-to") == "2027-03-20"
    assert len(_titles(page)) == 4


def test_list_filters_without_javascript_and_later_events(new_page, programme):
    page = new_page(java_script_enabled=False)
    page.goto("/events")
    page.click(".filter-box summary")
    page.select_option("#filter-tag", "begegnung")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_url("**tag=begegnung*")
    assert set(_titles(page)) == {"Ehrenamtscafé im Stadtteiltreff", "Fest der Kulturen"}
    assert page.input_value("#filter-tag") == "begegnung"
    assert len(_titles(page)) == 20  # a full page, then the next one
    page.get_by_role("link", name="Later events").click()
    page.wait_for_url("**after=*")
    assert page.locator("#event-list .event").count() > 0
    assert page.input_value("#filter-tag") == "begegnung"
    screenshot(page, "events-list-nojs")


def test_event_page(page, watch, programme):
    page.goto(f"/events/{programme.training}")
    assert page.locator("h1").inner_text() == "Schulung für Integrationslots:innen: Gesprächsführung"
    facts = page.locator(".event-facts")
    expect(facts).to_contain_text("Tuesday, March 9, 2027")
    expect(facts).to_contain_text("Raum 2.14")
    expect(facts).to_contain_text("Aufzug vorhanden")
    expect(facts).to_contain_text("Jana Schulz")
    expect(page.locator(".event-description h3")).to_have_text("Inhalt")

    # The JSON-LD block is data, not script: read, and no CSP error (the watch checks the console).
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Event" and data["startDate"] == "2027-03-09T09:30:00+01:00"

    # The QR code opens and loads.
    qr = page.locator(".qr img")
    with page.expect_response(lambda response: "/qr.svg" in response.url) as answer:
        page.get_by_text("QR code for posters").click()  # loading="lazy": fetched when opened
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "image/svg+xml; charset=utf-8"
    expect(qr).to_be_visible()
    wait_until_loaded(qr)
    check_both_widths(page, "event")


def test_series_and_cancelled_pages(page, programme):
    page.goto(f"/events/{programme.cafe}")
    expect(page.locator(".event-facts")).to_contain_text("Every Thursday, 3:00 PM – 5:00 PM")
    dates = page.locator(".dates li")
    expect(dates.nth(1)).to_contain_text("Cancelled")
    expect(dates.nth(2)).to_contain_text("Moved")
    check_both_widths(page, "event-series")

    dates.nth(2).get_by_role("link").click()
    page.wait_for_url("**at=20270318T140000Z")
    expect(page.locator(".notice-moved")).to_contain_text("This date has been moved.")
    expect(page.locator(".event-facts time")).to_have_text("Friday, March 19, 2027, 4:00 PM – 6:00 PM")

    page.goto(f"/events/{programme.cancelled}")
    expect(page.locator(".notice-cancelled")).to_contain_text("Wird auf den Herbst verschoben.")
    check_both_widths(page, "event-cancelled")


def test_print_view_fits_one_a4_page(page, programme):
    page.goto(f"/events/{programme.training}")
    page.get_by_role("link", name="Print view").click()
    page.wait_for_url(f"**/events/{programme.training}/print")
    assert page.locator(".site-header").count() == 0
    wait_until_loaded(page.locator(".print-qr img"))
    check_both_widths(page, "event-print")
    page.emulate_media(media="print")
    assert not page.locator(".print-help").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the print view needs more than one A4 page"
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, as printed
    page.screenshot(path=str(SCREENSHOTS / "event-print-media.png"), full_page=True)
