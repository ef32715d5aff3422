"""The organizer's side of registrations: settings and questions, the overview, moving people
between the lists, invitations, check-in, attendance lists, reminders, change notices and the
DSGVO purge and export. Nothing here reads the request; the caller commits.

Mails go through the transactional outbox (`app.mail.outbox.enqueue`), so a mail is written in
the same transaction as the change that causes it.
"""
import hmac
import json
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, render_template
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.formatting import when
from ..core.spreadsheet import excel_csv
from ..core.tokens import keyed_token
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..directory.models import Network, Person, WorkingGroup
from ..events import recurrence
from ..events.models import Event
from ..events.signals import event_changed
from .models import (ACTIVE_STATUSES, QUESTION_KINDS, REGISTRATION_STATUSES, AnonymousCount, Invitation, Question,
                     Registration, RegistrationSettings)
from .signals import invitation_extras, personal_data_deleted, personal_data_requested

REMIND_AGAIN_AFTER = timedelta(hours=24)
MAX_PASTED_ADDRESSES = 500
COUNTED_STATUSES = ("confirmed", "waiting", "pending", "cancelled")


class AdminError(ValueError):
    """A problem the organizer can fix; the message is translated."""


# --- Which date ----------------------------------------------------------------------

def occurrence_start(event: Event, key: str | None, now: datetime | None = None) -> datetime | None:
    """The original start (UTC) of the date an organizer looks at: the one named by `key`, else
    for a series the next date (or the first one), else the event's start. None: no such date."""
    if key:
        moment = recurrence.parse_key(key)
        if moment is None or recurrence.occurrence(event, event.changes, moment) is None:
            return None
        return moment
    if not event.is_series:
        return event.starts_at
    upcoming = recurrence.following(event, event.changes, now or utcnow(), 1)
    return upcoming[0].original_start if upcoming else event.starts_at


def occurrence_of(event: Event, start: datetime) -> recurrence.Occurrence:
    found = recurrence.occurrence(event, event.changes, start)
    if found is None:  # the date left the series: keep its length, so mails can still name it
        length = recurrence.to_local(event.ends_at, event.timezone) - recurrence.to_local(event.starts_at,
                                                                                          event.timezone)
        found = recurrence.Occurrence(event, start, start, start + length)
    return found


# --- Settings and questions ---------------------------------------------------------

def settings_of(event: Event) -> RegistrationSettings:
    """The event's settings; an event without any gets closed defaults (not yet saved)."""
    return event.registration_settings or RegistrationSettings(
        event_id=event.id, is_open=False, waiting_list=True, needs_approval=False, ask_organization=True,
        retention_days=30, reminder_days=2, privacy_note="")


SETTINGS_FIELDS = ("is_open", "opens_at", "closes_at", "capacity", "waiting_list", "needs_approval",
                   "ask_organization", "retention_days", "reminder_days", "privacy_note")


def save_settings(event: Event, **values) -> RegistrationSettings:
    if values.get("opens_at") and values.get("closes_at") and values["closes_at"] <= values["opens_at"]:
        raise AdminError(_("Registration must close after it opens."))
    settings = event.registration_settings
    if settings is None:
        settings = RegistrationSettings(event_id=event.id)
        event.registration_settings = settings
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(settings, name, values[name])
    db.session.add(settings)
    event.updated_at = utcnow()  # the feeds show the registration link: they must revalidate
    return settings


def questions_of(event: Event) -> list[Question]:
    return db.session.scalars(
        select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)).all()


def save_question(event: Event, question: Question | None, *, kind: str, label: str, options: str,
                  required: bool) -> Question:
    label = " ".join(label.split())
    if kind not in QUESTION_KINDS:
        raise AdminError(_("Please choose a kind of question."))
    if not label or len(label) > 300:
        raise AdminError(_("Please enter the question, at most 300 characters."))
    choices = [line.strip()[:200] for line in options.splitlines() if line.strip()]
    if kind in ("single", "multiple") and len(choices) < 2:
        raise AdminError(_("A choice needs at least two options, one per line."))
    if question is None:
        question = Question(event_id=event.id, position=len(questions_of(event)))
        db.session.add(question)
    question.kind, question.label, question.required = kind, label, required
    question.options = "\n".join(choices) if kind in ("single", "multiple") else ""
    return question


def remove_question(question: Question) -> None:
    db.session.delete(question)


def move_question(event: Event, question: Question, step: int) -> None:
    """Up (-1) or down (+1) by one place."""
    ordered = questions_of(event)
    index = ordered.index(question)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position


# --- The overview ---------------------------------------------------------------------

def status_counts(event: Event, start: datetime) -> dict[str, int]:
    """Registrations of one date per status, in one query."""
    counts = dict.fromkeys(REGISTRATION_STATUSES, 0)
    counts.update(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id,
                                                        Registration.occurrence_start == start)
        .group_by(Registration.status)).all())
    counts["checked_in"] = db.session.scalar(
        select(func.count()).where(Registration.event_id == event.id, Registration.occurrence_start == start,
                                   Registration.status == "confirmed", Registration.checked_in_at.is_not(None)))
    return counts


def registrations(event: Event, start: datetime, status: str = "", query: str = "") -> list[Registration]:
    """One date's registrations, filtered by status and name/e-mail/organization; the order
    in which people came (so the waiting list reads top-down)."""
    stmt = (select(Registration).where(Registration.event_id == event.id, Registration.occurrence_start == start)
            .options(selectinload(Registration.organization)).order_by(Registration.created_at, Registration.id))
    if status == "active":
        stmt = stmt.where(Registration.status.in_(ACTIVE_STATUSES))
    elif status in REGISTRATION_STATUSES:
        stmt = stmt.where(Registration.status == status)
    query = " ".join(query.split())[:100]
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(Registration.name).like(pattern), func.lower(Registration.email).like(pattern),
                              func.lower(Registration.organization_name).like(pattern)))
    return db.session.scalars(stmt).all()


def organization_label(registration: Registration) -> str:
    return registration.organization.name if registration.organization else registration.organization_name


def _lock_event(event: Event) -> None:
    from . import service

    service.lock_event(event.id)


def _confirmed(event: Event, start: datetime) -> int:
    return db.session.scalar(select(func.count()).where(
        Registration.event_id == event.id, Registration.occurrence_start == start, Registration.status == "confirmed"))


def _has_place(event: Event, start: datetime) -> bool:
    capacity = settings_of(event).capacity
    return capacity is None or _confirmed(event, start) < capacity


def _tell(registration: Registration, promoted: bool = False) -> None:
    """The participant side's status mail, with a fresh manage link (and the .ics when confirmed)."""
    from . import service

    service.mail_status(registration, service.renew_token(registration), promoted=promoted)


def confirm(registration: Registration, override: bool = False) -> None:
    """Give a place (from the waiting list or pending approval). Refused when the event is full,
    unless the organizer explicitly overrides the capacity."""
    if registration.status not in ("waiting", "pending"):
        raise AdminError(_("Only people on the waiting list or awaiting approval can be given a place."))
    event = registration.event
    _lock_event(event)
    if not override and not _has_place(event, registration.occurrence_start):
        raise AdminError(_("The event is full. Tick “over capacity” to confirm anyway."))
    was = registration.status
    registration.status = "confirmed"
    registration.updated_at = utcnow()
    _tell(registration, promoted=was == "waiting")


def to_waiting(registration: Registration) -> None:
    """Move a confirmed (or pending) person to the waiting list; the freed place is not handed
    on automatically (the organizer decides who moves up)."""
    if registration.status not in ("confirmed", "pending"):
        raise AdminError(_("Only confirmed or pending registrations can be moved to the waiting list."))
    registration.status = "waiting"
    registration.checked_in_at = None
    registration.updated_at = utcnow()
    db.session.flush()
    _tell(registration)


def approve(registration: Registration, override: bool = False) -> None:
    """A pending registration gets a place, or a place on the waiting list when the event is full."""
    if registration.status != "pending":
        raise AdminError(_("This registration is not waiting for approval."))
    event = registration.event
    _lock_event(event)
    if override or _has_place(event, registration.occurrence_start):
        confirm(registration, override=True)
    elif settings_of(event).waiting_list:
        to_waiting(registration)
    else:
        raise AdminError(_("The event is full. Tick “over capacity” to confirm anyway."))


def decline(registration: Registration) -> None:
    if registration.status != "pending":
        raise AdminError(_("This registration is not waiting for approval."))
    registration.status = "declined"
    registration.cancelled_at = utcnow()
    _mail_registrant(registration, _("Your registration: %(title)s", title=registration.event.title),
                     _("We are sorry: the organizers could not accept your registration."))


def cancel(registration: Registration) -> list[Registration]:
    """Cancel on the organizer's behalf; the participant side moves the next people up."""
    from . import service

    if registration.status not in ACTIVE_STATUSES:
        raise AdminError(_("This registration is cancelled already."))
    return service.cancel(registration)


def manual_add(event: Event, start: datetime, name: str, email: str, organization_id: int | None = None,
               organization_name: str = "", status: str | None = None):
    """Add someone by hand, through the same way participants register (capacity, mails).
    `status` "confirmed" gives a place even over capacity (the organizer said so), "waiting"
    puts the person on the waiting list; None applies the event's rules."""
    from . import service

    name = " ".join(name.split())[:200]
    if not name:
        raise AdminError(_("Please enter a name."))
    email = checked_email(email)
    if status not in (None, "confirmed", "waiting"):
        status = None
    return service.register(event, start, name, email, organization_id, organization_name[:200], {},
                            status=status)


def message_all(event: Event, start: datetime, subject: str, body: str) -> int:
    """One outbox mail to each active registrant of the date; the number of mails."""
    from ..mail import outbox

    subject, body = " ".join(subject.split())[:200], body.strip()[:10_000]
    if not subject or not body:
        raise AdminError(_("Please enter a subject and a text."))
    recipients = registrations(event, start, status="active")
    details = event_details(event, start)
    for registration in recipients:
        outbox.enqueue(registration.email, subject, f"{body}\n\n-- \n{details}", event_id=event.id)
    return len(recipients)


def event_details(event: Event, start: datetime) -> str:
    """Date, place and link: Outlook shows the mail body, not the .ics (see LESSONS)."""
    occurrence = occurrence_of(event, start)
    lines = [event.title, when(occurrence.starts_at, occurrence.ends_at, event.timezone, event.all_day)]
    place = ", ".join(part for part in (event.venue_name, event.venue_room, event.venue_address) if part)
    if place:
        lines.append(place)
    if event.online_url:
        lines.append(event.online_url)
    from . import service

    lines.append(service.event_url(event, start))
    return "\n".join(lines)


def _mail_registrant(registration: Registration, subject: str, text: str) -> None:
    from ..mail import outbox

    body = "\n\n".join([_("Hello %(name)s,", name=registration.name), text,
                        event_details(registration.event, registration.occurrence_start)])
    outbox.enqueue(registration.email, subject, body, event_id=registration.event_id)


def checked_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AdminError(_("Please enter a valid e-mail address.")) from None


# --- Invitations ------------------------------------------------------------------------

@dataclass
class Invitee:
    name: str
    email: str
    organization_id: int | None = None


@dataclass
class InviteResult:
    invited: int = 0
    already: int = 0
    bad_lines: list[tuple[str, str]] = field(default_factory=list)  # (line, why)


def parse_addresses(text: str) -> tuple[list[Invitee], list[tuple[str, str]]]:
    """Pasted lines, `Name <mail>` or a plain address: the good ones and the bad lines with why."""
    good, bad = [], []
    for raw in text.splitlines()[:MAX_PASTED_ADDRESSES]:
        line = raw.strip().strip(",;")
        if not line:
            continue
        name, address = "", line
        if line.endswith(">") and "<" in line:
            name, address = line[:line.rindex("<")].strip().strip('"'), line[line.rindex("<") + 1:-1]
        try:
            email = checked_email(address)
        except AdminError as error:
            bad.append((line[:300], str(error)))
            continue
        good.append(Invitee(" ".join(name.split())[:200], email))
    return good, bad


def _people_invitees(people) -> list[Invitee]:
    return [Invitee(p.name, p.email.strip().lower(), p.organization_id) for p in people if p.email]


def group_invitees(group: WorkingGroup) -> list[Invitee]:
    """The group's people, and the contact people of its member organizations."""
    people = list(group.people)
    if group.organizations:
        people += db.session.scalars(select(Person).where(
            Person.organization_id.in_([o.id for o in group.organizations]))).all()
    return _people_invitees(people)


def network_invitees(network: Network) -> list[Invitee]:
    from ..directory import service as directory

    return _people_invitees(directory.people_of(network))


def _token_pair() -> tuple[str, str]:
    """A new secret for a link and the hash that is stored (from the participant side)."""
    from . import service

    return service.new_token()


def invite(event: Event, start: datetime, invitees: list[Invitee]) -> InviteResult:
    """Invite each address once per date: an invitation row and a mail with a personal link."""
    from ..mail import outbox

    result = InviteResult()
    known = set(db.session.scalars(select(Invitation.email).where(
        Invitation.event_id == event.id, Invitation.occurrence_start == start)))
    details = _invitation_details(event, start)
    for invitee in invitees:
        if invitee.email in known:
            result.already += 1
            continue
        known.add(invitee.email)
        token, token_hash = _token_pair()
        db.session.add(Invitation(event_id=event.id, occurrence_start=start, email=invitee.email,
                                  name=invitee.name, organization_id=invitee.organization_id, token_hash=token_hash))
        outbox.enqueue(invitee.email, _("Invitation: %(title)s", title=event.title),
                       _invitation_body(invitee.name, token, details, reminder=False), event_id=event.id)
        result.invited += 1
    return result


def _invitation_details(event: Event, start: datetime) -> str:
    """Date, place and link, and the date's agenda once the organizers have published it."""
    extras = [text for _receiver, text in invitation_extras.send(event, start=start) if text]
    return "\n\n".join([event_details(event, start), *extras])


def _invitation_body(name: str, token: str, details: str, reminder: bool) -> str:
    link = absolute_url("registrations.invitation", token=token)
    greeting = _("Hello %(name)s,", name=name) if name else _("Hello,")
    text = (_("we have not heard from you yet. Will you come?") if reminder
            else _("you are invited. Please tell us whether you will come: yes, no or maybe."))
    return "\n\n".join([greeting, text, details, _("Your personal link:") + "\n" + link])


def invitations(event: Event, start: datetime) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.occurrence_start == start).order_by(Invitation.name,
                                                                                        Invitation.email)).all()


def invitation_counts(rows: list[Invitation]) -> dict[str, int]:
    counts = Counter(row.answer or "none" for row in rows)
    return {"invited": len(rows), "yes": counts["yes"], "no": counts["no"], "maybe": counts["maybe"],
            "none": counts["none"]}


def remind_invitees(event: Event, start: datetime, now: datetime | None = None) -> int:
    """Mail those who have not answered; nobody twice within 24 hours. The number reminded.
    Their old link stays valid, so the reminder carries a new one that replaces it."""
    from ..mail import outbox

    now = now or utcnow()
    details = _invitation_details(event, start)
    reminded = 0
    for row in invitations(event, start):
        if row.answer is not None or (row.reminded_at is not None and now - row.reminded_at < REMIND_AGAIN_AFTER):
            continue
        token, row.token_hash = _token_pair()
        row.reminded_at = now
        outbox.enqueue(row.email, _("Reminder: invitation to %(title)s", title=event.title),
                       _invitation_body(row.name, token, details, reminder=True), event_id=event.id)
        reminded += 1
    return reminded


# --- Check-in ---------------------------------------------------------------------------

def check_in(registration: Registration, present: bool = True, now: datetime | None = None) -> None:
    if registration.status != "confirmed":
        raise AdminError(_("Only people with a confirmed place can be checked in."))
    registration.checked_in_at = (now or utcnow()) if present else None


def checkin_code(registration: Registration) -> str:
    """What the participant's QR code carries: the registration's id and a keyed hash of it.
    Not the manage token: whoever scans it (an organizer) gets no way into the person's other
    registrations or calendar (service.proven_mailbox)."""
    return f"{registration.id}.{keyed_token(f'checkin:{registration.id}')}"


def by_checkin_code(event: Event, code: str) -> Registration | None:
    registration_id, _, mac = (code or "")[:100].partition(".")
    if not registration_id.isdigit() or len(registration_id) > 10:
        return None
    registration = db.session.get(Registration, int(registration_id))
    if registration is None or registration.event_id != event.id:
        return None
    return registration if hmac.compare_digest(mac, keyed_token(f"checkin:{registration.id}")) else None


# --- Attendance list ("Teilnehmendenliste") --------------------------------------------

def attendance(event: Event, start: datetime, only_confirmed: bool = True) -> list[Registration]:
    rows = registrations(event, start, status="confirmed" if only_confirmed else "active")
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def attendance_csv(event: Event, start: datetime, only_confirmed: bool = True) -> bytes:
    rows = []
    for number, row in enumerate(attendance(event, start, only_confirmed), start=1):
        checked = row.checked_in_at.strftime("%Y-%m-%d %H:%M UTC") if row.checked_in_at else ""
        rows.append((number, row.name, organization_label(row), row.email, row.status, checked))
    return excel_csv([_("No."), _("Name"), _("Organization"), _("E-mail"), _("Status"), _("Checked in")], rows)


def attendance_pdf(event: Event, start: datetime, only_confirmed: bool = True, blank_rows: int = 5) -> bytes:
    """A4, with the network and the event on top and a signature column, as funders require."""
    from weasyprint import HTML

    html = render_template("registrations/attendance_pdf.html", event=event, network=event.network,
                           occurrence=occurrence_of(event, start), rows=attendance(event, start, only_confirmed),
                           blank_rows=blank_rows, organization_label=organization_label)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


# --- Reminders and change notices -------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed registrants `reminder_days` before their date, once. The number sent."""
    from ..mail import outbox

    now = now or utcnow()
    rows = db.session.execute(
        select(Registration, RegistrationSettings.reminder_days)
        .join(RegistrationSettings, RegistrationSettings.event_id == Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == "confirmed", Registration.reminded_at.is_(None),
               RegistrationSettings.reminder_days.is_not(None), RegistrationSettings.reminder_days > 0,
               Event.status == "published", Registration.occurrence_start > now,
               Registration.occurrence_start <= now + timedelta(days=60))).all()
    sent = 0
    for registration, days in rows:
        occurrence = occurrence_of(registration.event, registration.occurrence_start)
        if occurrence.cancelled or not now < occurrence.starts_at <= now + timedelta(days=days):
            continue
        registration.reminded_at = now
        body = "\n\n".join([_("Hello %(name)s,", name=registration.name),
                            _("a reminder: you are registered for this event."),
                            event_details(registration.event, registration.occurrence_start),
                            _("If you cannot come, please cancel with the link in your confirmation mail, "
                              "so that someone else can have your place.")])
        outbox.enqueue(registration.email, _("Reminder: %(title)s", title=registration.event.title), body,
                       event_id=registration.event_id)
        sent += 1
    return sent


@event_changed.connect
def _tell_registrants(event: Event, dates=None, **_) -> None:
    notify_change(event)


def notify_change(event: Event, now: datetime | None = None) -> int:
    """After a change of time, place or status: each active registrant of a coming date gets a
    mail with the updated .ics (SEQUENCE raised; METHOD:CANCEL when the date is cancelled)."""
    if not event.id:
        return 0
    from ..mail import ics, outbox

    now = now or utcnow()
    rows = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES),
        Registration.occurrence_start > now - timedelta(days=1))).all()
    calendars: dict[datetime, tuple[bytes, str]] = {}
    for registration in rows:
        start = registration.occurrence_start
        occurrence = occurrence_of(event, start)
        gone = occurrence.cancelled or (occurrence.change is not None and occurrence.change.action == "skipped") \
            or recurrence.occurrence(event, event.changes, start) is None
        if occurrence.ends_at < now and not gone:
            continue
        if start not in calendars:
            method = "CANCEL" if gone else "REQUEST"
            calendars[start] = (ics.event_calendar(event, occurrence, method, sequence=event.sequence,
                                                   extra_text=event.cancel_reason if gone else ""), method)
        data, method = calendars[start]
        subject = (_("Cancelled: %(title)s", title=event.title) if method == "CANCEL"
                   else _("Changed: %(title)s", title=event.title))
        text = (_("We are sorry: this event does not take place.") if method == "CANCEL"
                else _("The event has changed. The attached calendar entry updates yours."))
        if method == "CANCEL" and event.cancel_reason:
            text += "\n" + _("Reason:") + " " + event.cancel_reason
        body = "\n\n".join([_("Hello %(name)s,", name=registration.name), text,
                            event_details(event, start)])
        outbox.enqueue(registration.email, subject, body, ics=data.decode() if isinstance(data, bytes) else data,
                       ics_method=method, attachment_name="invite.ics", event_id=event.id)
    return len(rows)


# --- DSGVO: retention and export --------------------------------------------------------

@dataclass
class PurgeResult:
    events: int = 0
    registrations: int = 0
    invitations: int = 0


def _anonymous_counts(event: Event) -> dict[tuple[datetime, str], int]:
    questions = {str(q.id): q for q in questions_of(event)}
    counts: Counter = Counter()
    for row in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                  .options(selectinload(Registration.organization))):
        start = row.occurrence_start
        status = row.status if row.status in COUNTED_STATUSES else "cancelled"
        counts[(start, f"status:{status}")] += 1
        if row.status != "confirmed":
            continue
        if row.checked_in_at:
            counts[(start, "checked_in")] += 1
        organization = organization_label(row) or "-"
        counts[(start, f"organization:{organization}"[:500])] += 1
        try:
            answers = json.loads(row.answers or "{}")
        except ValueError:
            answers = {}
        for question_id, answer in answers.items():
            question = questions.get(str(question_id))
            if question is None or question.kind == "text":
                continue  # free text may name people: not kept
            for value in answer if isinstance(answer, list) else [answer]:
                counts[(start, f"question:{question.label}={value}"[:500])] += 1
    for invitation in db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)):
        counts[(invitation.occurrence_start, f"invitation:{invitation.answer or 'none'}")] += 1
    return counts


def purge_expired(now: datetime | None = None) -> PurgeResult:
    """Delete the personal data of events whose end plus retention days has passed; keep counts."""
    now = now or utcnow()
    result = PurgeResult()
    candidates = db.session.execute(
        select(Event, RegistrationSettings).join(RegistrationSettings, RegistrationSettings.event_id == Event.id)
        .where(RegistrationSettings.purged_at.is_(None), Event.last_ends_at < now)).all()
    for event, settings in candidates:
        if event.last_ends_at + timedelta(days=settings.retention_days or 0) > now:
            continue
        counts = _anonymous_counts(event)
        db.session.execute(delete(AnonymousCount).where(AnonymousCount.event_id == event.id))
        db.session.add_all(AnonymousCount(event_id=event.id, occurrence_start=start, key=key, count=count)
                           for (start, key), count in counts.items())
        result.registrations += db.session.execute(
            delete(Registration).where(Registration.event_id == event.id)).rowcount or 0
        result.invitations += db.session.execute(
            delete(Invitation).where(Invitation.event_id == event.id)).rowcount or 0
        personal_data_deleted.send(event.id, email=None)
        settings.purged_at = now
        result.events += 1
    return result


def anonymous_counts(event: Event) -> list[AnonymousCount]:
    return db.session.scalars(select(AnonymousCount).where(AnonymousCount.event_id == event.id)
                              .order_by(AnonymousCount.occurrence_start, AnonymousCount.key)).all()


def export_person(network: Network, email: str) -> dict:
    """Everything stored about one address in the network's events (DSGVO Art. 15)."""
    email = email.strip().lower()

    def when_(moment):
        return moment.isoformat() if moment else None

    regs = db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Event.network_id == network.id, func.lower(Registration.email) == email)
        .order_by(Registration.created_at)).all()
    invs = db.session.scalars(
        select(Invitation).join(Event, Event.id == Invitation.event_id)
        .where(Event.network_id == network.id, func.lower(Invitation.email) == email)
        .order_by(Invitation.created_at)).all()
    questions = {}
    for question in db.session.scalars(select(Question).where(
            Question.event_id.in_({r.event_id for r in regs} or {0}))):
        questions[str(question.id)] = question.label
    return {
        "email": email,
        "network": network.name,
        "exported_at": utcnow().isoformat(),
        "registrations": [{
            "event": r.event.title, "event_id": r.event_id, "date": when_(r.occurrence_start), "name": r.name,
            "email": r.email, "organization": organization_label(r), "status": r.status,
            "answers": {questions.get(str(k), str(k)): v for k, v in json.loads(r.answers or "{}").items()},
            "registered_at": when_(r.created_at), "updated_at": when_(r.updated_at),
            "cancelled_at": when_(r.cancelled_at), "checked_in_at": when_(r.checked_in_at),
            "reminded_at": when_(r.reminded_at),
        } for r in regs],
        "invitations": [{
            "event": i.event.title, "event_id": i.event_id, "date": when_(i.occurrence_start), "name": i.name,
            "email": i.email, "answer": i.answer, "answered_at": when_(i.answered_at),
            "invited_at": when_(i.created_at), "reminded_at": when_(i.reminded_at),
        } for i in invs],
        **{key: value for _receiver, sections in personal_data_requested.send(network.id, email=email)
           for key, value in sections.items()},
    }


def url_context():
    """Mails carry absolute links; outside a request (the worker, the CLI) url_for needs one.
    BASE_URL is what mails use in production (see core.urls.absolute_url)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or "http://localhost")


def purge_job() -> None:
    purge_expired()


def reminder_job() -> None:
    with url_context():
        send_reminders()


def register_periodic_jobs() -> None:
    """The outbox worker runs the purge and the reminders in its hourly round; both decide
    themselves what is due, so running them more often than daily changes nothing."""
    from ..mail import outbox

    outbox.register_periodic(purge_job)
    outbox.register_periodic(reminder_job)
