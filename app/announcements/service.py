"""Announcements: which show when, and their saving. The newsletters package picks from
`shown` and `recent` too, so both take a network and plain UTC moments."""
from datetime import datetime

from sqlalchemy import or_, select

from ..core.extensions import db
from ..core.types import utcnow
from ..directory.models import Network
from .models import Announcement


def _newest_first(query):
    return query.order_by(Announcement.shows_from.desc(), Announcement.id.desc())


def shown(network: Network, at: datetime | None = None, limit: int | None = None) -> list[Announcement]:
    """The network's announcements showing at `at` (default: now), newest first."""
    at = at or utcnow()
    query = _newest_first(select(Announcement).where(
        Announcement.network_id == network.id, Announcement.shows_from <= at,
        or_(Announcement.shows_until.is_(None), Announcement.shows_until > at)))
    return list(db.session.scalars(query.limit(limit)))


def recent(network: Network, since: datetime, until: datetime) -> list[Announcement]:
    """The network's announcements shown at some moment from `since` to `until` (excluded),
    newest first: what a newsletter for that period may pick from."""
    query = _newest_first(select(Announcement).where(
        Announcement.network_id == network.id, Announcement.shows_from < until,
        or_(Announcement.shows_until.is_(None), Announcement.shows_until > since)))
    return list(db.session.scalars(query))
