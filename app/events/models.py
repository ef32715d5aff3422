from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Column, Date, ForeignKey, Index, Integer, LargeBinary, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.texts import LocalText, localized
from ..core.types import UTCDateTime, utcnow

# Built-in kinds every network starts with; labels live in events/labels.py.
BUILTIN_KINDS = ("network_meeting", "working_group_meeting", "training", "exchange", "public_event", "other")
VISIBILITIES = ("public", "members", "invited")
STATUSES = ("draft", "published", "cancelled")
# Recurrence rules coordinators use (RFC 5545 FREQ); monthly means "on the n-th weekday".
FREQUENCIES = ("weekly", "monthly")


class EventKind(db.Model):
    """A kind of event in a network: a built-in one (code) or one the network named itself."""

    __tablename__ = "event_kinds"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


event_tags = Table(
    "event_tags",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("network_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60))


class Event(db.Model):
    """A single event, or a recurring series stored as its rule plus its exceptions.

    Times are stored in UTC; `timezone` is the zone the organizer planned in, in which
    a series keeps its wall-clock time across daylight-saving changes.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_listing", "status", "visibility", "last_ends_at", "starts_at"),
        Index("ix_events_network_starts", "network_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made once at creation and never changed, so calendars keep recognising the event.
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="SET NULL"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("event_kinds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")

    repeat: Mapped[str | None] = mapped_column(String(20))  # None, "weekly" or "monthly"
    repeat_interval: Mapped[int] = mapped_column(Integer, default=1)
    repeat_until: Mapped[date | None] = mapped_column(Date)  # last day, in the event's zone
    repeat_count: Mapped[int | None] = mapped_column(Integer)
    # End of the last occurrence (the event's end when it does not repeat): lets a list
    # find the series that reach into a time window without expanding any.
    last_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_room: Mapped[str] = mapped_column(String(100), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    languages: Mapped[str] = mapped_column(String(100), default="de")  # comma-separated codes
    # The language the title and description are written in (marked with lang= on the pages),
    # and the organizer's translations: {"ar": {"title": …, "description": …}, …}.
    text_language: Mapped[str] = mapped_column(String(10), default="de")
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    visibility: Mapped[str] = mapped_column(String(20), default="public")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Raised on every change of time, place or status (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    network = relationship("Network", lazy="joined")
    working_group = relationship("WorkingGroup")
    kind = relationship(EventKind, lazy="joined")
    organization = relationship("Organization")
    contact_person = relationship("Person")
    tags = relationship(Tag, secondary=event_tags, order_by=Tag.name)
    changes = relationship("OccurrenceChange", back_populates="event", cascade="all, delete-orphan",
                           order_by="OccurrenceChange.original_start")
    picture = relationship("EventPicture", uselist=False, cascade="all, delete-orphan")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_series(self) -> bool:
        return self.repeat is not None

    def text(self, field: str, locale: str | None = None) -> LocalText:
        """Title or description in the reader's language where translated (core/texts.py)."""
        return localized(getattr(self, field), self.text_language, self.translations, field, locale)


class OccurrenceChange(db.Model):
    """One occurrence of a series skipped, cancelled or moved (RECURRENCE-ID in iCalendar)."""

    __tablename__ = "occurrence_changes"
    __table_args__ = (UniqueConstraint("event_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(20))  # "skipped", "cancelled" or "moved"
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event = relationship(Event, back_populates="changes")


class StoredOccurrence(db.Model):
    """One date of an event as a row, kept by events/occurrences.py from the event's rule and
    changes (which stay the source of truth), so that lists read dates instead of expanding
    rules. A single event has one; a series one per date of its rule, skipped ones included."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("event_id", "original_start"),
        Index("ix_occurrences_starts_at", "starts_at"),  # the upcoming list: all events by start
        Index("ix_occurrences_event_id_starts_at", "event_id", "starts_at"),  # one series' next dates
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)  # as the rule has it (RECURRENCE-ID)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # where a moved date moved to
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "" as planned, or the OccurrenceChange's action: "skipped", "cancelled", "moved".
    state: Mapped[str] = mapped_column(String(20), default="")


class Picture(db.Model):
    """An uploaded picture, named by its content's hash: stored once in the database (which every
    server shares) however many events and submissions show it, and never changed, so that
    its addresses can be cached for a year."""

    __tablename__ = "pictures"

    hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    width: Mapped[int] = mapped_column(Integer)  # upright, as uploaded
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PictureVariant(db.Model):
    """One width of a picture, as WebP without metadata (events/pictures.py makes them)."""

    __tablename__ = "picture_variants"

    hash: Mapped[str] = mapped_column(ForeignKey("pictures.hash", ondelete="CASCADE"), primary_key=True)
    width: Mapped[int] = mapped_column(Integer, primary_key=True)
    height: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class EventPicture(db.Model):
    """An event's picture and its text alternative (required: the picture says something)."""

    __tablename__ = "event_pictures"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[str] = mapped_column(ForeignKey("pictures.hash"), index=True)
    alt: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    image = relationship(Picture, lazy="joined")
