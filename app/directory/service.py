"""Directory logic shared by the views, the CSV import and the demo loader."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..core.extensions import db
from .models import (Membership, Network, Organization, Person, WorkingGroup, name_key,
                     working_group_organizations)
from .signals import network_created

ORGANIZATION_FIELDS = ("kind", "street", "postcode", "city", "website", "email", "phone")
PERSON_FIELDS = ("name", "role", "email", "phone")


class DirectoryError(ValueError):
    """A problem the user can fix; `field` names the form field it belongs next to."""

    def __init__(self, message: str, field: str = "name", existing=None):
        super().__init__(message)
        self.field = field
        self.existing = existing


def network_or_404(slug: str) -> Network:
    return db.first_or_404(select(Network).where(Network.slug == slug))


def find_organization(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name_key == name_key(name)))


def is_member(network: Network, organization: Organization) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.network_id == network.id, Membership.organization_id == organization.id)
    ) > 0


def member_names(network_id: int) -> list[str]:
    """The names of a network's member organizations, offered while someone types theirs."""
    return db.session.scalars(
        select(Organization.name).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.network_id == network_id).order_by(Organization.name_key)).all()


def member_by_name(network_id: int, name: str) -> Organization | None:
    """The network's member organization of a typed name (case and spacing do not count)."""
    key = name_key(name or "")
    return db.session.scalar(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.network_id == network_id, Organization.name_key == key)) if key else None


def member_count(network: Network) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.network_id == network.id))


def organizations_page(network: Network, query: str = "", kind: str = ""):
    """Rows of (organization, number of contacts) for a network's list, in one query."""
    contact_count = (
        select(func.count(Person.id)).where(Person.organization_id == Organization.id).scalar_subquery()
    )
    stmt = (
        select(Organization, contact_count)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.network_id == network.id)
        .order_by(Organization.name_key)
    )
    query = " ".join(query.split())[:100]
    if query:
        pattern = f"%{query.casefold()}%"
        stmt = stmt.where(or_(Organization.name_key.like(pattern), func.lower(Organization.city).like(pattern)))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    return db.session.execute(stmt).all()


def people_of(network: Network) -> list[Person]:
    """Every contact person of the network's member organizations, with their organization."""
    return db.session.scalars(
        select(Person).join(Membership, Membership.organization_id == Person.organization_id)
        .where(Membership.network_id == network.id).order_by(Person.name)
    ).all()


def create_organization(network: Network, name: str, **fields) -> Organization:
    """Create an organization as a member of `network`; refuse a second one of the same name."""
    existing = find_organization(name)
    if existing is not None:
        if is_member(network, existing):
            raise DirectoryError(_("This network has an organization of this name already."), existing=existing)
        raise DirectoryError(
            _("An organization of this name exists already (in another network). "
              "Add it to this network instead of creating it twice."), existing=existing)
    organization = Organization(**{k: (v or "").strip() for k, v in fields.items() if k in ORGANIZATION_FIELDS})
    organization.set_name(name)
    db.session.add(organization)
    db.session.add(Membership(network=network, organization=organization))
    _flush_or_duplicate()
    return organization


def update_organization(organization: Organization, name: str, **fields) -> None:
    existing = find_organization(name)
    if existing is not None and existing.id != organization.id:
        raise DirectoryError(_("Another organization has this name already."), existing=existing)
    organization.set_name(name)
    for key in ORGANIZATION_FIELDS:
        if key in fields:
            setattr(organization, key, (fields[key] or "").strip())
    _flush_or_duplicate()


def add_member(network: Network, organization: Organization) -> None:
    if not is_member(network, organization):
        db.session.add(Membership(network=network, organization=organization))


def remove_member(network: Network, organization: Organization) -> None:
    """Leave the network; the organization's working-group seats in it go too."""
    db.session.execute(
        db.delete(Membership).where(
            Membership.network_id == network.id, Membership.organization_id == organization.id)
    )
    for group in network.working_groups:
        if organization in group.organizations:
            group.organizations.remove(organization)
        group.people = [p for p in group.people if p.organization_id != organization.id]


def save_person(organization: Organization, person: Person | None, **fields) -> Person:
    if person is None:
        person = Person(organization=organization)
        db.session.add(person)
    for key in PERSON_FIELDS:
        if key in fields:
            value = (fields[key] or "").strip()
            setattr(person, key, value.lower() if key == "email" else value)
    return person


def groups_of(network: Network, organization: Organization) -> list[WorkingGroup]:
    return db.session.scalars(
        select(WorkingGroup)
        .join(working_group_organizations, working_group_organizations.c.working_group_id == WorkingGroup.id)
        .where(WorkingGroup.network_id == network.id,
               working_group_organizations.c.organization_id == organization.id)
        .order_by(WorkingGroup.name)
    ).all()


def networks_of(organization: Organization) -> list[Network]:
    return db.session.scalars(
        select(Network).join(Membership).where(Membership.organization_id == organization.id).order_by(Network.name)
    ).all()


def create_network(name: str, slug: str, description: str = "") -> Network:
    if db.session.scalar(select(Network).where(Network.slug == slug)) is not None:
        raise DirectoryError(_("This short name is taken."), field="slug")
    network = Network(name=name.strip(), slug=slug, description=(description or "").strip())
    db.session.add(network)
    db.session.flush()
    network_created.send(network)
    return network


def save_group(network: Network, group: WorkingGroup | None, name: str, kind: str,
               parent_id: int | None, description: str = "") -> WorkingGroup:
    name = " ".join(name.split())
    clash = db.session.scalar(
        select(WorkingGroup).where(WorkingGroup.network_id == network.id, func.lower(WorkingGroup.name) == name.lower())
    )
    if clash is not None and clash is not group:
        raise DirectoryError(_("This network has a group of this name already."))
    parent = db.session.get(WorkingGroup, parent_id) if parent_id else None
    if parent is not None and parent.network_id != network.id:
        raise DirectoryError(_("The parent group belongs to another network."), field="parent_id")
    if group is not None and parent is not None and (parent is group or group in parent.ancestors()):
        raise DirectoryError(_("A group cannot be part of itself."), field="parent_id")
    if group is None:
        group = WorkingGroup(network=network)
        db.session.add(group)
    group.name, group.kind, group.parent = name, kind, parent
    group.description = (description or "").strip()
    return group


def group_tree(network: Network) -> list[tuple[WorkingGroup, int]]:
    """The network's groups depth-first, each with its depth, from one query."""
    groups = db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.network_id == network.id).order_by(WorkingGroup.name)
    ).all()
    children: dict[int | None, list[WorkingGroup]] = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    ordered: list[tuple[WorkingGroup, int]] = []

    def walk(parent_id, depth):
        for group in children.get(parent_id, []):
            ordered.append((group, depth))
            walk(group.id, depth + 1)

    walk(None, 0)
    return ordered


def _flush_or_duplicate() -> None:
    """Two people saving the same name at once: the unique index decides, the user is told."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise DirectoryError(_("An organization of this name exists already.")) from error
