"""Meetings: finding and opening one for an event's date, who may read and edit it, the
open action items that carry over, and the search document. Agenda, notes, records and
distribution have their own modules; this is what they share."""
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale, format_date, gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.markdown import to_text
from ..core.types import utcnow
from ..directory import access
from ..directory.models import Network, WorkingGroup
from ..events import recurrence
from ..events.models import Event
from ..events.signals import event_rescheduled
from ..registrations.signals import personal_data_deleted, personal_data_requested
from . import search
from .models import OPEN_ACTION_STATUSES, ActionItem, AgendaItem, Decision, Meeting


class MinutesError(ValueError):
    """A user-facing problem with agenda or minutes input; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- Finding and opening -----------------------------------------------------------------

def meeting_for(event: Event, occurrence_start: datetime) -> Meeting | None:
    query = select(Meeting).where(Meeting.event_id == event.id)
    if event.is_series:  # a single event has one meeting, wherever it moves (see follow_event)
        query = query.where(Meeting.occurrence_start == occurrence_start)
    return db.session.scalar(query.order_by(Meeting.occurrence_start).limit(1))


@event_rescheduled.connect
def follow_event(event: Event, **_) -> None:
    """A single event that moved takes its meeting along."""
    if event.id and not event.is_series:
        for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
            meeting.occurrence_start = event.starts_at


def open_meeting(event: Event, occurrence_start: datetime) -> Meeting:
    """The meeting of this date, made on first use with an agenda that starts with the open
    action items of earlier meetings and, if the last meeting's minutes await approval,
    their approval."""
    meeting = meeting_for(event, occurrence_start)
    if meeting is not None:
        return meeting
    meeting = Meeting(event=event, event_id=event.id, occurrence_start=occurrence_start,
                      network_id=event.network_id, working_group_id=event.working_group_id)
    db.session.add(meeting)
    # The titles are the agenda's text, not the page's: written in the installation's language
    # whoever starts the agenda, and editable like any other item.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        meeting.items.append(AgendaItem(position=0, title=_("Open action items from earlier meetings"),
                                        planned_minutes=15, carries_action_items=True))
        earlier = previous_meeting(meeting)
        if earlier is not None and earlier.minutes_status in ("draft", "review"):
            meeting.items.append(AgendaItem(position=1, planned_minutes=5, title=_(
                "Approval of the minutes of %(date)s", date=format_date(local_day(earlier), "medium"))))
    db.session.flush()
    reindex(meeting)
    return meeting


def meetings_of_event(event: Event) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)
                                   .order_by(Meeting.occurrence_start.desc())))


def same_series_filter(meeting: Meeting):
    """Meetings of the same working group, or of the same network when it has none."""
    if meeting.working_group_id:
        return Meeting.working_group_id == meeting.working_group_id
    return (Meeting.network_id == meeting.network_id) & Meeting.working_group_id.is_(None)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(same_series_filter(meeting), Meeting.occurrence_start < meeting.occurrence_start)
        .order_by(Meeting.occurrence_start.desc()).limit(1))


def following_meetings(meeting: Meeting, limit: int = 5) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(same_series_filter(meeting), Meeting.occurrence_start > meeting.occurrence_start)
        .order_by(Meeting.occurrence_start).limit(limit)))


# --- Dates and names --------------------------------------------------------------------

def local_start(meeting: Meeting) -> datetime:
    """When the meeting takes place, in the event's zone (a moved date at its new time)."""
    occurrence = recurrence.occurrence(meeting.event, meeting.event.changes, meeting.occurrence_start)
    start = occurrence.starts_at if occurrence is not None else meeting.occurrence_start
    return recurrence.to_local(start, meeting.event.timezone)


def local_day(meeting: Meeting) -> date:
    return recurrence.to_local(meeting.occurrence_start, meeting.event.timezone).date()


def occurrence_key(meeting: Meeting) -> str:
    """The `?at=` key of the meeting's date in event URLs."""
    return f"{meeting.occurrence_start:%Y%m%dT%H%M%SZ}"


def scope_of(meeting: Meeting) -> str:
    """What decision numbers count in: the working group, or the network."""
    if meeting.working_group_id:
        return f"group:{meeting.working_group_id}"
    return f"network:{meeting.network_id}"


def scope_name(meeting: Meeting) -> str:
    return meeting.working_group.name if meeting.working_group_id else meeting.network.name


def decision_label(decision: Decision, scope: str) -> str:
    """"AG Sprache 2026/03": the group's (or network's) name, the year and the number."""
    return f"{scope} {decision.year}/{decision.number:02d}"


# --- Who may do what ----------------------------------------------------------------------

def can_edit(user, meeting: Meeting) -> bool:
    """Agenda and minutes are edited by those who manage the event."""
    return user.is_authenticated and access.can_manage_event(user, meeting.event)


def can_read_minutes(user, meeting: Meeting) -> bool:
    """Editors always; others only once the minutes are published, and then as far as the
    chosen audience reaches: everyone, the network's organizers, or the group's."""
    if user.is_authenticated and can_edit(user, meeting):
        return True
    if meeting.minutes_status != "published":
        return False
    if meeting.audience == "public":
        return meeting.event.visibility == "public" and meeting.event.status != "draft"
    if not user.is_authenticated:
        return False
    if meeting.audience == "network":
        return access.can_view_network(user, meeting.network)
    return meeting.working_group is not None and access.can_manage_group(user, meeting.working_group)


def agenda_is_public(meeting: Meeting) -> bool:
    """The published agenda shows on the public event page of a public event."""
    return (meeting.agenda_status == "published" and meeting.event.visibility == "public"
            and meeting.event.status == "published")


def readable_meetings(user, network: Network, group: WorkingGroup | None = None):
    """A select of the ids of the meetings whose minutes `user` may read, in one query."""
    query = select(Meeting.id).where(Meeting.network_id == network.id)
    if group is not None:
        query = query.where(Meeting.working_group_id == group.id)
    if user.is_authenticated and access.can_manage_network(user, network):
        return query
    published = Meeting.minutes_status == "published"
    public = published & (Meeting.audience == "public") & Meeting.event_id.in_(
        select(Event.id).where(Event.visibility == "public", Event.status != "draft"))
    if not user.is_authenticated or not access.can_view_network(user, network):
        return query.where(public)
    led = _led_group_ids(user, network)
    return query.where(or_(
        public,
        published & (Meeting.audience == "network"),
        published & Meeting.working_group_id.in_(led),
        Meeting.working_group_id.in_(led) & Meeting.event_id.in_(_editable_events(led)),
    ))


def _led_group_ids(user, network: Network) -> set[int]:
    """The groups of `network` the user leads, with their sub-groups (what can_manage_group allows)."""
    led = {group.id for group in user.led_groups if group.network_id == network.id}
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.parent_id)
                                .where(WorkingGroup.network_id == network.id)).all()
    changed = True
    while changed:
        changed = False
        for group_id, parent_id in groups:
            if parent_id in led and group_id not in led:
                led.add(group_id)
                changed = True
    return led


def _editable_events(group_ids: set[int]):
    return select(Event.id).where(Event.working_group_id.in_(group_ids))


# --- Action items that carry over ---------------------------------------------------------

def with_details(query):
    """Everything a list of action items shows, loaded up front: the owner (the person's
    organization comes joined) and the meeting (its event comes joined)."""
    return query.options(selectinload(ActionItem.owner_person), selectinload(ActionItem.owner_organization),
                         selectinload(ActionItem.meeting))


def open_action_items_query(network_id: int, working_group_id: int | None = None):
    query = select(ActionItem).where(ActionItem.network_id == network_id,
                                     ActionItem.status.in_(OPEN_ACTION_STATUSES))
    if working_group_id is not None:
        query = query.where(ActionItem.working_group_id == working_group_id)
    return query.order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)


def carried_action_items(meeting: Meeting) -> list[ActionItem]:
    """What the agenda item "open action items from earlier meetings" lists: those still open
    that earlier meetings of the same group (or network) gave out."""
    earlier = select(Meeting.id).where(same_series_filter(meeting),
                                       Meeting.occurrence_start < meeting.occurrence_start)
    return list(db.session.scalars(with_details(
        open_action_items_query(meeting.network_id).where(ActionItem.meeting_id.in_(earlier)))))


# --- Personal data (DSGVO) ------------------------------------------------------------------

@personal_data_requested.connect
def personal_data(network_id: int, email: str, **_) -> dict:
    """What the minutes hold about an address: its agenda proposals and its action items."""
    email = email.strip().lower()
    proposals = db.session.execute(
        select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.network_id == network_id, func.lower(AgendaItem.proposed_by_email) == email)).all()
    actions = db.session.scalars(select(ActionItem).where(
        ActionItem.network_id == network_id, func.lower(ActionItem.owner_email) == email)).all()
    return {
        "agenda_proposals": [{"event_id": meeting.event_id, "date": meeting.occurrence_start.isoformat(),
                              "title": item.title, "name": item.proposed_by_name, "status": item.status}
                             for item, meeting in proposals],
        "action_items": [{"title": action.title, "name": action.owner_name, "status": action.status,
                          "due_on": action.due_on.isoformat() if action.due_on else None} for action in actions],
    }


@personal_data_deleted.connect
def forget_proposers(event_id: int, email: str | None = None, **_) -> None:
    """Remove who proposed agenda items of an event (all of them, or one address's): when the
    registrations' retention ends, or when the person deletes their data. The items stay."""
    query = select(AgendaItem).join(Meeting, Meeting.id == AgendaItem.meeting_id).where(
        Meeting.event_id == event_id, AgendaItem.proposed_by_email != "")
    if email is not None:
        query = query.where(func.lower(AgendaItem.proposed_by_email) == email.strip().lower())
    for item in db.session.scalars(query):
        item.proposed_by_name = item.proposed_by_email = ""


# --- Search document ---------------------------------------------------------------------

def reindex(meeting: Meeting) -> None:
    """Rewrite the meeting's searchable text; call after any change of its agenda or minutes."""
    scope = scope_name(meeting)
    parts = [meeting.event.title, local_day(meeting).strftime("%d.%m.%Y")]
    for item in meeting.items:
        if item.status == "declined":
            continue
        parts += [item.title, to_text(item.description), to_text(item.notes)]
    for decision in db.session.scalars(select(Decision).where(Decision.meeting_id == meeting.id)):
        parts += [decision_label(decision, scope), to_text(decision.text)]
    for action in db.session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)):
        parts += [action.title, action.owner_name]
    search.index(meeting.id, meeting.network_id, meeting.working_group_id,
                 "\n".join(part for part in parts if part))


def touch(meeting: Meeting) -> None:
    """Mark a change of the meeting (feeds and lists sort by updated_at) and reindex it."""
    meeting.updated_at = utcnow()
    reindex(meeting)
