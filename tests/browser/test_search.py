"""The public search in a real browser: results follow the typing (htmx, the address follows
too), a typo is corrected and said so, and without JavaScript the form's submit shows the same
results; axe at 1280 and 360 px, screenshots of each state."""
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory.models import Network
from app.events import service
from app.events.models import Event
from app.search import service as search_service

from .conftest import DESKTOP, PHONE, assert_accessible, assert_same_document, htmx_idle, mark_document
from tests.factories import local

pytestmark = pytest.mark.browser

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
SHOTS = Path(os.environ.get("SEARCH_SHOTS", "/tmp/shots/search"))


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(search_service, "utcnow", lambda: NOW)  # the live server runs in this process


@pytest.fixture
def found(magdeburg):
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    kinds = {k.code: k for k in service.kinds(network)}

    def add(title, start, hours=2, tags=(), **fields):
        event = Event(network_id=network.id, kind_id=kinds["public_event"].id, title=title, timezone="Europe/Berlin",
                      status=fields.pop("status", "published"), visibility="public")
        service.save(event, starts_at=start, ends_at=start.replace(hour=start.hour + hours), **fields)
        if tags:
            service.set_tags(event, list(tags))

    vhs = magdeburg.organization_ids["Volkshochschule Magdeburg"]
    add("Interkultureller Kochabend", local(2027, 3, 12, 18), venue_name="Stadtteiltreff Oase",
        organization_id=vhs, languages="de,ar", tags=["Begegnung"],
        description="Wir kochen gemeinsam Gerichte aus Syrien und der Ukraine.")
    add("Kochkurs für Väter und Kinder", local(2027, 3, 20, 10), venue_name="Familienzentrum Neustadt",
        repeat="weekly", repeat_count=6)
    add("Koch-Workshop: Persische Küche", local(2026, 11, 5, 17), venue_name="Einewelthaus")  # past
    add("Kochen im Geheimen", local(2027, 3, 14, 18), status="draft")
    db.session.commit()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True, caret="initial")
    page.set_viewport_size(original)


def titles(page) -> list[str]:
    return page.locator("#search-results .event-title a").all_inner_texts()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_results_follow_the_typing(new_page, found, viewport):
    page = new_page(viewport=viewport)
    page.goto("/search")
    assert_accessible(page)
    mark_document(page)
    page.get_by_label("Search events and the programme").press_sequentially("koch", delay=40)
    expect(page.locator("#search-status")).to_have_text("3 events found.")
    htmx_idle(page)
    assert_same_document(page)
    assert page.url.endswith("/search?q=koch")  # the address can be shared and reloaded
    assert titles(page) == ["Interkultureller Kochabend", "Kochkurs für Väter und Kinder",
                            "Koch-Workshop: Persische Küche"]
    expect(page.locator(".search-past .event-title a")).to_have_text(["Koch-Workshop: Persische Küche"])
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    shot(page, "search-typing")

    field = page.get_by_label("Search events and the programme")
    field.fill("")
    field.press_sequentially("Kochabent", delay=40)
    expect(page.locator(".search-corrected")).to_have_text(
        "Nothing was found for “Kochabent”. Showing results for “kochabend”.")
    expect(page.locator("#search-status")).to_have_text("1 event found.")
    assert titles(page) == ["Interkultureller Kochabend"]
    htmx_idle(page)
    assert_same_document(page)
    assert_accessible(page)
    shot(page, "search-typo")

    field.fill("Zeppelin")
    expect(page.locator("#search-status")).to_have_text("Nothing found for “Zeppelin”.")
    assert titles(page) == []
    htmx_idle(page)
    assert_accessible(page)

    page.go_back()  # htmx restores the earlier results with their address
    expect(page).to_have_url(re.compile(r"/search\?q=Kochabent$"))
    expect(page.locator("#search-results .event-title a")).to_have_text(["Interkultureller Kochabend"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_search_without_javascript(new_page, found, viewport):
    page = new_page(viewport=viewport, java_script_enabled=False)
    page.goto("/search")
    page.get_by_label("Search events and the programme").fill("Oase")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search?q=Oase")
    expect(page.locator("#search-status")).to_have_text("1 event found.")
    assert titles(page) == ["Interkultureller Kochabend"]
    shot(page, "search-nojs")
    # axe needs scripts (it hangs where they are off): the same address in a page with them.
    checked = new_page(viewport=viewport)
    checked.goto(page.url)
    assert checked.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(checked)
