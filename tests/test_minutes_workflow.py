"""The minutes' workflow (draft → review → approved → published), who gets them, the mail
with the PDF through the real outbox and SMTP server, the document, and the network's logo."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.directory import logo
from app.directory import service as directory
from app.directory.service import DirectoryError
from app.mail import outbox
from app.mail.models import OutboxMail
from app.minutes import document, service, workflow
from app.minutes.models import ActionItem, AgendaItem, AttendanceEntry, Decision, Meeting
from app.minutes.service import MinutesError
from app.registrations.models import Invitation, Registration
from app.registrations.service import new_token
from tests.factories import local

SECRET = "Zebrafischkonzept"  # only in the notes: whoever sees it has read the minutes
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")


def _registration(event, start, name, email, status="confirmed"):
    db.session.add(Registration(event_id=event.id, occurrence_start=start, name=name, email=email, status=status,
                                token_hash=new_token()[1]))


def _invitation(event, start, name, email, answer):
    db.session.add(Invitation(event_id=event.id, occurrence_start=start, name=name, email=email, answer=answer,
                              token_hash=new_token()[1]))


def full_meeting(make, network, visibility="members", group_name="Sprache"):
    """A group's meeting (the first of a monthly series of three) with notes, a decision, an
    action item, attendance, registrations and invitations; the next date opened too."""
    group = make.group(network, group_name)
    organization = make.organization(network, f"Volkshochschule {group_name}")
    erika = directory.save_person(organization, None, name="Erika Muster", email="Erika@Example.org")
    group.people.append(erika)
    group.people.append(directory.save_person(organization, None, name="Ohne Adresse", email=""))
    event = make.meeting_event(network, group, title=f"AG {group_name}", start=local(2026, 3, 10, 14), repeat=3,
                               visibility=visibility)
    meeting = service.open_meeting(event, event.starts_at)
    second = local(2026, 4, 10, 14)
    service.open_meeting(event, second)
    item = AgendaItem(position=1, title="Sprachkurse 2026", presenter_name="Frau Kurz",
                      notes=f"**Bericht** der VHS zum {SECRET}.\n\n- Kurse voll\n- Warteliste lang")
    meeting.items.append(item)
    db.session.flush()
    db.session.add(Decision(meeting_id=meeting.id, agenda_item_id=item.id, scope=service.scope_of(meeting),
                            year=2026, number=3, text="Die AG lädt das Jobcenter ein."))
    db.session.add(ActionItem(meeting_id=meeting.id, agenda_item_id=item.id, network_id=network.id,
                              working_group_id=group.id, title="Flyer übersetzen", owner_person_id=erika.id,
                              due_on=date(2026, 4, 1)))
    db.session.add_all([
        AttendanceEntry(meeting_id=meeting.id, name="Erika Muster", organization_name=organization.name),
        AttendanceEntry(meeting_id=meeting.id, name="Ali Kaya", organization_name=organization.name),
        AttendanceEntry(meeting_id=meeting.id, name="Jana Roth", organization_name="Jobcenter"),
        AttendanceEntry(meeting_id=meeting.id, name="Max Krank", organization_name="Caritas", present=False),
    ])
    _registration(event, event.starts_at, "Ali Kaya", "ali@example.org")
    _registration(event, event.starts_at, "Erika Muster", "erika@example.org")  # the group's, other case
    _registration(event, event.starts_at, "Weg Gegangen", "weg@example.org", status="cancelled")
    _registration(event, second, "Andere Sitzung", "april@example.org")
    _invitation(event, event.starts_at, "Jana Roth", "jana@example.org", "yes")
    _invitation(event, event.starts_at, "Nein Danke", "nein@example.org", "no")
    db.session.flush()
    service.reindex(meeting)
    db.session.commit()
    return meeting


@pytest.fixture(autouse=True)
def english(app, client):
    """Pages and texts in English (the default language is German)."""
    client.set_cookie("lang", "en")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def meeting(coordinator, make):
    return full_meeting(make, coordinator.coordinated_networks[0])


def _status(client, meeting, step, **form):
    return client.post(f"/meetings/{meeting.id}/status/{step}", data=form)


def _mails():
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


# --- Recipients -------------------------------------------------------------------------

def test_recipients_of_the_group_and_of_the_network(meeting, make):
    network = meeting.network
    other = make.organization(network, "Caritas Magdeburg")
    directory.save_person(other, None, name="Carla Caritas", email="carla@example.org")
    directory.save_person(other, None, name="Jana Doppelt", email="JANA@example.org")
    outside = make.organization(make.network("stendal"), "Stendaler Verein")
    directory.save_person(outside, None, name="Nicht Mitglied", email="fremd@example.org")
    db.session.commit()

    group = workflow.recipients(meeting, "group")
    assert [(r.email, r.source) for r in group] == [
        ("ali@example.org", "registered"), ("erika@example.org", "registered"),
        ("jana@example.org", "invited")]  # Erika of the group once; no cancelled, no other date, no "no"
    everyone = {r.email.lower() for r in workflow.recipients(meeting, "network")}
    assert everyone == {"ali@example.org", "erika@example.org", "jana@example.org", "carla@example.org"}
    assert {r.email for r in workflow.recipients(meeting, "public")} == {r.email for r in
                                                                         workflow.recipients(meeting, "network")}


def test_the_workflow_page_lists_recipients_before_sending(coordinator_client, meeting):
    page = coordinator_client.get(f"/meetings/{meeting.id}/status")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "3 recipients" in text and "jana@example.org" in text and "weg@example.org" not in text
    assert 'aria-current="page"' in text  # the tab
    assert f'action="/meetings/{meeting.id}/status/review"' in text
    assert f'action="/meetings/{meeting.id}/status/publish"' not in text  # not possible from a draft


# --- Transitions ---------------------------------------------------------------------------

def test_review_is_refused_when_nobody_has_an_address(coordinator_client, coordinator, make):
    """Issue 13: "send for corrections" said done, and marked the minutes sent, with nobody to send to."""
    network = coordinator.coordinated_networks[0]
    group = make.group(network, "Leere AG")
    event = make.meeting_event(network, group, title="AG ohne Adressen", start=local(2026, 3, 12, 14))
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()
    response = _status(coordinator_client, meeting, "review")
    assert response.status_code == 409
    assert "Nobody of this meeting has an e-mail address" in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).minutes_status == "draft" and _mails() == []


def test_review_mails_everyone_the_text_and_the_pdf(coordinator_client, meeting):
    response = _status(coordinator_client, meeting, "review")
    assert response.status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.minutes_status == "review" and meeting.review_sent_at is not None
    minutes_mails = [m for m in _mails() if m.attachment_type == "application/pdf"]
    assert sorted(m.recipient for m in minutes_mails) == ["ali@example.org", "erika@example.org", "jana@example.org"]
    first = minutes_mails[0]
    assert "coord@example.org" in first.body  # corrections go to the organizer
    assert "Item 2: Sprachkurse 2026" in first.body and f"**Bericht** der VHS zum {SECRET}" in first.body
    assert first.attachment.startswith(b"%PDF") and first.attachment_name.endswith("2026-03-10.pdf")
    # The owner of the action item gets the "done" link with it.
    assert any(m.attachment is None and "Flyer übersetzen" in m.body for m in _mails())

    page = coordinator_client.get(f"/meetings/{meeting.id}/status")
    assert "Sent to the participants for corrections" in page.get_data(as_text=True)


def test_wrong_steps_are_refused_and_change_nothing(coordinator_client, meeting):
    for step in ("publish", "withdraw", "draft", "unapprove"):
        response = _status(coordinator_client, meeting, step, audience="group")
        assert response.status_code == 409, step
        assert "is not possible: the minutes are “Draft” now" in response.get_data(as_text=True)
    assert _status(coordinator_client, meeting, "nonsense").status_code == 404
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.minutes_status == "draft" and meeting.published_at is None
    assert _mails() == []

    assert _status(coordinator_client, meeting, "review").status_code == 303
    assert _status(coordinator_client, meeting, "review").status_code == 409  # not twice
    count = len(_mails())
    assert _status(coordinator_client, meeting, "draft").status_code == 303
    assert db.session.get(Meeting, meeting.id).minutes_status == "draft"
    assert len(_mails()) == count  # going back tells nobody


def test_approve_at_the_next_meeting_publish_and_withdraw(coordinator_client, meeting):
    following = service.following_meetings(meeting)
    page = coordinator_client.get(f"/meetings/{meeting.id}/status").get_data(as_text=True)
    assert f'<option value="{following[0].id}" selected>' in page  # the next meeting is the default

    response = _status(coordinator_client, meeting, "approve", approved_in=999999)
    assert response.status_code == 422
    assert "Please choose one of the listed meetings." in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).minutes_status == "draft"

    assert _status(coordinator_client, meeting, "approve", approved_in=following[0].id).status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.minutes_status, meeting.approved_in_id) == ("approved", following[0].id)
    assert meeting.approved_at is not None
    assert "Approved on" in document.status_line(document.build(meeting))

    # A members-only event cannot go public; nothing is saved.
    response = _status(coordinator_client, meeting, "publish", audience="public", send_mail="1")
    assert response.status_code == 422
    assert "Only the minutes of a public event" in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).minutes_status == "approved" and _mails() == []

    assert _status(coordinator_client, meeting, "publish", audience="network", send_mail="1").status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.minutes_status, meeting.audience) == ("published", "network") and meeting.published_at
    assert len([m for m in _mails() if m.attachment_type == "application/pdf"]) == 3
    page = coordinator_client.get(f"/meetings/{meeting.id}/status").get_data(as_text=True)
    assert "These minutes are published." in page  # corrections are possible, with a warning

    assert _status(coordinator_client, meeting, "withdraw").status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.minutes_status == "approved" and meeting.published_at is None
    assert _status(coordinator_client, meeting, "unapprove").status_code == 303
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.minutes_status, meeting.approved_at, meeting.approved_in_id) == ("draft", None, None)


def test_publishing_without_mail_and_approval_not_at_a_meeting(coordinator_client, meeting):
    assert _status(coordinator_client, meeting, "approve", approved_in=0).status_code == 303
    assert db.session.get(Meeting, meeting.id).approved_in_id is None
    assert _status(coordinator_client, meeting, "publish", audience="group").status_code == 303
    assert db.session.get(Meeting, meeting.id).minutes_status == "published"
    assert _mails() == []


def test_a_step_on_a_stale_state_is_refused(app, meeting):
    """Two organizers at once: the second publish finds the state changed and sends nothing."""
    workflow.approve(meeting, None)
    db.session.commit()
    stale = db.session.get(Meeting, meeting.id)
    db.session.execute(Meeting.__table__.update().where(Meeting.id == meeting.id)
                       .values(minutes_status="published"))
    # `stale` still says "approved" in this session.
    with pytest.raises(MinutesError, match="changed these minutes meanwhile"):
        workflow.publish(stale, "group", send_mail=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_a_group_lead_of_another_group_cannot_change_the_state(client, make, meeting):
    other = make.group(meeting.network, "Arbeit")
    make.user("lead@example.org", leads=[other])
    db.session.commit()
    make.login(client, "lead@example.org")
    assert _status(client, meeting, "review").status_code == 403
    assert client.get(f"/meetings/{meeting.id}/status").status_code == 403
    assert db.session.get(Meeting, meeting.id).minutes_status == "draft"


# --- Mail with the PDF through the real SMTP server --------------------------------------

def test_the_pdf_arrives_by_smtp(coordinator_client, meeting, smtp_server):
    _port, inbox = smtp_server
    assert _status(coordinator_client, meeting, "review").status_code == 303
    assert inbox.messages == []  # nothing is sent in the request
    counts = outbox.work(once=True)
    assert counts["sent"] == len(_mails()) and counts["failed"] == 0
    message = next(m for m in inbox.messages if m["To"] == "jana@example.org")
    assert message["Subject"].startswith("Minutes for corrections: AG Sprache")
    assert "Hello Jana Roth," in message.get_body(("plain",)).get_content()
    (part,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    data = part.get_payload(decode=True)
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert part.get_filename() == document.pdf_filename(meeting)


def test_an_ics_mail_still_has_no_other_attachment(app):
    mail = outbox.enqueue("a@example.org", "Hi", "Body", attachment=b"%PDF-1.7", attachment_type="application/pdf",
                          attachment_name="x.pdf")
    assert mail.ics is None and mail.attachment_type == "application/pdf"
    with pytest.raises(ValueError):
        outbox.enqueue("a@example.org", "Hi", "Body", ics="BEGIN:VCALENDAR", attachment=b"x")


# --- The document ----------------------------------------------------------------------------

def test_the_document_in_a_bounded_number_of_queries(app, meeting, count_queries):
    def build():
        db.session.expire_all()
        doc = document.build(db.session.get(Meeting, meeting.id))
        document.as_text(doc)

    few = count_queries(build)
    for number in range(10):  # more items, decisions, actions and people: no more queries
        item = AgendaItem(meeting_id=meeting.id, position=10 + number, title=f"Punkt {number}", notes="Text")
        db.session.add(item)
        db.session.flush()
        db.session.add(Decision(meeting_id=meeting.id, agenda_item_id=item.id, scope=service.scope_of(meeting),
                                year=2026, number=10 + number, text="Beschluss"))
        db.session.add(ActionItem(meeting_id=meeting.id, agenda_item_id=item.id, network_id=meeting.network_id,
                                  title="Aufgabe", owner_name="Jemand"))
        db.session.add(AttendanceEntry(meeting_id=meeting.id, name=f"Person {number}", organization_name="Caritas"))
    assert count_queries(build) == few <= 14


def test_the_plain_text(app, meeting):
    text = document.as_text(document.build(meeting))
    assert "Item 1: Offene Aufgaben aus früheren Sitzungen" in text  # the agenda's text, in German
    assert "Item 2: Sprachkurse 2026" in text and "Presented by: Frau Kurz" in text
    assert "**Bericht** der VHS" in text and "- Warteliste lang" in text  # Markdown source
    assert "Decision Sprache 2026/03: Die AG lädt das Jobcenter ein." in text
    assert "Action item: Flyer übersetzen (Erika Muster (Volkshochschule Sprache), due Apr 1, 2026)" in text
    assert "Attendance: 3 present" in text and "  Volkshochschule Sprache: 2" in text and "Excused: 1" in text
    assert "Draft, not yet approved." in text


def test_the_pdf_has_the_network_name_and_logo(app, meeting):
    network = meeting.network
    logo.set_logo(network, PNG)
    db.session.commit()
    doc = document.build(meeting)
    from flask import render_template

    html = render_template("minutes/pdf.html", logo=logo.logo_data_uri(network), **document.template_context(doc))
    assert network.name in html and 'src="data:image/png;base64,' in html
    assert "Draft – not yet approved" in html and "Decision Sprache 2026/03" in html
    assert "<strong>Bericht</strong>" in html  # Markdown rendered
    data = document.as_pdf(doc)
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_notes_with_script_come_out_harmless(coordinator_client, meeting):
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.position == 1))
    item.notes = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> [klick](javascript:alert(3)) '
                  '<a href="#" onclick="alert(4)">a</a> <!-- comment -->')
    db.session.commit()
    body = coordinator_client.get(f"/minutes/{meeting.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)" in body  # raw HTML shows as text
    assert "<script>alert" not in body and "<img" not in body and 'href="javascript:' not in body
    assert '<a href="#" onclick' not in body and "<!-- comment" not in body
    assert coordinator_client.get(f"/minutes/{meeting.id}.pdf").data.startswith(b"%PDF")


def test_public_minutes_hide_the_names_of_those_present(client, make, coordinator):
    meeting = full_meeting(make, coordinator.coordinated_networks[0], visibility="public")
    meeting.event.status = "published"
    workflow.approve(meeting, None)
    workflow.publish(meeting, "public", send_mail=False)
    db.session.commit()
    body = client.get(f"/minutes/{meeting.id}").get_data(as_text=True)
    assert SECRET in body and "Jobcenter" in body  # counts per organization
    assert "Ali Kaya" not in body and "Max Krank" not in body
    make.login(client, coordinator.email)
    assert "Ali Kaya" in client.get(f"/minutes/{meeting.id}").get_data(as_text=True)  # editors see them


# --- The network's logo -----------------------------------------------------------------------

def test_logo_upload_checks_the_bytes(coordinator_client, coordinator):
    network = coordinator.coordinated_networks[0]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data, name, message in [
        (svg, "logo.png", "Only PNG and JPEG images can be used as a logo."),
        (b"GIF89a" + b"\0" * 20, "logo.gif", "Only PNG and JPEG images can be used as a logo."),
        (PNG[:20], "kaputt.png", "This image file is damaged."),
        (PNG + b"\0" * (500 * 1024), "big.png", "The logo may be at most 500 KB."),
        (b"", "empty.png", "Please choose a PNG or JPEG file."),
    ]:
        from io import BytesIO

        response = coordinator_client.post(f"/n/{network.slug}/logo", data={"logo": (BytesIO(data), name)},
                                           content_type="multipart/form-data")
        assert response.status_code == 422, name
        body = response.get_data(as_text=True)
        assert message in body and 'aria-invalid="true"' in body and 'id="logo-error"' in body
    assert db.session.get(type(network), network.id).logo is None

    from io import BytesIO

    response = coordinator_client.post(f"/n/{network.slug}/logo", data={"logo": (BytesIO(PNG), "logo.svg")},
                                       content_type="multipart/form-data")
    assert response.status_code == 303
    logo = coordinator_client.get(f"/n/{network.slug}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == PNG
    assert 'src="/n/magdeburg/logo"' in coordinator_client.get(f"/n/{network.slug}/edit").get_data(as_text=True)

    assert coordinator_client.post(f"/n/{network.slug}/logo", data={"action": "remove"}).status_code == 303
    assert coordinator_client.get(f"/n/{network.slug}/logo").status_code == 404


def image(kind: str, size=(64, 32)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB" if kind == "JPEG" else "1", size).save(out, kind)
    return out.getvalue()


def test_logo_kind_and_size_are_told_by_the_bytes(app):
    assert logo.check_logo(image("JPEG")) == "image/jpeg"
    assert logo.check_logo(image("PNG")) == "image/png"
    with pytest.raises(DirectoryError, match="at most 4000 pixels"):
        logo.check_logo(image("PNG", (4001, 1)))
    with pytest.raises(DirectoryError, match="Only PNG and JPEG"):
        logo.check_logo(image("GIF"))
    with pytest.raises(DirectoryError, match="Only PNG and JPEG"):
        logo.check_logo(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    with pytest.raises(DirectoryError, match="damaged"):
        logo.check_logo(image("PNG")[:40])


def test_the_logo_is_only_for_those_who_see_the_network(client, make, coordinator):
    network = coordinator.coordinated_networks[0]
    logo.set_logo(network, PNG)
    make.user("other@example.org", coordinates=[make.network("stendal")])
    db.session.commit()
    assert client.get("/n/magdeburg/logo").status_code == 302  # log in first
    make.login(client, "other@example.org")
    assert client.get("/n/magdeburg/logo").status_code == 403
    from io import BytesIO

    response = client.post("/n/magdeburg/logo", data={"logo": (BytesIO(PNG), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
