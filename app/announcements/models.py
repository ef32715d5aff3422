"""Announcements on a network's public page: short news with a time window, as a list and an Atom feed."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.texts import LocalText, localized
from ..core.types import UTCDateTime, utcnow


class Announcement(db.Model):
    """One piece of "current information": shown from `shows_from` until `shows_until` (open
    when None), both stored in UTC. It may bring one attachment: a picture (stored once by its
    hash, as an event's, with a text alternative) or a PDF (kept here, as a network's logo)."""

    __tablename__ = "announcements"
    # The public box and the feed: a network's announcements by start, newest first.
    __table_args__ = (Index("ix_announcements_network_shows_from", "network_id", "shows_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitized when shown
    # As an event's texts (core/texts.py): the language written in, and {"ar": {"title": …, "text": …}}.
    text_language: Mapped[str] = mapped_column(String(10), default="de")
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    shows_from: Mapped[datetime] = mapped_column(UTCDateTime)
    shows_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    picture_hash: Mapped[str | None] = mapped_column(ForeignKey("pictures.hash"), index=True)
    picture_alt: Mapped[str] = mapped_column(String(300), default="")
    # A PDF: its name as uploaded (for the download), its size (for the link), and the bytes,
    # read only when downloaded.
    document_name: Mapped[str] = mapped_column(String(200), default="")
    document_size: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    network = relationship("Network", lazy="joined")
    picture = relationship("Picture", lazy="joined")
    created_by = relationship("User")

    @property
    def has_document(self) -> bool:
        return bool(self.document_name)

    def local(self, field: str, locale: str | None = None) -> LocalText:
        """Title or text in the reader's language where translated (core/texts.py)."""
        return localized(getattr(self, field), self.text_language, self.translations, field, locale)
