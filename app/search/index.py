"""Keeps the public search's documents (models.PublicDocument) in step with what they are made
of, in the same transaction as every change, whichever code made it.

After a flush, the documents of every event that is new, deleted or changed, or whose
programme entry changed, are written anew from the tables (`rebuild`). A renamed tag,
organization, working group, programme or category changes the documents of its events: those
are looked up before the flush, while a deleted one's links still exist. Only events everyone
may see (`events.public.is_public`) get a document. Data written around the ORM (migrations,
bulk loads) gets its documents from `rebuild`.
"""
from sqlalchemy import and_, delete, event as sa_event, insert, inspect, select, union
from sqlalchemy.orm import Session

from ..core.markdown import to_text
from ..directory.models import Organization, WorkingGroup
from ..events.models import Event, Tag, event_tags
from ..programmes.models import Campaign, Category, Submission
from .models import PublicDocument

_PENDING = "public_search_events"  # session.info: events found before the flush
# What a document shows of other rows than its event and programme entry.
_RELATED = (Tag, Organization, WorkingGroup, Campaign, Category)
_table = PublicDocument.__table__
_events, _submissions = Event.__table__, Submission.__table__


def _events_of(connection, objects) -> set[int]:
    """The events whose documents show one of these tags, organizations, groups, programmes or categories."""
    ids = {kind: [o.id for o in objects if isinstance(o, kind) and o.id is not None] for kind in _RELATED}
    queries = []
    if ids[Tag]:
        queries.append(select(event_tags.c.event_id).where(event_tags.c.tag_id.in_(ids[Tag])))
    if ids[Organization]:
        queries.append(select(_events.c.id).where(_events.c.organization_id.in_(ids[Organization])))
    if ids[WorkingGroup]:
        queries.append(select(_events.c.id).where(_events.c.working_group_id.in_(ids[WorkingGroup])))
    if ids[Campaign]:
        queries.append(select(_submissions.c.event_id).where(_submissions.c.campaign_id.in_(ids[Campaign])))
    if ids[Category]:
        queries.append(select(_submissions.c.event_id).where(_submissions.c.category_id.in_(ids[Category])))
    if not queries:
        return set()
    return set(connection.execute(union(*queries)).scalars()) - {None}


@sa_event.listens_for(Session, "before_flush")
def _note_related(session: Session, _context, _instances) -> None:
    changed = [o for o in session.dirty if isinstance(o, _RELATED) and session.is_modified(o)]
    changed += [o for o in session.deleted if isinstance(o, _RELATED)]
    if changed:
        session.info.setdefault(_PENDING, set()).update(_events_of(session.connection(), changed))


@sa_event.listens_for(Session, "after_flush")
def _keep_current(session: Session, _context) -> None:
    touched: set = session.info.pop(_PENDING, set())
    for obj in (*session.new, *session.deleted, *session.dirty):
        if isinstance(obj, Event) and (obj not in session.dirty or session.is_modified(obj)):
            touched.add(obj.id)
        elif isinstance(obj, Submission) and (obj not in session.dirty or session.is_modified(obj)):
            touched.add(obj.event_id)
            touched.update(inspect(obj).attrs.event_id.history.deleted)  # an event it no longer names
    touched.discard(None)
    if touched:
        rebuild(session.connection(), touched)


def _public(events):
    # As events.public.is_public, in SQL.
    return and_(events.c.visibility == "public", events.c.status.in_(("published", "cancelled")))


def documents(connection, event_ids=None) -> list[dict]:
    """The documents of these public events (all when None), read from the tables: title and
    translated titles; the text, translations, place, organizer, group and tags; for a
    programme entry its programme, category, district and organizer as submitted."""
    organizations, groups = Organization.__table__, WorkingGroup.__table__
    events = (
        select(_events.c.id, _events.c.title, _events.c.description, _events.c.translations,
               _events.c.venue_name, _events.c.venue_address, _events.c.venue_room,
               organizations.c.name.label("organization"), groups.c.name.label("group"))
        .outerjoin(organizations, organizations.c.id == _events.c.organization_id)
        .outerjoin(groups, groups.c.id == _events.c.working_group_id)
        .where(_public(_events)))
    tags = select(event_tags.c.event_id, Tag.__table__.c.name).join(
        Tag.__table__, Tag.__table__.c.id == event_tags.c.tag_id)
    campaigns, categories = Campaign.__table__, Category.__table__
    entries = (
        select(_submissions.c.event_id, campaigns.c.title, campaigns.c.motto, categories.c.name.label("category"),
               _submissions.c.district, _submissions.c.organization_name)
        .join(campaigns, campaigns.c.id == _submissions.c.campaign_id)
        .outerjoin(categories, categories.c.id == _submissions.c.category_id)
        # The programme shows an entry by its event, whatever the submission's status since.
        .where(_submissions.c.event_id.is_not(None)))
    if event_ids is not None:
        ids = list(event_ids)
        events = events.where(_events.c.id.in_(ids))
        tags = tags.where(event_tags.c.event_id.in_(ids))
        entries = entries.where(_submissions.c.event_id.in_(ids))
    extra: dict[int, list[str]] = {}
    for event_id, name in connection.execute(tags):
        extra.setdefault(event_id, []).append(name)
    for row in connection.execute(entries):
        extra.setdefault(row.event_id, []).extend(
            [row.title, row.motto, row.category or "", row.district, row.organization_name])
    found = []
    for row in connection.execute(events):
        translations = (row.translations or {}).values()
        found.append({
            "event_id": row.id,
            "title": "\n".join([row.title, *(t.get("title", "") for t in translations)]),
            "body": "\n".join(part for part in (
                to_text(row.description), *(to_text(t.get("description", "")) for t in translations),
                row.venue_name, row.venue_address, row.venue_room, row.organization or "", row.group or "",
                *extra.get(row.id, [])) if part),
        })
    return found


def rebuild(connection, event_ids=None) -> int:
    """Write the documents of these events (all when None) anew; returns how many were written."""
    if event_ids is None:
        connection.execute(delete(_table))
    else:
        connection.execute(delete(_table).where(_table.c.event_id.in_(list(event_ids))))
    found = documents(connection, event_ids)
    if found:
        connection.execute(insert(_table), found)
    return len(found)
