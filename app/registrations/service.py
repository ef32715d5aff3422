"""Registration logic shared by the public pages, the organizer pages, the demo and the tests.

Transactions: the functions here add and change rows and write mails into the outbox in
the caller's transaction; the caller commits (a view before it redirects, so whoever saw a
confirmation page is in the database, and the mail is committed with it).

Capacity: every path that can give someone a place (register, promote_waiting) first
locks the event's row, then counts, then writes, all in one transaction; see `lock_event`.
"""
import json
import secrets
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text

from ..core.extensions import db
from ..core.tokens import hash_token, plausible_token
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..events import recurrence
from ..events.models import Event
from . import notifications
from .models import ACTIVE_STATUSES, Invitation, Question, Registration, RegistrationSettings
from .signals import personal_data_deleted

TOKEN_BYTES = 32  # 256 bits from `secrets`

# Outcomes of register()
CONFIRMED, WAITING, PENDING, FULL, EXISTS = "confirmed", "waiting", "pending", "full", "exists"


# --- Tokens -----------------------------------------------------------------------

def new_token() -> tuple[str, str]:
    """(token for the link, its SHA-256 for the database). Only the hash is stored, so a
    leaked database holds no working links."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def by_token(token: str | None) -> Registration | None:
    """The registration a manage link belongs to, or None for anything forged, guessed,
    too long or deleted. Looked up by hash: the comparison happens on a value the caller
    cannot choose, so the timing tells nothing about stored tokens."""
    if not plausible_token(token):
        return None
    return db.session.scalar(select(Registration).where(Registration.token_hash == hash_token(token)))


def invitation_by_token(token: str | None) -> Invitation | None:
    if not plausible_token(token):
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


# --- Proof of mailbox -----------------------------------------------------------------
# Anyone can type any address into a form, so the page shown right after it proves nothing
# about the mailbox: it shows the one registration just made (known from the session, never
# by its token). Whatever reaches beyond that record (the personal feed of every event an
# address is registered for, and later "my registrations" or changing the address) needs a
# link that was mailed to the address. Manage and invitation tokens are only ever sent by
# mail, so holding one proves the mailbox; check-in QR codes carry a code of their own.
# Every feature that spans an address asks proven_mailbox() and nothing else.

def proven_mailbox(token: str | None) -> str | None:
    """The address whose mailbox a mailed link (manage or invitation) proves, else None."""
    found = by_token(token) or invitation_by_token(token)
    return found.email if found is not None and found.email else None


# --- Where and when ---------------------------------------------------------------

def occurrence_of(event: Event, occurrence_start: datetime):
    """The Occurrence a registration is for (None when the series no longer has that date)."""
    if not event.is_series:
        return recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at)
    return recurrence.occurrence(event, event.changes, occurrence_start)


def _same_date(event: Event, occurrence_start: datetime | None):
    """Rows of this event's date. A single event's registrations are all of it, even when the
    organizer moved its start after people registered; None means every date."""
    condition = Registration.event_id == event.id
    if event.is_series and occurrence_start is not None:
        condition = and_(condition, Registration.occurrence_start == occurrence_start)
    return condition


def registration_state(event: Event, occurrence, settings: RegistrationSettings | None,
                       now: datetime | None = None) -> str:
    """"open", or why not: "none" (takes no registrations), "closed", "not_yet", "over",
    "cancelled", "invited_only" (only through a personal invitation link)."""
    now = now or utcnow()
    if settings is None or event.status == "draft":
        return "none"
    if occurrence is None or event.status == "cancelled" or occurrence.cancelled or (
            occurrence.change is not None and occurrence.change.action == "skipped"):
        return "cancelled"
    if not settings.is_open:
        return "closed"
    if settings.opens_at and now < settings.opens_at:
        return "not_yet"
    if (settings.closes_at and now >= settings.closes_at) or occurrence.starts_at <= now:
        return "over"
    if event.visibility == "invited":
        return "invited_only"
    return "open"


def questions_of(event: Event) -> list[Question]:
    return db.session.scalars(
        select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)).all()


def event_url(event: Event, occurrence_start: datetime) -> str:
    if event.is_series:
        return absolute_url("events.show", event_id=event.id, at=f"{occurrence_start:%Y%m%dT%H%M%SZ}")
    return absolute_url("events.show", event_id=event.id)


def manage_url(token: str) -> str:
    return absolute_url("registrations.manage", token=token)


# --- The capacity lock ------------------------------------------------------------

def lock_event(event_id: int) -> None:
    """Serialize everything that hands out places for one event, until the transaction ends.

    PostgreSQL: SELECT … FOR UPDATE on the event's row. Concurrent registrations for the
    same event queue on it; other events and every reader are not blocked. We chose the row
    lock over an atomic conditional UPDATE of a counter because the decision needs more than
    one number (capacity, waiting list, approval, duplicate address) and there is no counter
    column to keep right; over advisory locks because it ends with the transaction by itself.
    In READ COMMITTED the count that follows is a new statement and sees every registration
    committed by whoever held the lock before.

    SQLite has no row locks; it serializes writers. A no-op UPDATE of the row is the first
    statement of the transaction, so it takes SQLite's write lock right away (the effect of
    BEGIN IMMEDIATE), waiting up to the busy timeout for another writer; the count after it
    cannot miss a concurrent registration. Plain SQL, so that `updated_at` (onupdate) and the
    event's SEQUENCE stay untouched.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        db.session.execute(text("UPDATE events SET id = id WHERE id = :id"), {"id": event_id})


# --- Numbers ----------------------------------------------------------------------

def counts(event: Event, occurrence_start: datetime | None) -> dict:
    """{confirmed, waiting, pending, cancelled} of one date (all dates with None), one query."""
    found = dict(db.session.execute(
        select(Registration.status, func.count()).where(_same_date(event, occurrence_start))
        .group_by(Registration.status)).all())
    return {status: found.get(status, 0) for status in ("confirmed", "waiting", "pending", "cancelled")}


def _confirmed_count(event: Event, occurrence_start: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        _same_date(event, occurrence_start), Registration.status == "confirmed"))


def places_left(event: Event, occurrence_start: datetime, settings: RegistrationSettings) -> int | None:
    if settings.capacity is None:
        return None
    return max(0, settings.capacity - _confirmed_count(event, occurrence_start))


def waiting_list_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        _same_date(registration.event, registration.occurrence_start), Registration.status == "waiting",
        or_(Registration.created_at < registration.created_at,
            and_(Registration.created_at == registration.created_at, Registration.id < registration.id))))
    return ahead + 1


def active_by_email(event: Event, occurrence_start: datetime, email: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        _same_date(event, occurrence_start), Registration.email == normalize_email(email),
        Registration.status.in_(ACTIVE_STATUSES)))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# --- Registering ------------------------------------------------------------------

def register(event: Event, occurrence_start: datetime, name: str, email: str, organization_id: int | None,
             organization_name: str, answers: dict, invitation: Invitation | None = None,
             status: str | None = None, notify: bool = True,
             language: str | None = None) -> tuple[Registration | None, str | None, str]:
    """Register one person for one date: (registration, token, outcome).

    outcome: "confirmed", "waiting" (waiting list), "pending" (awaits approval), "full"
    (no place and no waiting list: nothing saved, registration and token None) or "exists"
    (this address has an active registration for the date already: no second row; its link
    is renewed and mailed again, the returned token is the new one).

    `status` lets an organizer add someone as "confirmed" or "waiting" directly (manual add,
    ignores capacity for "confirmed"). `language` is the page's: every mail to the person is
    written in it (None: the installation's default). The caller commits.
    """
    email = normalize_email(email)
    lock_event(event.id)
    settings = event.registration_settings
    existing = active_by_email(event, occurrence_start, email)
    if existing is not None:
        existing.language = language or existing.language
        token = renew_token(existing)
        if notify:
            notifications.status(existing, token, again=True)
        return existing, token, EXISTS

    status = status or _status_for_newcomer(event, occurrence_start, settings)
    if status == FULL:
        return None, None, FULL

    token, token_hash = new_token()
    registration = Registration(
        event_id=event.id, occurrence_start=occurrence_start, name=name.strip(), email=email,
        organization_id=organization_id or None, organization_name=(organization_name or "").strip(),
        answers=json.dumps(answers or {}, ensure_ascii=False), status=status, token_hash=token_hash,
        invitation_id=invitation.id if invitation is not None else None, created_at=utcnow(), language=language)
    registration.event = event
    db.session.add(registration)
    db.session.flush()
    if notify:
        notifications.status(registration, token)
    return registration, token, status


def _status_for_newcomer(event: Event, occurrence_start: datetime, settings: RegistrationSettings | None) -> str:
    """Where someone registering now stands: pending, confirmed, waiting, or full (no place)."""
    if settings is not None and settings.needs_approval:
        return PENDING
    if settings is None or settings.capacity is None or _confirmed_count(event, occurrence_start) < settings.capacity:
        return CONFIRMED
    return WAITING if settings.waiting_list else FULL


def again_offer(registration: Registration) -> str | None:
    """Where a cancelled registration would stand if the person registered again now
    (confirmed, waiting or pending); None when they cannot: registration is not open, there is
    no place and no waiting list, or the address is registered for the date again already."""
    if registration.status != "cancelled":
        return None
    event, start = registration.event, registration.occurrence_start
    settings = event.registration_settings
    state = registration_state(event, occurrence_of(event, start), settings)
    # An invitation opens an invited-only event to its invitee, as on the invitation page.
    if state != "open" and not (state == "invited_only" and registration.invitation_id):
        return None
    if active_by_email(event, start, registration.email) is not None:
        return None
    status = _status_for_newcomer(event, start, settings)
    return None if status == FULL else status


def register_again(registration: Registration, token: str, language: str | None = None) -> str | None:
    """A cancelled registration back on the list with the same details and link (`token`, mailed
    again): where it stands now, or None when again_offer() says it cannot. Decided under the
    capacity lock, as register() does. The caller commits."""
    lock_event(registration.event_id)
    status = again_offer(registration)
    if status is None:
        return None
    registration.status = status
    registration.cancelled_at = None
    # The waiting list goes by created_at: whoever comes back queues behind those who waited.
    registration.created_at = registration.updated_at = utcnow()
    registration.language = language or registration.language
    if registration.invitation_id is not None:
        invitation = db.session.get(Invitation, registration.invitation_id)
        if invitation is not None:
            answer_invitation(invitation, "yes")
    db.session.flush()
    notifications.status(registration, token)
    return status


def renew_token(registration: Registration) -> str:
    """A new manage link; the old one stops working (only hashes are stored)."""
    token, registration.token_hash = new_token()
    return token


def update(registration: Registration, name: str, organization_id: int | None, organization_name: str,
           answers: dict) -> None:
    registration.name = name.strip()
    registration.organization_id = organization_id or None
    registration.organization_name = (organization_name or "").strip()
    registration.answers = json.dumps(answers or {}, ensure_ascii=False)
    registration.updated_at = utcnow()


def cancel(registration: Registration, notify: bool = True) -> list[Registration]:
    """Cancel; then the first on the waiting list move up while places are free. Returns
    those promoted. Freeing a place needs no lock, but promoting does, and taking it first
    keeps the lock order the same as register's (event row, then registrations)."""
    if registration.status not in ACTIVE_STATUSES:
        return []
    event = registration.event
    lock_event(event.id)
    had_place = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    if notify:
        notifications.cancelled(registration, had_place)
    db.session.flush()
    return promote_waiting(event, registration.occurrence_start, notify=notify, locked=True)


def promote_waiting(event: Event, occurrence_start: datetime, notify: bool = True,
                    locked: bool = False) -> list[Registration]:
    """Give free places to the first on the waiting list, in order, and tell them by mail."""
    settings = event.registration_settings
    if settings is None or settings.capacity is None:
        return []
    if not locked:
        lock_event(event.id)
    free = settings.capacity - _confirmed_count(event, occurrence_start)
    if free <= 0:
        return []
    moved = db.session.scalars(
        select(Registration).where(_same_date(event, occurrence_start), Registration.status == "waiting")
        .order_by(Registration.created_at, Registration.id).limit(free)).all()
    for registration in moved:
        registration.status = "confirmed"
        registration.updated_at = utcnow()
        if notify:
            # No new token: the link the person already has keeps working (only hashes are
            # stored, so the mail cannot repeat it; it says where to find it or ask for it).
            notifications.status(registration, None, promoted=True)
    db.session.flush()
    return moved


def delete_personal_data(registration: Registration) -> list[Registration]:
    """The person deletes their data: cancel (the waiting list moves up), then strip the row
    of everything personal. The row itself stays, as "cancelled" with a random placeholder
    address and no name, organization or answers: the organizer's numbers (cancellations)
    and the waiting list's order stay right, and nothing is left that points to the person.
    The manage link stops working (its hash is replaced)."""
    promoted = cancel(registration, notify=False)
    personal_data_deleted.send(registration.event_id, email=registration.email)
    registration.name = ""
    registration.email = f"deleted-{secrets.token_hex(8)}@invalid"
    registration.organization_id = None
    registration.organization_name = ""
    registration.answers = "{}"
    registration.invitation_id = None
    registration.checked_in_at = None
    registration.token_hash = hash_token(secrets.token_urlsafe(TOKEN_BYTES))  # nobody knows it
    db.session.flush()
    return promoted


# --- Invitations ------------------------------------------------------------------

def answer_invitation(invitation: Invitation, answer: str) -> None:
    """Record "yes" / "no" / "maybe". Saying no after yes cancels the registration made
    through the invitation ("yes" itself registers through register(..., invitation=…))."""
    invitation.answer = answer
    invitation.answered_at = utcnow()
    if answer != "yes":
        registration = invitation_registration(invitation)
        if registration is not None and answer == "no":
            cancel(registration)


def invitation_registration(invitation: Invitation) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.invitation_id == invitation.id, Registration.status.in_(ACTIVE_STATUSES)))


def answers_of(registration: Registration) -> dict:
    try:
        value = json.loads(registration.answers or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
