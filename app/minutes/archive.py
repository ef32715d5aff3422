"""A working group's archive (or the network's meetings without a group): its past meetings,
newest first, and full-text search over their agendas, minutes, decisions and action items.

Only what the reader may see is ever listed or searched (service.readable_meetings), and a
page of 50 takes the same few queries however long the archive is: the meetings in one
query, their decisions and open action items counted with GROUP BY in two more.
"""
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.types import utcnow
from ..directory.models import Network, WorkingGroup
from ..events import recurrence
from ..events.models import Event
from . import search, service
from .models import OPEN_ACTION_STATUSES, ActionItem, Decision, Meeting

PAGE_SIZE = 50
ALL = "all"  # the scope of every group's and the network's meetings at once


@dataclass
class Row:
    meeting: Meeting
    start: datetime  # local
    decisions: int
    open_actions: int
    snippet: Markup | None = None


def meeting_ids(user, network: Network, group: WorkingGroup | str | None):
    """A select of the ids in the archive's scope that `user` may read: a group's meetings,
    the network's meetings without a group (None), or all of them (ALL)."""
    if group == ALL:
        return service.readable_meetings(user, network)
    readable = service.readable_meetings(user, network, group)
    return readable if group is not None else readable.where(Meeting.working_group_id.is_(None))


def past_page(user, network: Network, group, page: int, now: datetime | None = None) -> tuple[list[Row], int]:
    """One page of the past meetings, newest first, and how many there are in all."""
    ids = meeting_ids(user, network, group).where(Meeting.occurrence_start < (now or utcnow()))
    total = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    meetings = db.session.scalars(
        _meetings().where(Meeting.id.in_(ids))
        .order_by(Meeting.occurrence_start.desc(), Meeting.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return _rows(meetings), total


def found(user, network: Network, group, query: str) -> list[Row]:
    """The best matches for `query` (every word, as a word or word start), with snippets."""
    hits = search.search(query, meeting_ids(user, network, group), limit=PAGE_SIZE)
    if not hits:
        return []
    meetings = {m.id: m for m in db.session.scalars(_meetings().where(Meeting.id.in_([h.meeting_id for h in hits])))}
    return _rows([meetings[hit.meeting_id] for hit in hits if hit.meeting_id in meetings],
                 {hit.meeting_id: hit.snippet for hit in hits})


def _meetings():
    # A series' moved dates need its changes to show the real day.
    return select(Meeting).options(joinedload(Meeting.event).selectinload(Event.changes))


def _rows(meetings: list[Meeting], snippets: dict | None = None) -> list[Row]:
    ids = [meeting.id for meeting in meetings]
    if not ids:
        return []
    decisions = dict(db.session.execute(
        select(Decision.meeting_id, func.count()).where(Decision.meeting_id.in_(ids))
        .group_by(Decision.meeting_id)).all())
    open_actions = dict(db.session.execute(
        select(ActionItem.meeting_id, func.count())
        .where(ActionItem.meeting_id.in_(ids), ActionItem.status.in_(OPEN_ACTION_STATUSES))
        .group_by(ActionItem.meeting_id)).all())
    snippets = snippets or {}
    return [Row(meeting, _local_start(meeting), decisions.get(meeting.id, 0),
                open_actions.get(meeting.id, 0), snippets.get(meeting.id)) for meeting in meetings]


def _local_start(meeting: Meeting) -> datetime:
    """service.local_start without checking the date against the series' rule: a list of 50
    dates of a long series would expand the rule 50 times. A listed meeting's date is its
    original start unless that date was moved."""
    moved = next((change.starts_at for change in meeting.event.changes
                  if change.original_start == meeting.occurrence_start and change.action == "moved"), None)
    return recurrence.to_local(moved or meeting.occurrence_start, meeting.event.timezone)

