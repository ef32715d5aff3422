"""The minutes blueprint: one module per part of the work on a meeting.

    meetings   open a meeting for an event's date
    agenda     the Tagesordnung and the organizers' answers to proposals
    proposals  participants propose items through their personal link
    notes      the minutes editor: notes per item with autosave, versions and diffs
    records    decisions, action items (and their "done" links), attendance
    workflow   review, approval, publishing, mail and PDF, the read view
    archive    a group's archive with full-text search
    parts      what the minutes add to the event page, the event's manage page and a group's page
"""
from flask import Blueprint, abort
from flask_login import current_user

from ...core.extensions import db
from ...core.security import require
from .. import service
from ..models import Meeting

bp = Blueprint("minutes", __name__)


def editable_meeting(meeting_id: int) -> Meeting:
    """The meeting, for someone who manages its event; 404 / 403 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    require(service.can_edit(current_user, meeting))
    return meeting


def meeting_context(meeting: Meeting) -> dict:
    """What every organizer page of a meeting shows in its head (see _meeting_nav.html)."""
    return {"meeting": meeting, "event": meeting.event, "network": meeting.network,
            "group": meeting.working_group, "meeting_start": service.local_start(meeting),
            "at": service.occurrence_key(meeting)}


from . import agenda, archive, meetings, notes, parts, proposals, records, workflow  # noqa: E402,F401  (each adds its routes to bp)
