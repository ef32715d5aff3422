"""Two saves of one person's answers at the same moment (a double tap, two open tabs): each in
its own thread, app context, session and connection. Afterwards exactly one answer per date,
all from one of the two saves, and nobody got an error: the participant's row lock
(service.lock_participant) serializes the delete-and-insert.

Needs PostgreSQL (connections really running at once, row locks): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway, and tests/test_polls_answer.py covers saving again."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.polls import service
from app.polls.models import PollAnswer, PollParticipant
from tests.concurrency import at_once, needs_postgres
from tests.factories import local

pytestmark = [
    needs_postgres,
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0, "pool_pre_ping": True}),
]

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc)
ROUNDS = 20


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


def save_at_once(app, participant_id: int, choices: list[dict[int, str]]) -> list:
    """One thread per set of answers; all wait at the barrier, then save and commit."""
    def save(index, participant):
        service.save_answers(participant, choices[index], f"Erika {index}")
        return "saved"

    return at_once(app, len(choices), save, prepare=lambda _index: db.session.get(PollParticipant, participant_id),
                   timeout=60)


def test_two_saves_at_the_same_moment_leave_one_answer_per_date(app, make):
    network = make.network("stendal", "Netzwerk Stendal")
    dates = [service.Candidate(local(2027, 3, day, 10), local(2027, 3, day, 12)) for day in range(1, 11)]
    poll = service.create(network, None, None, dates, title="Austausch", deadline=local(2027, 2, 20))
    participant = service.new_participant(poll, "Erika", "erika@example.org")
    db.session.commit()
    option_ids = [o.id for o in poll.options]
    participant_id = participant.id
    db.session.remove()  # the test's own connection holds nothing

    # One save says yes to every date, the other no to every date but the last.
    all_yes = {option_id: "yes" for option_id in option_ids}
    mostly_no = {option_id: "no" for option_id in option_ids[:-1]}
    for _round in range(ROUNDS):
        assert save_at_once(app, participant_id, [all_yes, mostly_no]) == ["saved", "saved"]
        rows = db.session.execute(select(PollAnswer.option_id, func.count()).where(
            PollAnswer.participant_id == participant_id).group_by(PollAnswer.option_id)).all()
        assert all(count == 1 for _option, count in rows)
        left = dict(db.session.execute(select(PollAnswer.option_id, PollAnswer.answer).where(
            PollAnswer.participant_id == participant_id)).all())
        assert left in (all_yes, mostly_no)  # one save whole, never a mix of both
        db.session.remove()
