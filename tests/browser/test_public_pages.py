"""The public face on a phone (issue 16): from the home page one tap to the Intercultural
Week's programme, a search by part of a name, availability at a glance, the network's public
page, and the list's first screen showing events – with axe at 360 and 1280 px, with and
without JavaScript."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory import service as directory
from app.events.models import Event
from app.registrations import service as registrations
from app.registrations.models import RegistrationSettings

from ..test_programmes_public import assorted_programme
from .conftest import PHONE, screenshot
from .test_events_public import check_both_widths, frozen_now, programme  # noqa: F401  fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def site(app, magdeburg, programme):  # noqa: F811  the fixture imported above
    """The spring programme of events, a training almost full, and the published week."""
    network = directory.network_or_404(magdeburg.slug)
    network.contact_name, network.contact_email = "Koordinierungsstelle Integration", "integration@magdeburg.example"
    training = db.session.get(Event, programme.training)
    db.session.add(RegistrationSettings(event_id=training.id, capacity=3))
    db.session.flush()
    for n in range(2):
        registrations.register(training, training.starts_at, f"P {n}", f"p{n}@example.org", None, "", {}, notify=False)
    with app.test_request_context():  # the submitters' mails carry links
        week = assorted_programme(network)
    db.session.commit()
    data = SimpleNamespace(slug=week.campaign.slug, title=week.campaign.title, network=magdeburg.slug)
    db.session.rollback()
    return data


def test_home_on_a_phone_to_the_programme_in_one_tap(new_page, site):
    page = new_page(viewport=PHONE)
    page.goto("/")
    check_both_widths(page, "home")
    page.set_viewport_size(PHONE)
    teaser = page.locator(".programme-teaser")
    expect(teaser).to_contain_text(site.title)
    assert teaser.bounding_box()["y"] + teaser.bounding_box()["height"] <= PHONE["height"], "below the first screen"
    expect(page.locator(".cards")).to_contain_text("Only 1 place left")
    teaser.click()
    page.wait_for_url(f"**/programmes/{site.slug}")
    expect(page.locator("h1")).to_have_text(site.title)
    check_both_widths(page, "programme-cards")


def test_home_search_without_javascript(new_page, site):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto("/")
    screenshot(page, "home-nojs")  # axe needs JavaScript: it checks the same page above
    page.fill("input[name=q]", "Gesprächsf")
    page.locator("form.search-box button[type=submit]").click()
    page.wait_for_url("**/search?q=Gespr*")
    expect(page.locator("main")).to_contain_text("Schulung für Integrationslots:innen: Gesprächsführung")


def test_network_page_for_the_public(new_page, site):
    page = new_page()
    page.goto(f"/n/{site.network}")
    expect(page.locator("h1")).to_contain_text("Netzwerk für Integrations")
    expect(page.locator(".network-contact")).to_contain_text("integration@magdeburg.example")
    expect(page.locator(".group-tree")).to_contain_text("Unter-AG Berufssprachkurse")
    check_both_widths(page, "network-public")
    page.get_by_role("link", name="Sprache", exact=True).click()
    page.wait_for_url("**/events?network=magdeburg&group=*")
    expect(page.locator("#event-list")).to_contain_text("Schulung für Integrationslots:innen")


def test_upcoming_list_first_screen_shows_three_events_on_a_phone(new_page, site):
    for javascript in (True, False):
        page = new_page(viewport=PHONE, java_script_enabled=javascript)
        page.goto("/events")
        # Shown: its time and whole title are on the screen.
        visible = page.evaluate(
            "[...document.querySelectorAll('#event-list .event-title')]"
            ".filter(e => e.getBoundingClientRect().bottom <= innerHeight).length")
        assert visible >= 3, f"{visible} events on the first screen (JavaScript {javascript})"
    screenshot(page, "events-first-screen")
