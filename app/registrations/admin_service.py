"""The organizer's side of registrations: the date an organizer looks at, settings and
questions, the overview and moving people between the lists. Invitations, check-in and
attendance, notifications and the DSGVO purge and export have modules of their own.
Nothing here reads the request; the caller commits.

Mails go through the transactional outbox (`app.mail.outbox.enqueue`), so a mail is written in
the same transaction as the change that causes it.
"""
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.formatting import when
from ..core.types import utcnow
from ..events import recurrence
from ..events.models import Event
from .models import ACTIVE_STATUSES, QUESTION_KINDS, REGISTRATION_STATUSES, Question, Registration, RegistrationSettings


class AdminError(ValueError):
    """A problem the organizer can fix; the message is translated; `field` names the form field
    it belongs next to, where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


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


def _tell(registration: Registration, promoted: bool = False, had_place: bool = False) -> None:
    """The participant side's status mail, with a fresh manage link (and the calendar update)."""
    from . import notifications, service

    notifications.status(registration, service.renew_token(registration), promoted=promoted, had_place=had_place)


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
    had_place = registration.status == "confirmed"
    registration.status = "waiting"
    registration.checked_in_at = None
    registration.updated_at = utcnow()
    db.session.flush()
    _tell(registration, had_place=had_place)


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
    from . import notifications

    registration.status = "declined"
    registration.cancelled_at = utcnow()
    notifications.declined(registration)


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


def checked_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AdminError(_("Please enter a valid e-mail address.")) from None
