"""Decisions (numbered per group and year), action items with the owner's "done" link through
the real outbox and SMTP, the network's overdue list, attendance from the check-in, the next
meeting's date and the group page's open action items."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.directory import service as directory
from app.events import recurrence
from app.mail import outbox
from app.minutes import records, service
from app.minutes.models import ActionItem, AttendanceEntry, Decision, Meeting
from app.registrations import attendance
from app.registrations import service as registrations
from tests.concurrency import at_once, needs_postgres
from tests.factories import local

HTMX = {"HX-Request": "true"}


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


@pytest.fixture
def network(coordinator):
    return directory.network_or_404("magdeburg")


def first_item(meeting: Meeting):
    return meeting.items[0]


def dates(event, count):
    return [o.original_start for o in recurrence.following(event, [], event.starts_at, count)]


def add_action(meeting, title, due_on=None, status="open", owner_name="Frau K.", **fields):
    action = records.save_action(meeting, first_item(meeting), None, title=title, owner=fields.pop("owner", ""),
                                 owner_name=owner_name, owner_email=fields.pop("owner_email", ""), due_on=due_on,
                                 status=status)
    return action


# --- Decisions --------------------------------------------------------------------------------

def test_decisions_are_numbered_per_group_and_year(english, network, make):
    sprache = make.group(network, "AG Sprache")
    arbeit = make.group(network, "AG Arbeit")
    series = make.meeting_event(network, sprache, start=local(2026, 11, 10, 14), repeat=3)  # Nov, Dec, Jan
    november, december, january = (service.open_meeting(series, start) for start in dates(series, 3))
    work = make.meeting_event(network, arbeit, title="AG Arbeit", start=local(2026, 12, 1, 10))
    work_meeting = service.open_meeting(work, work.starts_at)
    # 00:30 on New Year's Day in Berlin is still 2026 in UTC: the local year counts.
    new_year = make.meeting_event(network, arbeit, title="AG Arbeit Neujahr", start=local(2027, 1, 1, 0, 30))
    new_year_meeting = service.open_meeting(new_year, new_year.starts_at)
    plenary = make.meeting_event(network, None, title="Netzwerktreffen", start=local(2026, 12, 2, 10))
    plenary_meeting = service.open_meeting(plenary, plenary.starts_at)
    db.session.commit()

    def decide(meeting, text):
        response = english.post(f"/meetings/{meeting.id}/decisions",
                                data={"item_id": first_item(meeting).id, "text": text})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        decision = db.session.scalar(select(Decision).where(Decision.text == text))
        return records.decision_label(decision, decision.meeting)

    assert decide(november, "Kurs A") == "AG Sprache 2026/01"
    assert decide(november, "Kurs B") == "AG Sprache 2026/02"
    assert decide(december, "Kurs C") == "AG Sprache 2026/03"
    assert decide(january, "Kurs D") == "AG Sprache 2027/01"
    assert decide(work_meeting, "Messe") == "AG Arbeit 2026/01"
    assert decide(new_year_meeting, "Neujahr") == "AG Arbeit 2027/01"
    assert decide(plenary_meeting, "Leitbild") == "Netzwerk Magdeburg 2026/01"

    # A deleted decision's number is not moved into: the later ones keep theirs, and go on.
    kurs_b = db.session.scalar(select(Decision.id).where(Decision.text == "Kurs B"))
    english.post(f"/meetings/{november.id}/decisions/{kurs_b}", data={"action": "delete"})
    assert db.session.get(Decision, kurs_b) is None
    assert decide(december, "Kurs E") == "AG Sprache 2026/04"
    page = english.get(f"/meetings/{december.id}/minutes").get_data(as_text=True)
    assert "AG Sprache 2026/03" in page and "AG Sprache 2026/04" in page

    # Change the text; an empty one is refused beside the field, with the page (no JS) or the part (htmx).
    kurs_c = db.session.scalar(select(Decision).where(Decision.text == "Kurs C"))
    english.post(f"/meetings/{december.id}/decisions/{kurs_c.id}", data={"action": "save", "text": "Kurs C *neu*"})
    assert db.session.get(Decision, kurs_c.id).text == "Kurs C *neu*"
    response = english.post(f"/meetings/{december.id}/decisions",
                            data={"item_id": first_item(december).id, "text": " "})
    assert response.status_code == 422 and "Please write down the decision." in response.get_data(as_text=True)
    response = english.post(f"/meetings/{december.id}/decisions", headers=HTMX,
                            data={"item_id": first_item(december).id, "text": ""})
    assert response.status_code == 422
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith("<div class=\"minutes-records\"") and 'aria-invalid="true"' in fragment


@needs_postgres
@pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
def test_decisions_recorded_at_the_same_moment_get_different_numbers(app, network, make):
    group = make.group(network, "AG Sprache")
    event = make.meeting_event(network, group)
    meeting_id = service.open_meeting(event, event.starts_at).id
    db.session.commit()
    db.session.remove()
    def decide(index, meeting):
        return records.add_decision(meeting, meeting.items[0], f"Beschluss {index}").number

    results = at_once(app, 4, decide, prepare=lambda _index: db.session.get(Meeting, meeting_id),
                      request_context=True, timeout=60)
    assert sorted(results) == [1, 2, 3, 4], results
    assert sorted(db.session.scalars(select(Decision.number)).all()) == [1, 2, 3, 4]


# --- Action items and the "done" link ----------------------------------------------------------

def _link_token(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/a/([A-Za-z0-9_\-]+)", body).group(1)


def test_the_owner_marks_an_action_item_done_by_link_without_logging_in(app, english, network, make, smtp_server):
    _port, inbox = smtp_server
    group = make.group(network, "AG Sprache")
    caritas = make.organization(network, "Caritas", email="info@caritas.example")
    erika = directory.save_person(caritas, None, name="Erika Muster", email="erika@example.org")
    event = make.meeting_event(network, group, repeat=3)
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()

    response = english.post(f"/meetings/{meeting.id}/actions", data={
        "item_id": first_item(meeting).id, "title": "Flyer übersetzen", "owner": f"person:{erika.id}",
        "due_on": "2026-04-01", "status": "open"})
    assert response.status_code == 303
    action = db.session.scalar(select(ActionItem))
    assert (action.owner_person_id, action.due_on.isoformat(), action.working_group_id) == (erika.id, "2026-04-01",
                                                                                           group.id)
    assert records.owner_address(action) == "erika@example.org"

    assert english.post(f"/meetings/{meeting.id}/actions/{action.id}", data={"action": "send_link"}).status_code == 303
    assert inbox.messages == []  # through the outbox, not in the request
    assert outbox.work(once=True)["sent"] == 1
    (message,) = inbox.messages
    assert message["To"] == "erika@example.org"
    assert "Flyer übersetzen" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Flyer übersetzen" in body and "AG Sprache" in body and "2026" in body and "April 1, 2026" in body
    token = _link_token(message)
    action = db.session.get(ActionItem, action.id)
    assert action.token_hash == registrations.hash_token(token) and token not in (action.token_hash or "")
    assert action.link_sent_at is not None

    # The owner, not logged in.
    anonymous = app.test_client()
    anonymous.set_cookie("lang", "en", domain="localhost")
    page = anonymous.get(f"/a/{token}").get_data(as_text=True)
    assert "Flyer übersetzen" in page and "AG Sprache" in page and "01.04.2026" in page and "Mark as done" in page
    assert anonymous.post(f"/a/{token}", data={"action": "done"}).status_code == 303
    action = db.session.get(ActionItem, action.id)
    assert action.status == "done" and action.done_at is not None
    page = anonymous.get(f"/a/{token}").get_data(as_text=True)
    assert "Reopen" in page and "Mark as done" not in page
    anonymous.post(f"/a/{token}", data={"action": "reopen"})
    assert db.session.get(ActionItem, action.id).status == "open"

    # Forged, guessed, too long: the same plain page, nothing about the item.
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "ä" * 20, "a" * 101):
        for response in (anonymous.get(f"/a/{forged}"), anonymous.post(f"/a/{forged}", data={"action": "done"})):
            text = response.get_data(as_text=True)
            assert response.status_code == 404 and "Link not valid" in text
            assert "Flyer" not in text and "Erika" not in text
    assert db.session.get(ActionItem, action.id).status == "open"

    # A new link replaces the old one.
    english.post(f"/meetings/{meeting.id}/actions/{action.id}", data={"action": "send_link"})
    outbox.work(once=True)
    new_token = _link_token(inbox.messages[1])
    assert new_token != token
    assert anonymous.get(f"/a/{token}").status_code == 404
    assert anonymous.get(f"/a/{new_token}").status_code == 200


def test_action_items_are_edited_inline_and_refuse_owners_of_other_networks(english, network, make):
    group = make.group(network, "AG Sprache")
    vhs = make.organization(network, "VHS", email="vhs@example.org")
    other = make.network("stendal", "Netzwerk Stendal")
    stranger = directory.save_person(make.organization(other, "Jobcenter Stendal"), None, name="Fremd",
                                     email="fremd@example.org")
    event = make.meeting_event(network, group)
    meeting = service.open_meeting(event, event.starts_at)
    action = add_action(meeting, "Raum buchen", owner_name="Herr L.")
    db.session.commit()
    url = f"/meetings/{meeting.id}/actions/{action.id}"

    form = english.get(url + "?edit=1", headers=HTMX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<li id="action-{action.id}"') and 'name="title"' in form
    assert english.get(url + "?edit=1").status_code == 302  # without htmx: the page with the row as a form
    assert 'name="title" value="Raum buchen"' in english.get(
        f"/meetings/{meeting.id}/minutes?edit={action.id}").get_data(as_text=True)

    response = english.post(url, headers=HTMX, data={"action": "save", "title": "Raum buchen (groß)",
                                                      "owner": f"person:{stranger.id}", "status": "open"})
    assert response.status_code == 422 and "Please choose someone of this network." in response.get_data(as_text=True)
    response = english.post(url, headers=HTMX, data={"action": "save", "title": "Raum buchen (groß)",
                                                      "owner": f"organization:{vhs.id}", "due_on": "2026-05-02",
                                                      "status": "in_progress"})
    assert response.status_code == 200 and "Raum buchen (groß)" in response.get_data(as_text=True)
    action = db.session.get(ActionItem, action.id)
    assert (action.owner_organization_id, action.status, records.owner_address(action)) == (vhs.id, "in_progress",
                                                                                           "vhs@example.org")
    response = english.post(url, headers=HTMX, data={"action": "status", "status": "done"})
    assert "Done" in response.get_data(as_text=True)
    action = db.session.get(ActionItem, action.id)
    assert action.status == "done" and action.done_at is not None

    nobody = add_action(meeting, "Protokoll prüfen", owner_name="Gast ohne Adresse")
    db.session.commit()
    response = english.post(f"/meetings/{meeting.id}/actions/{nobody.id}", headers=HTMX, data={"action": "send_link"})
    assert response.status_code == 422 and "There is no e-mail address" in response.get_data(as_text=True)
    response = english.post(f"/meetings/{meeting.id}/actions", data={"item_id": first_item(meeting).id, "title": ""})
    assert response.status_code == 422 and "Please say what is to be done." in response.get_data(as_text=True)


def test_send_open_links_mails_each_open_item_with_an_address_once(app, network, make):
    group = make.group(network, "AG Sprache")
    event = make.meeting_event(network, group)
    meeting = service.open_meeting(event, event.starts_at)
    with app.test_request_context():
        add_action(meeting, "A", owner_email="a@example.org")
        add_action(meeting, "B", owner_email="b@example.org", status="done")
        add_action(meeting, "C")  # no address
        assert records.send_open_links(meeting) == 1
        assert records.send_open_links(meeting) == 0
    db.session.commit()
    assert [m.recipient for m in db.session.scalars(select(outbox.OutboxMail))] == ["a@example.org"]


# --- Overdue across the network ------------------------------------------------------------------

def test_coordinators_see_what_is_overdue_in_their_own_network(app, english, network, make, count_queries):
    sprache = make.group(network, "AG Sprache")
    arbeit = make.group(network, "AG Arbeit")
    lead = make.user("lead@example.org", leads=[sprache])
    today = records.network_today(network)
    sprache_meeting = service.open_meeting(*_event_and_start(make, network, sprache, "AG Sprache"))
    arbeit_meeting = service.open_meeting(*_event_and_start(make, network, arbeit, "AG Arbeit"))
    plenary_meeting = service.open_meeting(*_event_and_start(make, network, None, "Netzwerktreffen"))
    add_action(sprache_meeting, "Flyer übersetzen", due_on=today - timedelta(days=3))
    add_action(sprache_meeting, "Kursliste schicken", due_on=today + timedelta(days=10))
    add_action(arbeit_meeting, "Messe planen", due_on=today - timedelta(days=1), status="in_progress")
    add_action(arbeit_meeting, "Erledigt und alt", due_on=today - timedelta(days=30), status="done")
    add_action(plenary_meeting, "Leitbild entwerfen")
    other = make.network("stendal", "Netzwerk Stendal")
    make.user("stendal@example.org", coordinates=[other])
    stendal_meeting = service.open_meeting(*_event_and_start(make, other, None, "Arbeitstisch Stendal"))
    add_action(stendal_meeting, "Geheime Aufgabe Stendal", due_on=today - timedelta(days=5))
    db.session.commit()

    page = english.get("/n/magdeburg/action-items").get_data(as_text=True)
    overdue, everything = page.split('id="open-heading"')
    assert "Flyer übersetzen" in overdue and "Messe planen" in overdue
    assert "Kursliste schicken" not in overdue and "Leitbild entwerfen" not in overdue
    assert "Erledigt und alt" not in page and "Stendal" not in page
    for title in ("Flyer übersetzen", "Kursliste schicken", "Messe planen", "Leitbild entwerfen"):
        assert title in everything
    assert everything.index("AG Arbeit") < everything.index("AG Sprache") < everything.index("Network meetings")

    stendal = app.test_client()
    make.login(stendal, "stendal@example.org")
    assert stendal.get("/n/magdeburg/action-items").status_code == 403
    led = app.test_client()
    make.login(led, lead.email)
    assert led.get("/n/magdeburg/action-items").status_code == 403  # coordinators only

    organization = make.organization(network, "Jobcenter", email="jc@example.org")
    erika = directory.save_person(organization, None, name="Erika", email="erika@example.org")
    db.session.flush()
    add_action(sprache_meeting, "Von Erika", due_on=today - timedelta(days=1), owner=f"person:{erika.id}")
    add_action(arbeit_meeting, "Vom Jobcenter", owner=f"organization:{organization.id}")
    db.session.commit()
    few = count_queries(lambda: english.get("/n/magdeburg/action-items"))
    for index in range(15):
        person = directory.save_person(organization, None, name=f"Person {index}", email=f"p{index}@example.org")
        db.session.flush()
        meeting = service.open_meeting(*_event_and_start(make, network, arbeit if index % 2 else sprache,
                                                          f"Treffen {index}", day=index + 1))
        add_action(meeting, f"Aufgabe {index}", due_on=today - timedelta(days=index % 3), owner=f"person:{person.id}")
        add_action(meeting, f"Firma {index}", owner=f"organization:{organization.id}")
    db.session.commit()
    assert count_queries(lambda: english.get("/n/magdeburg/action-items")) == few


def _event_and_start(make, network, group, title, day=1):
    event = make.meeting_event(network, group, title=title, start=local(2026, 2, day, 10))
    return event, event.starts_at


def test_the_group_page_lists_its_open_action_items(english, network, make):
    group = make.group(network, "AG Sprache")
    meeting = service.open_meeting(*_event_and_start(make, network, group, "AG Sprache"))
    today = records.network_today(network)
    add_action(meeting, "Flyer übersetzen", due_on=today - timedelta(days=2))
    add_action(meeting, "Kursliste schicken")
    add_action(meeting, "Schon erledigt", status="done")
    db.session.commit()
    page = english.get(f"/n/magdeburg/groups/{group.id}").get_data(as_text=True)
    section = page.split('id="open-actions"')[1].split("</section>")[0]
    assert "Flyer übersetzen" in section and "Kursliste schicken" in section and "Schon erledigt" not in section
    assert section.count("Overdue") == 1 and "Frau K." in section
    assert f"/meetings/{meeting.id}/minutes#action-" in section


# --- Attendance -----------------------------------------------------------------------------------

def test_attendance_is_taken_over_from_the_check_in_and_counted_per_organization(english, network, make):
    group = make.group(network, "AG Sprache")
    vhs = make.organization(network, "VHS")
    erika = directory.save_person(vhs, None, name="Erika Muster", email="erika@example.org")
    jan = directory.save_person(vhs, None, name="Jan Beispiel", email="jan@example.org")
    db.session.flush()
    group.people.extend([erika, jan])
    event = make.meeting_event(network, group, repeat=3)
    first, second = dates(event, 2)
    meeting = service.open_meeting(event, first)

    def registered(name, email, start=first, organization=None, organization_name="", checked_in=True):
        registration, _token, _outcome = registrations.register(
            event, start, name, email, organization.id if organization else None, organization_name, {}, notify=False)
        if checked_in:
            attendance.check_in(registration)

    registered("Erika Muster", "erika@example.org", organization=vhs)
    registered("Ole Gast", "ole@example.org", organization=vhs)
    registered("Mia Stadt", "mia@example.org", organization_name="Stadtbibliothek")
    registered("Nicht Da", "nicht@example.org", checked_in=False)
    registered("Anderer Termin", "anders@example.org", start=second)
    db.session.commit()
    url = f"/meetings/{meeting.id}/attendance"

    assert english.post(url, data={"action": "take_over"}).status_code == 303
    assert english.post(url, data={"action": "take_over"}).status_code == 303  # again: nobody twice
    entries = records.attendance_of(meeting)
    assert sorted(e.name for e in entries) == ["Erika Muster", "Mia Stadt", "Ole Gast"]
    assert next(e for e in entries if e.name == "Erika Muster").person_id == erika.id  # linked to the member

    page = english.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "3 people present" in page
    assert re.search(r"<td>VHS</td><td>2</td>", page) and re.search(r"<td>Stadtbibliothek</td><td>1</td>", page)
    assert re.search(rf'id="present-{erika.id}"[^>]*checked', page)
    assert not re.search(rf'id="present-{jan.id}"[^>]*checked', page)

    # Tick Jan, untick Erika; add a guest by hand.
    english.post(url, data={"action": "tick", "person_id": [str(jan.id)]})
    names = sorted(e.name for e in records.attendance_of(meeting))
    assert names == ["Jan Beispiel", "Mia Stadt", "Ole Gast"]
    response = english.post(url, headers=HTMX, data={"action": "add", "name": "Frau Gast",
                                                      "organization_name": "Jobcenter"})
    fragment = response.get_data(as_text=True)
    assert "4 people present" in fragment and re.search(r"<td>Jobcenter</td><td>1</td>", fragment)
    assert re.search(r"<td>VHS</td><td>2</td>", fragment)
    assert records.counts(records.attendance_of(meeting)).total == 4
    response = english.post(url, data={"action": "add", "name": ""})
    assert response.status_code == 422 and "Please enter a name." in response.get_data(as_text=True)
    entry = db.session.scalar(select(AttendanceEntry).where(AttendanceEntry.name == "Frau Gast"))
    english.post(url, data={"action": "remove", "entry_id": entry.id})
    assert db.session.scalar(select(func.count()).select_from(AttendanceEntry)) == 3


# --- The next meeting ------------------------------------------------------------------------------

def test_the_next_meeting_is_suggested_from_the_series_and_saved_in_local_time(english, network, make):
    group = make.group(network, "AG Sprache")
    event = make.meeting_event(network, group, start=local(2026, 3, 10, 14), repeat=4)
    meeting = service.open_meeting(event, event.starts_at)
    single = make.meeting_event(network, group, title="Klausur", start=local(2026, 5, 5, 9))
    single_meeting = service.open_meeting(single, single.starts_at)
    db.session.commit()

    page = english.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    # The series' next date: the second Tuesday of the month, at its time.
    assert 'name="next_date" value="2026-04-14"' in page and 'name="next_time" value="14:00"' in page
    assert 'name="next_date" value=""' in english.get(f"/meetings/{single_meeting.id}/minutes").get_data(as_text=True)

    url = f"/meetings/{meeting.id}/next"
    response = english.post(url, data={"next_date": "2026-04-15", "next_time": "16:30", "next_note": "Rathaus, Raum 2"})
    assert response.status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.next_meeting_at == local(2026, 4, 15, 16, 30) and meeting.next_meeting_note == "Rathaus, Raum 2"
    assert 'name="next_time" value="16:30"' in english.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)

    response = english.post(url, data={"next_date": "2026-03-29", "next_time": "02:30"}, headers=HTMX)
    assert response.status_code == 422 and "does not exist" in response.get_data(as_text=True)
    response = english.post(url, data={"next_date": "2026-04-15", "next_time": ""})
    assert response.status_code == 422 and "Please enter a time." in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).next_meeting_at == local(2026, 4, 15, 16, 30)
    english.post(url, data={"action": "clear"})
    assert db.session.get(Meeting, meeting.id).next_meeting_at is None


def test_records_of_another_networks_meeting_are_out_of_reach(app, network, make):
    group = make.group(network, "AG Sprache")
    event = make.meeting_event(network, group)
    meeting = service.open_meeting(event, event.starts_at)
    action = add_action(meeting, "Intern")
    other = make.network("stendal", "Netzwerk Stendal")
    make.user("stendal@example.org", coordinates=[other])
    db.session.commit()
    client = app.test_client()
    make.login(client, "stendal@example.org")
    base = f"/meetings/{meeting.id}"
    for url, data in ((f"{base}/decisions", {"item_id": first_item(meeting).id, "text": "x"}),
                      (f"{base}/actions", {"item_id": first_item(meeting).id, "title": "x", "owner_name": "y"}),
                      (f"{base}/actions/{action.id}", {"action": "status", "status": "done"}),
                      (f"{base}/attendance", {"action": "add", "name": "x"}),
                      (f"{base}/next", {"next_date": "2026-05-01", "next_time": "10:00"})):
        assert client.post(url, data=data).status_code == 403
    assert client.get(f"{base}/actions/{action.id}?edit=1").status_code == 403
    assert db.session.get(ActionItem, action.id).status == "open"
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
