"""The weekly digest: subscriptions (double opt-in, filters, one-click unsubscribe) and the digests sent.

A subscription's links (confirm, manage, unsubscribe) are keyed tokens of a stored salt
(core.tokens), so the same link can be mailed again with every digest; only their hashes are
stored. Unsubscribing deletes the row (nothing is kept of a person who left).

Filters are JSON lists of ids rather than association tables: the weekly send groups the
subscribers by their filter set (the tuple of the three lists) and renders once per group, so
the lists are read as values, never joined; an id of a group, kind or tag deleted later simply
matches nothing.
"""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow


class Subscription(db.Model):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("network_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    language: Mapped[str] = mapped_column(String(10), default="de")
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    wants_newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    # Empty list: all of them.
    group_ids: Mapped[list] = mapped_column(JSON, default=list)
    kind_ids: Mapped[list] = mapped_column(JSON, default=list)
    tag_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Links: keyed_token(f"digest-{purpose}:" + salt) for purpose confirm, manage, unsubscribe.
    salt: Mapped[str] = mapped_column(String(32))
    confirm_hash: Mapped[str] = mapped_column(String(64), unique=True)
    manage_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unsubscribe_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: pending, purged after a week
    # The last confirmation or "already subscribed" mail: one per address per 15 minutes.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network = relationship("Network")

    @property
    def filter_key(self) -> tuple:
        """Subscribers with the same key get the same list of events."""
        return (tuple(sorted(self.group_ids or ())), tuple(sorted(self.kind_ids or ())),
                tuple(sorted(self.tag_ids or ())))


class DigestSetting(db.Model):
    """A network's digest: whether, when (local day and hour), and the intro of the coming one."""

    __tablename__ = "digest_settings"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 Monday … 6 Sunday
    hour: Mapped[int] = mapped_column(Integer, default=8)  # local time
    # Markdown for the next digest only: the send copies it into the Digest and clears it.
    draft_intro: Mapped[str] = mapped_column(Text, default="")

    network = relationship("Network")


class Digest(db.Model):
    """One week's digest of a network. Its INSERT is the claim: the unique week makes a second
    worker's INSERT fail, so a week is never sent twice."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("network_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. "2026-W49"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    intro: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # The archive's copy: the HTML of the network's language, no personal data. Empty when
    # nothing was coming that week (the week is claimed, nobody got a mail).
    content: Mapped[str] = mapped_column(Text, default="")
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)

    network = relationship("Network")
