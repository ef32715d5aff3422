"""Registering on a phone (360 px) in a real browser: the form below the event's description
with its errors beside the fields (htmx), the organization typed with suggestions, the
confirmation page, the waiting list of a full event, cancelling by the manage link (it asks
once, in place or as a page without JavaScript), the next person moving up, and registering
again; axe on every page, screenshots."""
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from app.core.extensions import db
from app.directory.models import Network
from app.events import public
from app.events import service as events
from app.events.models import Event
from app.mail.models import OutboxMail
from app.registrations import service
from app.registrations.models import Question, RegistrationSettings

from .conftest import (PHONE, assert_accessible, assert_same_document, check_page, htmx_idle, mark_document,
                       no_horizontal_scroll, screenshot)
from tests.factories import local

pytestmark = pytest.mark.browser

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    for module in (public, events, service):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def workshop(magdeburg):
    """A workshop with two places, a waiting list and two questions; returns its id."""
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title="Workshop: Bewerben in Deutschland",
                  status="published", visibility="public", timezone="Europe/Berlin", languages="de,en",
                  description="Wir üben Anschreiben und Vorstellungsgespräche, mit Beispielen aus Magdeburg.")
    events.save(event, starts_at=local(2027, 3, 18, 10), ends_at=local(2027, 3, 18, 13),
                venue_name="Volkshochschule Magdeburg", venue_address="Leibnizstraße 23, 39104 Magdeburg")
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, capacity=2, waiting_list=True, retention_days=30))
    db.session.add(Question(event_id=event.id, position=0, kind="yesno", label="Do you need childcare?",
                            required=True))
    db.session.add(Question(event_id=event.id, position=1, kind="text", label="I need an interpreter for"))
    db.session.commit()
    event_id = event.id
    db.session.rollback()
    return event_id


def register(page, event_id, name, email, organization=None):
    page.goto(f"/events/{event_id}")
    page.fill("#name", name)
    page.fill("#email", email)
    if organization:
        page.fill("#organization_name", organization)
    page.check("input[name^=q][value=no]")
    page.click("#registration button[type=submit]")
    page.wait_for_url(re.compile(r"/registered/\d+$"))
    return manage_token(email)


def manage_token(email: str) -> str:
    """The manage link's token from the mail: the browser that registered never sees it."""
    db.session.rollback()  # read what the server's thread committed
    body = db.session.scalars(select(OutboxMail.body).where(OutboxMail.recipient == email)
                              .order_by(OutboxMail.id.desc())).first()
    return re.search(r"/r/([A-Za-z0-9_\-]+)", body).group(1)


def test_register_wait_cancel_and_move_up_on_a_phone(new_page, watch, workshop):
    watch.expect_status(422)
    page = new_page(viewport=PHONE)
    page.goto(f"/events/{workshop}")
    expect(page.locator("#registration")).to_contain_text("2 places left.")
    assert_accessible(page)

    # Errors beside the fields, swapped in by htmx, without a page load.
    page.fill("#email", "not an address")
    page.click("#registration button[type=submit]")
    htmx_idle(page)
    expect(page.locator("#email-error")).to_contain_text("valid e-mail address")
    expect(page.locator("#registration .error-summary")).to_be_visible()
    expect(page.locator("#registration")).to_contain_text("Please answer this question.")
    check_page(page, "registration-form-errors")
    assert no_horizontal_scroll(page) <= PHONE["width"]

    first = register(page, workshop, "Amina Haddad", "amina@example.org",
                     organization="Caritasverband für das Bistum Magdeburg")
    expect(page.locator("h1")).to_have_text("You are registered")
    expect(page.locator("main")).to_contain_text("amina@example.org")
    check_page(page, "registration-confirmed")

    register(new_page(viewport=PHONE), workshop, "Jonas Weber", "jonas@example.org")
    waiting_page = new_page(viewport=PHONE)
    waiting_page.goto(f"/events/{workshop}")
    expect(waiting_page.locator("#registration")).to_contain_text("The event is full. You can register for the waiting list.")
    third = register(waiting_page, workshop, "Olena Kovalenko", "olena@example.org")
    expect(waiting_page.locator("h1")).to_have_text("You are on the waiting list")
    expect(waiting_page.locator("main")).to_contain_text("waiting list at position 1")
    check_page(waiting_page, "registration-waiting")

    # Amina cancels by her manage link; Olena moves up.
    page.goto(f"/r/{first}")
    expect(page.locator(".registration-status")).to_contain_text("Your place is confirmed")
    check_page(page, "registration-manage")
    page.click("text=Cancel my registration >> nth=-1")
    page.click("button:has-text('Yes, cancel')")
    expect(page.locator(".flash-success")).to_contain_text("Your registration is cancelled")
    expect(page.locator(".registration-status")).to_contain_text("cancelled")

    waiting_page.goto(f"/r/{third}")
    expect(waiting_page.locator(".registration-status")).to_contain_text("Your place is confirmed")
    check_page(waiting_page, "registration-moved-up")


def test_forged_link_page(new_page, watch, workshop):
    watch.expect_status(404)
    page = new_page(viewport=PHONE)
    page.goto("/r/forged-token-123")
    expect(page.locator("h1")).to_have_text("Link not valid")
    check_page(page, "registration-link-invalid")


def test_the_form_comes_after_the_description_and_suggests_organizations(new_page, workshop):
    page = new_page(viewport=PHONE)
    page.goto(f"/events/{workshop}")
    description = page.locator(".event-description").bounding_box()
    assert description["y"] < page.locator("#registration").bounding_box()["y"]
    expect(page.locator("#registration select")).to_have_count(0)
    expect(page.locator("#organization_name")).to_have_attribute("list", "member-organizations")
    expect(page.locator("#member-organizations option[value='Einewelthaus Magdeburg']")).to_have_count(1)
    expect(page.locator("#registration .privacy-note details")).not_to_have_attribute("open", "")
    page.click("#registration .privacy-note summary")
    expect(page.locator("#registration .privacy-note details")).to_contain_text("The organizers see your name")
    expect(page.locator("#registration button[type=submit]")).to_have_text("Register now")
    assert_accessible(page)
    assert no_horizontal_scroll(page) <= PHONE["width"]
    screenshot(page, "registration-form-after-description")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_cancel_asks_once_then_register_again(new_page, workshop, javascript):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    name = "htmx" if javascript else "no-js"
    # axe and the scroll check need JavaScript: without it, a second browser with the same
    # cookies looks at each page the first one reached.
    look = page if javascript else new_page(viewport=PHONE)

    def looked_at(shot: str) -> None:
        if not javascript:
            look.context.add_cookies(page.context.cookies())
            look.goto(page.url)
        check_page(look, f"registration-{shot}-{name}")
        assert no_horizontal_scroll(look) <= PHONE["width"], shot

    token = register(page, workshop, "Amina Haddad", f"amina-{name}@example.org", organization="einewelthaus magdeburg")
    page.goto(f"/r/{token}")
    expect(page.locator("#organization_name")).to_have_value("Einewelthaus Magdeburg")  # the directory's spelling
    if javascript:
        mark_document(page)
    page.click("#cancel a:has-text('Cancel my registration')")
    expect(page.locator("#cancel")).to_contain_text("Really cancel your place at Workshop: Bewerben in Deutschland")
    if javascript:
        htmx_idle(page)
        assert_same_document(page)  # asked in place
        expect(page.locator(".cancel-question")).to_be_focused()
        # "No" puts the first step back, still in place.
        page.click("#cancel a:has-text('No, keep my place')")
        htmx_idle(page)
        assert_same_document(page)
        expect(page.locator("#cancel")).not_to_contain_text("Really cancel")
        page.click("#cancel a:has-text('Cancel my registration')")
        htmx_idle(page)
    else:
        expect(page).to_have_url(re.compile(rf"/r/{token}/cancel$"))  # a page of its own
    looked_at("cancel-question")

    page.click("#cancel button:has-text('Yes, cancel')")
    expect(page).to_have_url(re.compile(r"done=cancelled$"))
    expect(page.locator(".registration-status")).to_contain_text("Your registration is cancelled.")
    expect(page.locator("main")).to_contain_text("There are still places. You can register again with the same details.")
    looked_at("cancelled")

    page.click("button:has-text('Register again')")
    expect(page).to_have_url(re.compile(r"done=again$"))
    expect(page.locator(".registration-status")).to_contain_text("Your place is confirmed")
    expect(page.locator(".flash-success")).to_contain_text("You have registered again.")
    looked_at("registered-again")
