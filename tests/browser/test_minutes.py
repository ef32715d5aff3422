"""Agenda and minutes of the AG Sprache in a real browser: the autosaved draft that survives a
closed tab, the "changed meanwhile" refusal between two writers, an action item that comes back
on the next agenda until its owner marks it done through the mailed link, the agenda reordered
with buttons and by dragging and published to the event page, and the minutes' way from draft
to public with the archive's search; the plain-form fallbacks without JavaScript. axe at desktop
and phone width, screenshots of each page."""
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import User
from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.directory.models import WorkingGroup
from app.events import recurrence
from app.mail.models import OutboxMail
from app.minutes import agenda as agenda_service, notes as notes_service, records, service
from app.minutes.models import ActionItem, AgendaItem, Meeting, NotesDraft, NotesRevision

from .. import factories
from .conftest import (DESKTOP, PHONE, assert_accessible, assert_same_document, check_page, htmx_idle, log_in,
                       mark_document, no_horizontal_scroll, screenshot)

pytestmark = pytest.mark.browser
BERLIN = "Europe/Berlin"
LEAD = "hoffmann@magdeburg.example"  # the account's name is "Hoffmann"


def _check_both_widths(page, name: str) -> None:
    """axe at 1280 and at 360 px, no sideways scrolling on the phone, and the screenshots."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page) <= PHONE["width"], f"{name}: the page scrolls sideways at 360 px"
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)


def _agenda(meeting: Meeting, vhs: int) -> dict[str, int]:
    """The AG's usual items after those the meeting opened with; their ids by title."""
    items = {}
    for title, minutes, fields in [
        ("Sprachkursangebote 2027", 30, {"presenter_organization_id": vhs}),
        ("Berichte aus den Kursen", 20, {"presenter_name": "Kursleitungen"}),
        ("Verschiedenes", 10, {}),
    ]:
        items[title] = agenda_service.save_item(meeting, None, title=title, planned_minutes=minutes, **fields)
    db.session.flush()
    return {title: item.id for title, item in items.items()}


@pytest.fixture
def ag(magdeburg):
    """The AG Sprache meets monthly at 17:00, a public series of six dates; the first was a
    week ago and has its agenda: the carried-over action items (opened with the meeting) and
    three items. The group has a lead besides the network's coordinator."""
    network = directory.network_or_404(magdeburg.slug)
    group = db.session.get(WorkingGroup, magdeburg.group_ids["Sprache"])
    factories.user(LEAD, leads=[group])
    first = recurrence.to_local(utcnow(), BERLIN).date() - timedelta(days=7)
    first = first.replace(day=min(first.day, 28))  # a weekday that every month has
    event = factories.meeting_event(network, group, title="AG Sprache", repeat=6, visibility="public",
                                    start=factories.local(first.year, first.month, first.day, 17))
    event.venue_name = "Volkshochschule, Raum 2.14"
    meeting = service.open_meeting(event, event.starts_at)
    items = _agenda(meeting, magdeburg.organization_ids["Volkshochschule Magdeburg"])
    db.session.commit()
    data = {"event": event.id, "meeting": meeting.id, "group": group.id, "year": first.year, "items": items,
            "first_day": first}
    db.session.rollback()
    return data


def _next_date(event):
    return recurrence.following(event, event.changes, event.starts_at + timedelta(days=1), 1)[0].original_start


@pytest.fixture
def next_agenda(ag, magdeburg):
    """The next date's agenda, started: it opens with the carried-over action items and the
    approval of the first meeting's minutes (titled in the app's default language, as this
    happens outside a request), then the usual three items."""
    meeting = db.session.get(Meeting, ag["meeting"])
    upcoming = service.open_meeting(meeting.event, _next_date(meeting.event))
    _agenda(upcoming, magdeburg.organization_ids["Volkshochschule Magdeburg"])
    db.session.commit()
    data = {"meeting": upcoming.id, "opening": [item.title for item in upcoming.items[:2]]}
    db.session.rollback()
    return data


def _item(item_id: int) -> AgendaItem:
    db.session.expire_all()
    return db.session.get(AgendaItem, item_id)


# --- Autosave ---------------------------------------------------------------------------------

def test_the_draft_survives_a_closed_tab_and_saving_makes_a_version(page, magdeburg, ag):
    item = ag["items"]["Berichte aus den Kursen"]
    text = "Frau Neumann berichtet: **drei** neue Kurse ab Januar.\n\n- Abendkurs B1\n- Kurs mit Kinderbetreuung"
    log_in(page, magdeburg.coordinator)
    page.goto(f"/meetings/{ag['meeting']}/minutes")
    expect(page.locator(".reg-tabs a[aria-current=page]")).to_have_text("Minutes")
    editor = page.locator(f"#notes-{item}")
    page.fill(f"#notes-text-{item}", text)
    expect(page.locator(f"#notes-preview-{item} strong")).to_have_text("drei")  # the live preview
    expect(page.locator(f"#notes-preview-{item} li")).to_have_count(2)
    status = page.locator(f"#notes-status-{item}")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Draft saved at", timeout=6000)  # two seconds after the typing stops
    draft = db.session.scalar(select(NotesDraft).where(NotesDraft.agenda_item_id == item))
    assert draft.text == text and draft.base_revision == 0
    assert _item(item).notes == ""  # a draft, not yet the minutes
    db.session.rollback()

    # The laptop closes: the tab is gone without saving. Opened again, the text is back.
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(f"/meetings/{ag['meeting']}/minutes")
    editor = page.locator(f"#notes-{item}")
    expect(page.locator(f"#notes-text-{item}")).to_have_value(text)
    expect(editor.locator(".notice")).to_contain_text("This is your draft of")
    expect(editor.locator(".notice")).to_contain_text("which was not saved yet")
    expect(page.locator(f"#notes-preview-{item} strong")).to_have_text("drei")
    # The other items are untouched.
    expect(page.locator(f"#notes-text-{ag['items']['Verschiedenes']}")).to_have_value("")
    page.locator(f"#item-{item}").scroll_into_view_if_needed()
    _check_both_widths(page, "minutes-draft-restored")

    mark_document(page)
    editor.get_by_role("button", name="Save notes").click()
    expect(page.locator(f"#notes-status-{item}")).to_have_text("Saved as version 1.")
    expect(editor.locator(".notice")).to_have_count(0)
    expect(editor).to_contain_text("Version 1, saved by Koordination on")
    expect(page.locator(f"#notes-text-{item}")).to_have_value(text)
    assert_same_document(page)
    saved = _item(item)
    assert (saved.notes, saved.notes_revision) == (text, 1)
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0
    db.session.rollback()

    page.reload()  # no draft any more: the saved text, without the note
    expect(page.locator(f"#notes-text-{item}")).to_have_value(text)
    expect(editor.locator(".notice")).to_have_count(0)

    page.get_by_role("link", name="Versions").click()
    page.wait_for_url("**/versions")
    versions = page.locator(f"#versions-{item}")
    expect(versions.locator(".versions > li")).to_have_count(1)
    expect(versions.locator(".versions > li").first).to_contain_text("Version 1 · Koordination ·")
    expect(versions.locator("ins").first).to_contain_text("drei")  # the first text, as added lines
    expect(page.locator(f"#versions-{ag['items']['Verschiedenes']}")).to_contain_text("No notes saved yet.")
    _check_both_widths(page, "minutes-versions")


# --- The edit conflict --------------------------------------------------------------------------

def test_a_second_save_on_an_old_version_is_refused_with_both_texts(new_page, watch, magdeburg, ag):
    watch.expect_status(422)  # htmx swaps the refusal in; Chromium logs the status
    item = ag["items"]["Sprachkursangebote 2027"]
    theirs = "Die VHS plant **vier** Integrationskurse, zwei davon abends."
    mine = "VHS: vier Kurse geplant.\nOffen: Kinderbetreuung für den Vormittagskurs."
    coordinator, lead = new_page(), new_page()
    log_in(coordinator, magdeburg.coordinator)
    log_in(lead, LEAD)
    for page in (coordinator, lead):  # both open the editor before anyone saved
        page.goto(f"/meetings/{ag['meeting']}/minutes")
        expect(page.locator(f"#notes-text-{item}")).to_have_value("")

    coordinator.fill(f"#notes-text-{item}", theirs)
    coordinator.locator(f"#notes-{item}").get_by_role("button", name="Save notes").click()
    expect(coordinator.locator(f"#notes-status-{item}")).to_have_text("Saved as version 1.")

    mark_document(lead)
    lead.fill(f"#notes-text-{item}", mine)
    editor = lead.locator(f"#notes-{item}")
    editor.get_by_role("button", name="Save notes").click()
    conflict = editor.locator(".conflict")
    expect(conflict).to_have_attribute("role", "alert")
    expect(conflict.locator("h3")).to_contain_text("Changed meanwhile by Koordination at")
    expect(conflict).to_contain_text("Your text was not saved, and nothing was overwritten.")
    expect(conflict.locator(".conflict-theirs strong")).to_have_text("vier")  # theirs, rendered
    expect(lead.locator(f"#notes-theirs-{item}")).to_have_value(theirs)  # and to copy from
    # The lead's own text, still there, and named as theirs for a screen reader.
    expect(lead.get_by_label("Your text: Sprachkursangebote 2027", exact=True)).to_have_value(mine)
    assert_same_document(lead)
    saved = _item(item)
    assert (saved.notes, saved.notes_revision) == (theirs, 1)  # nothing overwritten
    db.session.rollback()
    lead.locator(f"#item-{item}").scroll_into_view_if_needed()
    check_page(lead, "minutes-conflict")

    # Having read theirs, the lead saves on purpose: now based on version 1, it goes through.
    htmx_idle(lead)
    editor.get_by_role("button", name="Save notes").click()
    expect(lead.locator(f"#notes-status-{item}")).to_have_text("Saved as version 2.")
    expect(editor.locator(".conflict")).to_have_count(0)
    expect(editor).to_contain_text("Version 2, saved by Hoffmann on")
    saved = _item(item)
    assert (saved.notes, saved.notes_revision) == (mine, 2)
    authors = db.session.execute(
        select(NotesRevision.number, User.email).join(User, User.id == NotesRevision.author_id)
        .where(NotesRevision.agenda_item_id == item).order_by(NotesRevision.number)).all()
    assert [tuple(row) for row in authors] == [(1, magdeburg.coordinator), (2, LEAD)]
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0
    db.session.rollback()

    coordinator.reload()  # the coordinator sees the lead's version now
    expect(coordinator.locator(f"#notes-text-{item}")).to_have_value(mine)


# --- Action items carry over -------------------------------------------------------------------

def test_an_action_item_comes_back_on_the_next_agenda_until_it_is_done(new_page, magdeburg, ag):
    item = ag["items"]["Sprachkursangebote 2027"]
    due = ag["first_day"] + timedelta(days=21)
    page = new_page()
    log_in(page, magdeburg.coordinator)
    page.goto(f"/meetings/{ag['meeting']}/minutes")
    actions = page.locator(f"#actions-item-{item}")
    actions.locator("summary", has_text="Add an action item").click()
    page.fill(f"#action-new-item-{item}-title", "Flyer zum Sprachcafé ins Ukrainische übersetzen")
    page.select_option(f"#action-new-item-{item}-owner", label="Petra Neumann (Volkshochschule Magdeburg)")
    page.fill(f"#action-new-item-{item}-due_on", due.isoformat())
    mark_document(page)
    actions.get_by_role("button", name="Add the action item").click()
    row = actions.locator(".action-row", has_text="Flyer zum Sprachcafé")
    expect(row).to_contain_text("Who: Petra Neumann (Volkshochschule Magdeburg)")
    expect(row).to_contain_text(f"Due: {format_date(due, 'medium', locale='en')}")
    expect(row.locator(".badge")).to_have_text("Open")
    htmx_idle(page)
    row.get_by_role("button", name="Send link").click()
    expect(row.locator(".flash-success")).to_have_text("The link was sent to p.neumann@vhs-md.example.")
    expect(row.get_by_role("button", name="Send a new link")).to_be_visible()
    assert_same_document(page)
    row.scroll_into_view_if_needed()
    check_page(page, "minutes-action-item")
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == "p.neumann@vhs-md.example"))
    token = re.search(r"/a/([A-Za-z0-9_\-]+)", mail.body).group(1)
    action_id = db.session.scalar(select(ActionItem.id))
    db.session.rollback()

    # The next date of the series, from the event's manage page.
    page.goto(f"/events/{ag['event']}/manage")
    page.get_by_role("link", name="Agenda and minutes of the next date").click()
    page.wait_for_url("**/meeting*")
    check_page(page, "minutes-start")
    page.get_by_role("button", name="Start the agenda").click()
    page.wait_for_url("**/agenda")
    next_meeting = int(re.search(r"/meetings/(\d+)/agenda", page.url).group(1))
    assert next_meeting != ag["meeting"]
    carried = page.locator(".agenda-item").first
    # The agenda's own text is in the installation's language (German), whatever the page's.
    expect(carried.locator(".agenda-title")).to_have_text("Offene Aufgaben aus früheren Sitzungen")
    expect(carried.locator(".agenda-carried li")).to_have_count(1)
    expect(carried.locator(".agenda-carried li")).to_contain_text("Flyer zum Sprachcafé ins Ukrainische übersetzen")
    expect(carried.locator(".agenda-carried .agenda-owner")).to_have_text("· Petra Neumann")
    # The first meeting's minutes are not approved yet: their approval is on the agenda too.
    expect(page.locator(".agenda-item").nth(1).locator(".agenda-title")).to_have_text(
        f"Genehmigung des Protokolls vom {ag['first_day']:%d.%m.%Y}")
    _check_both_widths(page, "minutes-next-agenda")

    # In the next meeting's minutes, the carried item can be followed up.
    page.get_by_role("link", name="Minutes", exact=True).click()
    expect(page.locator("#carried .action-row")).to_contain_text("Flyer zum Sprachcafé")
    expect(page.locator("#carried .action-row")).to_contain_text("From the meeting of")
    check_page(page, "minutes-next-carried")
    page.goto(f"/n/{magdeburg.slug}/groups/{ag['group']}")
    expect(page.locator("#open-actions .action-row")).to_contain_text("Flyer zum Sprachcafé")
    check_page(page, "minutes-group-open-actions")
    page.goto(f"/n/{magdeburg.slug}/action-items")  # the coordinator's follow-up list
    expect(page.locator(".action-row", has_text="Flyer zum Sprachcafé")).to_contain_text(
        f"Due: {format_date(due, 'medium', locale='en')}")
    check_page(page, "minutes-network-action-items")

    # Frau Neumann opens the link from her mail, without an account.
    owner = new_page(viewport=PHONE)
    owner.goto(f"/a/{token}")
    expect(owner.locator("h1")).to_have_text("Your action item")
    expect(owner.locator(".lead")).to_have_text("Flyer zum Sprachcafé ins Ukrainische übersetzen")
    assert no_horizontal_scroll(owner) <= PHONE["width"]
    check_page(owner, "minutes-action-link")
    owner.get_by_role("button", name="Mark as done").click()
    expect(owner.get_by_role("status")).to_contain_text("this action item is marked as done")
    expect(owner.locator(".badge")).to_have_text("Done")
    assert db.session.get(ActionItem, action_id).status == "done"
    db.session.rollback()

    # Gone from the next agenda's carry-over and from the group's open action items.
    page.goto(f"/meetings/{next_meeting}/agenda")
    carried = page.locator(".agenda-item").first
    expect(carried.locator(".agenda-carried")).to_have_count(0)
    expect(carried).to_contain_text("No open action items from earlier meetings.")
    page.goto(f"/n/{magdeburg.slug}/groups/{ag['group']}")
    expect(page.locator("#open-actions")).to_contain_text("No open action items.")


# --- The agenda -----------------------------------------------------------------------------

def _titles(page) -> list[str]:
    return page.locator("#agenda .agenda-title").all_inner_texts()


def _times(page) -> list[str]:
    return page.locator("#agenda .agenda-when time").all_inner_texts()


def test_the_agenda_is_put_in_order_and_published_on_the_event_page(new_page, magdeburg, next_agenda):
    meeting = next_agenda["meeting"]
    carried, approval = next_agenda["opening"]
    page = new_page()
    log_in(page, magdeburg.coordinator)
    page.goto(f"/meetings/{meeting}/agenda")
    expect(page.locator(".reg-tabs a[aria-current=page]")).to_have_text("Agenda")
    expect(page.locator(".agenda-clock")).to_contain_text("Starts at 5:00\u202fPM. Planned: 80 minutes.")
    assert _titles(page) == [carried, approval, "Sprachkursangebote 2027", "Berichte aus den Kursen", "Verschiedenes"]
    assert _times(page) == ["5:00\u202fPM", "5:15\u202fPM", "5:20\u202fPM", "5:50\u202fPM", "6:10\u202fPM"]

    # A new item through the form, swapped in by htmx.
    mark_document(page)
    page.fill("#new-title", "Sprachcafé im Einewelthaus")
    page.select_option("#new-presenter_organization_id", label="Einewelthaus Magdeburg")
    page.fill("#new-planned_minutes", "15")
    page.fill("#new-description", "Start im **Februar**, jeden zweiten Dienstag.")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.locator("#agenda .agenda-item")).to_have_count(6)
    expect(page.locator(".agenda-clock")).to_contain_text("Planned: 95 minutes.")
    expect(page.locator(".agenda-clock")).to_contain_text("Ends at about 6:35\u202fPM.")
    expect(page.locator("#new-title")).to_have_value("")  # a fresh form for the next one
    cafe = page.locator(".agenda-item", has_text="Sprachcafé im Einewelthaus")
    expect(cafe.locator(".agenda-presenter")).to_have_text("Presenter: Einewelthaus Magdeburg")
    expect(cafe.locator(".markdown strong")).to_have_text("Februar")
    expect(cafe.locator("time")).to_have_text("6:20\u202fPM")

    # Up: "Sprachcafé" before "Verschiedenes", and the times follow.
    htmx_idle(page)
    cafe.get_by_role("button", name="Up").click()
    expect(page.locator("#agenda .agenda-title").nth(4)).to_have_text("Sprachcafé im Einewelthaus")
    assert _titles(page)[4:] == ["Sprachcafé im Einewelthaus", "Verschiedenes"]
    assert _times(page)[4:] == ["6:10\u202fPM", "6:25\u202fPM"]
    cafe_id = cafe.get_attribute("data-item-id")
    expect(page.locator(f"#up-{cafe_id}")).to_be_focused()  # the focus stays on the button
    # Down: "Sprachkursangebote" after "Berichte".
    htmx_idle(page)
    page.locator(".agenda-item", has_text="Sprachkursangebote 2027").get_by_role("button", name="Down").click()
    expect(page.locator("#agenda .agenda-title").nth(2)).to_have_text("Berichte aus den Kursen")
    assert _titles(page) == [carried, approval, "Berichte aus den Kursen", "Sprachkursangebote 2027",
                             "Sprachcafé im Einewelthaus", "Verschiedenes"]
    assert _times(page) == ["5:00\u202fPM", "5:15\u202fPM", "5:20\u202fPM", "5:40\u202fPM", "6:10\u202fPM",
                            "6:25\u202fPM"]
    assert_same_document(page)

    # Drag "Verschiedenes" onto the upper half of "Berichte aus den Kursen": it goes before it.
    htmx_idle(page)
    page.set_viewport_size({"width": 1280, "height": 1400})  # both items in view: no scrolling mid-drag
    source = page.locator(".agenda-item", has_text="Verschiedenes").locator(".agenda-when")
    target = page.locator(".agenda-item", has_text="Berichte aus den Kursen")
    target.scroll_into_view_if_needed()
    source.drag_to(target, target_position={"x": 20, "y": 5})
    # The item moves at once; the times follow with the server's answer.
    expect(page.locator("#agenda .agenda-title").nth(2)).to_have_text("Verschiedenes")
    expect(page.locator("#agenda .agenda-when time").nth(3)).to_have_text("5:30\u202fPM")
    order = [carried, approval, "Verschiedenes", "Berichte aus den Kursen", "Sprachkursangebote 2027",
             "Sprachcafé im Einewelthaus"]
    times = ["5:00\u202fPM", "5:15\u202fPM", "5:20\u202fPM", "5:30\u202fPM", "5:50\u202fPM", "6:20\u202fPM"]
    assert _titles(page) == order
    assert _times(page) == times
    expect(page.locator(".agenda-number").nth(2)).to_have_text("Item 3")
    assert_same_document(page)
    page.set_viewport_size(DESKTOP)
    saved = sorted(db.session.get(Meeting, meeting).items, key=lambda item: item.position)
    assert [item.title for item in saved] == order  # saved, not only moved on the screen
    db.session.rollback()
    _check_both_widths(page, "minutes-agenda")

    # Published, it shows on the event page of that date, to anyone.
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.locator("#publish")).to_contain_text("Published on")
    expect(page.locator(".event-status")).to_contain_text("Agenda: Published")
    page.locator("#publish").get_by_role("link", name="Event page").click()
    page.wait_for_url("**/events/*")
    visitor = new_page(viewport=PHONE)
    visitor.goto(page.url)
    agenda = visitor.locator(".event-agenda")
    expect(agenda.locator(".agenda-title")).to_have_text(order)
    expect(agenda.locator("time")).to_have_text(times)
    expect(agenda.locator(".agenda-presenter").first).to_have_text("Presenter: Kursleitungen")
    expect(agenda.locator("button")).to_have_count(0)  # none of the organizer's controls
    assert no_horizontal_scroll(visitor) <= PHONE["width"]
    check_page(visitor, "minutes-event-agenda")


# --- From draft to public, and the archive ------------------------------------------------------

@pytest.fixture
def written(ag, magdeburg):
    """The first meeting's notes and a decision, written during the meeting, and someone who
    came (the minutes go to them for corrections); the next date's agenda is started (so the
    minutes can be approved there)."""
    from app.registrations.models import Registration
    from app.registrations.service import new_token

    coordinator = db.session.scalar(select(User).where(User.email == magdeburg.coordinator))
    meeting = db.session.get(Meeting, ag["meeting"])
    db.session.add(Registration(event_id=meeting.event_id, occurrence_start=meeting.occurrence_start,
                                name="Petra Neumann", email="p.neumann@vhs-md.example", status="confirmed",
                                token_hash=new_token()[1]))
    item = db.session.get(AgendaItem, ag["items"]["Sprachkursangebote 2027"])
    notes_service.save(item, coordinator, "Die VHS sucht **Lernpatenschaften** für die Abendkurse.\n\n"
                                          "- Aufruf im Newsletter\n- Infoabend im Januar", 0)
    records.add_decision(meeting, item, "Die AG unterstützt den Aufruf zu Lernpatenschaften.")
    next_meeting = service.open_meeting(meeting.event, _next_date(meeting.event))
    db.session.commit()
    data = {**ag, "next_day": recurrence.to_local(next_meeting.occurrence_start, BERLIN).date()}
    db.session.rollback()
    return data


def test_minutes_go_from_draft_to_public_and_are_found_in_the_archive(new_page, watch, magdeburg, written):
    watch.expect_status(404)  # the draft, asked for anonymously
    meeting = written["meeting"]
    visitor = new_page()
    visitor.goto(f"/minutes/{meeting}")
    expect(visitor.locator("h1")).not_to_contain_text("AG Sprache")  # a draft does not even exist for them

    page = new_page()
    log_in(page, magdeburg.coordinator)
    page.goto(f"/meetings/{meeting}/status")
    expect(page.locator(".reg-tabs a[aria-current=page]")).to_have_text("Send and publish")
    check_page(page, "minutes-workflow-draft")
    page.get_by_role("button", name="Send for corrections").click()
    expect(page.locator(".flash-success")).to_contain_text("Done: Send for corrections.")
    expect(page.locator("#state-heading + p .badge")).to_have_text("Sent for corrections")

    expect(page.locator("#approved_in option:checked")).to_have_text(  # the next meeting, by default
        f"the meeting of {format_date(written['next_day'], 'medium', locale='en')}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Done: Approve.")
    expect(page.locator(".minutes-history")).to_contain_text("Approved")
    check_page(page, "minutes-workflow-approved")

    page.check("#audience-public")
    page.uncheck("#send_mail")  # the mails are tested elsewhere; PDFs for everyone are slow
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Done: Publish.")
    expect(page.locator(".event-status")).to_contain_text("Minutes: Published")
    assert db.session.get(Meeting, meeting).audience == "public"
    db.session.rollback()

    # Anyone can read them now.
    visitor.goto(f"/minutes/{meeting}")
    expect(visitor.locator("main")).to_contain_text("Sprachkursangebote 2027")
    expect(visitor.locator("main strong", has_text="Lernpatenschaften")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(f"Sprache {written['year']}/01")
    expect(visitor.locator("main")).to_contain_text("Die AG unterstützt den Aufruf zu Lernpatenschaften.")
    check_page(visitor, "minutes-read")

    # The group's archive, searched as one types.
    visitor.goto(f"/n/{magdeburg.slug}/archive?group={written['group']}")
    expect(visitor.locator("#archive-results .archive-row")).to_have_count(1)
    mark_document(visitor)
    visitor.fill("#archive-q", "lernpaten")
    expect(visitor.locator("#archive-results .count")).to_have_text("1 meeting found.")
    expect(visitor.locator("#archive-results mark").first).to_have_text(re.compile("^Lernpaten", re.I))
    expect(visitor).to_have_url(re.compile(r"q=lernpaten"))
    assert_same_document(visitor)
    check_page(visitor, "minutes-archive-search")
    visitor.fill("#archive-q", "lernpaten nichtvorhanden")
    expect(visitor.locator("#archive-results .count")).to_have_text(
        "No meeting found for “lernpaten nichtvorhanden”.")
    htmx_idle(visitor)
    visitor.fill("#archive-q", "lernpaten")
    expect(visitor.locator("#archive-results .archive-row")).to_have_count(1)
    visitor.locator(".archive-title a").click()
    visitor.wait_for_url(f"**/minutes/{meeting}")


# --- Without JavaScript ---------------------------------------------------------------------------

def test_without_javascript_the_buttons_and_the_conflict_still_work(new_page, watch, magdeburg, ag):
    watch.expect_status(409)  # the refused save, as a plain form gets it
    item = ag["items"]["Berichte aus den Kursen"]
    coordinator, lead = new_page(java_script_enabled=False), new_page(java_script_enabled=False)
    log_in(coordinator, magdeburg.coordinator)
    log_in(lead, LEAD)

    coordinator.goto(f"/meetings/{ag['meeting']}/agenda")
    coordinator.locator(".agenda-item", has_text="Sprachkursangebote 2027").get_by_role("button", name="Down").click()
    coordinator.wait_for_url("**/agenda#item-*")
    assert _titles(coordinator)[1:] == ["Berichte aus den Kursen", "Sprachkursangebote 2027", "Verschiedenes"]

    lead.goto(f"/meetings/{ag['meeting']}/minutes")  # opened before the coordinator saves
    coordinator.goto(f"/meetings/{ag['meeting']}/minutes")
    coordinator.fill(f"#notes-text-{item}", "Zwei Kurse sind voll.")
    coordinator.locator(f"#notes-{item}").get_by_role("button", name="Save notes").click()
    coordinator.wait_for_url(f"**/minutes#item-{item}")
    expect(coordinator.locator(f"#notes-text-{item}")).to_have_value("Zwei Kurse sind voll.")
    expect(coordinator.locator(f"#notes-{item}")).to_contain_text("Version 1, saved by Koordination on")

    lead.fill(f"#notes-text-{item}", "Warteliste für den B1-Kurs.")
    lead.locator(f"#notes-{item}").get_by_role("button", name="Save notes").click()
    editor = lead.locator(f"#notes-{item}")
    expect(editor.locator(".conflict h3")).to_contain_text("Changed meanwhile by Koordination")
    expect(lead.locator(f"#notes-theirs-{item}")).to_have_value("Zwei Kurse sind voll.")
    expect(lead.locator(f"#notes-text-{item}")).to_have_value("Warteliste für den B1-Kurs.")
    assert _item(item).notes == "Zwei Kurse sind voll."
    db.session.rollback()
    lead.fill(f"#notes-text-{item}", "Zwei Kurse sind voll.\nWarteliste für den B1-Kurs.")
    editor.get_by_role("button", name="Save notes").click()
    lead.wait_for_url(f"**/minutes#item-{item}")
    expect(lead.locator(f"#notes-{item}")).to_contain_text("Version 2, saved by Hoffmann on")
    assert _item(item).notes == "Zwei Kurse sind voll.\nWarteliste für den B1-Kurs."
    db.session.rollback()
