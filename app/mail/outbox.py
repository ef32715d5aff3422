"""The mail outbox: mail is written in the same transaction as the change that causes it,
and the worker (`flask --app app outbox work`) sends it.

    enqueue(...)            add a mail to db.session; the caller's commit commits it with its change
    work(once=False)        send what is due; retry with back-off; loop until SIGTERM/SIGINT
    register_periodic(fn)   a daily-ish job the looping worker runs at most once an hour
    register_each_round(fn) a short job the looping worker runs every round, beside the mail
                            (a higher package's background work, e.g. building the booklet)

Delivery guarantee — at least once, duplicates only after a crash:
1. claim: in one short transaction, pick due mails (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
   concurrent workers skip each other's rows) and push their `next_attempt_at` forward by a lease
   (LEASE); commit. No other worker takes a leased mail until the lease runs out.
2. send through SMTP, outside any transaction (a slow SMTP server holds no lock).
3. mark `sent_at` in a new transaction.
A worker that dies between 2 and 3 leaves a sent mail unmarked; when the lease runs out it is
sent again. We choose that (at-least-once) over marking before sending, which would lose the
mail on such a crash. A database that is away at 3 (restarting) is waited for: the worker tries
to mark the mail again until the lease would run out, the rest of its batch held meanwhile.
Without a worker's crash every mail goes out exactly once, with any number of workers on
PostgreSQL, and through a restart of PostgreSQL. SQLite has a single writer: the claim there is
the same code without SKIP LOCKED, and a conditional UPDATE (on the `next_attempt_at` we read)
makes sure that only one worker gets each mail even so.

Without MAIL_SERVER (the demo, a developer's machine) nothing is sent: the worker marks due
mails as sent, and they stay readable in the dev mailbox (/dev/mailbox, app/mail/views.py).
"""
import re
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

import click
from flask import current_app
from flask.cli import AppGroup
from flask_mail import Message
from sqlalchemy import column, delete, func, or_, select, table, update
from sqlalchemy.exc import OperationalError

from ..core.extensions import db, mail
from ..core.types import utcnow
from . import letters
from .models import OutboxMail

_events = table("events", column("id"), column("network_id"))  # named, not imported: events is above mail
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 3.6.8: printable ASCII but the colon

LEASE = timedelta(minutes=5)  # longer than sending a batch can take
MAX_ATTEMPTS = 10  # then the mail is given up (failed_at); about 17 hours of trying
MAX_BACKOFF = timedelta(hours=6)
IDLE_SLEEP = 1.5  # seconds between polls when nothing is due
PERIODIC_EVERY = timedelta(hours=1)
MARK_RETRY = 0.5  # seconds between attempts to mark a sent mail while the database is away

# Jobs the looping worker runs at most once per hour per process, e.g. "send reminders" and
# "purge expired registrations". Each is called with no arguments inside the app context and
# must be safe to run any number of times (it decides itself what is due); the worker commits
# after it, rolls back and logs if it raises, and goes on with the next.
_periodic: list = []
_periodic_last_run: datetime | None = None


# Jobs the looping worker runs every round (every IDLE_SLEEP seconds or so), under the same
# rules as the periodic ones; each does a bounded piece of work (one item), so mail keeps flowing.
_each_round: list = []


def register_periodic(fn):
    """Register a job for the worker's hourly round (usable as a decorator)."""
    if fn not in _periodic:
        _periodic.append(fn)
    return fn


def register_each_round(fn):
    """Register a job for every round of the worker's loop (usable as a decorator)."""
    if fn not in _each_round:
        _each_round.append(fn)
    return fn


def enqueue(recipient: str, subject: str, body: str, ics: bytes | str | None = None,
            ics_method: str | None = None, attachment_name: str | None = None,
            event_id: int | None = None, attachment: bytes | None = None,
            attachment_type: str | None = None, network_id: int | None = None,
            html: str | None = None, inline_image: bytes | None = None,
            headers: dict[str, str] | None = None) -> OutboxMail:
    """Queue a mail in the current transaction — no commit here: it is sent only if the
    caller's transaction (with the change that caused the mail) commits.

    A mail carries an invitation (`ics`, an iTIP message: mail/itip.py) or one other file
    (`attachment`, its MIME type and `attachment_name`), not both: the name belongs to whichever
    it has. Its HTML part is `html` (with `inline_image`, see letters.Letter), else the plain
    text dressed as HTML. A mail about an event belongs to the event's network unless
    `network_id` says otherwise. `headers` are extra header fields (a list mail's
    List-Unsubscribe)."""
    # Checked while the request still runs: a line break would inject a header (policy.SMTP
    # refuses it only when sending, and the mail would be retried until given up).
    for value in (recipient, subject, *(headers or {}).values()):
        if "\r" in value or "\n" in value:
            raise ValueError(f"a line break in a mail header: {value!r}")
    for name in headers or {}:
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"not a header field name: {name!r}")
    if isinstance(ics, bytes):
        ics = ics.decode("utf-8")
    if ics and attachment is not None:
        raise ValueError("a mail carries either an .ics or another attachment")
    if network_id is None and event_id is not None:
        # Filled in by the INSERT itself: the mail package knows no Event model.
        network_id = select(_events.c.network_id).where(_events.c.id == event_id).scalar_subquery()
    outbox_mail = OutboxMail(
        recipient=recipient, subject=subject[:300], body=body, ics=ics,
        html=html if html is not None else letters.from_text(subject, body), inline_image=inline_image,
        ics_method=(ics_method or ("REQUEST" if ics else None)),
        attachment_name=attachment_name, event_id=event_id, network_id=network_id,
        attachment=attachment, attachment_type=(attachment_type or "application/octet-stream") if attachment else None,
        attempts=0, last_error="", next_attempt_at=utcnow(), headers=headers or None,
    )
    db.session.add(outbox_mail)
    return outbox_mail


def enqueue_letter(recipient: str, letter: letters.Letter, **options) -> OutboxMail:
    """Queue a Letter: its plain text, its HTML and its picture (options as for enqueue)."""
    return enqueue(recipient, letter.subject, letter.text(), html=letter.html(), inline_image=letter.image,
                   **options)


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 2, 4, 8 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** min(attempts, 20)), MAX_BACKOFF)


def _due():
    return (OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))


@dataclass(frozen=True)
class _Claimed:
    """What the worker needs of a claimed mail, read before the claim commits."""

    id: int
    recipient: str
    subject: str
    body: str
    html: str | None
    inline_image: bytes | None
    ics: str | None
    ics_method: str | None
    attachment_name: str | None
    attempts: int
    has_attachment: bool
    headers: dict | None


def _claim(batch: int) -> list[_Claimed]:
    """Lease up to `batch` due mails to this worker (see the module's docstring)."""
    now = utcnow()
    query = (select(OutboxMail).where(*_due(), OutboxMail.next_attempt_at <= now)
             .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    try:
        for candidate in db.session.scalars(query).all():
            # Conditional: on PostgreSQL the row is locked, so this always matches; on SQLite it
            # stops a second worker that read the same row before our lease was written.
            taken = db.session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == candidate.id, OutboxMail.next_attempt_at <= now, *_due())
                .values(next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken == 1:
                claimed.append(_Claimed(candidate.id, candidate.recipient, candidate.subject, candidate.body,
                                        candidate.html, candidate.inline_image, candidate.ics, candidate.ics_method, candidate.attachment_name,
                                        candidate.attempts or 0, candidate.attachment_type is not None,
                                        candidate.headers))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claimed


class _Mail(Message):
    """Flask-Mail sends it; the MIME tree is built with the standard library, because Flask-Mail's
    own can put neither a calendar part into multipart/alternative nor a picture beside the HTML:

        multipart/mixed
          multipart/alternative
            text/plain
            text/html                        (multipart/related with the picture, when there is one)
            text/calendar; method=REQUEST    (inline: Outlook's meeting request, Gmail's card)
          application/ics  invite.ics        (the same message, for clients that want a file)
          (or the one other attachment: the minutes' PDF)
    """

    def __init__(self, claimed: "_Claimed", attachment: tuple[bytes, str] | None):
        super().__init__(subject=claimed.subject, recipients=[claimed.recipient], body=claimed.body)
        self.claimed, self.file = claimed, attachment

    def _message(self) -> EmailMessage:
        claimed = self.claimed
        message = EmailMessage(policy=policy.SMTP)
        message["Subject"] = claimed.subject
        message["From"] = self.sender
        message["To"] = claimed.recipient
        message["Date"] = formatdate(self.date, localtime=True)
        message["Message-ID"] = self.msgId
        for name, value in (claimed.headers or {}).items():
            message[name] = value
        message.set_content(claimed.body)
        if claimed.html:
            message.add_alternative(claimed.html, subtype="html")
            if claimed.inline_image:
                message.get_payload()[-1].add_related(claimed.inline_image, maintype="image", subtype="png",
                                                      cid=f"<{letters.IMAGE_CID}>")
        if claimed.ics:
            method = (claimed.ics_method or "REQUEST").upper()
            message.add_alternative(claimed.ics, subtype="calendar", params={"method": method})
            message.add_attachment(claimed.ics.encode("utf-8"), maintype="application", subtype="ics",
                                   filename=claimed.attachment_name or "invite.ics")
        elif self.file is not None:
            data, content_type = self.file
            maintype, _slash, subtype = content_type.partition("/")
            message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                                   filename=claimed.attachment_name or "attachment")
        return message


def _message(outbox_mail: _Claimed) -> Message:
    attachment = None
    if outbox_mail.has_attachment:
        # Loaded only now (deferred): a batch of claimed mails does not hold every PDF in memory.
        attachment = tuple(db.session.execute(
            select(OutboxMail.attachment, OutboxMail.attachment_type).where(OutboxMail.id == outbox_mail.id)).one())
        db.session.commit()  # end the read before SMTP, as everywhere in the sending step
    return _Mail(outbox_mail, attachment)


def _mark_sent(mail_id: int) -> None:
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id)
                       .values(sent_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


def _mark_sent_when_possible(mail_id: int, stop: threading.Event | None) -> None:
    """Mark a sent mail, waiting for a database that is away (restarting, failing over). Not
    longer than the lease: after that the mail is sent again anyway. Not after being told to stop."""
    give_up = time.monotonic() + LEASE.total_seconds()
    stop = stop or threading.Event()
    warned = False
    while True:
        try:
            _mark_sent(mail_id)
            return
        except OperationalError as error:  # the connection; any other error is a bug, not an outage
            db.session.rollback()
            if stop.is_set() or time.monotonic() >= give_up:
                raise
            if not warned:
                current_app.logger.warning("outbox: mail %s sent but not marked, trying again every %s s: %s",
                                           mail_id, MARK_RETRY, str(error).splitlines()[0])
                warned = True
            stop.wait(MARK_RETRY)


def _mark_failed(mail_id: int, attempts: int, error: Exception) -> bool:
    """Count the failed attempt; True when the mail is given up."""
    now = utcnow()
    attempts += 1
    values = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:2000]}
    gave_up = attempts >= MAX_ATTEMPTS
    if gave_up:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = now + backoff(attempts)
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return gave_up


def _release(mail_ids: list[int]) -> None:
    """Give leased but unsent mails back at once (the worker is stopping)."""
    if mail_ids:
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(mail_ids), *_due())
                           .values(next_attempt_at=utcnow()).execution_options(synchronize_session=False))
        db.session.commit()


def process_due(batch: int = 20, stop: threading.Event | None = None) -> dict:
    """Send everything due now, batch by batch; returns counts (sent, retry, failed).
    When `stop` is set, the mail being sent is finished and marked, the rest handed back."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    deliver = bool(current_app.config.get("MAIL_SERVER"))
    while True:
        if stop is not None and stop.is_set():
            return counts
        claimed = _claim(batch)
        if not claimed:
            return counts
        for index, outbox_mail in enumerate(claimed):
            if stop is not None and stop.is_set():
                _release([c.id for c in claimed[index:]])
                return counts
            mail_id, attempts, recipient = outbox_mail.id, outbox_mail.attempts, outbox_mail.recipient
            if not deliver:
                # No MAIL_SERVER: nothing leaves the machine; the mail counts as sent into
                # the dev mailbox, where organizers can read it.
                _mark_sent(mail_id)
                counts["sent"] += 1
                continue
            try:
                message = _message(outbox_mail)
                mail.send(message)
            except Exception as error:  # SMTP down, refused, timeout: retry later
                current_app.logger.warning("outbox: mail %s to %s not sent: %s", mail_id, recipient, error)
                counts["failed" if _mark_failed(mail_id, attempts, error) else "retry"] += 1
                continue
            _mark_sent_when_possible(mail_id, stop)
            counts["sent"] += 1


def run_periodic(force: bool = False) -> int:
    """Run the registered jobs if the last round was an hour ago (or `force`); returns how many ran."""
    global _periodic_last_run
    now = utcnow()
    if not force and _periodic_last_run is not None and now - _periodic_last_run < PERIODIC_EVERY:
        return 0
    _periodic_last_run = now
    return _run_jobs(_periodic)


def run_each_round() -> int:
    """Run the jobs registered for every round; returns how many ran."""
    return _run_jobs(_each_round)


def _run_jobs(jobs: list) -> int:
    """Each job, committed after it; one that raises is rolled back and logged, the next runs."""
    for job in list(jobs):
        try:
            job()
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("outbox: job %s failed", getattr(job, "__name__", job))
    return len(jobs)


def work(once: bool = False, batch: int = 20, periodic: bool | None = None) -> dict:
    """Send due mail. once=True: what is due now, then return the counts. Otherwise loop,
    polling every IDLE_SLEEP seconds, until SIGTERM or SIGINT; the mail being sent is finished
    and marked first. The periodic and every-round jobs run in the loop (not with once=True
    unless asked)."""
    if periodic is None:
        periodic = not once
    if once:
        if periodic:
            run_periodic()
            run_each_round()
        return process_due(batch)

    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_args: stop.set())
    totals = {"sent": 0, "retry": 0, "failed": 0}
    try:
        while not stop.is_set():
            try:
                if periodic:
                    run_periodic()
                    run_each_round()
                for key, value in process_due(batch, stop).items():
                    totals[key] += value
            except Exception:  # e.g. the database is restarting: log, wait, go on
                db.session.rollback()
                current_app.logger.exception("outbox: round failed")
            stop.wait(IDLE_SLEEP)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        db.session.remove()
    return totals


def purge_delivered(now: datetime | None = None) -> int:
    """The worker's periodic round: delete mails sent or given up more than MAIL_KEEP_DAYS ago.
    They hold addresses and the recipients' personal links (manage, unsubscribe), which nobody
    but the recipient needs once the mail is out. Returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    return db.session.execute(delete(OutboxMail).where(or_(OutboxMail.sent_at < cutoff,
                                                           OutboxMail.failed_at < cutoff))).rowcount


def status() -> dict:
    queued = db.session.scalar(select(func.count()).select_from(OutboxMail).where(*_due()))
    sent = db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_not(None)))
    failed = db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.failed_at.is_not(None)))
    retrying = db.session.scalar(select(func.count()).select_from(OutboxMail).where(*_due(), OutboxMail.attempts > 0))
    return {"queued": queued, "retrying": retrying, "sent": sent, "failed": failed}


outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--batch", default=20, show_default=True, help="Mails claimed per round.")
def work_command(once: bool, batch: int) -> None:
    """Send queued mail (and run the hourly jobs) until stopped with Ctrl-C or SIGTERM."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("outbox: MAIL_SERVER is not set; mails go to the dev mailbox (/dev/mailbox), none is sent.")
    elif not once:
        click.echo(f"outbox: sending through {current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}")
    counts = work(once=once, batch=batch)
    click.echo("outbox: sent {sent}, to retry {retry}, given up {failed}".format(**counts))


@outbox_cli.command("status")
def status_command() -> None:
    """Count queued, sent and failed mails."""
    counts = status()
    click.echo("queued {queued} (retrying {retrying}), sent {sent}, failed {failed}".format(**counts))
