from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.texts import LocalText, localized
from ..core.types import UTCDateTime, utcnow

QUESTION_KINDS = ("text", "single", "multiple", "yesno")
# confirmed: has a place; waiting: on the waiting list; pending: waits for the organizer's
# approval; cancelled / declined: no longer counts.
REGISTRATION_STATUSES = ("confirmed", "waiting", "pending", "cancelled", "declined")
ACTIVE_STATUSES = ("confirmed", "waiting", "pending")
INVITATION_ANSWERS = ("yes", "no", "maybe")


class RegistrationSettings(db.Model):
    """How an event takes registrations. An event without a row takes none."""

    __tablename__ = "registration_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    ask_organization: Mapped[bool] = mapped_column(Boolean, default=True)
    retention_days: Mapped[int] = mapped_column(Integer, default=30)  # after the event's end
    reminder_days: Mapped[int | None] = mapped_column(Integer, default=2)
    privacy_note: Mapped[str] = mapped_column(Text, default="")
    # {"uk": {"privacy_note": …}, …}: the note in other languages than the event's text language.
    privacy_note_translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event", backref=db.backref("registration_settings", uselist=False,
                                                      cascade="all, delete-orphan"))

    def privacy_note_text(self) -> LocalText:
        """The organizers' privacy note in the reader's language where translated."""
        return localized(self.privacy_note, self.event.text_language, self.privacy_note_translations, "privacy_note")


class Question(db.Model):
    """A custom question of an event's registration form."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default="text")
    label: Mapped[str] = mapped_column(String(300))
    options: Mapped[str] = mapped_column(Text, default="")  # one choice per line
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"ar": {"label": …, "options": one per line, in the order of `options`}, …}
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def label_in(self, original_lang: str, locale: str | None = None) -> LocalText:
        return localized(self.label, original_lang, self.translations, "label", locale)

    def choices_in(self, original_lang: str, locale: str | None = None) -> list[tuple[str, LocalText]]:
        """(stored value, shown text): answers are kept in the original, whatever language showed them."""
        shown = localized(self.options, original_lang, self.translations, "options", locale)
        lines = [line.strip() for line in shown.text.splitlines() if line.strip()]
        if shown.lang == original_lang or len(lines) != len(self.choices):
            return [(choice, LocalText(choice, original_lang)) for choice in self.choices]
        return [(choice, LocalText(line, shown.lang)) for choice, line in zip(self.choices, lines)]


class Registration(db.Model):
    """One person's registration for an event (or one date of a series)."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per address and date; cancelled ones may repeat.
        Index("uq_registrations_active_email", "event_id", "occurrence_start", "email", unique=True,
              sqlite_where=text("status IN ('confirmed', 'waiting', 'pending')"),
              postgresql_where=text("status IN ('confirmed', 'waiting', 'pending')")),
        Index("ix_registrations_event_status", "event_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # The date of a series this is for (its original start, UTC); for a single event its start.
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON: question id -> answer
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    # SHA-256 of the secret in the manage link; the link itself is only ever mailed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the person registered in: every later mail to them is written in it.
    language: Mapped[str | None] = mapped_column(String(10))

    event = relationship("Event")
    organization = relationship("Organization")


class Invitation(db.Model):
    """A personal invitation: the invitee answers yes, no or maybe through their link."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "occurrence_start", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language of the invitation; the invitee's own once they open their link.
    language: Mapped[str | None] = mapped_column(String(10))

    event = relationship("Event")


class AnonymousCount(db.Model):
    """What remains of an event's registrations after the retention period: counts only."""

    __tablename__ = "registration_counts"
    __table_args__ = (UniqueConstraint("event_id", "occurrence_start", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    # "status:confirmed", "checked_in", "organization:<name>", "question:<label>=<answer>"
    key: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(Integer, default=0)
