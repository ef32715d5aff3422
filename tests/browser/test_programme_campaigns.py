"""The coordinator's campaign pages in a real browser: a new programme from the Programmes tab
(prefilled, a date mistake shown beside its field), its home with the link to copy, categories
renamed and refused removal through htmx, a partner's logo uploaded, the programme published;
the plain-form fallbacks without JavaScript. axe at desktop and phone width, screenshots."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.core.extensions import db
from app.directory import service as directory
from app.programmes import service
from app.programmes.models import Campaign
from app.core.urls import url_context

from ..test_programmes_campaigns import approved, make_campaign, submit
from .conftest import htmx_idle, log_in
from .test_events_organizer import _check_both_widths

pytestmark = pytest.mark.browser


@pytest.fixture
def filled(magdeburg):
    """A campaign with two approved entries and one waiting; its id."""
    network = directory.network_or_404(magdeburg.slug)
    campaign = make_campaign(network)
    coordinator = db.session.scalar(select(User).where(User.email == magdeburg.coordinator))
    with url_context():  # the mails to the submitters carry links
        approved(campaign, coordinator, 2)
        submit(campaign, 4)
    db.session.commit()
    campaign_id = campaign.id
    db.session.rollback()
    return campaign_id


def test_a_new_programme_from_the_tab(page, magdeburg, watch):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}")
    page.get_by_role("link", name="Programmes").click()
    expect(page.get_by_text("No programmes yet.")).to_be_visible()
    _check_both_widths(page, "programmes-empty")
    page.get_by_role("link", name="New programme").click()
    assert page.locator("#title").input_value().startswith("Intercultural Week ")
    _check_both_widths(page, "programme-new")
    # A mistake: htmx shows the form again with the message beside the field, focused
    watch.expect_status(422)
    first_day = page.locator("#starts_on").input_value()
    page.locator("#ends_on").fill("2000-01-01")
    page.get_by_role("button", name="Create the programme").click()
    last_day = page.locator("#ends_on")
    expect(last_day).to_be_focused()
    expect(page.locator("#ends_on-error")).to_have_text("The last day must not be before the first.")
    _check_both_widths(page, "programme-new-error")
    last_day.fill(first_day)
    page.get_by_label("Motto").fill("Neue Räume")
    page.get_by_role("button", name="Create the programme").click()
    expect(page.get_by_text("The programme was created.")).to_be_visible()
    campaign = db.session.query(Campaign).one()
    assert campaign.motto == "Neue Räume"
    link = page.get_by_label("Submission link (to copy)")
    expect(link).to_have_value(f"{page.url.split('/campaigns')[0]}/programmes/{campaign.slug}/submit/"
                               f"{campaign.submission_key}")
    db.session.rollback()
    _check_both_widths(page, "programme-home-new")


def test_home_categories_partners_and_publishing(page, magdeburg, filled, watch):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/programmes")
    _check_both_widths(page, "programmes-list")
    page.get_by_role("link", name="Interkulturelle Woche 2027").click()
    expect(page.locator(".campaign-counts")).to_contain_text("2 Approved")
    _check_both_widths(page, "programme-home")

    # Categories: rename through htmx (no page load), a used one is refused with its message
    page.get_by_role("link", name="Categories", exact=True).click()
    _check_both_widths(page, "programme-categories")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("New name for Workshop").fill("Mitmachen")
    page.get_by_role("button", name=re.compile(r"^Rename\W+Workshop$")).click()
    expect(page.get_by_label("New name for Mitmachen")).to_be_visible()
    htmx_idle(page)
    watch.expect_status(422)
    page.get_by_role("button", name=re.compile(r"^Remove\W+Encounter$")).click()
    expect(page.locator(".campaign-categories .error")).to_contain_text("Move them first.")
    htmx_idle(page)
    page.get_by_label("A new category").fill("Tanz")
    page.get_by_role("button", name="Add a category").click()
    expect(page.get_by_label("New name for Tanz")).to_be_visible()
    expect(page.locator("#categories-status")).to_have_text("Tanz added.")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    htmx_idle(page)
    _check_both_widths(page, "programme-categories-changed")

    # Partners: a PNG logo, shown from the programme's logo route
    page.get_by_role("link", name="Partners", exact=True).click()
    logo = io.BytesIO()
    Image.new("RGB", (160, 60), (20, 90, 160)).save(logo, "PNG")
    page.get_by_role("textbox", name="Name", exact=True).fill("Landeshauptstadt Magdeburg")
    page.get_by_label("Website").fill("https://www.magdeburg.de")
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": logo.getvalue()})
    page.get_by_role("button", name="Add the partner").click()
    image = page.get_by_role("img", name="Logo of Landeshauptstadt Magdeburg")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 160
    htmx_idle(page)
    _check_both_widths(page, "programme-partners")

    # Publishing
    page.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("button", name="Publish the programme").click()
    expect(page.get_by_text("The programme is public. 2 events were published with it.")).to_be_visible()
    _check_both_widths(page, "programme-home-published")


def test_without_javascript(new_page, magdeburg, filled):
    page = new_page(java_script_enabled=False)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/campaigns/{filled}/categories")
    page.get_by_label("New name for Workshop").fill("Mitmachen")
    page.get_by_role("button", name=re.compile(r"^Rename\W+Workshop$")).click()
    expect(page.get_by_text("Workshop renamed to Mitmachen.")).to_be_visible()
    page.goto(f"/campaigns/{filled}")
    old = page.get_by_label("Submission link (to copy)").input_value()
    page.get_by_text("Make a new link…").click()
    page.get_by_role("button", name="Make a new link").click()
    expect(page.get_by_text("There is a new submission link.")).to_be_visible()
    assert page.get_by_label("Submission link (to copy)").input_value() != old
    slug, key = old.rsplit("/submit/", 1)[0].rsplit("/", 1)[1], old.rsplit("/", 1)[1]
    assert service.by_submission_key(slug, key) is None
    db.session.rollback()
