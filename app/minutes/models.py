"""A meeting's agenda, minutes, decisions, action items and attendance.

A `Meeting` is one date of an event (one occurrence of a series, or a single event) that
has an agenda and minutes. Everything else hangs on it. The minutes text lives per agenda
item; every saved text is kept as a `NotesRevision` (append-only), and the form carries the
revision it was based on, so a save based on an older one is refused ("changed meanwhile").
"""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

AGENDA_STATUSES = ("draft", "published")
# draft → review (sent to participants for corrections) → approved → published
MINUTES_STATUSES = ("draft", "review", "approved", "published")
# Who may read published minutes: the group's organizers and members, the network's, everyone.
AUDIENCES = ("group", "network", "public")
# proposed: a participant's proposal the organizer has not answered yet.
AGENDA_ITEM_STATUSES = ("accepted", "proposed", "declined")
ACTION_ITEM_STATUSES = ("open", "in_progress", "done", "dropped")
OPEN_ACTION_STATUSES = ("open", "in_progress")


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_start"),
        Index("ix_meetings_group_start", "working_group_id", "occurrence_start"),
        Index("ix_meetings_network_start", "network_id", "occurrence_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # The date of a series this is for (its original start, UTC); for a single event its start.
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    # Copied from the event, so that archives and overdue lists need no join through events.
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"))

    agenda_status: Mapped[str] = mapped_column(String(20), default="draft")
    agenda_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    minutes_status: Mapped[str] = mapped_column(String(20), default="draft")
    audience: Mapped[str] = mapped_column(String(20), default="group")
    review_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The meeting at which these minutes were approved (usually the next one).
    approved_in_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next meeting's date as the minutes announce it, with an optional note (place, time).
    next_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_meeting_note: Mapped[str] = mapped_column(String(300), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event = relationship("Event", lazy="joined")
    working_group = relationship("WorkingGroup")
    network = relationship("Network")
    approved_in = relationship("Meeting", remote_side=[id])
    items = relationship("AgendaItem", back_populates="meeting", cascade="all, delete-orphan",
                         order_by="AgendaItem.position")


class AgendaItem(db.Model):
    """A Tagesordnungspunkt (TOP), with the minutes' notes on it."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    presenter_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    presenter_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"))
    presenter_name: Mapped[str] = mapped_column(String(200), default="")  # someone not in the directory
    planned_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="accepted")
    # Set for the item that lists the open action items of earlier meetings.
    carries_action_items: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_by_name: Mapped[str] = mapped_column(String(200), default="")
    proposed_by_email: Mapped[str] = mapped_column(String(254), default="")
    decline_reason: Mapped[str] = mapped_column(String(500), default="")

    # The current minutes text and its revision number (0: nothing saved yet).
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_revision: Mapped[int] = mapped_column(Integer, default=0)

    meeting = relationship(Meeting, back_populates="items")
    presenter_person = relationship("Person")
    presenter_organization = relationship("Organization")


class NotesRevision(db.Model):
    """Every saved version of an agenda item's notes, with who and when (append-only)."""

    __tablename__ = "notes_revisions"
    __table_args__ = (UniqueConstraint("agenda_item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class NotesDraft(db.Model):
    """What a writer typed and has not saved yet, autosaved so that it survives a closed laptop.
    One per writer and agenda item; saving the notes removes it."""

    __tablename__ = "notes_drafts"
    __table_args__ = (UniqueConstraint("agenda_item_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    base_revision: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(db.Model):
    """A Beschluss, numbered per working group (or network) and year: "AG Sprache 2026/03"."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("scope", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    # "group:<id>" or "network:<id>": what the numbers count in (NULL group ids would not be unique).
    scope: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship(Meeting)


class ActionItem(db.Model):
    """An Aufgabe: what, who, by when. It comes back on every agenda until it is done."""

    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_group_status", "working_group_id", "status", "due_on"),
        Index("ix_action_items_network_status", "network_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    owner_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    owner_name: Mapped[str] = mapped_column(String(200), default="")  # someone not in the directory
    owner_email: Mapped[str] = mapped_column(String(254), default="")  # where the "done" link goes
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the secret in the owner's "mark as done" link; the link is only ever mailed.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting = relationship(Meeting)
    owner_person = relationship("Person")
    owner_organization = relationship("Organization")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class AttendanceEntry(db.Model):
    """One person present at (or excused from) a meeting, for the minutes' attendance list."""

    __tablename__ = "attendance_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class SearchDocument(db.Model):
    """All searchable text of one meeting (agenda, notes, decisions, action items) in one row.

    The full-text index over it is database-specific and made in the migration: an FTS5
    table kept in step by triggers on SQLite, a stored tsvector column with a GIN index on PostgreSQL
    (see minutes/search.py); the rows here are the one thing the app writes.
    """

    __tablename__ = "minutes_search"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id", ondelete="SET NULL"), index=True)
    document: Mapped[str] = mapped_column(Text, default="")
