from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

SCOPES = ("group", "person")


class FeedSecret(db.Model):
    """The secret behind a private feed address: one per working group (its members-only and
    invited-only events) and one per e-mail address (the events that person registered for).

    The address carries a token derived as HMAC(SECRET_KEY, scope:subject:salt); only the
    random `salt` and the SHA-256 of the token are stored. So the page can show the address
    again at any time, a leaked database alone opens no feed, and a new salt (rotating)
    revokes the old address at once.
    """

    __tablename__ = "feed_secrets"
    __table_args__ = (UniqueConstraint("scope", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    # The group's id as text, or the lower-cased e-mail address.
    subject: Mapped[str] = mapped_column(String(254))
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentVersion(db.Model):
    """A random token that changes in the same transaction as anything a public feed shows
    (feeds/versions.py): cached fingerprints are keyed by it, so checking a feed for changes
    is one primary-key read."""

    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
