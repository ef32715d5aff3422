"""The report page in a real browser at 360 and 1280 px: the period form, the figures, the SVG
charts and their tables; axe and screenshots."""
import pytest

from app.core.extensions import db
from app.directory.models import Network, Organization
from tests.factories import local
from tests.test_reports import _event, _register

from .conftest import PHONE, check_page, log_in, no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def year_of_events(magdeburg):
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    organizations = db.session.query(Organization).order_by(Organization.name).all()
    kinds = ("working_group_meeting", "network_meeting", "training", "public_event", "exchange")
    for month in range(1, 13):
        for index, kind in enumerate(kinds[:1 + month % len(kinds)]):
            event = _event(network, f"Termin {month}-{index}", local(2026, month, 3 + index * 5, 17), kind=kind)
            for number in range(2 + (month * 3 + index) % 9):
                _register(event, event.starts_at, organization=organizations[number % len(organizations)],
                          language=("de", "ar", "uk", "fa")[number % 4], checked_in=number % 3 != 0)
            _register(event, event.starts_at, status="waiting", language="de")
    db.session.commit()
    db.session.rollback()
    return magdeburg


def test_the_report_page(page, year_of_events):
    log_in(page, year_of_events.coordinator)
    page.goto(f"/n/{year_of_events.slug}/reports?period=2026")
    assert page.locator("svg[role=img]").count() == 2
    page.click("details.report-intro-edit summary")
    page.fill("#text", "Im Jahr 2026 hat das Netzwerk **zwölf Monate** lang getagt.")
    page.click("details.report-intro-edit button[type=submit]")
    assert page.locator("#report-intro strong").inner_text() == "zwölf Monate"
    page.locator("details.chart-data summary").first.click()
    check_page(page, "reports-year")
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"]


def test_a_bad_period_on_a_phone(page, watch, year_of_events):
    watch.expect_status(422)
    page.set_viewport_size(PHONE)
    log_in(page, year_of_events.coordinator)
    page.goto(f"/n/{year_of_events.slug}/reports?period=2026")
    page.fill("#period", "2026-Q7")
    page.click("form.report-period button[type=submit]")
    assert page.locator("#period-error").is_visible()
    check_page(page, "reports-bad-period")


def test_the_pdf_is_prepared_then_offered_without_reloading_the_page(page, year_of_events):
    from app.mail import outbox

    from .conftest import assert_same_document, mark_document

    log_in(page, year_of_events.coordinator)
    page.goto(f"/n/{year_of_events.slug}/reports?period=2026")
    page.click("text=Download as a PDF")
    page.wait_for_selector("#pdf-job[hx-trigger]")  # being prepared: polling
    check_page(page, "reports-pdf-pending")
    mark_document(page)
    outbox.run_each_round()  # the worker lays it out
    link = page.locator("#pdf-job a.button")
    link.wait_for()
    assert_same_document(page)  # htmx swapped the fragment in, no reload
    check_page(page, "reports-pdf-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{year_of_events.slug}-2026.pdf"


def test_without_javascript_the_page_refreshes_into_the_download(new_page, year_of_events):
    from app.mail import outbox

    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, year_of_events.coordinator)
    page.goto(f"/n/{year_of_events.slug}/reports.pdf?period=2026")
    assert page.locator("#pdf-job").is_visible() and no_horizontal_scroll(page) <= PHONE["width"]
    outbox.run_each_round()
    with page.expect_download(timeout=10_000) as download:  # the refresh after 2 s
        pass
    assert download.value.suggested_filename.endswith(".pdf")
