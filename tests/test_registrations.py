"""The participant's way without an account: register on the event page, the confirmation
page and mail (received by a real SMTP server, its .ics parsed), duplicates, the waiting list
moving up, approval, the manage link, invitations, resend, deleting one's data, and abuse:
honeypot, rate limits, e-mail syntax, length limits, forged tokens."""
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.events import recurrence
from app.events import service as events
from app.events.models import Event
from app.mail import outbox
from app.mail.models import OutboxMail
from app.registrations import invitations, service
from app.registrations.models import Invitation, Question, Registration, RegistrationSettings
from tests.factories import local
from tests.mails import calendar_of, calendar_part

UTC = timezone.utc
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from app.events import public

    monkeypatch.setattr(public, "utcnow", lambda: NOW)
    monkeypatch.setattr(events, "utcnow", lambda: NOW)
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def make_event(network, title="Workshop Interkulturelle Kompetenz", capacity=None, waiting_list=True,
               needs_approval=False, questions=(), **fields):
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title=title, status="published", visibility="public",
                  timezone="Europe/Berlin", languages="de")
    fields.setdefault("venue_name", "Rathaus Magdeburg")
    fields.setdefault("venue_address", "Alter Markt 6, 39104 Magdeburg")
    events.save(event, starts_at=local(2027, 3, 4, 15), ends_at=local(2027, 3, 4, 17), **fields)
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id, capacity=capacity, waiting_list=waiting_list,
                                        needs_approval=needs_approval, retention_days=30))
    for position, (kind, label, options, required) in enumerate(questions):
        db.session.add(Question(event_id=event.id, position=position, kind=kind, label=label, options=options,
                                required=required))
    db.session.commit()
    return event


def post_registration(client, event, name="Erika Muster", email="erika@example.org", lang="en", **extra):
    data = {"name": name, "email": email, "organization_name": "", "at": ""}
    data.update(extra)
    return client.post(f"/events/{event.id}/register", data=data, headers={"Accept-Language": lang})


def token_from(response) -> str:
    """The manage token of the registration a form POST made: from its mail, since the browser
    that registered never gets it (only a confirmation page known by the session)."""
    match = re.search(r"/registered/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    registration = db.session.get(Registration, int(match.group(1)))
    body = db.session.scalars(select(OutboxMail.body).where(OutboxMail.recipient == registration.email)
                              .order_by(OutboxMail.id.desc())).first()
    return re.search(r"/r/([A-Za-z0-9_\-]+)", body).group(1)


def deliver():
    return outbox.work(once=True)


def manage_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/r/([A-Za-z0-9_\-]+)", body).group(1)


def registrations(event):
    return db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.id)).all()


# --- The way through ----------------------------------------------------------------

def test_event_page_shows_the_form_with_privacy_note(app, client, network):
    event = make_event(network, capacity=20)
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/events/%d/register"' % event.id in text
    assert "20 places left." in text
    assert "delete it 30 days after the event" in text
    assert 'name="homepage"' in text and 'tabindex="-1"' in text and 'autocomplete="off"' in text


def test_event_without_settings_shows_no_form(app, client, network):
    event = make_event(network)
    db.session.delete(event.registration_settings)
    db.session.commit()
    text = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "registrations.register" not in text and "/register" not in text
    assert client.post(f"/events/{event.id}/register", data={"name": "x", "email": "x@example.org"}).status_code == 404


def test_event_page_queries_do_not_grow_with_registrations(client, network, make, count_queries):
    """The settings come with the event; the box asks for the questions, the network's
    organizations and the date's count: the same queries for one or forty of each."""
    event = make_event(network, capacity=100, questions=[("text", "Anreise?", "", False)])
    make.organization(network, "Caritas")
    db.session.commit()
    url = f"/events/{event.id}"
    few = count_queries(lambda: client.get(url))
    for n in range(40):
        service.register(event, event.starts_at, f"Person {n}", f"p{n}@example.org", None, "", {}, notify=False)
        make.organization(network, f"Verein {n}")
        db.session.add(Question(event_id=event.id, position=n + 1, kind="text", label=f"Frage {n}"))
    db.session.commit()
    text = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "60 places left." in text and "Verein 39" in text and "Frage 39" in text
    assert count_queries(lambda: client.get(url)) == few <= 6


def test_closed_and_not_yet_open(app, client, network):
    event = make_event(network)
    event.registration_settings.is_open = False
    db.session.commit()
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Registration is closed." in text
    assert post_registration(client, event).status_code == 422
    event.registration_settings.is_open = True
    event.registration_settings.opens_at = NOW + timedelta(days=2)
    db.session.commit()
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Registration opens on" in text
    assert registrations(event) == []


def test_register_confirmation_page_and_mail(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network, capacity=10)
    response = post_registration(client, event)
    assert response.status_code == 302
    token = token_from(response)
    # Committed before the redirect: whoever sees the confirmation page is in the database.
    [registration] = registrations(event)
    assert registration.status == "confirmed" and registration.email == "erika@example.org"
    assert registration.token_hash == service.hash_token(token) and token not in registration.token_hash
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You are registered" in page and "erika@example.org" in page

    assert deliver()["sent"] == 1
    [message] = inbox.messages
    assert message["To"] == "erika@example.org"
    assert event.title in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Thursday, March 4, 2027" in body.replace("\u202f", " ")
    assert "Rathaus Magdeburg" in body and "Alter Markt 6" in body
    assert f"http://localhost/events/{event.id}" in body
    assert f"http://localhost/r/{token}" in body
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid


def test_duplicate_email_makes_no_second_row_and_resends_link(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network, capacity=10)
    first = token_from(post_registration(client, event))
    again = post_registration(client, event, name="Erika M.", email="ERIKA@example.org")
    assert again.status_code == 302 and "/resend" in again.headers["Location"]
    page = client.get(again.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "registered for" in page and "already" in page
    assert len(registrations(event)) == 1
    deliver()
    assert len(inbox.messages) == 2
    renewed = manage_link(inbox.messages[1])
    assert renewed != first
    assert client.get(f"/r/{renewed}").status_code == 200
    assert client.get(f"/r/{first}").status_code == 404  # only the newest link works


def test_full_event_waiting_list_and_promotion(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network, capacity=2)
    responses = [post_registration(client, event, name=f"P{i}", email=f"p{i}@example.org") for i in range(4)]
    tokens = [token_from(response) for response in responses]
    statuses = [r.status for r in registrations(event)]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    page = client.get(responses[3].headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "waiting list at position 2" in page
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The event is full. You can register for the waiting list." in text
    deliver()
    inbox.messages.clear()

    # The first one cancels through the manage link: P2 moves up and is told.
    response = client.post(f"/r/{tokens[0]}/cancel", headers={"Accept-Language": "en"})
    assert response.status_code == 303
    statuses = {r.email: r.status for r in registrations(event)}
    assert statuses == {"p0@example.org": "cancelled", "p1@example.org": "confirmed",
                        "p2@example.org": "confirmed", "p3@example.org": "waiting"}
    assert service.waiting_list_position(registrations(event)[3]) == 1
    deliver()
    by_recipient = {m["To"]: m for m in inbox.messages}
    assert set(by_recipient) == {"p0@example.org", "p2@example.org"}
    promoted = by_recipient["p2@example.org"]
    assert "You have a place" in promoted["Subject"]
    assert calendar_part(promoted).get_param("method") == "REQUEST"
    cancelled = by_recipient["p0@example.org"]
    assert calendar_part(cancelled).get_param("method") == "CANCEL"
    assert service.counts(event, event.starts_at) == {"confirmed": 2, "waiting": 1, "pending": 0, "cancelled": 1}


def test_full_without_waiting_list_refuses(app, client, network):
    event = make_event(network, capacity=1, waiting_list=False)
    post_registration(client, event, email="a@example.org")
    text = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The event is full." in text and "registration-form" not in text
    response = post_registration(client, event, email="b@example.org")
    assert response.status_code == 422
    assert len(registrations(event)) == 1


def test_approval_pending(app, client, network):
    event = make_event(network, capacity=5, needs_approval=True)
    response = post_registration(client, event)
    assert registrations(event)[0].status == "pending"
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "awaiting the organizers" in page
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1


def test_series_registers_per_date(app, client, network):
    event = make_event(network, capacity=1, repeat="weekly", repeat_until=date(2027, 4, 29))
    overview = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Please choose a date" in overview and "registration-form" not in overview
    second = recurrence.to_utc(datetime(2027, 3, 11, 15), "Europe/Berlin")
    key = f"{second:%Y%m%dT%H%M%SZ}"
    assert "registration-form" in client.get(f"/events/{event.id}?at={key}").get_data(as_text=True)
    assert post_registration(client, event, at=key).status_code == 302
    assert post_registration(client, event, at=f"{event.starts_at:%Y%m%dT%H%M%SZ}").status_code == 302
    assert {r.occurrence_start for r in registrations(event)} == {second, event.starts_at}
    assert all(r.status == "confirmed" for r in registrations(event))  # one place per date
    assert post_registration(client, event, at="20270312T140000Z").status_code == 404


# --- The manage link ----------------------------------------------------------------

def test_manage_change_details(app, client, network, make):
    organization = make.organization(network, "Caritas Magdeburg")
    event = make_event(network, questions=[("text", "I need an interpreter for", "", False)])
    db.session.commit()
    question = event_question(event)
    token = token_from(post_registration(client, event, organization_name=" caritas  MAGDEBURG "))
    registration = registrations(event)[0]
    assert registration.organization_id == organization.id and registration.organization_name == "Caritas Magdeburg"
    page = client.get(f"/r/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "My registration" in page and "Caritas Magdeburg" in page
    response = client.post(f"/r/{token}", data={"action": "save", "name": "Erika Musterfrau",
                                                "organization_name": "Verein Miteinander",
                                                f"q{question.id}": "Arabisch"})
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.name == "Erika Musterfrau" and registration.organization_id is None
    assert registration.organization_name == "Verein Miteinander"
    assert json.loads(registration.answers) == {str(question.id): "Arabisch"}


def event_question(event):
    return db.session.scalar(select(Question).where(Question.event_id == event.id))


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%00", "ä" * 10])
def test_forged_token_gets_plain_not_valid_page(app, client, network, token):
    event = make_event(network)
    post_registration(client, event)
    for url in (f"/r/{token}", f"/i/{token}"):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 404
        text = response.get_data(as_text=True)
        assert "Link not valid" in text and "Erika" not in text and event.title not in text
    assert client.post(f"/r/{token}/cancel").status_code == 404
    assert client.post(f"/r/{token}/again").status_code == 404
    assert registrations(event)[0].status == "confirmed"


def test_delete_my_data(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network, capacity=1, questions=[("text", "Dietary needs", "", False)])
    question = event_question(event)
    token = token_from(post_registration(client, event, **{f"q{question.id}": "vegan"}))
    token_from(post_registration(client, event, name="Next", email="next@example.org"))
    response = client.post(f"/r/{token}", data={"action": "delete"})
    assert response.status_code == 422  # not without ticking the box
    response = client.post(f"/r/{token}", data={"action": "delete", "confirm_delete": "1"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "Your data is deleted" in response.get_data(as_text=True)
    gone, promoted = registrations(event)
    assert gone.status == "cancelled" and gone.name == "" and gone.answers == "{}"
    assert "erika" not in gone.email and gone.email.endswith("@invalid")
    assert promoted.status == "confirmed"
    assert client.get(f"/r/{token}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.email == "erika@example.org")) == 0


# --- Bad input and abuse ------------------------------------------------------------

def test_honeypot_pretends_success_and_saves_nothing(app, client, network):
    event = make_event(network)
    response = post_registration(client, event, homepage="http://spam.example")
    assert response.status_code == 302
    assert registrations(event) == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "erika@@example.org", "erika@example..org", ""])
def test_email_syntax(app, client, network, email):
    event = make_event(network)
    response = post_registration(client, event, email=email)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert registrations(event) == []


def test_length_limits(app, client, network):
    event = make_event(network, questions=[("text", "Anything else?", "", False)])
    question = event_question(event)
    for data in ({"name": "x" * 201}, {"organization_name": "o" * 201}, {f"q{question.id}": "t" * 1001},
                 {"email": "a" * 250 + "@example.org"}):
        response = post_registration(client, event, **data)
        assert response.status_code == 422, data
    assert registrations(event) == []


def test_required_questions(app, client, network):
    event = make_event(network, questions=[
        ("single", "Which workshop?", "Sprache\nArbeit", True),
        ("multiple", "Needs", "Rollstuhl\nDolmetschen\nKinderbetreuung", False),
        ("yesno", "Photos allowed?", "", True),
        ("text", "I need an interpreter for", "", True),
    ])
    single, multiple, yesno, text = db.session.scalars(
        select(Question).where(Question.event_id == event.id).order_by(Question.position)).all()
    response = post_registration(client, event, lang="en")
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Please answer this question.") == 3
    response = post_registration(client, event, **{f"q{single.id}": "Tanzen", f"q{yesno.id}": "yes",
                                                   f"q{text.id}": "Arabisch"})
    assert response.status_code == 422  # not one of the choices
    response = client.post(f"/events/{event.id}/register", data={
        "name": "Erika", "email": "erika@example.org",
        f"q{single.id}": "Sprache", f"q{multiple.id}": ["Rollstuhl", "Dolmetschen"], f"q{yesno.id}": "no",
        f"q{text.id}": "Arabisch"})
    assert response.status_code == 302
    answers = json.loads(registrations(event)[0].answers)
    assert answers == {str(single.id): "Sprache", str(multiple.id): ["Rollstuhl", "Dolmetschen"],
                       str(yesno.id): "no", str(text.id): "Arabisch"}


def test_htmx_errors_swap_the_form_fragment(app, client, network):
    event = make_event(network)
    response = client.post(f"/events/{event.id}/register", data={"name": "", "email": "x"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith("<section") and "<html" not in text
    response = client.post(f"/events/{event.id}/register", data={"name": "E", "email": "e@example.org"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "/registered/" in response.headers["HX-Redirect"]


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_rate_limit_per_email(app, client, network):
    event = make_event(network)
    codes = [post_registration(client, event, email="same@example.org").status_code for _ in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_rate_limit_per_ip(app, client, network):
    event = make_event(network)
    codes = [post_registration(client, event, email=f"p{i}@example.org").status_code for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


# --- Resend -------------------------------------------------------------------------

def test_resend_same_answer_for_unknown_addresses(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network)
    post_registration(client, event)
    deliver()
    inbox.messages.clear()
    answers = []
    for email in ("erika@example.org", "nobody@example.org"):
        response = client.post(f"/events/{event.id}/resend", data={"email": email})
        assert response.status_code == 302
        page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
        # The CSRF token is signed with a timestamp: it differs once a second has passed.
        answers.append(re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1…", page))
    assert answers[0] == answers[1]
    deliver()
    assert [m["To"] for m in inbox.messages] == ["erika@example.org"]
    assert client.get(f"/r/{manage_link(inbox.messages[0])}").status_code == 200


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_resend_is_rate_limited(app, client, network):
    event = make_event(network)
    codes = [client.post(f"/events/{event.id}/resend", data={"email": "x@example.org"}).status_code
             for _ in range(4)]
    assert codes == [302, 302, 302, 429]


# --- Invitations --------------------------------------------------------------------

def invite(event, email="gast@example.org", name="Gabi Gast"):
    token, token_hash = service.new_token()
    invitation = Invitation(event_id=event.id, occurrence_start=event.starts_at, email=email, name=name,
                            token_hash=token_hash)
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def test_invitation_yes_registers_prefilled(app, client, network, smtp_server):
    _port, inbox = smtp_server
    event = make_event(network, capacity=5, visibility="invited")
    invitation, token = invite(event)
    page = client.get(f"/i/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="Gabi Gast"' in page and "gast@example.org" in page
    response = client.post(f"/i/{token}", data={"answer": "yes", "name": "Gabi Gast",
                                                "email": "other@example.org"})
    assert response.status_code == 302 and "/registered/" in response.headers["Location"]
    [registration] = registrations(event)
    assert registration.email == "gast@example.org"  # the invited address, not a typed one
    assert registration.invitation_id == invitation.id and registration.status == "confirmed"
    db.session.refresh(invitation)
    assert invitation.answer == "yes"
    deliver()
    assert [m["To"] for m in inbox.messages] == ["gast@example.org"]


def test_invitation_maybe_then_no_cancels(app, client, network):
    event = make_event(network, capacity=5)
    invitation, token = invite(event)
    assert client.post(f"/i/{token}", data={"answer": "maybe"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.answer == "maybe" and registrations(event) == []
    client.post(f"/i/{token}", data={"answer": "yes", "name": "Gabi"})
    assert registrations(event)[0].status == "confirmed"
    assert client.post(f"/i/{token}", data={"answer": "no"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.answer == "no" and registrations(event)[0].status == "cancelled"
    assert client.post(f"/i/{token}", data={"answer": "whatever"}).status_code == 400


# --- The service --------------------------------------------------------------------

def test_service_register_outcomes_and_counts(app, network):
    event = make_event(network, capacity=1, waiting_list=False)
    first, token, outcome = service.register(event, event.starts_at, "A", "a@example.org", None, "", {})
    assert outcome == "confirmed" and len(token) >= 43
    same, renewed, outcome = service.register(event, event.starts_at, "A", "A@Example.org", None, "", {})
    assert same is first and outcome == "exists" and renewed != token
    assert service.register(event, event.starts_at, "B", "b@example.org", None, "", {}) == (None, None, "full")
    db.session.commit()
    assert service.counts(event, event.starts_at) == {"confirmed": 1, "waiting": 0, "pending": 0, "cancelled": 0}
    assert service.by_token(renewed) is first and service.by_token(token) is None
    assert service.by_token(None) is None and service.by_token("") is None


def test_confirmed_registrations_show_a_check_in_code(client, network):
    event = make_event(network)
    token = token_from(post_registration(client, event))
    page = client.get(f"/r/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your check-in code" in page and 'src="data:image/svg+xml' in page


def test_invitation_only_events_take_invitees_only(client, network):
    import re

    from app.mail.models import OutboxMail

    event = make_event(network)
    event.visibility = "invited"
    invitations.invite(event, event.starts_at, [invitations.Invitee("Erika Muster", "erika@example.org")])
    db.session.commit()
    refused = post_registration(client, event, email="walk-in@example.org")
    assert refused.status_code in (404, 422)
    assert registrations(event) == []
    body = db.session.scalar(db.select(OutboxMail.body))
    token = re.search(r"/i/(\S+)", body).group(1)
    answered = client.post(f"/i/{token}", data={"answer": "yes", "name": "Erika Muster"})
    assert answered.status_code in (200, 302, 303)
    assert [r.email for r in registrations(event)] == ["erika@example.org"]
