"""Every mail a registrant or invitee gets, received by a real SMTP server (aiosmtpd) and read
as Outlook, Gmail and Apple Mail do: the calendar part (iTIP) passes
`ics-check --itip --strict --recipient <the addressee>`, a change of time or place is a REQUEST
with the new time, only the people of a changed date hear of it, and each mail speaks the
language its addressee registered in (issue 13)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.events import recurrence
from app.events import service as events
from app.events.models import Event
from app.mail import outbox
from app.mail.letters import IMAGE_CID
from app.registrations import invitations, notifications
from app.registrations import service as registrations
from app.registrations.models import Registration, RegistrationSettings
from tests.mails import calendar_of, calendar_part, itip_check

UTC = timezone.utc


def _future(days: int, hour: int) -> datetime:
    """A Berlin wall-clock time `days` from today (the tests must not age)."""
    today = recurrence.to_local(datetime.now(UTC), "Europe/Berlin").date() + timedelta(days=days)
    return recurrence.to_utc(datetime(today.year, today.month, today.day, hour), "Europe/Berlin")


def _event(network, title="Workshop: Bewerben, aber wie?", days=30, capacity=None, **fields) -> Event:
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title=title, status="published", visibility="public",
                  timezone="Europe/Berlin", languages="de", venue_name="Rathaus", venue_address="Alter Markt 6")
    start = _future(days, 15)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2), **fields)
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, capacity=capacity, waiting_list=True, reminder_days=2))
    db.session.commit()
    return event


def _register(client, event, name, email, lang="en", at=""):
    response = client.post(f"/events/{event.id}/register", headers={"Accept-Language": lang},
                           data={"name": name, "email": email, "organization_id": "0", "at": at})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _delivered(inbox) -> dict[str, list]:
    outbox.work(once=True)
    by_recipient: dict[str, list] = {}
    for message in inbox.messages:
        by_recipient.setdefault(message["To"], []).append(message)
    inbox.messages.clear()
    return by_recipient


def _vevent(message):
    [vevent] = calendar_of(message).walk("VEVENT")
    return vevent


@pytest.fixture
def network(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    make.user("coord@example.org", coordinates=[network])
    db.session.commit()
    return network


@pytest.fixture
def organizer(app, network, make):
    client = app.test_client()
    make.login(client, "coord@example.org")
    return client


def test_a_time_change_of_a_single_event_is_a_request_with_the_new_time(client, network, smtp_server):
    """Finding 1: registrants got "Cancelled" with METHOD:CANCEL and the old time."""
    _port, inbox = smtp_server
    event = _event(network)
    _register(client, event, "Ana Müller", "ana@example.org")
    [confirmation] = _delivered(inbox)["ana@example.org"]
    confirmed = _vevent(confirmation)
    assert calendar_part(confirmation).get_param("method") == "REQUEST"
    itip_check(confirmation)

    new_start = event.starts_at + timedelta(hours=1)
    events.save(event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    events.announce(event)
    db.session.commit()
    [change] = _delivered(inbox)["ana@example.org"]
    assert change["Subject"].startswith("Changed:")
    assert calendar_part(change).get_param("method") == "REQUEST"
    changed = _vevent(change)
    assert changed["DTSTART"].dt == new_start.astimezone(changed["DTSTART"].dt.tzinfo)
    assert str(changed["UID"]) == str(confirmed["UID"]) and "RECURRENCE-ID" not in changed
    assert int(changed["SEQUENCE"]) > int(confirmed["SEQUENCE"])
    assert changed["STATUS"] == "CONFIRMED"
    itip_check(change)

    events.cancel(event, "Der Raum ist nicht frei.")
    events.announce(event)
    db.session.commit()
    [cancellation] = _delivered(inbox)["ana@example.org"]
    assert calendar_part(cancellation).get_param("method") == "CANCEL"
    cancelled = _vevent(cancellation)
    assert cancelled["STATUS"] == "CANCELLED" and int(cancelled["SEQUENCE"]) > int(changed["SEQUENCE"])
    assert "Der Raum ist nicht frei." in cancellation.get_body(("plain",)).get_content()
    itip_check(cancellation)


def test_one_changed_date_of_a_series_mails_only_its_people(client, organizer, network, smtp_server):
    """Finding 2: moving or cancelling one date mailed everyone of the series, every time."""
    _port, inbox = smtp_server
    series = _event(network, "Ehrenamtscafé", repeat="weekly", repeat_count=6)
    first, second, third = recurrence.following(series, series.changes, datetime.now(UTC), 3)
    _register(client, series, "Ana", "ana@example.org", at=first.key)
    _register(client, series, "Ben", "ben@example.org", at=second.key)
    _register(client, series, "Cem", "cem@example.org", at=third.key)
    _delivered(inbox)

    organizer.post(f"/events/{series.id}/occurrences/{second.key}/cancel", data={"reason": "Ferien"})
    mails = _delivered(inbox)
    assert list(mails) == ["ben@example.org"]
    [cancellation] = mails["ben@example.org"]
    assert calendar_part(cancellation).get_param("method") == "CANCEL"
    vevent = _vevent(cancellation)
    assert vevent["RECURRENCE-ID"].dt == second.original_start.astimezone(vevent["RECURRENCE-ID"].dt.tzinfo)
    assert "Ferien" in cancellation.get_body(("plain",)).get_content()
    itip_check(cancellation)

    local_start = recurrence.to_local(third.starts_at, "Europe/Berlin")
    organizer.post(f"/events/{series.id}/occurrences/{third.key}/move",
                   data={"start_date": local_start.strftime("%Y-%m-%d"), "start_time": "17:00", "end_date": "",
                         "end_time": "19:00", "reason": "Später"})
    mails = _delivered(inbox)
    assert list(mails) == ["cem@example.org"]
    [moved] = mails["cem@example.org"]
    assert calendar_part(moved).get_param("method") == "REQUEST"
    vevent = _vevent(moved)
    assert vevent["RECURRENCE-ID"].dt == third.original_start.astimezone(vevent["RECURRENCE-ID"].dt.tzinfo)
    assert (vevent["DTSTART"].dt.hour, vevent["DTEND"].dt.hour) == (17, 19)
    itip_check(moved)


def test_requests_and_cancels_name_the_organizer_and_the_addressee(client, network, smtp_server):
    """Finding 3: no ATTENDEE anywhere, and no ORGANIZER when the organization has no address."""
    _port, inbox = smtp_server
    event = _event(network)
    _register(client, event, "Ana Müller, geb. Schulz", "Ana@Example.org")
    [mail] = _delivered(inbox)["ana@example.org"]
    vevent = _vevent(mail)
    assert str(vevent["ORGANIZER"]) == "mailto:treffpunkt@localhost"  # the sender, for the network
    assert vevent["ORGANIZER"].params["CN"] == "Netzwerk Magdeburg"
    assert str(vevent["ATTENDEE"]) == "mailto:ana@example.org"
    assert vevent["ATTENDEE"].params["CN"] == "Ana Müller, geb. Schulz"
    assert (vevent["ATTENDEE"].params["PARTSTAT"], vevent["ATTENDEE"].params["RSVP"]) == ("ACCEPTED", "TRUE")
    itip_check(mail)


def test_invitations_carry_a_request_and_reminders_too(app, network, smtp_server):
    """Finding 4: invitation mails carried no calendar part at all."""
    _port, inbox = smtp_server
    event = _event(network, "Arbeitstisch; Runde 3", visibility="invited")
    with app.test_request_context():
        invitations.invite(event, event.starts_at, [invitations.Invitee("Ida Idris", "ida@example.org")])
    db.session.commit()
    [invitation] = _delivered(inbox)["ida@example.org"]
    vevent = _vevent(invitation)
    assert calendar_part(invitation).get_param("method") == "REQUEST"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert "/i/" in invitation.get_body(("plain",)).get_content()
    itip_check(invitation)
    with app.test_request_context():
        assert invitations.remind_invitees(event, event.starts_at, now=datetime.now(UTC) + timedelta(days=2)) == 1
    db.session.commit()
    [reminder] = _delivered(inbox)["ida@example.org"]
    itip_check(reminder)


def test_the_waiting_list_promotion_speaks_the_promoted_persons_language(client, network, smtp_server):
    """Finding 8: a promotion was written in the language of whoever cancelled."""
    _port, inbox = smtp_server
    event = _event(network, capacity=1)
    _register(client, event, "Erika", "erika@example.org", lang="de")
    _register(client, event, "Olena", "olena@example.org", lang="en")
    _delivered(inbox)
    token = db.session.scalar(select(Registration).where(Registration.email == "erika@example.org"))
    cancel_link = registrations.renew_token(token)
    db.session.commit()
    _delivered(inbox)
    client.post(f"/r/{cancel_link}/cancel", headers={"Accept-Language": "de"})
    mails = _delivered(inbox)
    [cancelled] = mails["erika@example.org"]
    [promoted] = mails["olena@example.org"]
    assert cancelled["Subject"].startswith("Abgemeldet: Ihre Anmeldung für")
    assert promoted["Subject"].startswith("You have a place")
    assert "Thursday" in promoted["Subject"] or "day," in promoted["Subject"]  # the date in English too
    assert calendar_part(cancelled).get_param("method") == "CANCEL"
    itip_check(cancelled)
    itip_check(promoted)


def test_the_confirmation_shows_the_check_in_code_and_calendar_links(client, network, smtp_server):
    """Finding 8: the check-in page sends people to "the QR code in the confirmation mail",
    which had none. The HTML part shows it inline (cid:), with the manage link as a button."""
    _port, inbox = smtp_server
    event = _event(network)
    _register(client, event, "Ana", "ana@example.org")
    [mail] = _delivered(inbox)["ana@example.org"]
    html_part = mail.get_body(("html",))
    html = html_part.get_content()
    assert f'src="cid:{IMAGE_CID}"' in html and 'alt="QR code for the check-in"' in html
    [image] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == f"<{IMAGE_CID}>" and image.get_payload(decode=True).startswith(b"\x89PNG")
    assert "See, change or cancel my registration" in html and "/r/" in html
    assert "calendar.google.com" in html and "outlook.live.com" in html and f"/events/{event.id}.ics" in html
    assert html.count("<img") == 1 and "http" not in html.split("<img")[1].split(">")[0]  # nothing remote
    plain = mail.get_body(("plain",)).get_content()
    assert "Rathaus, Alter Markt 6" in plain and "/r/" in plain


def test_reminders_and_the_whole_series_cancelled(client, network, smtp_server):
    _port, inbox = smtp_server
    series = _event(network, "Sprachcafé", days=1, repeat="weekly", repeat_count=4)
    first = recurrence.following(series, series.changes, datetime.now(UTC), 1)[0]
    _register(client, series, "Ana", "ana@example.org", at=first.key)
    _delivered(inbox)
    assert notifications.send_reminders(first.starts_at - timedelta(hours=30)) == 1
    db.session.commit()
    [reminder] = _delivered(inbox)["ana@example.org"]
    assert reminder["Subject"].startswith("Reminder:") and calendar_part(reminder) is None

    events.cancel(series, "Die Reihe endet.")
    events.announce(series)
    db.session.commit()
    [cancellation] = _delivered(inbox)["ana@example.org"]
    assert calendar_part(cancellation).get_param("method") == "CANCEL"
    assert _vevent(cancellation)["RECURRENCE-ID"] is not None
    itip_check(cancellation)
