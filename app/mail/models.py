from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow


class OutboxMail(db.Model):
    """A mail written in the same transaction as the change that causes it (transactional
    outbox); the outbox worker sends it, retries with back-off, and marks it sent once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the plain text part
    html: Mapped[str | None] = mapped_column(Text)  # the HTML part (mail/letters.py)
    # One small picture the HTML shows inline (cid:), e.g. the check-in QR code; PNG.
    inline_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    ics: Mapped[str | None] = mapped_column(Text)  # an iCalendar attachment
    ics_method: Mapped[str | None] = mapped_column(String(20))  # REQUEST or CANCEL
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    # Any other attachment (the minutes' PDF): its bytes and MIME type.
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    # Extra header fields, e.g. a list mail's List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).
    headers: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up after the last retry
    last_error: Mapped[str] = mapped_column(Text, default="")
    # For the dev mailbox and the organizers' "what was sent" view: the event and the network
    # whose change caused the mail (none for account mails, which only administrators read).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"), index=True)


class StoredPdf(db.Model):
    """A PDF the outbox worker lays out from HTML a request handed over (mail/pdfs.py), found
    by the HTML's SHA-256: the same document asked for again is served from here. Only ever
    served through the route that rendered the HTML, under that route's access rules."""

    __tablename__ = "stored_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of html: the ETag
    kind: Mapped[str] = mapped_column(String(40))  # what it is for ("report"), for the logs
    html: Mapped[str | None] = mapped_column(Text, deferred=True)  # dropped once laid out
    tagged: Mapped[bool] = mapped_column(Boolean, default=False)  # with structure tags (core/pdf.py)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # purged by it
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker is laying it out
