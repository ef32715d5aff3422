"""The mail outbox against a real SMTP server (aiosmtpd): written with the transaction,
sent once, retried with back-off, and exactly once with concurrent workers on PostgreSQL.
Also the dev mailbox."""
import socket
import threading
from datetime import timedelta

import pytest
from icalendar import Calendar

from app.core.extensions import db
from app.core.types import utcnow
from app.events import service
from app.events.models import Event
from app.mail import outbox
from app.mail import itip
from app.mail.models import OutboxMail
from tests.factories import local


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def _event(network):
    kind = service.kinds(network)[0]
    event = Event(network_id=network.id, kind_id=kind.id, title="Netzwerktreffen", status="published",
                  visibility="public", timezone="Europe/Berlin")
    service.save(event, starts_at=local(2027, 6, 10, 18), ends_at=local(2027, 6, 10, 20), venue_name="Rathaus")
    db.session.flush()
    return event


def test_enqueued_mail_is_delivered_with_the_invitation_attached(app, make, smtp_server):
    _port, inbox = smtp_server
    event = _event(make.network("magdeburg"))
    data = itip.message(event, None, "REQUEST", itip.Attendee("teilnehmerin@example.org"))
    outbox.enqueue("teilnehmerin@example.org", "Anmeldung bestätigt: Netzwerktreffen", "Hallo,\nbis bald.",
                   ics=data, ics_method="REQUEST", event_id=event.id)
    db.session.commit()
    assert inbox.messages == []  # nothing is sent in the request

    assert outbox.work(once=True) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "teilnehmerin@example.org"
    assert message["Subject"] == "Anmeldung bestätigt: Netzwerktreffen"
    assert "bis bald." in message.get_body(("plain",)).get_content()
    # As Outlook, Gmail and Apple Mail expect it: the calendar part inline beside text and HTML,
    # and the same message once more as an attachment.
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    part = alternative.get_payload()[2]
    assert part.get_param("method") == "REQUEST" and part.get_content_charset().lower() == "utf-8"
    assert part.get_filename() is None
    assert attachment.get_content_type() == "application/ics" and attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == part.get_payload(decode=True)
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == event.uid
    html = alternative.get_payload()[1].get_content()
    assert "bis bald." in html and "<html" in html

    row = db.session.scalar(db.select(OutboxMail))
    assert row.sent_at is not None and row.attempts == 0
    assert outbox.work(once=True) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1  # never twice


def test_a_rolled_back_transaction_sends_nothing(app, smtp_server):
    _port, inbox = smtp_server
    outbox.enqueue("a@example.org", "Never", "This change was rolled back.")
    db.session.rollback()
    assert outbox.work(once=True)["sent"] == 0
    assert inbox.messages == []
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 0


@pytest.mark.parametrize("recipient, subject, headers", [
    ("a@example.org", "Newsletter\r\nBcc: b@example.org", None),
    ("a@example.org", "Newsletter\nBcc: b@example.org", None),
    ("a@example.org\nBcc: b@example.org", "Newsletter", None),
    ("a@example.org", "Newsletter", {"List-Id": "x\r\nBcc: b@example.org"}),
    ("a@example.org", "Newsletter", {"List Id": "x"}),
    ("a@example.org", "Newsletter", {"Bcc: b@example.org\nList-Id": "x"}),
    ("a@example.org", "Newsletter", {"List-Id:": "x"}),
    ("a@example.org", "Newsletter", {"": "x"}),
])
def test_a_header_injection_is_refused_when_enqueued_not_when_sent(app, recipient, subject, headers):
    with pytest.raises(ValueError):
        outbox.enqueue(recipient, subject, "Text", headers=headers)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 0


def test_list_header_fields_are_accepted(app):
    mail = outbox.enqueue("a@example.org", "Newsletter", "Text",
                          headers={"List-Unsubscribe": "<https://example.org/u/x>",
                                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
def test_smtp_down_backs_off_then_delivers_exactly_once(app, smtp_server_later):
    outbox.enqueue("a@example.org", "Hello", "Body")
    db.session.commit()

    assert outbox.work(once=True) == {"sent": 0, "retry": 1, "failed": 0}
    row = db.session.scalar(db.select(OutboxMail))
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(minutes=1) < wait <= timedelta(minutes=2)
    assert outbox.work(once=True)["retry"] == 0  # not due yet: no hammering

    # The server comes up; the retry is due.
    _port, inbox = smtp_server_later(app.config["MAIL_PORT"])
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.work(once=True)["sent"] == 1
    assert outbox.work(once=True)["sent"] == 0
    assert len(inbox.messages) == 1
    row = db.session.scalar(db.select(OutboxMail))
    assert row.sent_at is not None and row.attempts == 1


@pytest.mark.config(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
def test_backoff_doubles_up_to_six_hours_and_gives_up_after_ten_attempts(app):
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=2), timedelta(minutes=4),
                                                      timedelta(minutes=8)]
    assert outbox.backoff(9) == timedelta(hours=6)
    outbox.enqueue("a@example.org", "Hello", "Body")
    db.session.commit()
    for _ in range(outbox.MAX_ATTEMPTS):
        row = db.session.scalar(db.select(OutboxMail))
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        counts = outbox.work(once=True)
    assert counts["failed"] == 1
    row = db.session.scalar(db.select(OutboxMail))
    assert row.failed_at is not None and row.attempts == outbox.MAX_ATTEMPTS
    assert outbox.status() == {"queued": 0, "retrying": 0, "sent": 0, "failed": 1}


def test_a_leased_mail_is_not_taken_by_another_worker(app, smtp_server):
    _port, inbox = smtp_server
    outbox.enqueue("a@example.org", "Hello", "Body")
    db.session.commit()
    claimed = outbox._claim(10)  # a worker took it and is sending it
    assert [c.recipient for c in claimed] == ["a@example.org"]
    assert outbox.work(once=True)["sent"] == 0  # the second worker does not see it
    assert inbox.messages == []


def test_without_mail_server_mails_go_to_the_dev_mailbox(app, coordinator, coordinator_client):
    outbox.enqueue("a@example.org", "Hello <b>there</b>",
                   "See https://example.org/events/1?a=1&b=2. And <script>alert(1)</script> javascript:alert(1)",
                   ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ics_method="CANCEL",
                   network_id=coordinator.coordinated_networks[0].id)
    db.session.commit()
    assert outbox.work(once=True)["sent"] == 1
    assert db.session.scalar(db.select(OutboxMail.sent_at)) is not None
    mail_id = db.session.scalar(db.select(OutboxMail.id))

    listing = coordinator_client.get("/dev/mailbox")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in text and "a@example.org" in text

    page = coordinator_client.get(f"/dev/mailbox/{mail_id}").get_data(as_text=True)
    assert '<a href="https://example.org/events/1?a=1&amp;b=2" rel="noopener noreferrer">' in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page

    ics = coordinator_client.get(f"/dev/mailbox/{mail_id}/invite.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert "method=CANCEL" in ics.headers["Content-Type"]


def test_dev_mailbox_is_for_organizers_only(client):
    response = client.get("/dev/mailbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.config(MAIL_SERVER="127.0.0.1")
def test_dev_mailbox_does_not_exist_with_a_mail_server(coordinator_client):
    assert coordinator_client.get("/dev/mailbox").status_code == 404


def test_periodic_jobs_run_at_most_hourly(app, monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "_periodic", [])
    monkeypatch.setattr(outbox, "_periodic_last_run", None)
    outbox.register_periodic(lambda: calls.append(1))
    outbox.register_periodic(lambda: 1 / 0)  # a failing job does not stop the others
    assert outbox.run_periodic() == 2
    assert outbox.run_periodic() == 0
    assert calls == [1]
    outbox.work(once=True)  # once=True leaves the jobs alone
    assert calls == [1]


def test_cli_status(app):
    outbox.enqueue("a@example.org", "Hello", "Body")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "queued 1" in result.output
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert "sent 1" in result.output


def test_concurrent_workers_on_postgresql_send_each_mail_exactly_once(app, smtp_server):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED and concurrent writers need PostgreSQL (set TEST_DATABASE_URL)")
    _port, inbox = smtp_server
    for number in range(50):
        outbox.enqueue(f"p{number}@example.org", f"Mail {number}", "Body")
    db.session.commit()
    results, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            with app.app_context():
                start.wait()
                results.append(outbox.work(once=True, batch=5))
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r["sent"] for r in results) == 50
    assert all(r["sent"] > 0 for r in results)  # both really worked
    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == 50 and len(set(recipients)) == 50


@pytest.fixture
def smtp_server_later():
    """Start a real SMTP server when the test asks for it; returns (port, inbox)."""
    from aiosmtpd.controller import Controller

    from tests.conftest import _Inbox

    started = []

    def start(port):
        inbox = _Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return port, inbox

    yield start
    for controller in started:
        controller.stop()


def test_the_worker_process_sends_in_its_loop_and_stops_cleanly_on_sigterm(app, database_url):
    import os
    import signal
    import subprocess
    import sys
    import time

    outbox.enqueue("a@example.org", "Hello", "Body")
    db.session.commit()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test")
    env.pop("MAIL_SERVER", None)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "work"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.rollback()
            if db.session.scalar(db.select(OutboxMail.sent_at)) is not None:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the worker did not deliver the mail")
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "sent 1" in output
