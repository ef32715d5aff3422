"""What the minutes record besides the notes: decisions (Beschlüsse), action items (Aufgaben)
with their "done" links, the attendance list and the next meeting's date.

Functions add and change rows and queue mails in the caller's transaction; the caller commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.tokens import plausible_token
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..directory import service as directory
from ..directory.models import Membership, Network, Organization, Person, WorkingGroup
from ..events import recurrence
from ..mail import outbox
from ..registrations import admin_service
from ..registrations import service as registrations
from ..registrations.models import Registration
from . import service
from .models import ACTION_ITEM_STATUSES, ActionItem, AgendaItem, AttendanceEntry, Decision, Meeting
from .service import MinutesError

MAX_DECISION = 5000
MAX_ACTION_TITLE = 500
MAX_NAME = 200
MAX_EMAIL = 254
MAX_NEXT_NOTE = 300
NUMBER_ATTEMPTS = 5  # a decision number taken by a concurrent save: try the next one


def _text(value: str | None, limit: int, field: str, required_message: str | None = None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise MinutesError(required_message, field)
    if len(value) > limit:
        raise MinutesError(_("At most %(num)d characters, please.", num=limit), field)
    return value


# --- Decisions ------------------------------------------------------------------------------

def decisions_of(meeting: Meeting) -> list[Decision]:
    return list(db.session.scalars(select(Decision).where(Decision.meeting_id == meeting.id)
                                   .order_by(Decision.year, Decision.number)))


def decision_label(decision: Decision, meeting: Meeting) -> str:
    return service.decision_label(decision, service.scope_name(meeting))


def add_decision(meeting: Meeting, item: AgendaItem | None, text: str) -> Decision:
    """The next number in the meeting's group (or network) and year: the highest so far
    plus one. Numbers are never reused, so a deleted decision leaves a gap. Two saves at
    once may pick the same number; the unique (scope, year, number) refuses the second,
    which then takes the next one (inside a savepoint, so nothing else is lost)."""
    text = _text(text, MAX_DECISION, "text", _("Please write down the decision."))
    scope = service.scope_of(meeting)
    year = service.local_day(meeting).year
    for _attempt in range(NUMBER_ATTEMPTS):
        highest = db.session.scalar(select(func.max(Decision.number))
                                    .where(Decision.scope == scope, Decision.year == year)) or 0
        decision = Decision(meeting_id=meeting.id, agenda_item_id=item.id if item else None, scope=scope,
                            year=year, number=highest + 1, text=text, created_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(decision)
        except IntegrityError:
            continue
        service.touch(meeting)
        return decision
    raise MinutesError(_("The decision could not be numbered just now. Please save it again."), "text")


def update_decision(decision: Decision, text: str) -> None:
    decision.text = _text(text, MAX_DECISION, "text", _("Please write down the decision."))
    service.touch(decision.meeting)


def delete_decision(decision: Decision) -> None:
    _delete(decision)


def _delete(row: Decision | ActionItem) -> None:
    """Delete a decision or action item; the meeting's search text then loses it."""
    meeting = row.meeting
    db.session.delete(row)
    db.session.flush()
    service.touch(meeting)


# --- Action items -------------------------------------------------------------------------------

def actions_of(meeting: Meeting) -> list[ActionItem]:
    return list(db.session.scalars(service.with_details(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id))))


def group_open_actions(user, group: WorkingGroup) -> list[ActionItem]:
    """The group's open action items from meetings whose minutes `user` may read (for the
    group page), earliest due first."""
    readable = service.readable_meetings(user, group.network, group)
    return list(db.session.scalars(service.with_details(
        service.open_action_items_query(group.network_id, group.id).where(ActionItem.meeting_id.in_(readable)))))


@dataclass
class NetworkActions:
    today: date
    overdue: list[ActionItem]
    by_group: list[tuple[WorkingGroup | None, list[ActionItem]]]  # every open one; None: the network's own


def network_today(network: Network) -> date:
    return recurrence.to_local(utcnow(), network.timezone).date()


def network_actions(network: Network) -> NetworkActions:
    """What a coordinator follows up: everything overdue across the network, and every open
    action item by group. A fixed number of queries, however many items there are."""
    today = network_today(network)
    open_items = list(db.session.scalars(service.with_details(service.open_action_items_query(network.id))))
    overdue = [action for action in open_items if is_overdue(action, today)]
    groups = {group.id: group for group in network.working_groups}
    by_group: dict[int | None, list[ActionItem]] = {}
    for action in open_items:
        by_group.setdefault(action.working_group_id if action.working_group_id in groups else None, []).append(action)
    ordered = sorted(by_group.items(), key=lambda pair: (pair[0] is None, groups[pair[0]].name if pair[0] else ""))
    return NetworkActions(today, overdue, [(groups.get(key), items) for key, items in ordered])


def is_overdue(action: ActionItem, today: date) -> bool:
    return action.is_open and action.due_on is not None and action.due_on < today


def owner_label(action: ActionItem) -> str:
    if action.owner_person is not None:
        return f"{action.owner_person.name} ({action.owner_person.organization.name})"
    if action.owner_organization is not None:
        return action.owner_organization.name
    return action.owner_name


def owner_address(action: ActionItem) -> str:
    """Where the "done" link goes: the typed address, else the person's, else the organization's."""
    if action.owner_email:
        return action.owner_email
    if action.owner_person is not None and action.owner_person.email:
        return action.owner_person.email
    if action.owner_organization is not None and action.owner_organization.email:
        return action.owner_organization.email
    return ""


def owner_choices(network: Network) -> tuple[list[Person], list[Organization]]:
    """The people and organizations of the network an action item can be given to."""
    organizations = [organization for organization, _count in directory.organizations_page(network)]
    return directory.people_of(network), organizations


def _owner(meeting: Meeting, owner: str) -> tuple[Person | None, Organization | None]:
    """"person:<id>" or "organization:<id>" of the meeting's network; "" for a typed name."""
    kind, _sep, raw_id = (owner or "").partition(":")
    if not kind:
        return None, None
    owner_id = int(raw_id) if raw_id.isdigit() else 0
    if kind == "person":
        person = db.session.scalar(select(Person).join(Membership, Membership.organization_id == Person.organization_id)
                                   .where(Person.id == owner_id, Membership.network_id == meeting.network_id))
        if person is not None:
            return person, None
    elif kind == "organization":
        organization = db.session.get(Organization, owner_id)
        if organization is not None and directory.is_member(meeting.network, organization):
            return None, organization
    raise MinutesError(_("Please choose someone of this network."), "owner")


def save_action(meeting: Meeting, item: AgendaItem | None, action: ActionItem | None, *, title: str, owner: str,
                owner_name: str, owner_email: str, due_on: date | None, status: str) -> ActionItem:
    """Add (action None) or change an action item: what, who (a person or organization of
    the network, or a typed name with an optional address), by when, how far."""
    title = _text(title, MAX_ACTION_TITLE, "title", _("Please say what is to be done."))
    person, organization = _owner(meeting, owner)
    owner_name = _text(owner_name, MAX_NAME, "owner_name")
    owner_email = _text(owner_email, MAX_EMAIL, "owner_email")
    if owner_email:
        try:
            owner_email = admin_service.checked_email(owner_email)
        except admin_service.AdminError as error:
            raise MinutesError(str(error), "owner_email") from None
    if person is None and organization is None and not owner_name:
        raise MinutesError(_("Please choose who does it, or type a name."), "owner")
    if status not in ACTION_ITEM_STATUSES:
        raise MinutesError(_("Please choose a status."), "status")
    if action is None:
        action = ActionItem(meeting_id=meeting.id, agenda_item_id=item.id if item else None,
                            network_id=meeting.network_id, working_group_id=meeting.working_group_id,
                            created_at=utcnow())
        db.session.add(action)
    address_before = owner_address(action) if action.id else None
    action.title = title
    action.owner_person, action.owner_organization = person, organization
    # The name is kept for the search and for when the person leaves the directory.
    action.owner_name = person.name if person else organization.name if organization else owner_name
    action.owner_email = owner_email
    action.due_on = due_on
    _set_status(action, status)
    if address_before is not None and owner_address(action) != address_before:
        action.token_hash = action.link_sent_at = None  # a new owner: the old one's link stops working
    db.session.flush()
    service.touch(meeting)
    return action


def _set_status(action: ActionItem, status: str) -> None:
    if status == "done" and action.status != "done":
        action.done_at = utcnow()
    elif status != "done":
        action.done_at = None
    action.status = status
    action.updated_at = utcnow()


def set_status(action: ActionItem, status: str) -> None:
    if status not in ACTION_ITEM_STATUSES:
        raise MinutesError(_("Please choose a status."), "status")
    _set_status(action, status)
    service.touch(action.meeting)


def delete_action(action: ActionItem) -> None:
    _delete(action)


# --- The "done" link --------------------------------------------------------------------------

def action_url(token: str) -> str:
    return absolute_url("minutes.action_item", token=token)


def send_link(action: ActionItem) -> str:
    """Mail the owner a new link to mark the item done without logging in; an earlier link
    stops working (only the hash of the newest is stored). Returns the token."""
    address = owner_address(action)
    if not address:
        raise MinutesError(_("There is no e-mail address for %(owner)s.", owner=owner_label(action)), "owner_email")
    token, action.token_hash = registrations.new_token()
    action.link_sent_at = utcnow()
    meeting = action.meeting
    lines = [_("What: %(title)s", title=action.title),
             _("Meeting: %(title)s on %(date)s", title=meeting.event.title,
               date=format_date(service.local_day(meeting), "long"))]
    if meeting.working_group_id:
        lines.append(_("Working group: %(name)s", name=meeting.working_group.name))
    if action.due_on:
        lines.append(_("Due: %(date)s", date=format_date(action.due_on, "long")))
    body = "\n\n".join([
        _("Hello %(name)s,", name=action.owner_name) if action.owner_name else _("Hello,"),
        _("you took on this action item at the meeting of %(network)s:", network=meeting.network.name),
        "\n".join(lines),
        _("When it is done, please mark it as done here (no login needed):\n%(url)s", url=action_url(token)),
        _("This link is only for you. A newer mail with a new link replaces this one."),
    ])
    outbox.enqueue(address, _("Action item: %(title)s", title=action.title[:200]), body, event_id=meeting.event_id)
    return token


def send_open_links(meeting: Meeting) -> int:
    """Send a link for every open action item of the meeting that has an address and has
    had no link yet (when the minutes go out). Returns how many were sent."""
    sent = 0
    for action in actions_of(meeting):
        if action.is_open and action.link_sent_at is None and owner_address(action):
            send_link(action)
            sent += 1
    return sent


def action_by_token(token: str | None) -> ActionItem | None:
    """The action item of a "done" link, or None for anything forged, guessed, too long or
    replaced by a newer link (looked up by hash, as registrations.service.by_token)."""
    if not plausible_token(token):
        return None
    return db.session.scalar(select(ActionItem).where(ActionItem.token_hash == registrations.hash_token(token)))


# --- Attendance --------------------------------------------------------------------------------

def attendance_of(meeting: Meeting) -> list[AttendanceEntry]:
    return list(db.session.scalars(select(AttendanceEntry).where(AttendanceEntry.meeting_id == meeting.id)
                                   .order_by(func.lower(AttendanceEntry.name), AttendanceEntry.id)))


@dataclass
class Counts:
    by_organization: list[tuple[str, int]]  # most first, then by name
    total: int


def counts(entries: list[AttendanceEntry]) -> Counts:
    found: dict[str, int] = {}
    for entry in entries:
        if entry.present:
            label = entry.organization_name or _("No organization")
            found[label] = found.get(label, 0) + 1
    ordered = sorted(found.items(), key=lambda pair: (-pair[1], pair[0].casefold()))
    return Counts(ordered, sum(found.values()))


def group_people(meeting: Meeting) -> list[Person]:
    return list(meeting.working_group.people) if meeting.working_group_id else []


def take_over_checkins(meeting: Meeting) -> int:
    """Copy the people checked in on the meeting's date into the attendance list; those
    there already stay as they are, so doing it twice adds nobody twice. A group member
    with the registration's address is linked, so the tick list shows them present."""
    entries = attendance_of(meeting)
    taken = {entry.registration_id for entry in entries if entry.registration_id}
    listed_people = {entry.person_id for entry in entries if entry.person_id}
    by_email = {person.email: person for person in group_people(meeting) if person.email}
    checked_in = db.session.scalars(
        select(Registration).options(selectinload(Registration.organization))
        .where(Registration.event_id == meeting.event_id, Registration.occurrence_start == meeting.occurrence_start,
               Registration.checked_in_at.is_not(None)).order_by(Registration.id))
    added = 0
    for registration in checked_in:
        if registration.id in taken:
            continue
        person = by_email.get(registration.email)
        if person is not None and person.id in listed_people:
            continue  # ticked already
        db.session.add(AttendanceEntry(
            meeting_id=meeting.id, registration_id=registration.id, person_id=person.id if person else None,
            name=registration.name[:MAX_NAME], organization_id=registration.organization_id,
            organization_name=admin_service.organization_label(registration)[:MAX_NAME], present=True))
        added += 1
    db.session.flush()
    return added


def tick_people(meeting: Meeting, present_ids: set[int]) -> None:
    """The working group's people present are exactly those ticked; others on the list stay."""
    people = {person.id: person for person in group_people(meeting)}
    listed = {entry.person_id: entry for entry in attendance_of(meeting) if entry.person_id in people}
    for person_id, entry in listed.items():
        if person_id not in present_ids:
            db.session.delete(entry)
    for person_id in present_ids:
        person = people.get(person_id)
        if person is not None and person_id not in listed:
            db.session.add(AttendanceEntry(meeting_id=meeting.id, person_id=person.id, name=person.name,
                                           organization_id=person.organization_id,
                                           organization_name=person.organization.name, present=True))
    db.session.flush()


def add_attendee(meeting: Meeting, name: str, organization_id: int | None, organization_name: str) -> AttendanceEntry:
    name = _text(name, MAX_NAME, "name", _("Please enter a name."))
    organization = None
    if organization_id:
        organization = db.session.get(Organization, organization_id)
        if organization is None or not directory.is_member(meeting.network, organization):
            raise MinutesError(_("Please choose an organization of this network."), "organization_id")
    organization_name = organization.name if organization else _text(organization_name, MAX_NAME,
                                                                       "organization_name")
    entry = AttendanceEntry(meeting_id=meeting.id, name=name, organization_id=organization.id if organization else None,
                            organization_name=organization_name, present=True)
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_attendee(entry: AttendanceEntry) -> None:
    db.session.delete(entry)


# --- The next meeting ---------------------------------------------------------------------------

def suggested_next(meeting: Meeting) -> datetime | None:
    """The series' next date after this meeting (UTC), to prefill the form; None for a
    single event."""
    event = meeting.event
    if not event.is_series:
        return None
    following = recurrence.following(event, event.changes, meeting.occurrence_start + timedelta(seconds=1), 3)
    return next((o.starts_at for o in following
                 if o.original_start != meeting.occurrence_start and not o.cancelled), None)


def set_next_meeting(meeting: Meeting, wall: datetime | None, note: str) -> None:
    """The next meeting as the minutes announce it: a local date and time (None: not known
    yet) and a short note."""
    from ..events.service import EventError, to_utc_checked

    note = _text(note, MAX_NEXT_NOTE, "next_note")
    if wall is None:
        meeting.next_meeting_at = None
    else:
        try:
            meeting.next_meeting_at = to_utc_checked(wall, meeting.event.timezone, "next_time")
        except EventError as error:
            raise MinutesError(str(error), "next_time") from None
    meeting.next_meeting_note = note
    service.touch(meeting)
