"""The newsletter: an issue composed of blocks, published as a web page and a PDF, and mailed to subscribers.

An issue has a number per network, which is its public address (/n/<slug>/newsletter/<number>).
Blocks keep their data in a few columns shared by the kinds (a title, a Markdown text, an
organization, chosen ids, a period) rather than a table per kind: each kind reads the ones it
needs, and the public page loads all of an issue's data in a fixed number of queries.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

KINDS = ("editorial", "announcements", "portrait", "counselling", "look_back", "coming")


class Newsletter(db.Model):
    __tablename__ = "newsletters"
    __table_args__ = (UniqueConstraint("network_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … within the network: the public address
    title: Mapped[str] = mapped_column(String(200))  # "Newsletter Integration 2/2026"
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft or published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the conditional UPDATE that claims the sending: an issue is mailed once.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)

    network = relationship("Network")
    blocks = relationship("NewsletterBlock", back_populates="newsletter", cascade="all, delete-orphan",
                          order_by="NewsletterBlock.position")

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class NewsletterBlock(db.Model):
    __tablename__ = "newsletter_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))  # one of KINDS
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitized when shown
    # portrait: the partner from the directory (its contact is read from there when shown)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    # announcements: announcement ids; coming: event ids (an id deleted later matches nothing)
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    # look_back: the local days whose events and figures it shows
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)

    newsletter = relationship(Newsletter, back_populates="blocks")
    organization = relationship("Organization")
