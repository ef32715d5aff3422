"""Submitting to the Intercultural Week in a real browser, without an account: the form on a
phone and at desktop width, an entry with a field missing kept as a draft and finished
through the status link, the error state with the focus on the field, and the form without
JavaScript. axe on every state, screenshots of each page."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.extensions import db
from app.directory import service as directory
from app.programmes import review
from app.programmes.models import Submission

from ..test_programmes_submit import YEAR, new_campaign
from .conftest import DESKTOP, PHONE, assert_accessible, htmx_idle, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(magdeburg):
    """The submission form's address."""
    campaign = new_campaign(directory.network_or_404(magdeburg.slug))
    url = f"/programmes/{campaign.slug}/submit/{campaign.submission_key}"
    db.session.rollback()
    return url


def _check(page, name: str) -> None:
    """axe at 1280 and at 360 px, no sideways scrolling on the phone, and the screenshots."""
    size = page.viewport_size
    page.set_viewport_size(DESKTOP)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"], f"{name}: the page scrolls sideways at 360 px"
    assert_accessible(page)
    page.set_viewport_size(size)
    screenshot(page, name)


def _fill(page, venue: str = "") -> None:
    page.fill("#title", "Kochen ohne Grenzen")
    page.fill("#description", "Wir kochen **gemeinsam** Gerichte aus aller Welt.")
    page.select_option("#category_id", label="Food")
    page.fill("#start_date", f"{YEAR}-09-21")
    page.fill("#start_time", "17:00")
    page.fill("#end_time", "19:30")
    if venue:
        page.fill("#venue_name", venue)
    page.fill("#district", "Stadtfeld Ost")
    page.check("#step_free")
    page.check("input[name=languages][value=ar]")
    page.check("input[name=target_groups][value=families]")
    page.fill("#organization_name", "Einewelthaus Magdeburg")
    page.fill("#contact_name", "Erika Muster")
    page.fill("#contact_email", "erika@example.org")


def test_phone_draft_then_finish(new_page, programme):
    page = new_page(viewport=PHONE)
    page.goto(programme)
    expect(page.locator("h1")).to_have_text("Interkulturelle Woche")
    _check(page, "programme-submit-form")
    _fill(page)  # the venue is left empty
    htmx_idle(page)
    page.click("text=Send the entry")
    page.wait_for_url("**/s/*?sent=1")
    expect(page.locator(".status-card .badge")).to_have_text("Draft, not complete yet")
    expect(page.locator("ul.missing li")).to_have_text(["Venue"])
    expect(page.locator("[role=status]")).to_contain_text("erika@example.org")
    _check(page, "programme-status-draft")

    page.click("text=Finish your entry")
    expect(page.locator("#title")).to_have_value("Kochen ohne Grenzen")
    expect(page.locator("#start_time")).to_have_value("17:00")
    page.fill("#venue_name", "Bürgerhaus Stadtfeld")
    htmx_idle(page)
    page.click("text=Save changes")
    page.wait_for_url("**/s/*?done=saved")
    expect(page.locator(".status-card .badge")).to_have_text("Waiting for review")
    expect(page.locator("ul.missing")).to_have_count(0)
    _check(page, "programme-status-submitted")


def test_desktop_error_state_then_changes_requested(app, live_server, new_page, watch, programme):
    watch.expect_status(422)
    page = new_page(viewport=DESKTOP)
    page.goto(programme)
    _fill(page, venue="Bürgerhaus Stadtfeld")
    page.fill("#contact_email", "erika@")
    page.fill("#end_time", "16:00")
    htmx_idle(page)
    page.click("text=Send the entry")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#end_time-error")).to_have_text("The end must be after the start.")
    htmx_idle(page)
    assert page.url.endswith(programme)  # the form answered itself, in place
    expect(page.locator("#contact_email-error")).to_contain_text("valid e-mail address")
    expect(page.locator("#title")).to_have_value("Kochen ohne Grenzen")  # what was typed stays
    expect(page.locator("#end_time")).to_be_focused()  # the first field with an error
    _check(page, "programme-submit-errors")

    page.fill("#contact_email", "erika@example.org")
    page.fill("#end_time", "19:30")
    page.click("text=Send the entry")
    page.wait_for_url("**/s/*?sent=1")
    expect(page.locator(".status-card .badge")).to_have_text("Waiting for review")

    # The coordination asks for changes: the submitter reads why, and may change the entry.
    with app.test_request_context(base_url=live_server):  # the mail links to the live server
        review.request_changes(db.session.scalar(select(Submission)), None,
                               "Bitte ergänzt die Adresse.\nUnd: gibt es eine Rampe?")
        db.session.commit()
    db.session.rollback()
    page.reload()
    expect(page.locator(".status-card .badge")).to_have_text("Changes requested")
    expect(page.locator(".status-message blockquote")).to_contain_text("Und: gibt es eine Rampe?")
    page.click("text=Withdraw this entry")  # opens the warning, withdraws nothing yet
    expect(page.locator("#confirm")).to_be_visible()
    _check(page, "programme-status-changes")


def test_without_javascript(new_page, watch, programme):
    watch.expect_status(422)
    page = new_page(java_script_enabled=False)
    page.goto(programme)
    _fill(page, venue="Bürgerhaus Stadtfeld")
    page.fill("#start_date", f"{YEAR}-10-01")
    page.click("text=Send the entry")
    expect(page.locator("#start_date-error")).to_contain_text("Please choose a day of the programme")
    page.fill("#start_date", f"{YEAR}-09-21")
    page.click("text=Send the entry")
    page.wait_for_url("**/s/*?sent=1")
    expect(page.locator(".status-card .badge")).to_have_text("Waiting for review")
    page.click("text=Withdraw this entry")
    page.check("#confirm")
    page.click("button:has-text('Withdraw')")
    page.wait_for_url("**/s/*?done=withdrawn")
    expect(page.locator(".status-card .badge")).to_have_text("Withdrawn")
