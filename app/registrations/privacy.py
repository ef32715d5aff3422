"""DSGVO: personal data of registrations is deleted once an event's retention period has
passed (anonymous counts are kept for reports to funders), and an organizer can export
everything stored about one address (Art. 15)."""
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.leases import set_once
from ..core.types import utcnow
from ..directory.models import Network
from ..events.models import Event
from .admin_service import organization_label, questions_of
from .models import AnonymousCount, Invitation, Question, Registration, RegistrationSettings
from .signals import personal_data_deleted, personal_data_requested

COUNTED_STATUSES = ("confirmed", "waiting", "pending", "cancelled")


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
        counts[(start, f"language:{row.language or '-'}")] += 1  # the languages asked for, in reports
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
    """Delete the personal data of events whose end plus retention days has passed; keep counts.
    Each event is claimed first (core.leases.set_once), so two workers at once purge it once."""
    now = now or utcnow()
    result = PurgeResult()
    candidates = db.session.execute(
        select(Event, RegistrationSettings).join(RegistrationSettings, RegistrationSettings.event_id == Event.id)
        .where(RegistrationSettings.purged_at.is_(None), Event.last_ends_at < now)
        .order_by(Event.id)).all()  # every worker claims in the same order: no deadlock
    for event, settings in candidates:
        if event.last_ends_at + timedelta(days=settings.retention_days or 0) > now or \
                not set_once(RegistrationSettings.purged_at, event.id, now):
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
        db.session.expire(settings, ["purged_at"])  # written by set_once
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


def purge_job() -> None:
    purge_expired()
