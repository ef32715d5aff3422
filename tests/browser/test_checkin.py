"""Check-in on the day, on a 360 px phone: search with htmx, tick and untick names without a
page load, the counts follow; the scanned QR link checks a person in; axe and screenshots."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.events import service as events
from app.events.models import Event
from app.registrations import admin_service as admin, attendance
from app.registrations import service as registrations

from .conftest import PHONE, assert_accessible, assert_same_document, htmx_idle, log_in, mark_document, \
    no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser

PEOPLE = [("Amira Haddad", "Volkshochschule Magdeburg"), ("Jonas Becker", ""),
          ("Olena Kovalenko", "Ukrainische Gemeinde Magdeburg"), ("Mehmet Yilmaz", "Caritasverband für das Bistum "
                                                                  "Magdeburg"), ("Grace Mensah", "")]


@pytest.fixture
def event_data(magdeburg):
    network = directory.network_or_404(magdeburg.slug)
    kind = events.kinds(network)[0]
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    event = Event(network_id=network.id, kind_id=kind.id, title="Netzwerktreffen Integration",
                  timezone="Europe/Berlin", status="published", visibility="public", venue_name="Altes Rathaus")
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=3))
    db.session.flush()
    admin.save_settings(event, is_open=True, capacity=50)
    tokens = {}
    for n, (name, organization) in enumerate(PEOPLE):
        registration, _token, _o = registrations.register(event, event.starts_at, name, f"p{n}@example.org", None,
                                                          organization, {}, notify=False)
        db.session.flush()
        tokens[name] = attendance.checkin_code(registration)  # what the person's QR code carries
    db.session.commit()
    data = {"id": event.id, "tokens": tokens}
    db.session.rollback()
    return data


def test_check_in_on_a_phone(new_page, magdeburg, event_data):
    page = new_page(viewport=PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/events/{event_data['id']}/checkin")
    expect(page.locator("#checkin-counts")).to_have_text("0 of 5 checked in")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    mark_document(page)

    page.fill("#checkin-q", "olena")
    expect(page.locator(".checkin-row")).to_have_count(1)
    htmx_idle(page)
    row = page.locator(".checkin-row", has_text="Olena Kovalenko")
    row.locator("button").click()
    expect(page.locator(".checkin-row.is-present", has_text="Olena Kovalenko")).to_be_visible()
    expect(page.locator("#checkin-counts")).to_have_text("1 of 5 checked in")
    htmx_idle(page)

    page.fill("#checkin-q", "")
    expect(page.locator(".checkin-row")).to_have_count(5)
    htmx_idle(page)
    page.locator(".checkin-row", has_text="Amira Haddad").locator("button").click()
    expect(page.locator("#checkin-counts")).to_have_text("2 of 5 checked in")
    htmx_idle(page)
    page.locator(".checkin-row", has_text="Olena Kovalenko").locator("button").click()  # untick
    expect(page.locator(".checkin-row", has_text="Olena Kovalenko")).not_to_have_class("checkin-row is-present")
    expect(page.locator("#checkin-counts")).to_have_text("1 of 5 checked in")
    htmx_idle(page)
    assert_same_document(page)
    expect(page.locator(".checkin-row.is-present button")).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)
    screenshot(page, "checkin")

    # The QR code in the participant's mail opens this link on the organizer's phone.
    page.goto(f"/events/{event_data['id']}/checkin/{event_data['tokens']['Grace Mensah']}")
    expect(page.locator(".checkin-result")).to_contain_text("Grace Mensah")
    assert_accessible(page)
    screenshot(page, "checkin-scanned")
    page.click("text=Check in Grace Mensah")
    expect(page.locator("#checkin-counts")).to_have_text("2 of 5 checked in")


def test_check_in_without_javascript(new_page, magdeburg, event_data):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/events/{event_data['id']}/checkin")
    page.locator(".checkin-row", has_text="Jonas Becker").locator("button").click()
    expect(page.locator(".checkin-row.is-present", has_text="Jonas Becker")).to_be_visible()
    expect(page.locator("#checkin-counts")).to_have_text("1 of 5 checked in")
