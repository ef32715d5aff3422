"""The feeds' content version: a token that changes with every write to what a public or
group feed shows (events and their dates, tags, registration settings, the names of
organizations, contacts, networks, groups and kinds, programmes and their entries, feed
secrets). It changes in the same transaction as the write, after every flush and before
every bulk UPDATE, DELETE or INSERT through the ORM, so a reader never sees new rows under an
old token. Personal feeds depend on registrations, which change all the time; they are not
gated by it (see service.fingerprint).

Data written around the ORM (SQL in a migration) must call `bump`.
"""
import secrets

from sqlalchemy import event as sa_event, insert, select, update
from sqlalchemy.orm import Session

from ..core.extensions import db
from ..directory.models import Network, Organization, Person, WorkingGroup
from ..events.models import Event, EventKind, OccurrenceChange, Tag
from ..programmes.models import Campaign, Submission
from ..registrations.models import RegistrationSettings
from .models import ContentVersion, FeedSecret

NAME = "feeds"
WATCHED = (Event, OccurrenceChange, Tag, EventKind, Organization, Person, Network, WorkingGroup, Campaign,
           Submission, FeedSecret)
# Feeds read only whether an event takes registrations, not its settings' values.
WATCHED_EXISTENCE = (RegistrationSettings,)


# Built once: this read is all that checking an unchanged feed costs.
_CURRENT = select(ContentVersion.__table__.c.token).where(ContentVersion.__table__.c.name == NAME)


def current() -> str:
    """The token now; "" before the first write (in a database made without migrations), which
    callers must not cache by."""
    return db.session.connection().execute(_CURRENT).scalar() or ""


def bump(connection) -> None:
    token = secrets.token_hex(16)
    table = ContentVersion.__table__
    if connection.execute(update(table).where(table.c.name == NAME).values(token=token)).rowcount == 0:
        connection.execute(insert(table).values(name=NAME, token=token))


@sa_event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    changed = any(isinstance(obj, WATCHED + WATCHED_EXISTENCE) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, WATCHED) and session.is_modified(obj) for obj in session.dirty)
    if changed:
        bump(session.connection())


@sa_event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None \
            and issubclass(state.bind_mapper.class_, WATCHED + WATCHED_EXISTENCE):
        bump(state.session.connection())
