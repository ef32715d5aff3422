"""Composing a newsletter in a real browser at 1280 and 360 px: an editorial and a partner
portrait, moving a block with htmx, the preview, publishing and the public page; axe and
screenshots."""
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.core.types import utcnow
from app.directory.models import Network
from tests.test_newsletters import _public_event

from .conftest import PHONE, assert_same_document, check_page, htmx_idle, log_in, mark_document, \
    no_horizontal_scroll

pytestmark = pytest.mark.browser


def _add_block(page, kind: str) -> None:
    page.select_option("#kind", kind)
    page.click("form.newsletters-add button[type=submit]")


def test_compose_preview_publish_and_read(page, new_page, magdeburg):
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    _public_event(network, "Interkulturelles Frühstück im Einewelthaus", utcnow() + timedelta(days=12))
    db.session.commit()
    db.session.rollback()
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/newsletters")
    page.fill("#title", "Newsletter Integration 2/2026")
    page.click("main form.card button[type=submit]")
    page.wait_for_url("**/newsletters/*")
    _add_block(page, "editorial")
    page.fill("#text", "Liebe Leserinnen und Leser,\n\nder **Sommer** ist da.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/newsletters/*#block-*")
    _add_block(page, "portrait")
    page.select_option("#organization_id", label="Volkshochschule Magdeburg")
    page.fill("#text", "Integrationskurse und Berufssprachkurse, vormittags und abends.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/newsletters/*#block-*")
    _add_block(page, "coming")
    page.check("text=Interkulturelles Frühstück im Einewelthaus")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/newsletters/*#block-*")
    assert page.locator("#newsletter-blocks li").count() == 3

    mark_document(page)  # moving a block swaps the list, without loading the page again
    page.locator("#newsletter-blocks li").nth(1).get_by_role("button", name="Move up").click()
    htmx_idle(page)
    assert_same_document(page)
    assert "Volkshochschule" in page.locator("#newsletter-blocks li").first.inner_text()
    check_page(page, "newsletters-compose")

    page.click("text=Preview")
    assert page.locator("h1").inner_text() == "Newsletter Integration 2/2026"
    headings = page.locator(".newsletters-issue h2").all_inner_texts()
    assert headings == ["Volkshochschule Magdeburg", "Editorial", "Coming events"]
    assert page.locator(".newsletters-issue strong").inner_text() == "Sommer"
    check_page(page, "newsletters-preview")
    page.click("text=Back to composing")
    page.click("main form.card button:has-text('Publish')")
    page.wait_for_url("**/newsletters/*")
    assert page.get_by_role("link", name="The public page").is_visible()

    reader = new_page(viewport=PHONE)  # anyone, on a phone
    reader.goto(f"/n/{magdeburg.slug}/newsletter")
    reader.click("text=Newsletter Integration 2/2026")
    assert reader.locator(".newsletters-contact").inner_text().startswith("Address: Leibnizstraße 23")
    assert reader.locator(".newsletters-qr").get_attribute("src").startswith("data:image/svg+xml")
    assert no_horizontal_scroll(reader) <= PHONE["width"]
    check_page(reader, "newsletters-public")


def test_bad_input_on_a_phone_keeps_what_was_typed(page, watch, magdeburg):
    watch.expect_status(422)
    page.set_viewport_size(PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/newsletters")
    page.click("main form.card button[type=submit]")
    page.wait_for_url("**/newsletters/*")
    _add_block(page, "look_back")
    page.fill("#title", "Rückblick auf das Frühjahr")
    page.fill("#period_start", "2026-06-30")
    page.fill("#period_end", "2026-03-01")
    page.click("main form button[type=submit]")
    assert page.locator("#period_end-error").is_visible()
    assert page.input_value("#title") == "Rückblick auf das Frühjahr"
    assert no_horizontal_scroll(page) <= PHONE["width"]
    check_page(page, "newsletters-bad-period")
