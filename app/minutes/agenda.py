"""The agenda (Tagesordnung) of a meeting: its items in order, with presenter, planned minutes
and the running clock; publishing it; participants' proposals and the organizer's answer; the
plain-text agenda that goes with invitations and the minutes' mail.

Nothing here reads the request; the caller commits. Mails go through the outbox in the same
transaction as the change that causes them.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _, pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.formatting import local_time
from ..core.types import utcnow
from ..directory import service as directory
from ..directory.models import Membership, Network, Organization, Person
from ..events.models import Event
from ..registrations import admin_service
from ..registrations.signals import invitation_extras
from . import service
from .models import AgendaItem, Meeting
from .service import MinutesError

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_NAME = 200
MAX_REASON = 500
MIN_MINUTES, MAX_MINUTES = 1, 480
# Participants propose through their personal link; more open proposals than this from one
# address for one date are refused (the rate limit guards the link as a whole).
MAX_OPEN_PROPOSALS = 5
# Event kinds whose participants may propose items without the organizer having started the
# agenda first; any other event takes proposals once its date has an agenda.
MEETING_KINDS = ("network_meeting", "working_group_meeting", "exchange")


# --- Items and the running clock ---------------------------------------------------------

@dataclass
class Row:
    item: AgendaItem
    number: int
    starts_at: datetime | None  # UTC; None when an earlier item has no planned minutes

    @property
    def presenter(self) -> str:
        return presenter_label(self.item)


@dataclass
class Schedule:
    rows: list[Row]
    total: int  # planned minutes of all items
    ends_at: datetime | None
    unplanned: int  # items without planned minutes


def schedule(items: list[AgendaItem], start: datetime) -> Schedule:
    """Each item's planned start: the meeting's start plus the planned minutes of the items
    before it. Added in UTC and shown in the event's zone, so a clock change is no problem.
    After an item without planned minutes the times are unknown."""
    rows, moment, total, unplanned = [], start, 0, 0
    for number, item in enumerate(items, start=1):
        rows.append(Row(item, number, moment))
        if item.planned_minutes:
            total += item.planned_minutes
            moment = moment + timedelta(minutes=item.planned_minutes) if moment is not None else None
        else:
            unplanned += 1
            moment = None
    return Schedule(rows, total, moment, unplanned)


def starts_at(meeting: Meeting) -> datetime:
    """When the meeting begins (UTC): a moved date at its new time, a single event at its
    current start (even if it was moved after the meeting was opened)."""
    event = meeting.event
    if not event.is_series:
        return event.starts_at
    return admin_service.occurrence_of(event, meeting.occurrence_start).starts_at


def load_items(meeting: Meeting) -> list[AgendaItem]:
    """Every item of the meeting (proposals too) with its presenter, in order: one query."""
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        .options(joinedload(AgendaItem.presenter_person), joinedload(AgendaItem.presenter_organization))
        .order_by(AgendaItem.position, AgendaItem.id)).unique())


def accepted(items: list[AgendaItem]) -> list[AgendaItem]:
    return [item for item in items if item.status == "accepted"]


def pending(items: list[AgendaItem]) -> list[AgendaItem]:
    return [item for item in items if item.status == "proposed"]


def presenter_label(item: AgendaItem) -> str:
    """"Erika Muster (VHS)", "VHS", a free name, or several of these."""
    parts = []
    person, organization = item.presenter_person, item.presenter_organization
    if person is not None:
        parts.append(f"{person.name} ({person.organization.name})" if person.organization else person.name)
    if organization is not None and (person is None or person.organization_id != organization.id):
        parts.append(organization.name)
    if item.presenter_name:
        parts.append(item.presenter_name)
    return ", ".join(parts)


def presenter_choices(network: Network) -> tuple[list[Person], list[Organization]]:
    """The network's contact people and member organizations, for the presenter selects."""
    organizations = [organization for organization, _count in directory.organizations_page(network)]
    return directory.people_of(network), organizations


# --- Changing the agenda -------------------------------------------------------------------

def _clean_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _checked_text(title: str, description: str) -> tuple[str, str]:
    title, description = _clean_line(title), (description or "").strip()
    if not title:
        raise MinutesError(_("Please enter a title."), "title")
    if len(title) > MAX_TITLE:
        raise MinutesError(_("At most %(num)d characters, please.", num=MAX_TITLE), "title")
    if len(description) > MAX_DESCRIPTION:
        raise MinutesError(_("At most %(num)d characters, please.", num=MAX_DESCRIPTION), "description")
    return title, description


def _presenter_person(network: Network, person_id: int | None) -> Person | None:
    if not person_id:
        return None
    person = db.session.scalar(select(Person).join(
        Membership, Membership.organization_id == Person.organization_id).where(
        Person.id == person_id, Membership.network_id == network.id))
    if person is None:
        raise MinutesError(_("Please choose a person of this network's directory."), "presenter_person_id")
    return person


def _presenter_organization(network: Network, organization_id: int | None) -> Organization | None:
    if not organization_id:
        return None
    organization = db.session.get(Organization, organization_id)
    if organization is None or not directory.is_member(network, organization):
        raise MinutesError(_("Please choose a member organization of this network."), "presenter_organization_id")
    return organization


def save_item(meeting: Meeting, item: AgendaItem | None, *, title: str, description: str = "",
              presenter_person_id: int | None = None, presenter_organization_id: int | None = None,
              presenter_name: str = "", planned_minutes: int | None = None) -> AgendaItem:
    """Add an item at the end of the agenda, or change one."""
    title, description = _checked_text(title, description)
    presenter_name = _clean_line(presenter_name)
    if len(presenter_name) > MAX_NAME:
        raise MinutesError(_("At most %(num)d characters, please.", num=MAX_NAME), "presenter_name")
    if planned_minutes is not None and not MIN_MINUTES <= planned_minutes <= MAX_MINUTES:
        raise MinutesError(_("Please plan between %(min)d and %(max)d minutes.", min=MIN_MINUTES, max=MAX_MINUTES),
                           "planned_minutes")
    person = _presenter_person(meeting.network, presenter_person_id)
    organization = _presenter_organization(meeting.network, presenter_organization_id)
    if item is None:
        item = AgendaItem(status="accepted", position=len(accepted(meeting.items)))
        meeting.items.append(item)
    item.title, item.description, item.presenter_name = title, description, presenter_name
    item.presenter_person, item.presenter_organization = person, organization
    item.planned_minutes = planned_minutes
    _renumber(meeting)
    service.touch(meeting)
    return item


def _renumber(meeting: Meeting, ordered: list[AgendaItem] | None = None) -> None:
    """Positions 0, 1, 2 … for the agenda; proposals and declined items after it."""
    items = ordered if ordered is not None else accepted(sorted(meeting.items, key=lambda i: (i.position, i.id or 0)))
    rest = [i for i in sorted(meeting.items, key=lambda i: (i.position, i.id or 0)) if i.status != "accepted"]
    for position, item in enumerate([*items, *rest]):
        item.position = position


def delete_item(meeting: Meeting, item: AgendaItem) -> None:
    if item.carries_action_items:
        raise MinutesError(_("The open action items stay on the agenda; you can move them."))
    meeting.items.remove(item)  # delete-orphan: the row goes with its notes
    _renumber(meeting)
    service.touch(meeting)


def move_item(meeting: Meeting, item: AgendaItem, step: int) -> None:
    """Up (-1) or down (+1) by one place; at either end nothing changes."""
    ordered = accepted(sorted(meeting.items, key=lambda i: (i.position, i.id)))
    index = ordered.index(item)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(meeting, ordered)
    service.touch(meeting)


def reorder(meeting: Meeting, item_ids: list[int]) -> None:
    """The agenda in the order given (by drag and drop). The ids must be exactly the agenda's
    items: a foreign id, a missing or a doubled one is refused, and nothing changes."""
    items = {item.id: item for item in accepted(meeting.items)}
    if len(item_ids) != len(items) or set(item_ids) != set(items):
        raise MinutesError(_("The agenda has changed meanwhile. Please reload the page."))
    _renumber(meeting, [items[item_id] for item_id in item_ids])
    service.touch(meeting)


def publish(meeting: Meeting) -> None:
    meeting.agenda_status = "published"
    meeting.agenda_published_at = utcnow()
    service.touch(meeting)


def unpublish(meeting: Meeting) -> None:
    meeting.agenda_status = "draft"
    meeting.agenda_published_at = None
    service.touch(meeting)


# --- Participants' proposals ---------------------------------------------------------------

def takes_proposals(event: Event, occurrence, now: datetime | None = None) -> bool:
    """A date takes proposals until it begins: meetings of a network or group, and any other
    event once the organizers have started the date's agenda."""
    now = now or utcnow()
    if occurrence is None or event.status != "published" or occurrence.cancelled or (
            occurrence.change is not None and occurrence.change.action == "skipped"):
        return False
    if occurrence.starts_at <= now:
        return False
    kind = event.kind.code if event.kind is not None else None
    return kind in MEETING_KINDS or event.working_group_id is not None or \
        service.meeting_for(event, occurrence.original_start) is not None


def proposals_by(event: Event, occurrence_start: datetime, email: str) -> list[AgendaItem]:
    """What this address proposed for the date, with the answer (for the participant's page)."""
    meeting = service.meeting_for(event, occurrence_start)
    if meeting is None or not email:
        return []
    return list(db.session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id, func.lower(AgendaItem.proposed_by_email) == email.lower())
        .order_by(AgendaItem.id)))


def propose(event: Event, occurrence_start: datetime, title: str, description: str, name: str,
            email: str) -> AgendaItem:
    """A participant's proposal; the date's meeting is opened if it has none yet. The caller
    checks `takes_proposals` and that the person may (an active registration, an invitation)."""
    title, description = _checked_text(title, description)
    meeting = service.open_meeting(event, occurrence_start if event.is_series else event.starts_at)
    waiting = [i for i in proposals_by(event, occurrence_start, email) if i.status == "proposed"]
    if len(waiting) >= MAX_OPEN_PROPOSALS:
        raise MinutesError(_("You have %(num)d proposals waiting for an answer already.", num=len(waiting)), "title")
    item = AgendaItem(title=title, description=description, status="proposed", position=len(meeting.items),
                      proposed_by_name=_clean_line(name)[:MAX_NAME], proposed_by_email=email[:254])
    meeting.items.append(item)
    service.touch(meeting)
    return item


def accept(meeting: Meeting, item: AgendaItem) -> None:
    """The proposal goes to the end of the agenda; the proposer is told."""
    if item.status != "proposed":
        raise MinutesError(_("This proposal has been answered already."))
    ordered = accepted(sorted(meeting.items, key=lambda i: (i.position, i.id)))
    item.status = "accepted"
    _renumber(meeting, [*ordered, item])
    _tell_proposer(meeting, item, _("Your proposal “%(title)s” is on the agenda.", title=item.title))
    service.touch(meeting)


def decline(meeting: Meeting, item: AgendaItem, reason: str = "") -> None:
    if item.status != "proposed":
        raise MinutesError(_("This proposal has been answered already."))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise MinutesError(_("At most %(num)d characters, please.", num=MAX_REASON), "reason")
    item.status, item.decline_reason = "declined", reason
    text = _("We are sorry: your proposal “%(title)s” is not on the agenda this time.", title=item.title)
    if reason:
        text += "\n" + _("Reason:") + " " + reason
    _tell_proposer(meeting, item, text)
    service.touch(meeting)


def _tell_proposer(meeting: Meeting, item: AgendaItem, text: str) -> None:
    from ..mail import outbox

    if not item.proposed_by_email:
        return
    event = meeting.event
    greeting = _("Hello %(name)s,", name=item.proposed_by_name) if item.proposed_by_name else _("Hello,")
    body = "\n\n".join([greeting, text, admin_service.event_details(event, meeting.occurrence_start)])
    outbox.enqueue(item.proposed_by_email, _("Your agenda proposal for %(event)s", event=event.title), body,
                   event_id=event.id)


# --- The published agenda ------------------------------------------------------------------

def public_agenda(meeting: Meeting | None, occurrence, organizer: bool) -> tuple[Meeting, Schedule] | None:
    """The published agenda of the date the event page shows: to everyone when the event is
    public, to organizers always. One query."""
    if meeting is None or meeting.agenda_status != "published":
        return None
    if not (organizer or service.agenda_is_public(meeting)):
        return None
    items = accepted(load_items(meeting))
    return (meeting, schedule(items, occurrence.starts_at)) if items else None


def agenda_text(meeting: Meeting) -> str:
    """The agenda as plain text for mails, one line per item: "TOP 1 (14:00, 15 min): Title –
    Presenter" ("" when it has no items)."""
    event = meeting.event
    plan = schedule(accepted(load_items(meeting)), starts_at(meeting))
    if not plan.rows:
        return ""
    lines = [pgettext("meeting", "Agenda")]
    for row in plan.rows:
        when = []
        if row.starts_at is not None and not event.all_day:
            when.append(local_time(row.starts_at, event.timezone))
        if row.item.planned_minutes:
            when.append(_("%(num)d min", num=row.item.planned_minutes))
        line = _("Item %(number)d", number=row.number)
        if when:
            line += f" ({', '.join(when)})"
        line += f": {row.item.title}"
        presenter = presenter_label(row.item)
        if presenter:
            line += f" – {presenter}"
        lines.append(line)
    if plan.ends_at is not None and not event.all_day:
        lines.append(_("Planned end: %(time)s", time=local_time(plan.ends_at, event.timezone)))
    return "\n".join(lines)


@invitation_extras.connect
def published_agenda_text(event: Event, start: datetime, **_) -> str:
    """The date's agenda for invitations, once it is published; "" before."""
    meeting = service.meeting_for(event, start)
    if meeting is None or meeting.agenda_status != "published":
        return ""
    return agenda_text(meeting)
