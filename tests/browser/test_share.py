"""Share, subscribe and add to calendar in a real browser at 360 px (issue 16): with JavaScript the
Copy button puts the address into the clipboard and says so, and a phone's share sheet (Web Share
API) replaces the plain links; without JavaScript the links and the readonly address are there.
axe on every state; screenshots into /tmp/shots/share (outside the repository)."""
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory.models import Network
from app.events import service as events
from app.events.models import Event
from app.registrations.models import RegistrationSettings

from .conftest import DESKTOP, PHONE, assert_accessible, htmx_idle, no_horizontal_scroll
from tests.factories import local

pytestmark = pytest.mark.browser

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
SHOTS = Path("/tmp/shots/share")
TITLE = "Kaffee & Kuchen: Begegnungscafé für alle"


@pytest.fixture(autouse=True)
def frozen_now(app, monkeypatch):
    from app.events import public  # once the app has loaded the events' views, as it does
    from app.registrations import service

    for module in (public, events, service):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def cafe(magdeburg):
    """A public event that takes registrations; returns its id."""
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    kind = next(k for k in events.kinds(network) if k.code == "public_event")
    event = Event(network_id=network.id, kind_id=kind.id, title=TITLE, status="published", visibility="public",
                  timezone="Europe/Berlin", languages="de,ar")
    events.save(event, starts_at=local(2027, 3, 28, 15), ends_at=local(2027, 3, 28, 17),
                venue_name="Stadtteiltreff Oase", venue_address="Breiter Weg 1, 39104 Magdeburg")
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, waiting_list=True, retention_days=30))
    db.session.commit()
    event_id = event.id
    db.session.rollback()
    return event_id


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def looked_at(page, name: str) -> None:
    """No sideways scrolling at 360 px, axe, and a screenshot."""
    assert no_horizontal_scroll(page) <= PHONE["width"]
    assert_accessible(page)
    shot(page, name)


def copies(page, box, address: str) -> None:
    """The Copy button in `box` puts `address` into the clipboard and says so."""
    box.get_by_role("button", name="Copy").click()
    expect(box.locator(".copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == address


def phone(new_page, **options):
    page = new_page(viewport=PHONE, **options)
    if options.get("java_script_enabled", True):
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return page


def test_event_page_with_javascript_copies_the_link(new_page, live_server, cafe):
    page = phone(new_page)
    page.goto(f"/events/{cafe}")
    expect(page.locator(".share-native")).to_be_hidden()  # headless Chromium on Linux cannot share
    page.click(".add-to-calendar summary")
    google = page.get_by_role("link", name="Google Calendar")
    expect(google).to_be_visible()
    # 28 March 2027 is the day clocks go forward: 15:00 is 13:00 UTC.
    assert parse_qs(urlsplit(google.get_attribute("href")).query)["dates"] == ["20270328T130000Z/20270328T150000Z"]
    page.click(".share-fallback summary")
    expect(page.get_by_role("link", name="WhatsApp")).to_be_visible()
    copies(page, page.locator(".share-fallback"), f"{live_server}/events/{cafe}")
    looked_at(page, "event-360-js-open")
    page.set_viewport_size(DESKTOP)
    shot(page, "event-1280-js-open")


def without_share_js(page):
    """The page as without JavaScript for share.js, but with JavaScript for axe (which cannot
    run in a page without it): share.js is answered empty."""
    page.route("**/static/js/share.js*", lambda route: route.fulfill(status=200, content_type="text/javascript",
                                                                    body=""))
    return page


def test_event_page_without_javascript(new_page, live_server, cafe):
    page = phone(new_page, java_script_enabled=False)
    page.goto(f"/events/{cafe}")
    shot(page, "event-360-nojs-closed")
    expect(page.locator(".copy-button")).to_have_count(2)  # share box and Subscribe box
    expect(page.locator(".share-native")).to_be_hidden()
    page.click(".add-to-calendar summary")
    page.click(".share-fallback summary")
    expect(page.locator(".copy-button").first).to_be_hidden()
    field = page.locator("#share-url")
    expect(field).to_be_visible()
    expect(field).to_have_value(f"{live_server}/events/{cafe}")
    expect(page.get_by_role("link", name="Telegram")).to_be_visible()
    expect(page.get_by_role("link", name="Outlook.com")).to_be_visible()
    shot(page, "event-360-nojs-open")

    look = without_share_js(phone(new_page))
    look.goto(f"/events/{cafe}")
    look.click(".add-to-calendar summary")
    look.click(".share-fallback summary")
    expect(look.locator(".copy-button").first).to_be_hidden()
    looked_at(look, "event-360-nojs-axe")


def test_web_share_replaces_the_links(new_page, live_server, cafe):
    page = phone(new_page)
    # A phone's browser: navigator.share exists (recorded here instead of opening a sheet).
    page.add_init_script("navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };")
    page.goto(f"/events/{cafe}")
    expect(page.locator(".share-fallback")).to_be_hidden()
    page.get_by_role("button", name="Share").click()
    assert page.evaluate("window.__shared") == {"title": TITLE, "url": f"{live_server}/events/{cafe}"}
    looked_at(page, "event-360-webshare")


def test_subscribe_box_above_the_list(new_page, live_server, cafe):
    page = phone(new_page)
    page.goto("/events")
    box = page.locator("details.subscribe-compact")
    assert box.bounding_box()["y"] < page.locator("#event-list").bounding_box()["y"]
    shot(page, "list-360-closed")
    box.locator("> summary").click()
    expect(box.get_by_role("link", name="Subscribe in Google Calendar")).to_be_visible()
    expect(box.get_by_role("link", name="Subscribe in Outlook.com")).to_be_visible()
    copies(page, box, f"{live_server}/feeds/events.ics")
    looked_at(page, "list-360-open")
    # A filter chosen with htmx: the box comes with the new list and offers the filtered feed.
    page.click(".filter-box > summary")
    page.select_option("#filter-spoken", "ar")
    expect(page.locator("#subscribe-url")).to_have_value(f"{live_server}/feeds/events.ics?spoken=ar")
    expect(page.locator("#subscribe > summary")).to_contain_text("Subscribe to these events")
    htmx_idle(page)
    page.locator("#subscribe > summary").click()
    copies(page, page.locator("#subscribe"), f"{live_server}/feeds/events.ics?spoken=ar")


@pytest.mark.parametrize("javascript", [True, False])
def test_confirmation_page(new_page, live_server, cafe, javascript):
    page = phone(new_page)
    if not javascript:
        without_share_js(page)
    page.goto(f"/events/{cafe}")
    page.fill("#name", "Erika Muster")
    page.fill("#email", "erika@example.org")
    page.click("#registration button[type=submit]")
    page.wait_for_url(re.compile(r"/registered/\d+$"))
    expect(page.get_by_role("link", name="Google Calendar")).to_be_visible()  # open at once
    expect(page.get_by_role("link", name="Outlook.com")).to_be_visible()
    page.click(".share-fallback > summary")
    copy = expect(page.locator(".share-box .copy-button"))
    copy.to_be_visible() if javascript else copy.to_be_hidden()
    looked_at(page, f"confirmation-360-{'js' if javascript else 'nojs'}")


def test_right_to_left(new_page, cafe):
    page = phone(new_page, locale="ar")
    page.goto(f"/events/{cafe}?lang=ar")
    page.click(".add-to-calendar summary")
    page.click(".share-fallback summary")
    looked_at(page, "event-360-ar")
