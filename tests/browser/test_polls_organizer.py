"""The organizer's date polls in a real browser: a poll created on a phone (an error beside its
field first, more day rows), the results page with its table (axe, a person marked as required
in place by htmx, the table scrolling in its own box at 360 px), the same without JavaScript,
the details changed, and deciding on a date, which lands on the new event; screenshots of each."""
import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.core.types import utcnow
from app.directory.models import Network
from app.polls import service as polls

from .conftest import (DESKTOP, PHONE, assert_accessible, assert_same_document, check_page, htmx_idle, log_in,
                       mark_document, no_horizontal_scroll, screenshot)

pytestmark = pytest.mark.browser

PEOPLE = ["Anja Becker (Stendal)", "Bernd Vogel (Salzwedel)", "Canan Yıldız (Gardelegen)",
          "Dmytro Shevchenko (Tangermünde)", "Elif Aydın (Osterburg)", "Frank Lehmann (Havelberg)",
          "Grażyna Nowak (Arendsee)", "Hamid Rahimi (Bismark)"]


def _first_day() -> date:
    return (utcnow() + timedelta(days=30)).date()


@pytest.fixture
def stendal_poll(magdeburg):
    """An open poll: three days with two slots, eight people from eight towns who answered."""
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    first = _first_day()
    dates = polls.candidates([first, first + timedelta(days=1), first + timedelta(days=7)],
                             [(time(10), time(13)), (time(14), time(17))], network.timezone)
    poll = polls.create(network, None, None, dates, title="Austausch der Koordinator:innen im Oktober",
                        venue_name="Rathaus Stendal", venue_address="Markt 1, 39576 Stendal",
                        description="Wir tauschen uns über **Sprachkurse** und Ehrenamt aus.",
                        deadline=utcnow() + timedelta(days=14), open_link=True)
    db.session.flush()
    for n, name in enumerate(PEOPLE):
        person = polls.new_participant(poll, name, f"person{n}@example.org")
        db.session.flush()
        polls.save_answers(person, {o.id: ("yes", "maybe", "no", "yes")[(n + i) % 4] for i, o in enumerate(poll.options)
                                    if (n + i) % 5}, name, comment="Bis 16 Uhr" if n == 2 else "")
    db.session.commit()
    poll_id = poll.id
    db.session.rollback()
    return poll_id


def test_create_a_poll_on_a_phone(new_page, watch, magdeburg):
    watch.expect_status(422)
    page = new_page(viewport=PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/polls")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("Date polls")
    check_page(page, "polls-list-empty")
    page.get_by_role("link", name="New date poll").click()
    page.wait_for_url("**/polls/new")
    first = _first_day()
    page.fill("#title", "Austausch der Koordinator:innen")
    page.select_option("#working_group_id", label="Sprache")
    page.fill("#venue_name", "Rathaus Stendal")
    page.fill("#days-0", first.isoformat())
    page.fill("#days-1", (first + timedelta(days=1)).isoformat())
    page.fill("#slots-0-start", "10:00")
    page.fill("#slots-0-end", "13:00")
    page.fill("#deadline_date", first.isoformat())  # after the first date starts: refused
    page.fill("#deadline_time", "12:00")
    page.click("button:has-text('More days')")  # a plain submit: the same form with more rows
    expect(page.locator("#days-8")).to_be_visible()
    expect(page.locator("#days-1")).to_have_value((first + timedelta(days=1)).isoformat())
    page.fill("#days-6", (first + timedelta(days=7)).isoformat())
    page.click("button:has-text('Create the poll')")
    expect(page.locator("#deadline_date-error")).to_contain_text("before the first date")
    expect(page.locator("#title")).to_have_value("Austausch der Koordinator:innen")
    check_page(page, "polls-new-error")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    page.fill("#deadline_date", (first - timedelta(days=7)).isoformat())
    page.click("button:has-text('Create the poll')")
    page.wait_for_url(re.compile(r"/polls/\d+#invite$"))
    expect(page.locator("h1")).to_have_text("Austausch der Koordinator:innen")
    expect(page.locator(".poll-summary-date")).to_have_count(3)
    expect(page.locator("#open-link")).to_have_count(0)  # no open link asked for
    check_page(page, "polls-created")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    page.get_by_role("link", name="Date polls").first.click()
    expect(page.locator(".poll-list .card")).to_contain_text("Nobody invited yet.")
    check_page(page, "polls-list")


def test_the_new_poll_form_at_desktop_width(page, magdeburg):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/n/{magdeburg.slug}/polls/new")
    expect(page.locator("input[type=date][name^=days]")).to_have_count(6)
    expect(page.locator("input[type=time][name^=slots]")).to_have_count(6)
    check_page(page, "polls-new")


def test_results_page_and_required_in_place(new_page, magdeburg, stendal_poll):
    page = new_page()
    log_in(page, magdeburg.coordinator)
    page.goto(f"/polls/{stendal_poll}")
    table = page.locator("table.poll-results")
    expect(table.locator("caption")).to_contain_text("Answers per person and date")
    expect(table.locator("thead th[scope=col]")).to_have_count(6 + 2)
    expect(table.locator("tbody th[scope=row]")).to_have_count(len(PEOPLE))
    expect(page.locator(".poll-summary-date.poll-summary-best").first).to_contain_text("Best date")
    expect(page.locator("#open-link")).to_have_value(re.compile(r"/p/open/"))
    check_page(page, "polls-results")

    mark_document(page)
    row = table.locator("tbody tr", has_text="Canan")
    row.get_by_role("button", name=re.compile("Mark as required")).click()
    htmx_idle(page)
    assert_same_document(page)
    expect(row.locator(".poll-badge-required")).to_have_text("required")
    expect(page.locator("#results")).to_contain_text("the required person can")
    expect(row.get_by_role("button", name=re.compile("Mark as not required"))).to_be_focused()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"]  # the table scrolls in its own box
    box = page.locator(".poll-table-box")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    screenshot(page, "polls-results-required")


def test_results_and_the_form_without_javascript(new_page, magdeburg, stendal_poll):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    log_in(page, magdeburg.coordinator)
    page.goto(f"/polls/{stendal_poll}")
    row = page.locator("table.poll-results tbody tr", has_text="Bernd")
    row.get_by_role("button", name=re.compile("Mark as required")).click()
    page.wait_for_url(re.compile(r"/polls/\d+#p\d+$"))
    expect(row.locator(".poll-badge-required")).to_have_text("required")
    screenshot(page, "polls-results-nojs")
    page.locator("summary", has_text="Add dates").click()
    page.click("button:has-text('More times')")
    expect(page.locator("#slots-5-end")).to_be_attached()
    expect(page.locator("details.poll-add-dates")).to_have_attribute("open", "")
    screenshot(page, "polls-add-dates-nojs")


def test_change_the_poll_then_decide_makes_the_event(page, magdeburg, stendal_poll):
    log_in(page, magdeburg.coordinator)
    page.goto(f"/polls/{stendal_poll}")
    page.get_by_role("link", name="Change title, place or deadline").click()
    expect(page.locator("#venue_name")).to_have_value("Rathaus Stendal")
    check_page(page, "polls-edit")
    page.fill("#venue_name", "Rathaus Stendal, Ratssaal")
    page.click("button:has-text('Save')")
    expect(page.locator(".facts")).to_contain_text("Ratssaal")
    page.locator(".poll-summary-date.poll-summary-best").first.get_by_role("link", name=re.compile("Choose this date")).click()
    page.wait_for_url(re.compile(r"/decide\?option=\d+$"))
    expect(page.locator("#visibility-1")).to_be_checked()  # members, the default
    check_page(page, "polls-decide")
    page.fill("#capacity", "30")
    page.click("button:has-text('Create the event')")
    page.wait_for_url(re.compile(r"/events/\d+/manage$"))
    expect(page.locator("h1")).to_have_text("Austausch der Koordinator:innen im Oktober")
    expect(page.locator(".flash-success")).to_contain_text("invited to the event")
