"""An event's picture in a real browser: chosen in the event form at phone width (htmx sends the
file; the missing text alternative is asked for beside its field), then the public event page
at 360 px loads one width of it with no layout shift; without a picture the kind's drawing;
axe on all of them."""
import io
from datetime import date, timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from .conftest import PHONE, assert_accessible, htmx_idle, log_in, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


def photo(path) -> str:
    """A landscape picture with some shapes, so that the screenshot shows how it is cut."""
    image = Image.new("RGB", (1600, 1000), (231, 200, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, 1600, 1000), fill=(90, 140, 70))
    draw.ellipse((1150, 120, 1400, 370), fill=(245, 190, 60))
    for x in range(200, 1000, 180):
        draw.rectangle((x, 420, x + 120, 700), fill=(150, 60, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    path.write_bytes(out.getvalue())
    return str(path)


def new_event_form(new_page, magdeburg, title: str, kind: str):
    """The event form at phone width, filled in but for the picture."""
    page = new_page(viewport=PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/events/new")
    page.fill("#title", title)
    page.select_option("#kind_id", label=kind)
    page.fill("#start_date", (date.today() + timedelta(days=10)).isoformat())
    page.fill("#start_time", "15:00")
    page.fill("#end_time", "19:00")
    return page


def test_picture_from_the_form_to_the_event_page_at_phone_width(new_page, watch, magdeburg, tmp_path):
    watch.expect_status(422)  # the submit without the text alternative
    page = new_event_form(new_page, magdeburg, "Sommerfest im Interkulturellen Garten", "Public event")
    page.fill("#venue_name", "Interkultureller Garten")
    page.set_input_files("#picture", photo(tmp_path / "garden.jpg"))
    page.get_by_role("button", name="Save and publish").click()
    error = page.locator("#picture_alt-error")
    expect(error).to_contain_text("Please describe the picture")
    expect(page.locator("#picture_alt")).to_be_focused()
    expect(page.locator(".picture-fields .note")).to_contain_text("Please choose the picture again")
    htmx_idle(page)
    assert_accessible(page)
    screenshot(page, "event-picture-form-error")

    page.set_input_files("#picture", photo(tmp_path / "garden.jpg"))  # a file input is never kept
    page.fill("#picture_alt", "Beete und ein Gartenhaus in der Sonne")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/events/*/manage")
    event_url = page.url.removesuffix("/manage")

    page.goto(event_url + "/edit")
    expect(page.locator(".picture-current img")).to_have_attribute("alt", "Beete und ein Gartenhaus in der Sonne")
    assert_accessible(page)

    public = new_page(viewport=PHONE)
    public.goto(event_url)
    picture = public.locator("img.event-picture")
    expect(picture).to_have_attribute("alt", "Beete und ein Gartenhaus in der Sonne")
    # Polled by Playwright itself: wait_for_function's string is eval'd in the page, which the CSP forbids.
    expect(picture).to_have_js_property("complete", True)
    chosen = public.evaluate("document.querySelector('img.event-picture').currentSrc")
    assert chosen.endswith("-640.webp"), chosen  # 360 CSS pixels: the next width up, not the largest
    box = picture.bounding_box()
    assert box["width"] <= PHONE["width"] and 0 < box["height"] <= 22 * 16
    assert no_horizontal_scroll(public) <= PHONE["width"]
    assert_accessible(public)
    screenshot(public, "event-picture")


def test_without_a_picture_the_kinds_drawing_is_decorative(new_page, magdeburg):
    page = new_event_form(new_page, magdeburg, "Austauschtreffen der Sprachmittler:innen", "Exchange")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/events/*/manage")
    page.goto(page.url.removesuffix("/manage"))
    art = page.locator("svg.kind-art")
    expect(art).to_have_attribute("aria-hidden", "true")
    assert art.bounding_box()["height"] <= 100
    assert_accessible(page)
    screenshot(page, "event-kind-art")


def test_the_coordination_sees_an_entrys_picture_and_its_text(new_page, app, tmp_path):
    from app.core.extensions import db
    from app.events import pictures
    from tests.test_programmes_public import entry, make_programme

    with app.test_request_context():  # the entry's mail carries links
        programme = make_programme()
        submission = entry(programme, "Gartenfest", approve=False)
        submission.picture_hash = pictures.store(open(photo(tmp_path / "garden.jpg"), "rb").read()).hash
        submission.picture_alt = "Beete und ein Gartenhaus in der Sonne"
        db.session.commit()
    url, email = f"/submissions/{submission.id}", programme.coordinator.email
    db.session.rollback()
    page = new_page(viewport=PHONE)
    log_in(page, email)
    page.goto(url)
    figure = page.locator("figure.submission-picture")
    expect(figure).to_contain_text("Beete und ein Gartenhaus in der Sonne")
    expect(figure.locator("img")).to_have_js_property("complete", True)
    assert page.evaluate("document.querySelector('figure.submission-picture img').naturalWidth") > 0
    assert no_horizontal_scroll(page) <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "submission-picture")
