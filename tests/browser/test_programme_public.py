"""The public programme in a real browser: filtering on a phone with htmx (the address follows,
the page is not reloaded) and without JavaScript (a plain GET form), the embed inside another
site's frame, axe at desktop and phone width for the page and the embed, and the booklet's
first pages rendered to PNG (poppler's pdftoppm) to look at."""
import io
import shutil
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory import logo, service as directory
from app.programmes.models import Partner

from ..test_programmes_public import FIRST_DAY, assorted_programme
from .conftest import (PHONE, SCREENSHOTS, assert_accessible, assert_same_document, htmx_idle, mark_document,
                       no_horizontal_scroll, screenshot)
from .test_events_public import check_both_widths  # axe at 1280 and 360 px, no sideways scroll, screenshots

pytestmark = pytest.mark.browser


def _png(color, size=(240, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def week(app, magdeburg):
    """The Magdeburg network's published Intercultural Week (see test_programmes_public), with
    its logo and two partners, one without a logo."""
    network = directory.network_or_404(magdeburg.slug)
    with app.test_request_context():  # the submitters' mails carry links
        p = assorted_programme(network)
    logo.set_logo(network, _png("#0b5c6b"))
    p.campaign.partners.extend([
        Partner(name="Landeshauptstadt Magdeburg", website="https://www.magdeburg.de", logo=_png("#a4161a"),
                logo_type="image/png"),
        Partner(name="Integrationsbeirat"),
    ])
    db.session.commit()
    data = SimpleNamespace(slug=p.campaign.slug, art=p.categories["art"].id, cafe=p.cafe.event_id)
    db.session.rollback()
    return data


def _titles(page, scope="#programme-list"):
    return page.locator(f"{scope} .event-title a").all_inner_texts()


DAY2 = (FIRST_DAY + timedelta(days=1)).isoformat()


def test_filter_on_a_phone_with_htmx(new_page, week):
    page = new_page()
    page.goto(f"/programmes/{week.slug}")
    expect(page.locator("h1")).to_have_text("Interkulturelle Woche")
    assert _titles(page) == ["Begegnungscafé", "Kalligrafie-Workshop", "Ukrainian evening", "Sprachcafé für Kinder",
                             "Konzert im Park"]
    expect(page.locator(".partners img")).to_have_attribute("alt", "Landeshauptstadt Magdeburg")
    check_both_widths(page, "programme-public")

    page.set_viewport_size(PHONE)
    mark_document(page)
    page.select_option("#filter-day", DAY2)
    page.wait_for_url(f"**day={DAY2}*")
    htmx_idle(page)
    assert _titles(page) == ["Kalligrafie-Workshop", "Ukrainian evening"]
    expect(page.locator("#programme-count")).to_have_text("2 of 5 events")
    page.select_option("#filter-category", str(week.art))
    page.wait_for_url(f"**category={week.art}*")
    htmx_idle(page)
    assert _titles(page) == ["Ukrainian evening"]
    expect(page.locator("#programme-count")).to_have_text("1 of 5 events")
    page.check("#filter-free")
    page.wait_for_url("**free=1*")
    htmx_idle(page)
    assert _titles(page) == ["Ukrainian evening"]
    assert_same_document(page)
    assert no_horizontal_scroll(page) <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "programme-public-filtered")
    # Back restores the earlier choice (htmx history), the whole page.
    page.go_back()
    expect(page.locator("#filter-free")).not_to_be_checked()
    assert "free=1" not in page.url and f"category={week.art}" in page.url
    htmx_idle(page)
    assert _titles(page) == ["Ukrainian evening"]


def test_filter_on_a_phone_without_javascript(new_page, week):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(f"/programmes/{week.slug}")
    page.select_option("#filter-day", DAY2)
    page.select_option("#filter-category", str(week.art))
    page.click(".programme-filters button[type=submit]")
    page.wait_for_url(f"**day={DAY2}&category={week.art}*")
    assert _titles(page) == ["Ukrainian evening"]
    expect(page.locator("#programme-count")).to_have_text("1 of 5 events")
    expect(page.locator("#filter-day")).to_have_value(DAY2)
    page.click("text=Reset filters")
    page.wait_for_url(f"**/programmes/{week.slug}")
    assert len(_titles(page)) == 5


@pytest.fixture
def partner_site():
    """partner_site(body) -> the address of a page with that body, served from another port."""
    servers = []

    def serve(body: str) -> str:
        page = ('<!doctype html><html lang="de" dir="ltr"><head><meta charset="utf-8"><title>Partner</title>'
                '<link rel="icon" href="data:,"></head>'
                f"<body><h1>Unser Partner</h1>{body}</body></html>").encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_embed_in_another_sites_frame(new_page, week, live_server, partner_site):
    page = new_page()
    page.goto(f"/programmes/{week.slug}/embed")
    assert page.locator(".site-header").count() == 0
    check_both_widths(page, "programme-public-embed")
    page.select_option("#filter-category", str(week.art))
    page.click(".programme-filters button[type=submit]")
    page.wait_for_url(f"**category={week.art}*")
    assert _titles(page) == ["Ukrainian evening", "Konzert im Park"]

    # A partner's page on another origin (another port) frames the embed.
    host = partner_site(f'<iframe title="Programm" src="{live_server}/programmes/{week.slug}/embed" '
                         'width="340" height="600"></iframe>')
    page.goto(host)
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("Interkulturelle Woche")
    expect(frame.locator(".event-title a").first).to_have_attribute("target", "_blank")
    page.screenshot(path=str(SCREENSHOTS / "programme-public-embed-framed.png"))


def test_event_page_names_its_programme(page, week):
    page.goto(f"/events/{week.cafe}")
    link = page.locator(".part-of a")
    expect(link).to_have_text("Interkulturelle Woche")
    expect(page.locator("h1")).to_have_attribute("lang", "de")
    check_both_widths(page, "programme-public-event")
    link.click()
    page.wait_for_url(f"**/programmes/{week.slug}")


def test_booklet_pages_to_look_at(app, week):
    """The booklet's cover, first programme page and index as PNG in tests/screenshots/."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    data = app.test_client().get(f"/programmes/{week.slug}/booklet.pdf", headers={"Accept-Language": "en"}).data
    assert data.startswith(b"%PDF")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf = SCREENSHOTS / "programme-public-booklet.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(SCREENSHOTS / "programme-public-booklet")],
                   check=True)
    pages = sorted(SCREENSHOTS.glob("programme-public-booklet-*.png"))
    assert len(pages) >= 3
