from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import group_leads, network_coordinators
from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow

# Kinds of organization in the networks; labels live in directory/forms.py.
ORGANIZATION_KINDS = (
    "authority", "job_center", "education", "language_school", "welfare",
    "migrant_organization", "association", "chamber", "university", "employer", "other",
)
GROUP_KINDS = ("working_group", "working_table")


def name_key(name: str) -> str:
    """What makes two names the same organization: case and spacing do not count."""
    return " ".join(name.split()).casefold()


class Network(db.Model):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # The coordination's contact, shown on the network's public page (a role, not a person's
    # account: coordinators choose what is published).
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="", server_default="")
    website: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # A small PNG or JPEG for the minutes' PDF and print pages (checked on upload).
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships = relationship("Membership", back_populates="network", cascade="all, delete-orphan")
    working_groups = relationship(
        "WorkingGroup", back_populates="network", cascade="all, delete-orphan",
        order_by="WorkingGroup.name",
    )
    coordinators = relationship(
        "User", secondary=network_coordinators, back_populates="coordinated_networks",
        order_by="User.name",
    )


class Organization(db.Model):
    """A member organization. It may belong to several networks."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Unique, so that the same organization is not entered twice under a different spelling.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="other")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts = relationship(
        "Person", back_populates="organization", cascade="all, delete-orphan",
        order_by="Person.name",
    )
    memberships = relationship("Membership", back_populates="organization", cascade="all, delete-orphan")

    def set_name(self, name: str) -> None:
        self.name = " ".join(name.split())
        self.name_key = name_key(name)


class Membership(db.Model):
    """An organization's membership in a network."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("network_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network = relationship(Network, back_populates="memberships")
    organization = relationship(Organization, back_populates="memberships")


class Person(db.Model):
    """A contact person of an organization (fictional in the demo)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Joined: a person is almost always shown with the organization's name.
    organization = relationship(Organization, back_populates="contacts", lazy="joined")


working_group_people = Table(
    "working_group_people",
    db.metadata,
    Column("working_group_id", ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)

working_group_organizations = Table(
    "working_group_organizations",
    db.metadata,
    Column("working_group_id", ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)


class WorkingGroup(db.Model):
    """A working group (AG), a sub-group (parent set) or a working table (Arbeitstisch)."""

    __tablename__ = "working_groups"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="working_group")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network = relationship(Network, back_populates="working_groups")
    parent = relationship("WorkingGroup", remote_side=[id], back_populates="subgroups")
    subgroups = relationship("WorkingGroup", back_populates="parent", order_by="WorkingGroup.name")
    leads = relationship("User", secondary=group_leads, back_populates="led_groups", order_by="User.name")
    people = relationship(Person, secondary=working_group_people, order_by=Person.name)
    organizations = relationship(Organization, secondary=working_group_organizations, order_by=Organization.name)

    def ancestors(self):
        group = self.parent
        while group is not None:
            yield group
            group = group.parent
