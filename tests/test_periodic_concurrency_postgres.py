"""Two outbox workers run the hourly jobs at the same moment (both started at once): each job
claims what it works on with a conditional UPDATE, so the second worker waits for the first
and finds nothing left. No error, every purge and every reminder happens once.

Needs PostgreSQL (connections really running at once): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway, and the modules' own tests cover "not twice" one after the other. The digest has its
own test (test_digest_concurrency_postgres.py); the other jobs only DELETE."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app.events.models import Event
from app.mail.models import OutboxMail
from app.polls import privacy as poll_privacy, service as polls
from app.polls.models import Poll, PollAnswer, PollParticipant
from app.registrations import invitations, notifications, privacy
from app.registrations.models import AnonymousCount, Invitation, Registration, RegistrationSettings

from .concurrency import at_once, needs_postgres
from .test_polls_flow import _new_poll, group_of_three  # noqa: F401  (fixture)
from .test_polls_privacy import _answer, _poll
from .test_registration_admin import add, make_event, network  # noqa: F401  (fixture)

pytestmark = [
    needs_postgres,
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0, "pool_pre_ping": True}),
]

WORKERS, EVENTS, PEOPLE = 3, 4, 5


def test_two_workers_purge_each_event_once(app, network):  # noqa: F811
    ids = []
    for number in range(EVENTS):
        event = make_event(network, f"Treffen {number}", days=1)
        for person in range(PEOPLE):
            add(event, f"Person {person}", f"p{number}-{person}@example.org", organization="VHS")
        invitations.invite(event, event.starts_at, [invitations.Invitee("Ida", f"ida{number}@example.org")])
        ids.append(event.id)
    db.session.commit()
    later = max(db.session.get(Event, id_).last_ends_at for id_ in ids) + timedelta(days=31)
    db.session.remove()

    results = at_once(app, WORKERS, lambda _index, _prepared: privacy.purge_expired(later))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.events for r in results) == EVENTS  # each event by one worker
    assert sum(r.registrations for r in results) == EVENTS * PEOPLE
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    stored = Counter(db.session.scalars(select(AnonymousCount.event_id).where(
        AnonymousCount.key == "status:confirmed")))
    assert stored == Counter(ids)  # one row per event: counted once, not added up twice
    assert db.session.scalar(select(func.sum(AnonymousCount.count)).where(
        AnonymousCount.key == "status:confirmed")) == EVENTS * PEOPLE
    assert db.session.scalar(select(func.count()).select_from(RegistrationSettings).where(
        RegistrationSettings.purged_at.is_(None))) == 0


def test_two_workers_remind_each_registrant_once(app, network):  # noqa: F811
    event = make_event(network, days=1)  # reminder 2 days before: due now
    emails = [f"p{n}@example.org" for n in range(PEOPLE)]
    for n, email in enumerate(emails):
        add(event, f"Person {n}", email)
    db.session.remove()
    now = utcnow()

    def remind(_index, _prepared):
        with app.test_request_context():
            return notifications.send_reminders(now)

    results = at_once(app, WORKERS, remind)

    assert sorted(results) == [0] * (WORKERS - 1) + [PEOPLE], results
    subjects = db.session.execute(select(OutboxMail.recipient, OutboxMail.subject)).all()
    assert Counter(recipient for recipient, subject in subjects if subject.startswith("Reminder")) == Counter(emails)


def test_two_workers_remind_before_a_polls_deadline_once(app, coordinator, group_of_three):  # noqa: F811
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    with app.test_request_context():
        polls.invite(poll, invitations.group_invitees(group))
    db.session.commit()
    day_before = poll.deadline - timedelta(hours=12)
    db.session.remove()

    results = at_once(app, WORKERS, lambda _index, _prepared: polls.deadline_reminder_job(day_before))

    assert sorted(results) == [0] * (WORKERS - 1) + [3], results
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 3 + 3  # invitations, reminders


def test_two_workers_purge_each_poll_once(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    for number in range(EVENTS):
        poll = _poll(network, make, title=f"Umfrage {number}", retention_days=10)
        for person in range(PEOPLE):
            _answer(poll, f"Person {person}", f"p{number}-{person}@example.org", ["yes", "no"])
    db.session.commit()
    later = poll.deadline + timedelta(days=11)
    db.session.remove()

    results = at_once(app, WORKERS, lambda _index, _prepared: poll_privacy.purge_expired(later))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == EVENTS  # each poll by one worker
    assert db.session.scalar(select(func.count()).select_from(PollParticipant)) == 0
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Poll).where(Poll.purged_at.is_(None))) == 0
