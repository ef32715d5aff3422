"""A programme campaign (the yearly Intercultural Week), its categories, partner logos, and the
events organizers submit to it by link.

A `Submission` is what an organizer proposed, kept as they wrote it (missing fields allowed
while it is a draft). When the coordinator approves it, it becomes (or updates) an ordinary
`Event` of the network, which registrations and feeds handle unchanged; the programme's own
facts (category, district, target groups, fee, step-free access) stay on the submission.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

CAMPAIGN_STATUSES = ("draft", "published")
# draft: saved with required fields missing; submitted: waiting for review;
# changes_requested: back with the submitter; approved: in the programme (its event exists);
# declined: not in the programme; withdrawn: taken back by the submitter.
SUBMISSION_STATUSES = ("draft", "submitted", "changes_requested", "approved", "declined", "withdrawn")
# Statuses whose time and place count when looking for overlaps.
ACTIVE_SUBMISSION_STATUSES = ("submitted", "changes_requested", "approved")
# Built-in categories every campaign starts with (editable); labels in programmes/labels.py.
BUILTIN_CATEGORIES = ("encounter", "workshop", "art", "talk", "counselling", "sports", "food", "other")
TARGET_GROUPS = ("everyone", "families", "children", "youth", "adults", "seniors", "women", "newcomers",
                 "professionals")

# Length limits of the submission form (the columns are as long).
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_MESSAGE = 2000


class Campaign(db.Model):
    """One programme of a network, e.g. "Interkulturelle Woche 2027: Neue Räume"."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    # Part of every public address: /programmes/<slug>
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    motto: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")  # Markdown, on the programme page and the cover
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The submission period, as days in the network's zone (the last day counts whole).
    submissions_from: Mapped[date] = mapped_column(Date)
    submissions_until: Mapped[date] = mapped_column(Date)
    # The one link the coordinator shares: /programmes/<slug>/submit/<submission_key>.
    # Not a personal secret (many people get it); random so that the form cannot be found.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    contact_email: Mapped[str] = mapped_column(String(254), default="")  # named in the mails
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    network = relationship("Network", lazy="joined")
    categories = relationship("Category", back_populates="campaign", cascade="all, delete-orphan",
                              order_by="Category.position, Category.name")
    partners = relationship("Partner", back_populates="campaign", cascade="all, delete-orphan",
                            order_by="Partner.position, Partner.id")
    # Loaded by the programme page with the campaign (booklet_builds.with_stale): whether its
    # booklet in the reader's language is being built anew.
    booklet_stale: Mapped[bool | None] = query_expression()


class Category(db.Model):
    """A category of the programme: a built-in one (code, translated) or one the coordinator named."""

    __tablename__ = "campaign_categories"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)

    campaign = relationship(Campaign, back_populates="categories")


class Partner(db.Model):
    """A partner shown with its logo on the programme page and the booklet's cover."""

    __tablename__ = "campaign_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(300), default="")
    # PNG or JPEG, checked by directory/logo.py like the network's logo.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    campaign = relationship(Campaign, back_populates="partners")


class Submission(db.Model):
    """An event proposed for a campaign, with the submitter's private status link (hash only)."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_campaign_status", "campaign_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The status link's token is an HMAC of this salt (so every mail can carry the link again);
    # only its SHA-256 is stored for the lookup. A new salt revokes the old link.
    token_salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    title: Mapped[str] = mapped_column(String(MAX_TITLE), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitized when shown
    # The language the title and description are written in, and the submitter's translation
    # into another: {"uk": {"title": …, "description": …}} (the approved event takes it over).
    text_language: Mapped[str] = mapped_column(String(10), default="de")
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("campaign_categories.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    district: Mapped[str] = mapped_column(String(100), default="")  # district or place, for the filter
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)  # wheelchair access
    languages: Mapped[str] = mapped_column(String(100), default="de")  # spoken; comma-separated codes
    target_groups: Mapped[str] = mapped_column(String(200), default="everyone")  # comma-separated codes
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    fee: Mapped[str] = mapped_column(String(200), default="")  # e.g. "5 €, reduced 3 €"
    registration_required: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity: Mapped[int | None] = mapped_column(Integer)

    organization_name: Mapped[str] = mapped_column(String(200), default="")
    # The directory's organization of that name, when there is one (matched on save).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")

    # The coordinator's last message to the submitter (asking for changes, or why declined).
    review_message: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # A picture for the event (events/pictures.py), with what it shows; the event takes it over.
    picture_hash: Mapped[str | None] = mapped_column(ForeignKey("pictures.hash"), index=True)
    picture_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign = relationship(Campaign)
    category = relationship(Category)
    organization = relationship("Organization")
    event = relationship("Event")
    picture = relationship("Picture")
    history = relationship("ReviewStep", back_populates="submission", cascade="all, delete-orphan",
                           order_by="ReviewStep.at, ReviewStep.id")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def target_group_codes(self) -> list[str]:
        return [code for code in self.target_groups.split(",") if code]


class ReviewStep(db.Model):
    """One step in a submission's life (submitted, changes asked for, approved, edited …), with
    who did it and the message sent: the history the coordinator and the submitter see."""

    __tablename__ = "submission_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission = relationship(Submission, back_populates="history")
    user = relationship("User")


class BookletBuild(db.Model):
    """The booklet of a published campaign in one language, as the outbox worker last built it
    (programmes/booklet_builds.py). In the database, so every server serves the same copy.

    `wanted` counts the changes that alter the booklet, `built` the count the stored copy
    reflects: stale while wanted > built. `lease_until` is set while a worker builds it."""

    __tablename__ = "programme_booklets"
    __table_args__ = (UniqueConstraint("campaign_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # SHA-256 of the HTML the PDF was made from: its strong ETag, and how the worker sees that
    # nothing changed without running WeasyPrint.
    html_hash: Mapped[str | None] = mapped_column(String(64))
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wanted: Mapped[int] = mapped_column(Integer, default=1)
    built: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
