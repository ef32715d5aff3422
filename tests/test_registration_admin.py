"""The organizer's side of registrations: settings, overview, moves, invitations, check-in,
attendance lists, reminders, change notices, the DSGVO purge and export, permissions."""
import csv
import io
import json
import shutil
import subprocess
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.events import service as events
from app.events.models import Event
from app.mail.models import OutboxMail
from app.registrations import admin_service as admin, attendance, invitations, notifications, privacy
from app.registrations import service as registrations
from app.registrations.models import Invitation, Registration, RegistrationSettings

from . import factories


def make_event(network, title="Netzwerktreffen", days=10, capacity=None, status="published", **settings):
    kind = events.kinds(network)[0] if events.kinds(network) else None
    if kind is None:
        events.add_builtin_kinds(network)
        db.session.flush()
        kind = events.kinds(network)[0]
    start = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    event = Event(network_id=network.id, kind_id=kind.id, title=title, timezone="Europe/Berlin", status=status,
                  visibility="public", venue_name="Rathaus, Foyer", venue_address="Alter Markt 6, 39104 Magdeburg")
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.flush()
    admin.save_settings(event, is_open=True, capacity=capacity, waiting_list=True, needs_approval=False,
                        ask_organization=True, retention_days=30, reminder_days=2, **settings)
    db.session.commit()
    return event


def add(event, name, email, organization="", status=None, **kwargs):
    """Someone who registered in English (their mails are written in it)."""
    registration, token, outcome = registrations.register(event, event.starts_at, name, email, None, organization,
                                                          kwargs.pop("answers", {}), status=status, language="en")
    db.session.commit()
    return registration, token


def outbox(recipient=None):
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    if recipient:
        stmt = stmt.where(OutboxMail.recipient == recipient)
    return db.session.scalars(stmt).all()


@pytest.fixture
def network(coordinator):
    return directory.network_or_404("magdeburg")


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


# --- Settings and questions -------------------------------------------------------------

def test_settings_and_questions(english, network):
    event = make_event(network)
    page = english.get(f"/events/{event.id}/registration")
    assert page.status_code == 200 and "Registration is open" in page.get_data(as_text=True)
    response = english.post(f"/events/{event.id}/registration", data={
        "is_open": "y", "opens_at": "2027-03-01T09:00", "closes_at": "2027-03-03T18:00", "capacity": "25",
        "waiting_list": "y", "retention_days": "14", "reminder_days": "3", "privacy_note": "Nur für die Liste."})
    assert response.status_code == 303
    settings = db.session.get(RegistrationSettings, event.id)
    assert (settings.capacity, settings.retention_days, settings.reminder_days) == (25, 14, 3)
    assert settings.needs_approval is False and settings.privacy_note == "Nur für die Liste."
    assert settings.opens_at.hour == 8  # 09:00 in Berlin (winter) is 08:00 UTC
    bad = english.post(f"/events/{event.id}/registration", data={
        "is_open": "y", "opens_at": "2027-03-03T09:00", "closes_at": "2027-03-01T09:00", "retention_days": "30"})
    assert bad.status_code == 422 and "close after it opens" in bad.get_data(as_text=True)

    url = f"/events/{event.id}/registration/questions"
    english.post(url, data={"action": "add", "kind": "text", "label": "Ich brauche eine Übersetzung für:"})
    english.post(url, data={"action": "add", "kind": "single", "label": "Essen", "options": "vegetarisch\nvegan\n",
                            "required": "1"})
    one_option = english.post(url, data={"action": "add", "kind": "multiple", "label": "X", "options": "nur eins"})
    assert one_option.status_code == 422 and "at least two options" in one_option.get_data(as_text=True)
    questions = admin.questions_of(event)
    assert [q.label for q in questions] == ["Ich brauche eine Übersetzung für:", "Essen"]
    assert questions[1].choices == ["vegetarisch", "vegan"] and questions[1].required
    english.post(url, data={"action": "up", "question_id": questions[1].id})
    assert [q.label for q in admin.questions_of(event)] == ["Essen", "Ich brauche eine Übersetzung für:"]
    english.post(url, data={"action": "save", "question_id": questions[0].id, "kind": "yesno",
                            "label": "Dolmetschen nötig?"})
    english.post(url, data={"action": "remove", "question_id": questions[1].id})
    left = admin.questions_of(event)
    assert [(q.label, q.kind) for q in left] == [("Dolmetschen nötig?", "yesno")]


# --- Overview ------------------------------------------------------------------------------

def test_overview_counts_filter_and_bounded_queries(english, network, count_queries):
    event = make_event(network, capacity=3)
    for n in range(5):
        add(event, f"Person {n}", f"p{n}@example.org", organization="VHS" if n % 2 else "Caritas")
    cancelled, _token = add(event, "Weg", "weg@example.org")  # waiting (full)
    admin.cancel(cancelled)
    db.session.commit()
    page = english.get(f"/events/{event.id}/registrations")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 of 3 places taken" in text and "<meter" in text
    counts = admin.status_counts(event, event.starts_at)
    assert (counts["confirmed"], counts["waiting"], counts["cancelled"]) == (3, 2, 1)

    fragment = english.get(f"/events/{event.id}/registrations?status=waiting&q=person", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Person 3" in body and "Person 4" in body and "Person 0" not in body

    few = count_queries(lambda: english.get(f"/events/{event.id}/registrations"))
    for n in range(5, 80):
        add(event, f"Person {n}", f"p{n}@example.org", status="waiting")
    many = count_queries(lambda: english.get(f"/events/{event.id}/registrations"))
    assert many == few, (few, many)


def test_move_approve_decline_cancel(english, network):
    event = make_event(network, capacity=1)
    first, _t = add(event, "Erste", "erste@example.org")
    second, _t = add(event, "Zweite", "zweite@example.org")
    assert second.status == "waiting"
    base = f"/events/{event.id}/registrations"

    full = english.post(f"{base}/{second.id}/confirm", follow_redirects=True)
    assert "The event is full" in full.get_data(as_text=True)
    db.session.refresh(second)
    assert second.status == "waiting"
    english.post(f"{base}/{second.id}/confirm", data={"override": "1"})
    db.session.refresh(second)
    assert second.status == "confirmed"  # over capacity, because the organizer said so
    english.post(f"{base}/{first.id}/waiting")
    db.session.refresh(first)
    assert first.status == "waiting"
    assert any("Waiting list" in m.subject for m in outbox("erste@example.org"))

    english.post(f"{base}/{second.id}/cancel")
    db.session.refresh(first), db.session.refresh(second)
    assert second.status == "cancelled" and first.status == "confirmed"  # moved up by itself

    settings = db.session.get(RegistrationSettings, event.id)
    settings.needs_approval, settings.capacity = True, None
    db.session.commit()
    pending, _t = add(event, "Offen", "offen@example.org")
    other, _t = add(event, "Nein", "nein@example.org")
    assert pending.status == other.status == "pending"
    english.post(f"{base}/{pending.id}/approve")
    english.post(f"{base}/{other.id}/decline")
    db.session.refresh(pending), db.session.refresh(other)
    assert (pending.status, other.status) == ("confirmed", "declined")
    assert any("could not accept" in m.body for m in outbox("nein@example.org"))


def test_manual_add_and_message_all(english, network):
    event = make_event(network, capacity=1)
    add(event, "Erste", "erste@example.org")
    url = f"/events/{event.id}/registrations/add"
    english.post(url, data={"name": "Per Hand", "email": "hand@example.org", "organization_name": "AWO"})
    added = db.session.scalar(select(Registration).where(Registration.email == "hand@example.org"))
    assert added.status == "waiting" and added.organization_name == "AWO"
    english.post(url, data={"name": "Gast", "email": "gast@example.org", "status": "confirmed"})
    assert db.session.scalar(select(Registration.status).where(Registration.email == "gast@example.org")) == "confirmed"
    bad = english.post(url, data={"name": "X", "email": "not-an-address"}, follow_redirects=True)
    assert "valid e-mail address" in bad.get_data(as_text=True)

    before = len(outbox())
    english.post(f"/events/{event.id}/registrations/message", data={"subject": "Raumänderung",
                                                                    "body": "Wir treffen uns im Saal 2."})
    sent = outbox()[before:]
    assert sorted(m.recipient for m in sent) == ["erste@example.org", "gast@example.org", "hand@example.org"]
    assert all(m.subject == "Raumänderung" and "Saal 2" in m.body and "Rathaus, Foyer" in m.body for m in sent)


# --- Invitations ---------------------------------------------------------------------------

def test_invitations_group_network_list_and_reminders(english, network):
    vhs = factories.organization(network, "Volkshochschule Magdeburg")
    jc = factories.organization(network, "Jobcenter Magdeburg")
    directory.save_person(vhs, None, name="Petra Neumann", email="p.neumann@vhs.example")
    directory.save_person(jc, None, name="Sabine Krüger", email="s.krueger@jc.example")
    directory.save_person(jc, None, name="Ohne Mail", email="")
    group = factories.group(network, "Sprache")
    group.organizations.append(vhs)
    event = make_event(network)
    url = f"/events/{event.id}/invitations"

    english.post(url, data={"source": "group", "group_id": group.id})
    assert [i.email for i in invitations.invitations(event, event.starts_at)] == ["p.neumann@vhs.example"]
    english.post(url, data={"source": "network"})
    assert len(invitations.invitations(event, event.starts_at)) == 2  # nobody twice, nobody without address
    response = english.post(url, data={"source": "list", "addresses":
                                       "Lena Brandt <lena@stadt.example>\nkein-at-zeichen\nali@ib.example\n"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "kein-at-zeichen" in text and "other addresses were invited" in text
    rows = invitations.invitations(event, event.starts_at)
    assert {i.email for i in rows} == {"p.neumann@vhs.example", "s.krueger@jc.example", "lena@stadt.example",
                                       "ali@ib.example"}
    assert next(i for i in rows if i.email == "lena@stadt.example").name == "Lena Brandt"
    mail = outbox("lena@stadt.example")[0]
    link = mail.body.strip().splitlines()[-1]
    assert registrations.invitation_by_token(link.rsplit("/", 1)[1]).email == "lena@stadt.example"

    lena = next(i for i in rows if i.email == "lena@stadt.example")
    lena.answer, lena.answered_at = "no", utcnow()
    db.session.commit()
    page = english.get(url).get_data(as_text=True)
    assert "Remind the 3 people" in page
    before = len(outbox())
    english.post(f"{url}/remind")
    assert sorted(m.recipient for m in outbox()[before:]) == ["ali@ib.example", "p.neumann@vhs.example",
                                                              "s.krueger@jc.example"]
    english.post(f"{url}/remind")  # not twice within 24 hours
    assert len(outbox()) == before + 3
    later = invitations.remind_invitees(event, event.starts_at, now=utcnow() + timedelta(hours=25))
    assert later == 3


# --- Check-in --------------------------------------------------------------------------------

def test_check_in_by_tick_and_by_token(english, network):
    event = make_event(network)
    anna, _t = add(event, "Anna", "anna@example.org")
    ben, _token = add(event, "Ben", "ben@example.org")
    token = attendance.checkin_code(ben)  # what Ben's QR code carries
    page = english.get(f"/events/{event.id}/checkin").get_data(as_text=True)
    assert "0 of 2 checked in" in page
    fragment = english.post(f"/events/{event.id}/checkin", data={"registration_id": anna.id, "present": "1"},
                            headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "is-present" in body and 'hx-swap-oob="true"' in body and "1 of 2 checked in" in body
    db.session.refresh(anna)
    assert anna.checked_in_at is not None
    plain = english.post(f"/events/{event.id}/checkin", data={"registration_id": anna.id, "present": "0"})
    assert plain.status_code == 303
    db.session.refresh(anna)
    assert anna.checked_in_at is None

    scanned = english.get(f"/events/{event.id}/checkin/{token}")
    assert scanned.status_code == 200 and "Check in Ben" in scanned.get_data(as_text=True)
    db.session.refresh(ben)
    assert ben.checked_in_at is None  # scanning shows who it is; the button checks in
    english.post(f"/events/{event.id}/checkin", data={"registration_id": ben.id, "present": "1"})
    db.session.refresh(ben)
    assert ben.checked_in_at is not None
    again = english.get(f"/events/{event.id}/checkin/{token}")
    assert "checked in already" in again.get_data(as_text=True)
    assert english.get(f"/events/{event.id}/checkin/forged-token").status_code == 404
    other = make_event(network, title="Anderes")
    assert english.get(f"/events/{other.id}/checkin/{token}").status_code == 404


# --- Attendance list ---------------------------------------------------------------------------

def test_attendance_csv_for_german_excel(english, network):
    event = make_event(network)
    add(event, "=HYPERLINK(\"http://evil\")", "evil@example.org", organization="+49 Verein")
    add(event, "Ärztin Özdemir", "oez@example.org", organization="Caritas")
    response = english.get(f"/events/{event.id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["No.", "Name", "Organization"]
    names = {row[1]: row[2] for row in rows[1:]}
    assert names["'=HYPERLINK(\"http://evil\")"] == "'+49 Verein"
    assert names["Ärztin Özdemir"] == "Caritas"
    with force_locale("de"):  # the number column, not the answer "no" (it said "Nein.")
        german = attendance.attendance_csv(event, event.starts_at).decode("utf-8-sig")
    assert german.startswith("Nr.;Name;Organisation")


def test_attendance_pdf(english, network, tmp_path):
    event = make_event(network, title="Netzwerktreffen Integration")
    add(event, "Grace Mensah", "g@example.org", organization="Afrikanischer Kulturverein")
    response = english.get(f"/events/{event.id}/attendance.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "list.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        for expected in ("Attendance list", "Netzwerktreffen Integration", "Signature", "Grace Mensah",
                         "Afrikanischer Kulturverein", "Rathaus, Foyer", "Netzwerk Magdeburg"):
            assert expected in text, expected


# --- Reminders and change notices ---------------------------------------------------------------

def test_reminders_once_before_the_event(app, network):
    event = make_event(network, days=5)
    registration, _t = add(event, "Anna", "anna@example.org")
    add(event, "Weg", "weg@example.org")[0].status = "cancelled"
    db.session.commit()
    assert notifications.send_reminders(utcnow()) == 0  # 5 days ahead, reminder 2 days before
    soon = event.starts_at - timedelta(days=1)
    assert notifications.send_reminders(soon) == 1
    assert notifications.send_reminders(soon) == 0
    db.session.commit()
    reminder = outbox("anna@example.org")[-1]
    assert reminder.subject.startswith("Erinnerung") or reminder.subject.startswith("Reminder")


def test_change_and_cancel_send_updated_calendar(app, network):
    event = make_event(network)
    add(event, "Anna", "anna@example.org")
    before = len(outbox())
    sequence = event.sequence
    events.save(event, venue_name="Stadtbibliothek")
    events.announce(event)
    db.session.commit()
    changed = outbox()[before:]
    assert len(changed) == 1 and changed[0].ics_method == "REQUEST"
    assert f"SEQUENCE:{sequence + 1}" in changed[0].ics and "Stadtbibliothek" in changed[0].body
    events.cancel(event, "Der Referent ist krank.")
    events.announce(event)
    db.session.commit()
    cancelled = outbox()[-1]
    assert cancelled.ics_method == "CANCEL" and "METHOD:CANCEL" in cancelled.ics
    assert f"SEQUENCE:{sequence + 2}" in cancelled.ics and "Referent ist krank" in cancelled.body


# --- DSGVO ------------------------------------------------------------------------------------------

def test_purge_after_retention_keeps_anonymous_counts(app, network):
    event = make_event(network, days=1)
    question = admin.save_question(event, None, kind="single", label="Essen", options="vegan\nvegetarisch",
                                   required=False)
    db.session.commit()
    anna, _t = add(event, "Anna", "anna@example.org", organization="VHS", answers={str(question.id): "vegan"})
    add(event, "Ben", "ben@example.org", organization="VHS", answers={str(question.id): "vegetarisch"})
    carl, _t = add(event, "Carl", "carl@example.org", organization="Caritas")
    attendance.check_in(anna)
    admin.cancel(carl)
    invitations.invite(event, event.starts_at, [invitations.Invitee("Ida", "ida@example.org")])
    db.session.commit()

    assert privacy.purge_expired(event.ends_at + timedelta(days=29)).events == 0
    result = privacy.purge_expired(event.ends_at + timedelta(days=31))
    db.session.commit()
    assert (result.events, result.registrations, result.invitations) == (1, 3, 1)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    counts = {c.key: c.count for c in privacy.anonymous_counts(event)}
    assert counts["status:confirmed"] == 2 and counts["status:cancelled"] == 1 and counts["checked_in"] == 1
    assert counts["organization:VHS"] == 2 and counts["question:Essen=vegan"] == 1
    assert counts["invitation:none"] == 1
    assert not any("anna" in key.lower() or "@" in key for key in counts)
    assert db.session.get(RegistrationSettings, event.id).purged_at is not None
    assert privacy.purge_expired(event.ends_at + timedelta(days=40)).events == 0  # once


def test_purge_command(app, network):
    event = make_event(network, days=1)
    add(event, "Anna", "anna@example.org")
    event.last_ends_at = event.ends_at = utcnow() - timedelta(days=40)
    event.starts_at = event.ends_at - timedelta(hours=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "1 event(s): 1 registration(s)" in result.output


def test_export_by_email_only_in_own_network(english, network):
    event = make_event(network)
    add(event, "Anna", "anna@example.org", organization="VHS")
    invitations.invite(event, event.starts_at, [invitations.Invitee("Anna", "anna@example.org")])
    elsewhere = factories.network("stendal", "Netzwerk Stendal")
    other_event = make_event(elsewhere, title="Arbeitstisch Stendal")
    add(other_event, "Anna", "anna@example.org")
    db.session.commit()
    response = english.get("/n/magdeburg/privacy/export?email=Anna@Example.org")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.data)
    assert [r["event"] for r in data["registrations"]] == ["Netzwerktreffen"]
    assert data["registrations"][0]["organization"] == "VHS" and len(data["invitations"]) == 1
    assert english.get("/n/stendal/privacy/export?email=anna@example.org").status_code == 403
    assert english.get("/n/magdeburg/privacy/export?email=kaputt").status_code == 422


# --- Permissions ---------------------------------------------------------------------------------------

def test_permissions(client, network):
    event = make_event(network)
    registration, token = add(event, "Anna", "anna@example.org")
    urls = [f"/events/{event.id}/registration", f"/events/{event.id}/registrations",
            f"/events/{event.id}/invitations", f"/events/{event.id}/checkin", f"/events/{event.id}/checkin/{token}",
            f"/events/{event.id}/attendance.csv", f"/events/{event.id}/attendance.pdf",
            "/n/magdeburg/privacy/export?email=anna@example.org"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.post(f"/events/{event.id}/registrations/{registration.id}/cancel").status_code == 302
    stendal = factories.network("stendal", "Netzwerk Stendal")
    factories.user("stendal@example.org", coordinates=[stendal])
    db.session.commit()
    factories.login(client, "stendal@example.org")
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/events/{event.id}/registrations/{registration.id}/cancel").status_code == 403
    assert client.post(f"/events/{event.id}/checkin", data={"registration_id": registration.id,
                                                            "present": "1"}).status_code == 403
    db.session.refresh(registration)
    assert registration.status == "confirmed" and registration.checked_in_at is None
