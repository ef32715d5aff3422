"""The coordinator's review queue in a real browser: approving a row (htmx swaps just that row,
no page load), asking for changes and declining with a message, the tabs' counts following,
an entry changed meanwhile refused beside its button, approving several at once, the plain
forms without JavaScript; one submission's page and the coordinator's edit. axe at desktop and
phone width, screenshots of each page."""
from datetime import date

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory import service as directory
from app.programmes import service
from app.programmes.models import Submission

from .. import factories
from .conftest import assert_same_document, htmx_idle, log_in, mark_document
from .test_events_organizer import _check_both_widths  # axe at 1280 and 360 px, no sideways scroll, screenshots

pytestmark = pytest.mark.browser

ENTRIES = [
    # title, day, start, end, venue, organization
    ("Interkulturelles Frühstück", 20, 9, 11, "Einewelthaus", "Einewelthaus Magdeburg"),
    ("Deutsch-ukrainischer Liederabend", 20, 18, 20, "Einewelthaus", "Ukrainische Gemeinde Magdeburg"),
    ("Offene Sprechstunde Anerkennung", 21, 10, 12, "Volkshochschule, Raum 2.14", "Volkshochschule Magdeburg"),
    ("Kochen ohne Grenzen", 21, 17, 20, "Caritas-Begegnungsstätte", "Caritasverband für das Bistum Magdeburg"),
    ("Gartenfest im Interkulturellen Garten", 22, 14, 18, "Interkultureller Garten",
     "Interkultureller Garten Schönebeck"),
    ("Lesung: Neue Räume", 23, 19, 21, "Stadtbibliothek", "Volkshochschule Magdeburg"),
]


@pytest.fixture
def week(app, magdeburg):
    """The Intercultural Week 2027 with seven complete entries waiting for review (two evening
    ones at the Einewelthaus overlap; the breakfast there does not) and one draft."""
    with app.test_request_context():  # the confirmation mails carry links
        return _week(magdeburg)


def _week(magdeburg) -> dict:
    network = directory.network_or_404(magdeburg.slug)
    campaign = service.create_campaign(network, title="Interkulturelle Woche 2027", year=2027,
                                       starts_on=date(2027, 9, 19), ends_on=date(2027, 9, 26),
                                       submissions_from=date(2020, 1, 1), submissions_until=date(2027, 9, 1),
                                       motto="Neue Räume", contact_email="ikw@magdeburg.example")
    db.session.flush()
    ids = {}
    for number, (title, day, start, end, venue, organization) in enumerate(ENTRIES):
        submission = service.start(
            campaign, title=title, category_id=campaign.categories[number % 4].id,
            starts_at=factories.local(2027, 9, day, start), ends_at=factories.local(2027, 9, day, end),
            venue_name=venue, district="Altstadt", organization_name=organization, contact_name="Aylin Demir",
            contact_email=f"entry{number}@example.org", languages="de,uk" if "ukrainisch" in title else "de",
            description="Wir laden **alle** ein.")
        ids[title] = submission.id
    # Same place and time as the Liederabend: the queue warns about both.
    ids["Tanzabend"] = service.start(
        campaign, title="Tanzabend", category_id=campaign.categories[0].id,
        starts_at=factories.local(2027, 9, 20, 19), ends_at=factories.local(2027, 9, 20, 22),
        venue_name="Einewelthaus", organization_name="Einewelthaus Magdeburg", contact_name="Aylin Demir",
        contact_email="tanz@example.org").id
    ids["Entwurf"] = service.start(campaign, title="Entwurf ohne Ort", organization_name="", venue_name="",
                                      contact_email="entwurf@example.org").id
    db.session.commit()
    data = {"campaign": campaign.id, "ids": ids}
    db.session.rollback()
    return data


def _decline(row, reason: str) -> None:
    row.locator("summary", has_text="Decline").click()  # the reason's box opens inline
    row.get_by_label("Why not?").fill(reason)
    row.get_by_role("button", name="Decline").click()


def _count(page, status: str):
    return page.locator(f"#tab-{status} .tab-count")


def test_taking_submissions_through_review(app, page, magdeburg, week, watch):
    page_context = app.test_request_context  # the organizer's mail carries a link
    ids = week["ids"]
    log_in(page, magdeburg.coordinator)
    page.goto(f"/campaigns/{week['campaign']}/submissions")
    expect(page.locator(".review-row")).to_have_count(7)
    expect(_count(page, "submitted")).to_have_text("7")
    # The two evening entries at the Einewelthaus overlap; the breakfast there does not.
    liederabend = page.locator(f"#submission-{ids['Deutsch-ukrainischer Liederabend']}")
    expect(liederabend.locator(".review-overlap")).to_contain_text("Same place, overlapping time")
    expect(liederabend.locator(".review-overlap")).to_contain_text("Tanzabend")
    expect(page.locator(f"#submission-{ids['Interkulturelles Frühstück']} .review-overlap")).to_have_count(0)
    _check_both_widths(page, "programme-review-queue")

    # Approve: only the row changes, in place; the counts follow; the live region says it.
    mark_document(page)
    row = page.locator(f"#submission-{ids['Interkulturelles Frühstück']}")
    row.get_by_role("button", name="Approve").click()
    expect(row.locator(".badge")).to_have_text("Approved")
    expect(row.locator(".review-done")).to_contain_text("is approved")
    expect(page.locator("#review-news")).to_contain_text("“Interkulturelles Frühstück” is approved.")
    expect(_count(page, "submitted")).to_have_text("6")
    expect(_count(page, "approved")).to_have_text("1")
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)
    expect(row.locator(".review-title a")).to_be_focused()
    htmx_idle(page)
    assert_same_document(page)

    # Ask for changes: the message box opens inline.
    row = page.locator(f"#submission-{ids['Offene Sprechstunde Anerkennung']}")
    row.locator("summary", has_text="Ask for changes").click()
    row.get_by_label("What should change?").fill("Bitte nennt die Sprachen der Beratung.")
    row.get_by_role("button", name="Send the request").click()
    expect(row.locator(".badge")).to_have_text("Changes requested")
    expect(row.locator(".review-message")).to_contain_text("Bitte nennt die Sprachen der Beratung.")
    expect(_count(page, "changes_requested")).to_have_text("1")

    # Decline with a reason.
    row = page.locator(f"#submission-{ids['Tanzabend']}")
    _decline(row, "Zur selben Zeit am selben Ort ist schon der Liederabend.")
    expect(row.locator(".badge")).to_have_text("Declined")
    htmx_idle(page)
    expect(_count(page, "submitted")).to_have_text("4")
    expect(_count(page, "declined")).to_have_text("1")
    expect(_count(page, "all")).to_have_text("8")
    assert_same_document(page)
    # The declined dance no longer overlaps the Liederabend once the page is loaded again.
    assert db.session.get(Submission, ids["Tanzabend"]).status == "declined"
    db.session.rollback()

    # Changed by its organizer meanwhile: refused beside the button, the row shows the change.
    with page_context():
        submission = db.session.get(Submission, ids["Kochen ohne Grenzen"])
        service.edit_by_submitter(submission, title="Kochen ohne Grenzen – mit Kindern")
        db.session.commit()
    db.session.rollback()
    watch.expect_status(422)
    row = page.locator(f"#submission-{ids['Kochen ohne Grenzen']}")
    row.get_by_role("button", name="Approve").click()
    expect(row.locator(".error")).to_contain_text("changed meanwhile")
    expect(row.locator(".review-title")).to_have_text("Kochen ohne Grenzen – mit Kindern")
    expect(row.get_by_role("button", name="Approve")).to_be_focused()
    htmx_idle(page)
    row.scroll_into_view_if_needed()
    _check_both_widths(page, "programme-review-acted")
    assert_same_document(page)

    # Approve several at once: the draft cannot be ticked.
    expect(page.locator(f"#select-{ids['Entwurf']}")).to_have_count(0)
    page.get_by_label("Select “Lesung: Neue Räume”").check()
    page.get_by_label("Select “Gartenfest im Interkulturellen Garten”").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".flash-success")).to_have_text("2 submissions approved.")
    expect(_count(page, "approved")).to_have_text("3")

    # The tabs: the approved ones, without a page load.
    mark_document(page)
    page.locator("#tab-approved").click()
    expect(page.locator(".review-row")).to_have_count(3)
    expect(page.locator("#tab-approved")).to_have_attribute("aria-current", "page")
    assert page.url.endswith("status=approved")
    assert_same_document(page)


def test_the_submission_page_and_the_coordinators_edit(page, magdeburg, week):
    ids = week["ids"]
    log_in(page, magdeburg.coordinator)
    page.goto(f"/submissions/{ids['Deutsch-ukrainischer Liederabend']}")
    expect(page.locator("h1")).to_have_attribute("lang", "de")
    expect(page.locator(".review-overlap")).to_contain_text("Tanzabend")
    expect(page.locator(".markdown strong")).to_have_text("alle")
    _check_both_widths(page, "programme-submission")

    page.get_by_label("Note for the organizer").fill("Wir freuen uns auf euch!")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_contain_text("is approved")
    expect(page.locator(".review-history")).to_contain_text("Approved")
    expect(page.get_by_role("link", name="Its event")).to_be_visible()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url("**/edit")
    _check_both_widths(page, "programme-submission-edit")
    page.fill("#start_time", "18:30")
    page.fill("#venue_name", "Altes Theater")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/submissions/{ids['Deutsch-ukrainischer Liederabend']}")
    expect(page.locator(".facts").first).to_contain_text("6:30 PM")
    expect(page.locator(".facts").first).to_contain_text("Altes Theater")
    expect(page.locator(".review-history")).to_contain_text("Edited by the coordination")


def test_without_javascript_the_forms_still_work(new_page, magdeburg, week):
    ids = week["ids"]
    page = new_page(java_script_enabled=False)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/campaigns/{week['campaign']}/submissions")
    row = page.locator(f"#submission-{ids['Lesung: Neue Räume']}")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_have_text("“Lesung: Neue Räume” is approved.")
    assert page.url.endswith(f"status=submitted#submission-{ids['Lesung: Neue Räume']}")
    expect(_count(page, "approved")).to_have_text("1")
    _decline(page.locator(f"#submission-{ids['Kochen ohne Grenzen']}"), "Leider ausgebucht.")
    expect(page.locator(".flash-success")).to_contain_text("is declined")
    expect(_count(page, "declined")).to_have_text("1")
