"""Announcements in a real browser on a 360 px phone: a coordinator writes one with a picture
(after a refused first try), the public sees it on the network's page and its own page; axe and
screenshots."""
import io

import pytest
from PIL import Image

from .conftest import PHONE, check_page, log_in, no_horizontal_scroll

pytestmark = pytest.mark.browser


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (11, 92, 107)).save(out, "JPEG")
    return out.getvalue()


def test_a_coordinator_announces_on_a_phone(page, watch, magdeburg):
    page.set_viewport_size(PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/announcements")
    page.click("text=New announcement")
    page.fill("#text", "Ab dem **nächsten Mittwoch** in der Stadtbibliothek, Raum 2.04.")
    page.set_input_files("#attachment", files=[{"name": "sprachcafe.jpg", "mimeType": "image/jpeg",
                                                 "buffer": _photo()}])
    page.fill("#picture_alt", "Gäste des Sprachcafés an einem langen Tisch")
    # No title: refused, the text stays, the file must be chosen again (the page says so).
    watch.expect_status(422)
    page.click("form.announcements-form button[type=submit]")
    assert page.locator("#title-error").is_visible() and page.locator("#attachment-again").is_visible()
    assert "nächsten Mittwoch" in page.input_value("#text")
    check_page(page, "announcements-form-error")
    page.fill("#title", "Sprachcafé zieht in die Stadtbibliothek um")
    page.set_input_files("#attachment", files=[{"name": "sprachcafe.jpg", "mimeType": "image/jpeg",
                                                 "buffer": _photo()}])
    page.click("form.announcements-form button[type=submit]")
    page.wait_for_url(f"**/n/{magdeburg.slug}/announcements")
    assert page.locator("#announcements-current ~ ul li").count() == 1
    check_page(page, "announcements-list")

    page.goto(f"/n/{magdeburg.slug}?view=public")
    box = page.locator("section.announcements-box")
    assert "Sprachcafé zieht in die Stadtbibliothek um" in box.inner_text()
    check_page(page, "announcements-network-page")
    page.set_viewport_size(PHONE)
    box.locator("h3 a").click()
    picture = page.locator("img.announcement-picture")
    assert picture.get_attribute("alt") == "Gäste des Sprachcafés an einem langen Tisch"
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(page, "announcements-entry")
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"]
