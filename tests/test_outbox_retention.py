"""Delivered mails leave the outbox after MAIL_KEEP_DAYS: they hold addresses and personal links."""
from datetime import timedelta

from sqlalchemy import select

from app.core.extensions import db
from app.core.types import utcnow
from app.mail import outbox
from app.mail.models import OutboxMail


def test_delivered_mails_are_deleted_after_the_days_kept(app):
    now = utcnow()
    old_sent, new_sent, old_failed, waiting = (outbox.enqueue(f"{name}@example.org", name, "Text")
                                               for name in ("old-sent", "new-sent", "old-failed", "waiting"))
    old_sent.sent_at = now - timedelta(days=31)
    new_sent.sent_at = now - timedelta(days=29)
    old_failed.failed_at = now - timedelta(days=31)
    waiting.created_at = now - timedelta(days=40)  # not yet sent: never deleted, however old
    db.session.commit()
    assert outbox.purge_delivered(now) == 2
    db.session.commit()
    assert set(db.session.scalars(select(OutboxMail.subject))) == {"new-sent", "waiting"}
    assert outbox.purge_delivered in outbox._periodic  # the worker's round runs it
