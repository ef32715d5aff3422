"""Organizer pages of events in a real browser: a weekly series made through the form, seen in
the month view, one date moved and one cancelled on the manage page; the calendar's htmx
navigation; axe at desktop and phone width."""
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.directory import service as directory
from app.events import recurrence, service
from app.events.models import Event

from .conftest import (DESKTOP, PHONE, assert_accessible, assert_same_document, check_page, htmx_idle, log_in,
                       mark_document, no_horizontal_scroll, screenshot)

pytestmark = pytest.mark.browser
BERLIN = "Europe/Berlin"


def _local(day: date, hh: int, mm: int = 0):
    return recurrence.to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hh, minute=mm), BERLIN)


def _check_both_widths(page, name: str) -> None:
    """axe at 1280 and at 360 px, and the two screenshots."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"], f"{name}: the page scrolls sideways at 360 px"
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)


def test_weekly_series_from_the_form_to_the_month_view_and_single_dates(page, watch, magdeburg):
    watch.expect_status(422)  # the first, invalid submit
    # A Thursday a little ahead, so that the manage page lists the dates from today on.
    start = date.today() + timedelta(days=7 + (3 - date.today().weekday()) % 7)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/calendar")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("Calendar")
    page.get_by_role("link", name="New event").click()
    page.wait_for_url("**/events/new*")
    assert page.locator("#repeat_count").is_hidden()  # no series, no end to choose

    page.fill("#title", "Ehrenamtscafé")
    page.select_option("#kind_id", label="Other")
    page.select_option("#working_group_id", label="Sprache")
    page.select_option("#organization_id", label="Einewelthaus Magdeburg")
    page.fill("#description", "Kaffee, Kuchen und **Gespräche** für alle.")
    expect(page.locator("#description-preview strong")).to_have_text("Gespräche")  # htmx preview
    page.fill("#start_date", start.isoformat())
    page.fill("#start_time", "15:00")
    page.fill("#end_time", "14:00")  # before the start: the message comes next to the end time
    page.select_option("#repeat", "weekly")
    expect(page.locator("#repeat_count")).to_be_visible()
    page.fill("#repeat_count", "8")
    page.fill("#venue_name", "Einewelthaus")
    page.fill("#venue_address", "Schellingstraße 3-4, 39104 Magdeburg")
    page.check("#languages-2")  # Arabic, besides German
    page.fill("#tags", "Café, Ehrenamt")
    mark_document(page)
    page.get_by_role("button", name="Save as draft").click()
    error = page.locator("#end_time-error")
    expect(error).to_have_text("The end must be after the start.")
    expect(page.locator("#end_time")).to_be_focused()
    assert_same_document(page)  # swapped in place by htmx
    _check_both_widths(page, "event-form-error")

    page.fill("#end_time", "17:00")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/events/*/manage")
    expect(page.locator(".flash-success")).to_have_text("Saved and published.")
    assert page.locator("h1").inner_text() == "Ehrenamtscafé"
    expect(page.locator("#dates .date-row")).to_have_count(8)
    expect(page.locator(".facts")).to_contain_text("Every Thursday, 8 dates")
    _check_both_widths(page, "event-manage")

    # The month view shows the dates of the start's month.
    page.get_by_role("link", name="Calendar").first.click()
    page.goto(f"/n/{magdeburg.slug}/calendar?view=month&date={start.isoformat()}")
    in_month = [start + timedelta(weeks=n) for n in range(8) if (start + timedelta(weeks=n)).month == start.month]
    entries = page.locator(".cal-month .cal-entry")
    expect(entries).to_have_count(len(in_month))
    expect(entries.first).to_contain_text("Ehrenamtscafé")
    expect(entries.first.locator(".cal-time")).to_have_text("3:00\u202fPM")
    entries.first.get_by_role("link").click()
    page.wait_for_url("**/events/*/manage")

    # Move the second date to Friday 16:00-18:00 ...
    second = start + timedelta(weeks=1)
    rows = page.locator("#dates .date-row")
    rows.nth(1).get_by_role("link", name="Move").click()
    page.wait_for_url("**/move")
    assert page.input_value("#start_date") == second.isoformat()
    assert page.input_value("#start_time") == "15:00"
    check_page(page, "event-move")
    page.fill("#start_date", (second + timedelta(days=1)).isoformat())
    page.fill("#start_time", "16:00")
    page.fill("#end_time", "18:00")
    page.fill("#reason", "Der Raum ist am Donnerstag belegt.")
    page.get_by_role("button", name="Move this date").click()
    page.wait_for_url("**/manage#dates")
    expect(rows.nth(1)).to_contain_text("Moved")
    expect(rows.nth(1)).to_contain_text("4:00\u202fPM – 6:00\u202fPM")

    # ... and cancel the third, with a reason.
    rows.nth(2).locator("summary").click()
    rows.nth(2).get_by_label("Reason (optional, shown to participants)").fill("Krankheit")
    rows.nth(2).get_by_role("button", name="Cancel this date").click()
    page.wait_for_url("**/manage#dates")
    expect(rows.nth(2)).to_contain_text("Cancelled")
    expect(rows.nth(2)).to_contain_text("Krankheit")
    expect(rows.nth(2).get_by_role("button", name="Restore")).to_be_visible()
    rows.nth(3).locator("summary").click()  # an open "Cancel…" form, as it looks
    _check_both_widths(page, "event-manage-changed")

    # The month and week views show it too.
    page.goto(f"/n/{magdeburg.slug}/calendar?view=week&date={second.isoformat()}")
    expect(page.locator(".cal-entry")).to_have_count(1)
    expect(page.locator(".cal-entry")).to_contain_text("Moved")
    expect(page.locator(".cal-entry .cal-time")).to_have_text("4:00\u202fPM–6:00\u202fPM")
    page.goto(f"/n/{magdeburg.slug}/calendar?view=week&date={(start + timedelta(weeks=2)).isoformat()}")
    expect(page.locator(".cal-entry.is-cancelled")).to_have_count(1)


@pytest.fixture
def calendar_data(app, magdeburg):
    """March 2027 in Magdeburg: the weekly café across the clock change, a draft working-group
    meeting, a cancelled training and a two-day event."""
    network = directory.network_or_404(magdeburg.slug)
    kinds = {k.code: k for k in service.kinds(network)}

    def add(title, kind, start, end, **fields):
        event = Event(network_id=network.id, kind_id=kinds[kind].id, title=title, timezone=BERLIN,
                      status=fields.pop("status", "published"), visibility="public")
        service.save(event, starts_at=start, ends_at=end, **fields)
        return event

    cafe = add("Ehrenamtscafé", "other", _local(date(2027, 3, 4), 15), _local(date(2027, 3, 4), 17),
               repeat="weekly", repeat_count=12, venue_name="Einewelthaus")
    add("AG Sprache", "working_group_meeting", _local(date(2027, 3, 9), 18), _local(date(2027, 3, 9), 20),
        status="draft", working_group_id=magdeburg.group_ids["Sprache"], venue_name="Volkshochschule, Raum 2.14")
    training = add("Schulung für Integrationslots:innen mit einem sehr langen Titel", "training",
                   _local(date(2027, 3, 16), 9), _local(date(2027, 3, 16), 16))
    service.cancel(training, "Die Referentin ist krank.")
    add("Fachtag Arbeitsmarktintegration", "network_meeting", _local(date(2027, 3, 22), 0),
        _local(date(2027, 3, 24), 0), all_day=True, working_group_id=magdeburg.group_ids["Arbeit und Ausbildung"])
    db.session.flush()
    service.change_occurrence(cafe, _local(date(2027, 3, 18), 15), "cancelled", reason="Feiertag")
    db.session.commit()
    db.session.rollback()
    return magdeburg


def test_calendar_navigation_with_htmx(page, calendar_data):
    data = calendar_data
    log_in(page, data.coordinator)
    page.goto(f"/n/{data.slug}/calendar?view=month&date=2027-03-01")
    expect(page.locator("#calendar-heading")).to_have_text("March 2027")
    assert page.locator(".cal-month th").count() == 7
    expect(page.locator(".cal-entry.is-draft")).to_have_count(1)
    expect(page.locator(".cal-entry.is-cancelled")).to_have_count(2)  # the training and one café date
    expect(page.locator(".cal-month td").filter(has_text="Fachtag")).to_have_count(2)  # both days
    _check_both_widths(page, "calendar-month")
    mark_document(page)

    htmx_idle(page)
    page.click("#cal-next")
    page.wait_for_url("**date=2027-04-01*")
    expect(page.locator("#calendar-heading")).to_have_text("April 2027")
    expect(page.locator("#cal-next")).to_be_focused()  # focus stays on the button
    expect(page.locator("#calendar-status")).to_have_text("April 2027")  # read out by screen readers
    expect(page.locator(".cal-entry")).to_have_count(5)  # the café: 1 April .. 29 April, all 3:00 PM
    assert set(page.locator(".cal-time").all_inner_texts()) == {"3:00\u202fPM"}
    assert_same_document(page)

    htmx_idle(page)
    page.click("#cal-previous")
    page.wait_for_url("**date=2027-03-01*")
    htmx_idle(page)
    page.click("#cal-view-week")
    page.wait_for_url("**view=week*")
    expect(page.locator("#cal-view-week")).to_have_attribute("aria-current", "page")
    expect(page.locator(".cal-listday")).to_have_count(7)
    htmx_idle(page)
    page.click("#cal-next")
    page.wait_for_url("**view=week&date=2027-03-08*")  # a click during the swap could hit the old button
    htmx_idle(page)
    page.click("#cal-next")
    page.wait_for_url("**view=week&date=2027-03-15*")
    expect(page.locator(".cal-entry")).to_have_count(2)
    expect(page.locator(".cal-entry.is-cancelled")).to_have_count(2)

    htmx_idle(page)
    page.select_option("#cal-group", label="Arbeit und Ausbildung")
    page.wait_for_url("**group=*")
    expect(page.locator("#calendar-heading")).to_contain_text("Arbeit und Ausbildung")
    expect(page.locator(".cal-entry")).to_have_count(0)
    expect(page.locator(".cal-empty")).to_be_visible()
    htmx_idle(page)
    page.click("#cal-next")
    page.wait_for_url("**date=2027-03-22*")
    expect(page.locator(".cal-entry")).to_have_count(2)  # the Fachtag, on each of its two days
    expect(page.locator(".cal-entry").first).to_contain_text("All day")
    htmx_idle(page)
    page.click("#cal-view-agenda")
    page.wait_for_url("**view=agenda*")
    expect(page.locator(".cal-entry")).to_have_count(2)
    assert_same_document(page)
    _check_both_widths(page, "calendar-agenda")

    # Back goes to the previous address, restored as a whole page.
    page.go_back()
    page.wait_for_url("**view=week*")
    expect(page.locator("#calendar-heading")).to_contain_text("Arbeit und Ausbildung")
    expect(page.locator(".cal-entry")).to_have_count(2)


def test_calendar_works_without_javascript_and_as_a_list_on_a_phone(new_page, calendar_data):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, calendar_data.coordinator)
    page.goto(f"/n/{calendar_data.slug}/calendar?view=month&date=2027-02-01")
    page.get_by_role("link", name="Next month").click()
    page.wait_for_url("**date=2027-03-01*")
    # On a phone the month is a list of the days that have events.
    visible_days = page.locator(".cal-month td:visible .cal-dayname")
    expect(visible_days.first).to_have_text("Thursday, March 4, 2027")
    assert page.locator(".cal-month thead").is_hidden()
    assert visible_days.count() == 8  # 4, 9, 11, 16, 18, 22, 23, 25 March
    assert no_horizontal_scroll(page) <= PHONE["width"]
    page.select_option("#cal-group", label="Sprache")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**group=*")
    expect(page.locator(".cal-entry")).to_have_count(1)
    screenshot(page, "calendar-month-nojs")


def test_kinds_of_events(page, calendar_data):
    log_in(page, calendar_data.coordinator)
    page.goto(f"/n/{calendar_data.slug}/calendar")
    page.get_by_role("link", name="Kinds of events").click()
    page.wait_for_url("**/kinds")
    page.fill("#new-kind-name", "Offene Sprechstunde")
    page.get_by_role("button", name="Add a kind").click()
    page.wait_for_url("**/kinds")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_label("New name for Offene Sprechstunde")).to_have_value("Offene Sprechstunde")
    _check_both_widths(page, "event-kinds")
