"""The agenda: items with presenter, planned minutes and the running clock; order by buttons
and by drag; the carry-over item; publishing on the event page and in invitations;
participants' proposals through their personal link; access; harmless Markdown; queries."""
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.extensions import db
from app.core.formatting import local_time
from app.core.types import utcnow
from app.directory import service as directory
from app.events import recurrence
from app.mail.models import OutboxMail
from app.minutes import agenda, service
from app.minutes.models import ActionItem, AgendaItem, Meeting
from app.registrations import admin_service as admin, invitations
from app.registrations import service as registrations
from app.registrations.models import Invitation

from . import factories

HX = {"HX-Request": "true"}
# The carry-over item is written in the installation's language (German), whoever opens the agenda.
CARRY_OVER = "Offene Aufgaben aus früheren Sitzungen"


@pytest.fixture
def network(coordinator):
    return directory.network_or_404("magdeburg")


@pytest.fixture
def anonymous(app):
    return app.test_client()


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


def future_start(days=30, hour=14):
    """14:00 Berlin wall time, some days ahead (proposals need a date still to come)."""
    day = recurrence.to_local(utcnow(), "Europe/Berlin").date() + timedelta(days=days)
    return factories.local(day.year, day.month, day.day, hour)


def open_meeting(network, group=None, start=None, visibility="members", repeat=None, title="AG Sprache"):
    event = factories.meeting_event(network, group, title=title, start=start or future_start(),
                                    visibility=visibility, repeat=repeat)
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()
    return meeting


def add_item(meeting, title, minutes=None, **fields):
    item = agenda.save_item(meeting, None, title=title, planned_minutes=minutes, **fields)
    db.session.commit()
    return item


def titles(meeting):
    db.session.expire_all()
    return [item.title for item in agenda.accepted(agenda.load_items(db.session.get(Meeting, meeting.id)))]


def local_times(client, path):
    """The planned times a page shows, read in German (the 24-hour clock)."""
    client.set_cookie("lang", "de", domain="localhost")
    try:
        page = client.get(path).text
    finally:
        client.set_cookie("lang", "en", domain="localhost")
    return re.findall(r'<time datetime="[^"]+">(\d\d:\d\d)</time>', page.split('id="agenda-heading"')[1])


def english_time(app, moment):
    """A time as English mails and pages show it."""
    with app.test_request_context(), force_locale("en"):
        return local_time(moment, "Europe/Berlin")


def outbox(recipient=None):
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    if recipient:
        stmt = stmt.where(OutboxMail.recipient == recipient)
    return db.session.scalars(stmt).all()


def url(meeting, rest=""):
    return f"/meetings/{meeting.id}/agenda{rest}"


def form(**values):
    data = {"title": "", "description": "", "presenter_person_id": "0", "presenter_organization_id": "0",
            "presenter_name": "", "planned_minutes": ""}
    data.update({key: str(value) for key, value in values.items()})
    return data


# --- Adding, editing, deleting -------------------------------------------------------------

def test_add_edit_delete_with_errors_beside_the_fields(english, network, make):
    vhs = make.organization(network, "VHS Magdeburg")
    erika = directory.save_person(vhs, None, name="Erika Muster", email="erika@vhs.example")
    other = make.network("salzwedel")
    stranger = directory.save_person(make.organization(other, "Fremder Verein"), None, name="Fritz Fremd")
    meeting = open_meeting(network)

    page = english.get(url(meeting))
    assert page.status_code == 200
    assert CARRY_OVER in page.text and "Erika Muster (VHS Magdeburg)" in page.text

    response = english.post(url(meeting, "/items"), data=form(
        title="  Sprachkurse   2026 ", presenter_person_id=erika.id, planned_minutes=30, description="**Kurse**"))
    assert response.status_code == 303
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Sprachkurse 2026"))
    assert (item.presenter_person_id, item.planned_minutes, item.position) == (erika.id, 30, 1)
    assert "<strong>Kurse</strong>" in english.get(url(meeting)).text

    bad_inputs = [
        (form(title=""), "new-title", "Please enter a title."),
        (form(title="x" * 201), "new-title", "At most 200 characters"),
        (form(title="A", planned_minutes=0), "new-planned_minutes", "between 1 and 480"),
        (form(title="A", planned_minutes=999), "new-planned_minutes", "between 1 and 480"),
        (form(title="A", description="x" * 2001), "new-description", "At most 2000 characters"),
        (form(title="A", presenter_name="x" * 201), "new-presenter_name", "At most 200 characters"),
        (form(title="A", presenter_person_id=stranger.id), "new-presenter_person_id", ""),
    ]
    for data, field_id, message in bad_inputs:
        response = english.post(url(meeting, "/items"), data=data)
        assert response.status_code == 422, data
        error = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.text)
        assert error is not None and message in error.group(1), field_id
        assert re.search(rf'aria-describedby="[^"]*{field_id}-error"', response.text), field_id
    assert titles(meeting) == [CARRY_OVER, "Sprachkurse 2026"]
    # A person of another network is refused by the service, too (not only by the select).
    with pytest.raises(service.MinutesError):
        agenda.save_item(db.session.get(Meeting, meeting.id), None, title="A", presenter_person_id=stranger.id)
    db.session.rollback()

    # Inline edit: htmx gets the item as a form, then the whole agenda back.
    edit = english.get(url(meeting, f"/items/{item.id}"), headers=HX)
    assert edit.status_code == 200 and edit.text.lstrip().startswith(f'<li id="item-{item.id}"')
    assert 'value="Sprachkurse 2026"' in edit.text and "<html" not in edit.text
    saved = english.post(url(meeting, f"/items/{item.id}"), headers=HX, data=form(
        title="Sprachkurse für Eltern", presenter_organization_id=vhs.id, presenter_name="mit Dolmetscherin",
        planned_minutes=45))
    assert saved.status_code == 200 and saved.text.lstrip().startswith('<section id="agenda"')
    assert "Sprachkurse für Eltern" in saved.text and "VHS Magdeburg, mit Dolmetscherin" in saved.text
    refused = english.post(url(meeting, f"/items/{item.id}"), headers=HX, data=form(title="", planned_minutes=45))
    assert refused.status_code == 422 and f'id="item-{item.id}-title-error"' in refused.text
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).title == "Sprachkurse für Eltern"
    # Without JavaScript the edit is a page of its own and the save a redirect.
    assert "<html" in english.get(url(meeting, f"/items/{item.id}")).text
    assert english.post(url(meeting, f"/items/{item.id}"), data=form(title="Sprachkurse")).status_code == 303

    # The carry-over item stays (it can only be moved); others go.
    carry = next(i for i in db.session.get(Meeting, meeting.id).items if i.carries_action_items)
    refused = english.post(url(meeting, f"/items/{carry.id}/delete"))
    assert refused.status_code == 422 and "stay on the agenda" in refused.text
    item_id = item.id
    assert english.post(url(meeting, f"/items/{item_id}/delete")).status_code == 303
    assert titles(meeting) == [CARRY_OVER]
    assert english.post(url(meeting, f"/items/{item_id}/delete")).status_code == 404


def test_running_clock_in_local_time(app, english, network):
    # 14:00 in Berlin is 12:00 UTC in summer and 13:00 UTC in winter: the page shows 14:00 both times.
    for start, utc_hour in ((factories.local(2030, 7, 2, 14), 12), (factories.local(2030, 1, 8, 14), 13)):
        meeting = open_meeting(network, start=start, title=f"Treffen {start.month}")
        assert meeting.occurrence_start.hour == utc_hour
        carry = meeting.items[0]
        agenda.save_item(meeting, carry, title=carry.title, planned_minutes=15)
        add_item(meeting, "Bericht", 30, presenter_name="Frau Schulz")
        add_item(meeting, "Verschiedenes", 20)
        assert local_times(english, url(meeting)) == ["14:00", "14:15", "14:45"]
        page = english.get(url(meeting)).text
        assert "Planned: 65 minutes." in page
        assert f"Ends at about {english_time(app, start + timedelta(minutes=65))}." in page
        with app.test_request_context(), force_locale("en"):
            text = agenda.agenda_text(db.session.get(Meeting, meeting.id))
        assert f"Item 2 ({english_time(app, start + timedelta(minutes=15))}, 30 min): Bericht – Frau Schulz" in text

    # Without planned minutes the times after the item are not known.
    meeting = open_meeting(network, start=factories.local(2030, 3, 4, 9), title="Ohne Plan")
    agenda.save_item(meeting, meeting.items[0], title=meeting.items[0].title, planned_minutes=None)
    add_item(meeting, "Danach", 10)
    assert local_times(english, url(meeting)) == ["09:00"]
    assert "are not known yet" in english.get(url(meeting)).text


# --- Order ----------------------------------------------------------------------------------

def test_reorder_by_buttons_including_the_ends(english, network):
    meeting = open_meeting(network)
    first, second = add_item(meeting, "Erstens"), add_item(meeting, "Zweitens")
    carry = CARRY_OVER

    response = english.post(url(meeting, f"/items/{second.id}/move"), data={"direction": "up"})
    assert response.status_code == 303
    assert titles(meeting) == [carry, "Zweitens", "Erstens"]
    # htmx gets the new list, with the moved button's id (focus stays on it).
    response = english.post(url(meeting, f"/items/{second.id}/move"), data={"direction": "up"}, headers=HX)
    assert response.status_code == 200 and f'id="up-{second.id}"' in response.text
    assert titles(meeting) == ["Zweitens", carry, "Erstens"]
    # At either end nothing happens.
    english.post(url(meeting, f"/items/{second.id}/move"), data={"direction": "up"})
    english.post(url(meeting, f"/items/{first.id}/move"), data={"direction": "down"})
    assert titles(meeting) == ["Zweitens", carry, "Erstens"]
    assert english.post(url(meeting, f"/items/{first.id}/move"), data={"direction": "sideways"}).status_code == 400
    positions = [i.position for i in agenda.load_items(db.session.get(Meeting, meeting.id))]
    assert positions == [0, 1, 2]


def test_drag_order_and_refusal_of_foreign_ids(english, network):
    meeting = open_meeting(network)
    carry = meeting.items[0]
    a, b = add_item(meeting, "A"), add_item(meeting, "B")
    elsewhere = add_item(open_meeting(network, title="Andere AG"), "Fremd")

    response = english.post(url(meeting, "/order"), data={"order": f"{b.id},{carry.id},{a.id}"}, headers=HX)
    assert response.status_code == 200 and response.text.lstrip().startswith('<section id="agenda"')
    assert titles(meeting) == ["B", carry.title, "A"]
    for bad in (f"{b.id},{carry.id},{elsewhere.id}", f"{b.id},{carry.id}", f"{b.id},{b.id},{a.id}",
                f"{b.id},{carry.id},{a.id},{elsewhere.id}"):
        assert english.post(url(meeting, "/order"), data={"order": bad}, headers=HX).status_code == 409
    assert english.post(url(meeting, "/order"), data={"order": "1,x"}).status_code == 400
    assert titles(meeting) == ["B", carry.title, "A"]
    db.session.expire_all()
    assert db.session.get(AgendaItem, elsewhere.id).meeting_id != meeting.id


def test_carry_over_lists_open_action_items_live(english, network, make):
    group = make.group(network, "Sprache")
    vhs = make.organization(network, "VHS")
    event = make.meeting_event(network, group, start=future_start(-40), repeat=4)
    first = service.open_meeting(event, event.starts_at)
    db.session.add_all([
        ActionItem(meeting_id=first.id, network_id=network.id, working_group_id=group.id, title="Flyer übersetzen",
                   owner_organization_id=vhs.id, due_on=utcnow().date() - timedelta(days=3)),
        ActionItem(meeting_id=first.id, network_id=network.id, working_group_id=group.id, title="Raum buchen",
                   owner_name="Herr Lange", status="in_progress"),
        ActionItem(meeting_id=first.id, network_id=network.id, working_group_id=group.id, title="Erledigt",
                   status="done"),
    ])
    db.session.flush()
    second_start = recurrence.following(event, event.changes, event.starts_at + timedelta(days=1), 1)[0]
    second = service.open_meeting(event, second_start.original_start)
    db.session.commit()

    page = english.get(url(second)).text
    assert "Flyer übersetzen" in page and "VHS" in page and "Overdue" in page
    assert "Raum buchen" in page and "Herr Lange" in page and "In progress" in page
    assert "Erledigt" not in page
    carry = next(i for i in second.items if i.carries_action_items)
    assert english.post(url(second, f"/items/{carry.id}/move"), data={"direction": "down"}).status_code == 303


# --- Publishing -------------------------------------------------------------------------------

def test_published_agenda_shows_on_the_event_page(anonymous, english, network, make, count_queries):
    erika = directory.save_person(make.organization(network, "VHS"), None, name="Erika Muster")
    event = factories.meeting_event(network, start=future_start(), visibility="public")
    event_url = f"/events/{event.id}"
    before = count_queries(lambda: anonymous.get(event_url))  # the date has no meeting yet
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()
    add_item(meeting, "Sprachkurse im Herbst", 30, presenter_person_id=erika.id, description="Mit *Plan*")

    assert "Sprachkurse im Herbst" not in anonymous.get(event_url).text  # a draft agenda is not shown
    assert "Sprachkurse im Herbst" not in english.get(event_url).text
    assert english.post(url(meeting, "/publish"), data={"action": "publish"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).agenda_published_at is not None

    page = anonymous.get(event_url).text
    assert "Sprachkurse im Herbst" in page and "Erika Muster (VHS)" in page and "<em>Plan</em>" in page
    # The carry-over item is planned with 15 minutes.
    assert local_times(anonymous, event_url) == ["14:00", "14:15"]
    assert count_queries(lambda: anonymous.get(event_url)) - before <= 2

    english.post(url(meeting, "/publish"), data={"action": "unpublish"})
    assert "Sprachkurse im Herbst" not in anonymous.get(event_url).text


def test_members_only_agenda_is_for_organizers_and_series_show_their_date(anonymous, english, network):
    meeting = open_meeting(network, repeat=3)
    add_item(meeting, "Nur intern", 20)
    agenda.publish(db.session.get(Meeting, meeting.id))
    db.session.commit()
    key = service.occurrence_key(meeting)
    assert anonymous.get(f"/events/{meeting.event_id}?at={key}").status_code == 404
    assert "Nur intern" in english.get(f"/events/{meeting.event_id}?at={key}").text
    # The series' other dates, and its overview, do not show this date's agenda.
    event = meeting.event
    other = recurrence.following(event, event.changes, meeting.occurrence_start + timedelta(days=1), 1)[0]
    assert "Nur intern" not in english.get(f"/events/{meeting.event_id}?at={other.key}").text
    assert "Nur intern" not in english.get(f"/events/{meeting.event_id}").text


@pytest.mark.config(BABEL_DEFAULT_LOCALE="en")  # invitations are written in the default language
def test_invitations_carry_the_published_agenda(app, english, network):
    meeting = open_meeting(network)
    carry = meeting.items[0]
    agenda.save_item(meeting, carry, title=carry.title, planned_minutes=10)
    add_item(meeting, "Jahresplanung", 40, presenter_name="Frau Schulz")
    page = f"/events/{meeting.event_id}/invitations?at={service.occurrence_key(meeting)}"

    english.post(page, data={"source": "list", "addresses": "a@example.org"})
    assert "Jahresplanung" not in outbox("a@example.org")[0].body  # not published yet
    agenda.publish(db.session.get(Meeting, meeting.id))
    db.session.commit()
    english.post(page, data={"source": "list", "addresses": "b@example.org"})
    body = outbox("b@example.org")[0].body
    start = meeting.occurrence_start
    assert (f"Agenda\nItem 1 ({english_time(app, start)}, 10 min): Open action items from earlier meetings\n"
            f"Item 2 ({english_time(app, start + timedelta(minutes=10))}, 40 min): Jahresplanung – Frau Schulz\n"
            f"Planned end: {english_time(app, start + timedelta(minutes=50))}") in body
    assert "/i/" in body  # the personal link is still there
    # Reminders carry it as well.
    invitations.remind_invitees(meeting.event, meeting.occurrence_start)
    db.session.commit()
    assert "Jahresplanung" in outbox("a@example.org")[-1].body


# --- Proposals --------------------------------------------------------------------------------

def registered_for(event, email="lena@example.org", name="Lena Berg"):
    if event.registration_settings is None:
        admin.save_settings(event, is_open=True, waiting_list=True, needs_approval=False, ask_organization=True,
                            retention_days=30, reminder_days=None)
    registration, token, _outcome = registrations.register(event, event.starts_at, name, email, None, "", {},
                                                           notify=False)
    db.session.commit()
    return registration, token


def test_proposal_through_the_registration_link(client, network):
    client.set_cookie("lang", "en", domain="localhost")
    event = factories.meeting_event(network, start=future_start())
    db.session.commit()
    registration, token = registered_for(event)
    assert db.session.scalar(select(Meeting)) is None

    page = client.get(f"/r/{token}")
    assert "Propose an agenda item" in page.text
    empty = client.post(f"/r/{token}/proposals", data={"title": " "})
    assert empty.status_code == 422 and 'id="proposal-title-error"' in empty.text
    long = client.post(f"/r/{token}/proposals", data={"title": "A", "description": "x" * 2001})
    assert long.status_code == 422 and 'id="proposal-description-error"' in long.text
    response = client.post(f"/r/{token}/proposals", data={"title": "Kita-Plätze", "description": "Bitte"})
    assert response.status_code == 303 and "done=proposed" in response.location

    meeting = db.session.scalar(select(Meeting))  # opened for the proposal
    proposal = next(i for i in meeting.items if i.status == "proposed")
    assert (proposal.title, proposal.proposed_by_name, proposal.proposed_by_email) == \
        ("Kita-Plätze", "Lena Berg", "lena@example.org")
    assert [i.title for i in meeting.items if i.status == "accepted"] == [CARRY_OVER]
    page = client.get(f"/r/{token}?done=proposed").text
    assert "Kita-Plätze" in page and "Proposed" in page

    # A forged or changed token reveals nothing and changes nothing.
    for forged in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "ü" * 10, "a" * 500):
        assert client.get(f"/r/{forged}").status_code == 404
        assert client.post(f"/r/{forged}/proposals", data={"title": "Spam"}).status_code == 404
    # A cancelled registration proposes nothing more.
    registrations.cancel(db.session.get(type(registration), registration.id), notify=False)
    db.session.commit()
    refused = client.post(f"/r/{token}/proposals", data={"title": "Noch was"},
                          headers={"Cookie": "lang=en"})
    assert refused.status_code == 422 and "takes no proposals" in refused.text
    assert len([i for i in db.session.get(Meeting, meeting.id).items if i.status == "proposed"]) == 1


def test_proposal_through_the_invitation_link_and_only_before_the_date(client, network):
    client.set_cookie("lang", "en", domain="localhost")
    event = factories.meeting_event(network, start=future_start())
    token, token_hash = registrations.new_token()
    db.session.add(Invitation(event_id=event.id, occurrence_start=event.starts_at, email="ida@example.org",
                              name="Ida", token_hash=token_hash))
    db.session.commit()
    assert "Propose an agenda item" in client.get(f"/i/{token}").text
    assert client.post(f"/i/{token}/proposals", data={"title": "Übersetzung"}).status_code == 303
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.status == "proposed"))
    assert (item.title, item.proposed_by_email) == ("Übersetzung", "ida@example.org")

    past = factories.meeting_event(network, title="Vorbei", start=future_start(-3))
    registration, past_token = registered_for(past, "max@example.org", "Max")
    assert "Propose an agenda item" not in client.get(f"/r/{past_token}").text
    assert client.post(f"/r/{past_token}/proposals", data={"title": "Zu spät"}).status_code == 422
    assert db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Zu spät")) is None


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_proposals_are_rate_limited_per_link(client, network):
    event = factories.meeting_event(network, start=future_start())
    _registration, token = registered_for(event)
    answers = [client.post(f"/r/{token}/proposals", data={"title": f"Thema {n}"}).status_code
               for n in range(6)]
    assert answers == [303] * 5 + [429]


def test_accept_and_decline_tell_the_proposer(english, network):
    event = factories.meeting_event(network, start=future_start())
    db.session.commit()
    _registration, token = registered_for(event)
    english.post(f"/r/{token}/proposals", data={"title": "Kita-Plätze"})
    english.post(f"/r/{token}/proposals", data={"title": "Werbung", "description": "Kauft!"})
    meeting = db.session.scalar(select(Meeting))
    add_item(meeting, "Bericht")
    kita, spam = sorted((i for i in meeting.items if i.status == "proposed"), key=lambda i: i.id)

    page = english.get(url(meeting)).text
    assert "Proposals from participants" in page and "Lena Berg" in page and "2 proposals" in page
    assert english.post(url(meeting, f"/proposals/{kita.id}"), data={"action": "accept"}).status_code == 303
    assert titles(meeting)[-1] == "Kita-Plätze"  # at the end of the agenda
    mail = outbox("lena@example.org")[-1]
    assert "Kita-Plätze" in mail.body and "is on the agenda" in mail.body and f"/events/{event.id}" in mail.body

    too_long = english.post(url(meeting, f"/proposals/{spam.id}"), data={"action": "decline", "reason": "x" * 501})
    assert too_long.status_code == 422 and f'id="reason-{spam.id}-error"' in too_long.text
    english.post(url(meeting, f"/proposals/{spam.id}"), data={"action": "decline", "reason": "Keine Werbung."})
    db.session.expire_all()
    assert (db.session.get(AgendaItem, spam.id).status, db.session.get(AgendaItem, spam.id).decline_reason) == \
        ("declined", "Keine Werbung.")
    mail = outbox("lena@example.org")[-1]
    assert "not on the agenda" in mail.body and "Keine Werbung." in mail.body
    # Answered once is answered.
    assert english.post(url(meeting, f"/proposals/{spam.id}"), data={"action": "accept"}).status_code == 404
    assert "Werbung" not in titles(meeting)
    mine = english.get(f"/r/{token}").text
    assert "On the agenda" in mine and "Declined" in mine and "Keine Werbung." in mine


# --- Access, Markdown, queries -------------------------------------------------------------------

def test_other_networks_and_anonymous_visitors_are_refused(app, client, network, make):
    meeting = open_meeting(network)
    item = add_item(meeting, "Intern")
    outsider_network = make.network("salzwedel")
    make.user("other@example.org", coordinates=[outsider_network])
    db.session.commit()
    routes = [("get", url(meeting)), ("post", url(meeting, "/items")), ("get", url(meeting, f"/items/{item.id}")),
              ("post", url(meeting, f"/items/{item.id}")), ("post", url(meeting, f"/items/{item.id}/delete")),
              ("post", url(meeting, f"/items/{item.id}/move")), ("post", url(meeting, "/order")),
              ("post", url(meeting, "/publish")), ("post", url(meeting, f"/proposals/{item.id}"))]
    for method, path in routes:
        response = getattr(client, method)(path, data={"title": "X", "action": "publish", "direction": "up"})
        assert response.status_code == 302 and "/login" in response.location, path
    factories.login(client, "other@example.org")
    for method, path in routes:
        assert getattr(client, method)(path, data={"title": "X", "action": "publish"}).status_code == 403, path
    db.session.expire_all()
    assert titles(meeting) == [CARRY_OVER, "Intern"]
    assert db.session.get(Meeting, meeting.id).agenda_status == "draft"


def test_markdown_comes_out_harmless(anonymous, english, network):
    meeting = open_meeting(network, visibility="public")
    nasty = ("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
             "[klick](javascript:alert(3)) [gut](https://example.org)")
    add_item(meeting, "<b>Titel</b>", 10, description=nasty, presenter_name="<i onmouseover=x>")
    agenda.publish(db.session.get(Meeting, meeting.id))
    db.session.commit()
    for page in (english.get(url(meeting)).text, anonymous.get(f"/events/{meeting.event_id}").text):
        assert "Titel" in page and 'href="https://example.org"' in page
        for bad in ("<script>alert", "<img src=x", 'href="javascript:', "<b>Titel", "<i onmouseover"):
            assert bad not in page, bad
        assert not re.search(r"<[^>]*\son\w+=", page)  # no event-handler attribute in any tag


def test_agenda_page_queries_do_not_grow_with_items(english, network, make, count_queries):
    group = make.group(network, "Sprache")
    event = make.meeting_event(network, group, start=future_start(-40), repeat=3)
    earlier = service.open_meeting(event, event.starts_at)
    meeting = service.open_meeting(event, recurrence.following(
        event, event.changes, event.starts_at + timedelta(days=1), 1)[0].original_start)

    def fill(start, count):
        for n in range(start, start + count):
            organization = make.organization(network, f"Träger {n}")
            person = directory.save_person(organization, None, name=f"Person {n}")
            db.session.flush()
            agenda.save_item(meeting, None, title=f"Punkt {n}", planned_minutes=10, presenter_person_id=person.id,
                             presenter_organization_id=organization.id, description=f"Text *{n}*")
            db.session.add(ActionItem(meeting_id=earlier.id, network_id=network.id, working_group_id=group.id,
                                      title=f"Aufgabe {n}", owner_person_id=person.id,
                                      owner_organization_id=organization.id))
        db.session.commit()

    fill(0, 2)
    few = count_queries(lambda: english.get(url(meeting)))
    fill(2, 20)
    many = count_queries(lambda: english.get(url(meeting)))
    page = english.get(url(meeting)).text
    assert "Punkt 21" in page and "Aufgabe 21" in page
    assert few == many, f"{few} queries with 2 items, {many} with 22"
