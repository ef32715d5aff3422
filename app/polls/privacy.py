"""DSGVO for date polls, as registrations/privacy.py does it for registrations: the people
asked and their answers are deleted once a poll's retention period has passed; an organizer's
export of one address (Art. 15) includes its poll answers; one person's data can be deleted.

Only the participants and their answers are deleted: the poll and its dates stay, without
counts (there is no column for them; the decided date lives on as the event). Both tables
are deleted explicitly: SQLite enforces no ON DELETE CASCADE here.
"""
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..core.extensions import db
from ..core.leases import set_once
from ..core.types import utcnow
from ..registrations.signals import personal_data_requested
from .models import Poll, PollAnswer, PollOption, PollParticipant


def _forget(poll_ids) -> int:
    """Delete the answers and then the participants of these polls; returns the number of
    participants. Explicitly: SQLite does not enforce ON DELETE CASCADE here."""
    matched = [PollParticipant.poll_id.in_(poll_ids)]
    options = {"synchronize_session": False}
    db.session.execute(delete(PollAnswer).where(PollAnswer.participant_id.in_(
        select(PollParticipant.id).where(*matched))), execution_options=options)
    return db.session.execute(delete(PollParticipant).where(*matched), execution_options=options).rowcount or 0


def purge_expired(now: datetime | None = None) -> int:
    """Delete the participants and answers of polls whose end (closed, else the deadline) plus
    retention days has passed; returns how many polls were purged. Does not commit. Each poll
    is claimed first by a conditional UPDATE: of two workers at once, one purges it, the other
    (on PostgreSQL after waiting for the first's commit) finds it purged."""
    now = now or utcnow()
    ended = func.coalesce(Poll.closed_at, Poll.deadline)
    candidates = db.session.scalars(select(Poll).where(Poll.purged_at.is_(None), ended < now)
                                    .order_by(Poll.id)).all()  # every worker claims in the same order: no deadlock
    due = [poll for poll in candidates
           if (poll.closed_at or poll.deadline) + timedelta(days=poll.retention_days or 0) <= now
           and set_once(Poll.purged_at, poll.id, now)]
    if due:
        _forget([poll.id for poll in due])
        for poll in due:
            db.session.expire(poll, ["purged_at", "participants"])
    return len(due)


def purge_job() -> None:
    purge_expired()


def register_periodic_jobs() -> None:
    """The outbox worker's hourly round purges; the purge decides itself what is due."""
    from ..mail import outbox

    outbox.register_periodic(purge_job)


def delete_participant(participant) -> None:
    """A participant deletes their own data through their link (name, address, answers, comment)."""
    db.session.execute(delete(PollAnswer).where(PollAnswer.participant_id == participant.id))
    db.session.delete(participant)


@personal_data_requested.connect
def personal_data(network_id: int, email: str, **_) -> dict:
    """The address's participations in the network's polls, with every answer (dates in UTC)."""
    email = email.strip().lower()
    rows = db.session.execute(
        select(PollParticipant, Poll.title).join(Poll, Poll.id == PollParticipant.poll_id)
        .where(Poll.network_id == network_id, func.lower(PollParticipant.email) == email)
        .order_by(PollParticipant.created_at, PollParticipant.id)).all()
    answers: dict[int, list] = {}
    for participant_id, starts_at, ends_at, all_day, answer in db.session.execute(
            select(PollAnswer.participant_id, PollOption.starts_at, PollOption.ends_at, PollOption.all_day,
                   PollAnswer.answer).join(PollOption, PollOption.id == PollAnswer.option_id)
            .where(PollAnswer.participant_id.in_([participant.id for participant, _title in rows]))
            .order_by(PollOption.starts_at, PollOption.ends_at)):
        answers.setdefault(participant_id, []).append({
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "all_day": all_day,
            "answer": answer})

    def when_(moment):
        return moment.isoformat() if moment else None

    return {"polls": [{
        "poll": title, "poll_id": p.poll_id, "name": p.name, "email": p.email, "required": p.required,
        "answers": answers.get(p.id, []), "comment": p.comment, "language": p.language,
        "invited_at": when_(p.created_at) if p.invited else None,
        "joined_at": None if p.invited else when_(p.created_at),
        "answered_at": when_(p.answered_at), "reminded_at": when_(p.reminded_at),
    } for p, title in rows]}
