"""Answering a date poll in a real browser: on a phone (360 px) and a desktop (1280 px), with
JavaScript (htmx shows an error in place; the reader's own time beside the poll's) and without
(the plain form saves); the radios reached with Tab and chosen with the arrow keys; axe where
JavaScript runs, screenshots everywhere."""
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.extensions import db
from app.directory.models import Network
from app.polls import service
from app.polls.models import PollAnswer

from .conftest import (PHONE, assert_same_document, check_page, htmx_idle, mark_document, no_horizontal_scroll,
                       screenshot)
from tests.factories import local

pytestmark = pytest.mark.browser

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc)
PEOPLE = ["Anna Schmidt", "Bernd Krause", "Olena Kovalenko", "Mehmet Yılmaz"]


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


@pytest.fixture
def poll(magdeburg):
    """An open poll with six dates (one a whole day), four people who answered, and Erika's
    personal link; returns (poll id, Erika's token, her participant id, the option ids)."""
    network = db.session.query(Network).filter_by(slug=magdeburg.slug).one()
    days = [service.Candidate(local(2027, 3, d, 14), local(2027, 3, d, 16)) for d in (2, 4, 9, 11, 16)]
    days.append(service.Candidate(local(2027, 3, 19), local(2027, 3, 20), all_day=True))
    poll = service.create(network, None, None, days, title="Austausch der Koordinierenden in Stendal",
                          venue_name="Rathaus Stendal", venue_address="Markt 1, 39576 Stendal",
                          description="Acht Kommunen, ein Termin: **bitte bis Ende Februar** antworten.",
                          deadline=local(2027, 2, 26, 18), open_link=True)
    db.session.flush()
    for i, name in enumerate(PEOPLE):
        person = service.new_participant(poll, name, f"p{i}@example.org")
        db.session.flush()
        service.save_answers(person, {o.id: ("yes", "maybe", "no")[(i + j) % 3] for j, o in enumerate(poll.options)},
                             name)
    erika = service.new_participant(poll, "Erika Muster", "erika@example.org")
    db.session.commit()
    values = poll.id, service.answer_token(erika), erika.id, [o.id for o in poll.options]
    db.session.rollback()
    return values


def saved(participant_id):
    db.session.rollback()  # read what the server's thread committed
    return dict(db.session.execute(select(PollAnswer.option_id, PollAnswer.answer)
                                   .where(PollAnswer.participant_id == participant_id)).all())


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["360", "1280"])
def test_answer_with_javascript(new_page, watch, poll, viewport):
    watch.expect_status(422)
    _poll_id, token, erika, options = poll
    page = new_page(viewport=viewport, timezone_id="America/New_York")
    page.goto(f"/p/{token}")
    expect(page.locator("h1")).to_have_text("Austausch der Koordinierenden in Stendal")
    # The reader is in New York: beside Berlin's 14:00 their own 08:00 (all-day dates have none).
    expect(page.locator(".poll-local")).to_have_count(5)
    expect(page.locator(".poll-local").first).to_contain_text("Your time")
    expect(page.locator(".poll-local").first).to_contain_text("Mar 2, 8:00")
    assert no_horizontal_scroll(page) <= viewport["width"]
    # Each choice is a big target.
    box = page.locator(".poll-choice").first.bounding_box()
    assert box["height"] >= 44
    check_page(page, "poll-answer")

    # Without a name: the error beside the field, in place, the ticks kept.
    page.fill("#name", "")
    page.locator(f"input[name=answer-{options[0]}][value=yes]").check()
    page.click("text=Save my answers")
    htmx_idle(page)
    expect(page.locator("#name-error")).to_have_text("Please enter your name.")
    expect(page.locator(f"input[name=answer-{options[0]}][value=yes]")).to_be_checked()
    expect(page.locator(".poll-local")).to_have_count(5)  # added again to the swapped-in part
    screenshot(page, "poll-answer-error")

    page.fill("#name", "Erika Muster")
    page.get_by_role("group", name=re.compile("March 4")).get_by_role("radio", name="If need be").check()
    page.click("text=Save my answers")
    page.wait_for_url(re.compile(r"done=saved"))
    expect(page.locator(".flash-success")).to_contain_text("Saved. You can change your answers with this link")
    assert saved(erika) == {options[0]: "yes", options[1]: "maybe"}
    # Who answered: Erika now in the table, marked.
    expect(page.locator(".poll-table tbody tr")).to_have_count(len(PEOPLE) + 1)
    expect(page.locator(".poll-me th")).to_contain_text("Erika Muster")
    check_page(page, "poll-answer-saved")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["360", "1280"])
def test_answer_without_javascript(new_page, poll, viewport):
    _poll_id, token, erika, options = poll
    page = new_page(viewport=viewport, java_script_enabled=False)
    page.goto(f"/p/{token}")
    for option in options[:3]:
        page.locator(f"input[name=answer-{option}][value=no]").check()
    page.locator(f"input[name=answer-{options[5]}][value=yes]").check()
    page.fill("#comment", "Am Freitag nur vormittags.")
    screenshot(page, "poll-answer-nojs")
    page.click("text=Save my answers")
    page.wait_for_url(re.compile(r"done=saved"))
    assert saved(erika) == {options[0]: "no", options[1]: "no", options[2]: "no", options[5]: "yes"}
    expect(page.locator(f"input[name=answer-{options[5]}][value=yes]")).to_be_checked()
    assert no_horizontal_scroll(page) <= viewport["width"]
    screenshot(page, "poll-answer-nojs-saved")


def test_a_tap_saves_and_updates_the_counts_in_place(new_page, poll):
    _poll_id, token, erika, options = poll
    page = new_page(viewport=PHONE)
    page.goto(f"/p/{token}")
    mark_document(page)
    counts = page.locator(f"#counts-{options[2]}")
    expect(counts).to_have_text("1 yes · 1 if need be")
    page.get_by_role("group", name=re.compile("March 9")).get_by_role("radio", name="Yes").check()
    expect(counts).to_have_text("2 yes · 1 if need be · most can so far · your answer is saved")
    assert_same_document(page)
    assert saved(erika) == {options[2]: "yes"}
    # The keyboard stays where it was: arrows go on within the same date.
    expect(page.locator(f"input[name=answer-{options[2]}][value=yes]")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(counts).to_have_text("1 yes · 2 if need be · your answer is saved")
    assert saved(erika) == {options[2]: "maybe"}
    screenshot(page, "poll-answer-tapped")


def test_radios_with_the_keyboard(page, poll):
    _poll_id, token, erika, options = poll
    page.goto(f"/p/{token}")
    page.focus("#name")
    page.keyboard.press("Tab")  # into the first date's group: its first radio
    expect(page.locator(f"input[name=answer-{options[0]}][value=yes]")).to_be_focused()
    page.keyboard.press("ArrowRight")  # arrows move within the group and choose
    expect(page.locator(f"input[name=answer-{options[0]}][value=maybe]")).to_be_checked()
    page.keyboard.press("Tab")  # on to the next date
    expect(page.locator(f"input[name=answer-{options[1]}][value=yes]")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=answer-{options[1]}][value=yes]")).to_be_checked()
    page.focus("#comment")
    page.keyboard.press("Tab")
    expect(page.locator("button", has_text="Save my answers")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=saved"))
    assert saved(erika) == {options[0]: "maybe", options[1]: "yes"}


def test_join_by_the_open_link_on_a_phone(new_page, poll):
    poll_id, _token, _erika, options = poll
    with_app = db.session.get(service.Poll, poll_id)
    open_token = service.open_token(with_app)
    db.session.rollback()
    page = new_page(viewport=PHONE)
    page.goto(f"/p/open/{open_token}")
    page.fill("#name", "Jana Novák")
    page.locator(f"input[name=answer-{options[2]}][value=yes]").check()
    page.click("text=Save my answers")
    page.wait_for_url(re.compile(r"/p/[A-Za-z0-9_-]+\?done=joined$"))
    expect(page.locator(".poll-joined")).to_contain_text("Please bookmark this page")
    expect(page.locator("#personal-link")).to_have_value(re.compile(r"/p/[A-Za-z0-9_-]+$"))
    expect(page.locator("#name")).to_have_value("Jana Novák")
    check_page(page, "poll-answer-joined")


def test_right_to_left_on_a_phone(new_page, poll):
    _poll_id, token, _erika, _options = poll
    page = new_page(viewport=PHONE, locale="ar")
    page.goto(f"/p/{token}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert no_horizontal_scroll(page) <= PHONE["width"]
    screenshot(page, "poll-answer-rtl")
