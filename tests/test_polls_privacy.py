"""DSGVO for date polls: participants and answers are deleted after the retention period (not
before), an organizer's export of an address contains its poll answers, one person's data can
be deleted, and the app wires the receiver and the worker's job when it is created."""
import json
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.polls import privacy, service
from app.polls.models import PollAnswer, PollOption, PollParticipant
from app.registrations import privacy as registrations_privacy

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def network(app, make):
    return make.network("magdeburg", "Netzwerk Magdeburg")


def _poll(network, make, title="Austausch", retention_days=90):
    dates = service.candidates([date(2027, 3, 26), date(2027, 10, 29)], [(time(10), time(12))], "Europe/Berlin")
    poll = service.create(network, None, None, dates, title=title, deadline=make.local(2027, 3, 1),
                          retention_days=retention_days)
    db.session.flush()
    return poll


def _answer(poll, name, email, choices, comment=""):
    participant = service.new_participant(poll, name, email)
    db.session.flush()
    service.save_answers(participant, dict(zip([o.id for o in poll.options], choices)), name, comment)
    return participant


def _count(model, poll):
    return db.session.scalar(select(func.count()).select_from(model).where(model.poll_id == poll.id))


def test_purge_after_the_retention_period_not_before(network, make):
    poll = _poll(network, make, retention_days=30)
    _answer(poll, "Ana Haddad", "ana@example.org", ["yes", "no"])
    _answer(poll, "Jonas Becker", "jonas@example.org", ["maybe", "yes"])
    kept = _poll(network, make, title="Andere Umfrage")
    _answer(kept, "Ana Haddad", "ana@example.org", ["yes", "yes"])
    service.close(poll)
    db.session.commit()
    closed_at = poll.closed_at

    assert privacy.purge_expired(now=closed_at + timedelta(days=29, hours=23)) == 0
    assert _count(PollParticipant, poll) == 2 and _count(PollAnswer, poll) == 4

    assert privacy.purge_expired(now=closed_at + timedelta(days=30, minutes=1)) == 1
    db.session.commit()
    assert _count(PollParticipant, poll) == 0 and _count(PollAnswer, poll) == 0
    assert _count(PollOption, poll) == 2  # the dates stay
    assert poll.purged_at is not None and poll.participants == []
    # The other poll (open, deadline in 2027) keeps its people; a second run changes nothing.
    assert _count(PollParticipant, kept) == 1 and _count(PollAnswer, kept) == 2
    assert privacy.purge_expired(now=closed_at + timedelta(days=31)) == 0


def test_a_poll_never_closed_counts_from_its_deadline(network, make):
    poll = _poll(network, make, retention_days=10)
    _answer(poll, "Ana Haddad", "ana@example.org", ["yes", "no"])
    db.session.commit()
    assert privacy.purge_expired(now=poll.deadline + timedelta(days=9)) == 0
    assert privacy.purge_expired(now=poll.deadline + timedelta(days=10, seconds=1)) == 1
    assert _count(PollParticipant, poll) == 0


def test_the_worker_round_purges(network, make, monkeypatch):
    from app.mail import outbox

    monkeypatch.setattr(outbox, "_periodic", [])  # this test's round: the purge alone
    monkeypatch.setattr(outbox, "_periodic_last_run", None)
    poll = _poll(network, make, retention_days=0)
    _answer(poll, "Ana Haddad", "ana@example.org", ["yes", "no"])
    service.close(poll)
    db.session.commit()
    privacy.register_periodic_jobs()
    assert outbox.run_periodic() == 1  # commits each job
    db.session.expire_all()
    assert _count(PollParticipant, poll) == 0 and poll.purged_at is not None


def test_export_contains_every_answer(network, make):
    poll = _poll(network, make, title="Austausch der Koordinator:innen")
    _answer(poll, "Ana Haddad", "Ana@Example.org", ["yes", "maybe"], comment="Vormittags besser")
    _answer(poll, "Jonas Becker", "jonas@example.org", ["no", "yes"])
    other = make.network("stendal", "Netzwerk Stendal")
    _answer(_poll(other, make, title="Fremde Umfrage"), "Ana Haddad", "ana@example.org", ["yes", "yes"])
    db.session.commit()

    exported = registrations_privacy.export_person(network, "ana@example.org")
    [entry] = exported["polls"]  # only this network's polls
    assert entry["poll"] == "Austausch der Koordinator:innen" and entry["poll_id"] == poll.id
    assert entry["name"] == "Ana Haddad" and entry["email"] == "Ana@Example.org"
    assert entry["comment"] == "Vormittags besser" and entry["answered_at"]
    # ISO in UTC: 10:00 Berlin is 09:00Z in March and 08:00Z in October.
    assert entry["answers"] == [
        {"starts_at": "2027-03-26T09:00:00+00:00", "ends_at": "2027-03-26T11:00:00+00:00", "all_day": False,
         "answer": "yes"},
        {"starts_at": "2027-10-29T08:00:00+00:00", "ends_at": "2027-10-29T10:00:00+00:00", "all_day": False,
         "answer": "maybe"}]
    assert registrations_privacy.export_person(network, "nobody@example.org")["polls"] == []


def test_export_through_the_organizer_page(network, make, client):
    coordinator = make.user("coord@example.org", coordinates=[network])
    poll = _poll(network, make)
    _answer(poll, "Ana Haddad", "ana@example.org", ["yes", "no"])
    db.session.commit()
    make.login(client, coordinator.email)
    response = client.get("/n/magdeburg/privacy/export?email=ana@example.org")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert [a["answer"] for a in data["polls"][0]["answers"]] == ["yes", "no"]


def test_a_participant_deletes_their_own_data(client, network, make):
    poll = _poll(network, make)
    ana = _answer(poll, "Ana Haddad", "ana@example.org", ["yes", "no"])
    _answer(poll, "Jonas Becker", "jonas@example.org", ["no", "yes"])
    db.session.commit()
    link = f"/p/{service.answer_token(ana)}"
    response = client.post(link, data={"action": "delete"})  # without ticking the box: nothing
    assert response.status_code == 422 and 'id="confirm-error"' in response.get_data(as_text=True)
    assert _count(PollParticipant, poll) == 2
    response = client.post(link, data={"action": "delete", "confirm_delete": "1"})
    assert response.status_code == 200 and "Your data is deleted" in response.get_data(as_text=True)
    assert db.session.scalars(select(PollParticipant.email).where(PollParticipant.poll_id == poll.id)).all() \
        == ["jonas@example.org"]
    assert _count(PollAnswer, poll) == 2  # Jonas's
    assert client.get(link).status_code == 404  # the link no longer works


def test_the_app_connects_the_receiver_and_the_job():
    """In a fresh process: creating the app alone (no import of app.polls.privacy here)
    connects the export receiver and registers the purge with the worker."""
    script = (
        "from app import create_app\n"
        "from app.mail import outbox\n"
        "from app.registrations.signals import personal_data_requested\n"
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'})\n"
        "print(sorted({r.__module__ for r in personal_data_requested.receivers_for(1)}))\n"
        "print(sorted({f'{j.__module__}.{j.__name__}' for j in outbox._periodic}))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    receivers, jobs = result.stdout.splitlines()[-2:]
    assert "app.polls.privacy" in receivers
    assert "app.polls.privacy.purge_job" in jobs
