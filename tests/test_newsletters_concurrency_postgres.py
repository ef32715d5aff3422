"""Two coordinators press "send" on the same issue at the same moment (a double click, a second
tab): each request in its own thread, app context, session and connection. Afterwards exactly
one mail per subscriber: the conditional UPDATE of `sent_at` is the claim, so the second
request's UPDATE waits for the first's row lock, then finds `sent_at` set and queues nothing.

Needs PostgreSQL (connections really running at once): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway, and tests/test_newsletters.py covers a second send one after the other."""
from collections import Counter

import pytest
from sqlalchemy import delete, select, update

from app.core.extensions import db
from app.mail.models import OutboxMail
from app.newsletters import service
from app.newsletters.models import Newsletter

from .concurrency import at_once, needs_postgres
from .test_newsletters import _issue, _subscriber

pytestmark = [
    needs_postgres,
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0, "pool_pre_ping": True}),
]

ROUNDS = 10
REQUESTS = 2


def send_at_once(app, newsletter_id: int, count: int) -> list:
    # Each request loads the issue unsent, then all send at once.
    return at_once(app, count, lambda _index, newsletter: service.send(newsletter),
                   prepare=lambda _index: db.session.get(Newsletter, newsletter_id))


def test_two_sends_at_once_mail_each_subscriber_once(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    emails = [f"r{n}@example.org" for n in range(25)]
    for n, email in enumerate(emails):
        _subscriber(network, email, language=("de", "en", "ar")[n % 3])
    newsletter_id = _issue(network, publish=True).id
    db.session.execute(delete(OutboxMail))  # the subscriptions' confirmation mails
    db.session.commit()
    db.session.remove()

    for _round in range(ROUNDS):
        results = send_at_once(app, newsletter_id, REQUESTS)
        sent = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, service.NewsletterError)]
        assert sent == [len(emails)] and len(refused) == REQUESTS - 1, results
        assert Counter(db.session.scalars(select(OutboxMail.recipient)).all()) == Counter(emails)
        assert db.session.get(Newsletter, newsletter_id).sent_count == len(emails)
        db.session.execute(delete(OutboxMail))
        db.session.execute(update(Newsletter).values(sent_at=None, sent_count=0))
        db.session.commit()
        db.session.remove()
