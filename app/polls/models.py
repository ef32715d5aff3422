"""Date polls: candidate dates, the people asked, and their answers (yes / if need be / no).

A poll belongs to a network (and optionally a working group). Each participant has a personal
link (invited by mail, or joined through the poll's open link); links are keyed tokens of a
stored salt (core.tokens), so a reminder can mail the same link again, and only their hashes
are stored. Answers are one row per participant and date: the primary key makes "two saves at
the same moment" leave exactly one answer.
"""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

ANSWERS = ("yes", "maybe", "no")  # "maybe" is shown as "if need be"


class Poll(db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, as an event's
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")  # the network's
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    allow_maybe: Mapped[bool] = mapped_column(Boolean, default=True)
    hide_results: Mapped[bool] = mapped_column(Boolean, default=False)  # until the poll is closed
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)  # anyone with the link may answer
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, closed or decided
    # The open link is keyed_token("poll-open:" + salt); its hash finds the poll.
    salt: Mapped[str] = mapped_column(String(32))
    open_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed or decided
    deadline_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Personal data (names, addresses, answers) is deleted this many days after the poll closed.
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network = relationship("Network")
    working_group = relationship("WorkingGroup")
    event = relationship("Event")
    options = relationship("PollOption", back_populates="poll", cascade="all, delete-orphan",
                           order_by="PollOption.starts_at, PollOption.ends_at")
    participants = relationship("PollParticipant", back_populates="poll", cascade="all, delete-orphan",
                                order_by="PollParticipant.name, PollParticipant.id")

    @property
    def chosen(self):
        return next((option for option in self.options if option.chosen), None)


class PollOption(db.Model):
    """One candidate date: a time slot, or a whole day (start at local midnight, end the next)."""

    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)

    poll = relationship(Poll, back_populates="options")


class PollParticipant(db.Model):
    """A person asked (invited by mail) or who joined through the open link."""

    __tablename__ = "poll_participants"
    __table_args__ = (
        # One participant per address and poll; open-link participants may leave it empty.
        Index("uq_poll_participants_email", "poll_id", "email", unique=True,
              sqlite_where=text("email != ''"), postgresql_where=text("email != ''")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    # The personal link is keyed_token("poll:" + salt), the holds feed keyed_token("poll-holds:" + salt).
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    holds_hash: Mapped[str] = mapped_column(String(64), unique=True)
    required: Mapped[bool] = mapped_column(Boolean, default=False)  # a date without them is never best
    invited: Mapped[bool] = mapped_column(Boolean, default=True)  # False: joined through the open link
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language of the invitation; the participant's own once they answered.
    language: Mapped[str | None] = mapped_column(String(10))

    poll = relationship(Poll, back_populates="participants")
    organization = relationship("Organization")
    answers = relationship("PollAnswer", cascade="all, delete-orphan", passive_deletes=True)


class PollAnswer(db.Model):
    __tablename__ = "poll_answers"

    participant_id: Mapped[int] = mapped_column(ForeignKey("poll_participants.id", ondelete="CASCADE"),
                                                primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
