"""The demo's date polls: the open poll for the coordinators' exchange in Stendal (eight
coordinators from eight municipalities, most of them answered) and the decided poll that
became the yearly network meeting; loading the demo twice adds nothing."""
import pytest
from datetime import timedelta

from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app import demo
from tests.demo_snapshot import load_demo
from app.events import recurrence
from app.polls import service
from app.polls.demo import OPEN_TITLE
from app.polls.models import Poll, PollAnswer, PollParticipant

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")


def test_demo_has_an_open_and_a_decided_poll(app):
    load_demo()
    now = utcnow()
    polls = {poll.status: poll for poll in db.session.scalars(select(Poll))}
    assert set(polls) == {"open", "decided"}

    poll = polls["open"]
    assert poll.title == OPEN_TITLE and poll.network.slug == "landkreis-stendal"
    assert service.is_open(poll)
    assert len(poll.options) == 6
    assert all(recurrence.to_local(o.starts_at, poll.timezone).month == 10 and o.starts_at > now for o in poll.options)
    assert now < poll.deadline < poll.options[0].starts_at
    people = poll.participants
    assert len(people) == 8 and len({p.email.split("@")[1] for p in people}) == 8  # eight municipalities
    assert [p.name for p in people if p.required] == ["Jan Wernecke"]
    found = service.results(poll)
    assert found.answered == 6
    assert {answer for answer in found.answers.values()} == {"yes", "maybe", "no"}
    # The best date is one the required host can come to, with its reason.
    assert found.best and all(row.required_can and row.reason for row in found.best)
    assert all(p.answered_at < now for p in people if p.answered_at)

    decided = polls["decided"]
    event = decided.event
    assert event is not None and event.kind.code == "network_meeting"
    assert decided.title == event.title and decided.closed_at <= now
    chosen = decided.chosen
    assert (chosen.starts_at, chosen.ends_at) == (event.starts_at, event.ends_at)
    assert len(decided.options) >= 4 and len(decided.participants) >= 8
    assert [row.option for row in service.results(decided).best] == [chosen]
    assert decided.purged_at is None and decided.closed_at + timedelta(days=decided.retention_days) > now

    counts = (db.session.scalar(select(func.count(Poll.id))), db.session.scalar(select(func.count(PollParticipant.id))),
              db.session.scalar(select(func.count()).select_from(PollAnswer)))
    demo.load_demo()
    assert counts == (db.session.scalar(select(func.count(Poll.id))),
                      db.session.scalar(select(func.count(PollParticipant.id))),
                      db.session.scalar(select(func.count()).select_from(PollAnswer)))

