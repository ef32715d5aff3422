"""Two workers run the digest's hourly job at the same moment: each in its own thread, app
context, session and connection. Afterwards exactly one digest per subscriber and one Digest
row for the week: the INSERT of the week's row is the claim, and the unique (network, week)
makes the second worker's INSERT wait for the first and then fail, so it skips the network.

Needs PostgreSQL (connections really running at once): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway, and tests/test_digest.py covers "not twice in a week" one after the other."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from app.core.extensions import db
from app.digest import service
from app.digest.models import Digest, DigestSetting
from app.mail.models import OutboxMail

from .concurrency import at_once, needs_postgres
from .test_digest import MONDAY, public_event, subscriber
from .factories import local

pytestmark = [
    needs_postgres,
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0, "pool_pre_ping": True}),
]

ROUNDS = 10
WORKERS = 3


def test_two_workers_at_once_send_each_subscriber_one_digest(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    db.session.add(DigestSetting(network_id=network.id, enabled=True, weekday=0, hour=8, draft_intro=""))
    db.session.commit()
    public_event(network, "Fest", local(2026, 12, 9, 15))
    emails = [f"r{n}@example.org" for n in range(25)]
    for n, email in enumerate(emails):
        subscriber(network, email, language=("de", "en", "ar")[n % 3])
    db.session.remove()

    for _round in range(ROUNDS):
        results = at_once(app, WORKERS, lambda _index, _prepared: service.send_due_digests(MONDAY + timedelta(minutes=5)))
        assert sorted(results) == [0] * (WORKERS - 1) + [len(emails)], results
        sent = Counter(db.session.scalars(select(OutboxMail.recipient)).all())
        assert sent == Counter(emails)
        assert db.session.scalar(select(func.count(Digest.id))) == 1
        db.session.execute(delete(OutboxMail))
        db.session.execute(delete(Digest))
        db.session.commit()
        db.session.remove()
