"""Personal invitations to one date: from a working group, the network's contacts or pasted
addresses; each gets a personal link (yes / no / maybe) by mail, and a reminder when they have
not answered (never twice within 24 hours)."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.params import db_int
from ..core.security import require
from ..directory import access
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..directory.models import Network, Person, WorkingGroup
from ..events.models import Event
from ..mail import itip, outbox
from ..mail.letters import Letter
from . import notifications
from .admin_service import AdminError, checked_email, occurrence_of
from .models import Invitation
from .signals import invitation_extras

REMIND_AGAIN_AFTER = timedelta(hours=24)
MAX_PASTED_ADDRESSES = 500


@dataclass
class Invitee:
    name: str
    email: str
    organization_id: int | None = None
    language: str | None = None  # the invitee's language where known (e.g. from a date poll)


@dataclass
class InviteResult:
    invited: int = 0
    already: int = 0
    bad_lines: list[tuple[str, str]] = field(default_factory=list)  # (line, why)


def parse_addresses(text: str) -> tuple[list[Invitee], list[tuple[str, str]]]:
    """Pasted lines, `Name <mail>` or a plain address: the good ones and the bad lines with why."""
    good, bad = [], []
    for raw in text.splitlines()[:MAX_PASTED_ADDRESSES]:
        line = raw.strip().strip(",;")
        if not line:
            continue
        name, address = "", line
        if line.endswith(">") and "<" in line:
            name, address = line[:line.rindex("<")].strip().strip('"'), line[line.rindex("<") + 1:-1]
        try:
            email = checked_email(address)
        except AdminError as error:
            bad.append((line[:300], str(error)))
            continue
        good.append(Invitee(" ".join(name.split())[:200], email))
    return good, bad


def _people_invitees(people) -> list[Invitee]:
    return [Invitee(p.name, p.email.strip().lower(), p.organization_id) for p in people if p.email]


def group_invitees(group: WorkingGroup) -> list[Invitee]:
    """The group's people, and the contact people of its member organizations."""
    people = list(group.people)
    if group.organizations:
        people += db.session.scalars(select(Person).where(
            Person.organization_id.in_([o.id for o in group.organizations]))).all()
    return _people_invitees(people)


def network_invitees(network: Network) -> list[Invitee]:
    from ..directory import service as directory

    return _people_invitees(directory.people_of(network))


def invitees_from_form(form, network: Network, user) -> tuple[list[Invitee], list[tuple[str, str]], str]:
    """Whom an organizer's invitation form names (events and date polls share the form): a
    working group the user may manage, the network's contacts (its coordinators only), or pasted
    addresses. (invitees, bad lines with why, the pasted text); 404/403 for a group not allowed."""
    source = form.get("source", "list")
    if source == "group":
        group = db.session.get(WorkingGroup, form.get("group_id", type=db_int) or 0)
        if group is None or group.network_id != network.id:
            abort(404)
        require(access.can_manage_group(user, group))  # else a lead could read any group's addresses
        return group_invitees(group), [], ""
    if source == "network":
        require(access.can_manage_network(user, network))
        return network_invitees(network), [], ""
    pasted = form.get("addresses", "")[:100_000]
    invitees, bad_lines = parse_addresses(pasted)
    return invitees, bad_lines, pasted


def _token_pair() -> tuple[str, str]:
    """A new secret for a link and the hash that is stored (from the participant side)."""
    from . import service

    return service.new_token()


def invite(event: Event, start: datetime, invitees: list[Invitee], intro=None) -> InviteResult:
    """Invite each address once per date: an invitation row and a mail with a personal link.
    `intro`, a function called in each mail's language, gives a first paragraph (a date poll:
    "this is the date the poll chose")."""
    result = InviteResult()
    known = set(db.session.scalars(select(Invitation.email).where(
        Invitation.event_id == event.id, Invitation.occurrence_start == start)))
    for invitee in invitees:
        if invitee.email in known:
            result.already += 1
            continue
        known.add(invitee.email)
        token, token_hash = _token_pair()
        invitation = Invitation(event_id=event.id, occurrence_start=start, email=invitee.email, name=invitee.name,
                                organization_id=invitee.organization_id, token_hash=token_hash,
                                language=invitee.language)
        invitation.event = event
        db.session.add(invitation)
        _mail(invitation, token, reminder=False, intro=intro)
        result.invited += 1
    return result


def _mail(invitation: Invitation, token: str, reminder: bool, intro=None) -> None:
    """The invitation (or its reminder) in the invitation's language: the date, the place, the
    date's agenda once published, the personal link, and the calendar's REQUEST."""
    event, start = invitation.event, invitation.occurrence_start
    with force_locale(notifications.language_of(invitation)):
        occurrence = occurrence_of(event, start)
        subject = (_("Reminder: invitation to %(title)s", title=notifications.title_of(event)) if reminder
                   else _("Invitation: %(title)s", title=notifications.title_of(event)))
        text = (_("we have not heard from you yet. Will you come?") if reminder
                else _("you are invited. Please tell us whether you will come: yes, no or maybe."))
        extras = [text for _receiver, text in invitation_extras.send(event, start=start) if text]
        letter = Letter(subject, notifications.greeting(invitation.name), [intro(), text] if intro else [text],
                        notifications.facts(event, occurrence),
                        button=(_("Answer: yes, no or maybe"), absolute_url("registrations.invitation", token=token)),
                        after=extras)
        attendee = itip.Attendee(invitation.email, invitation.name)
        outbox.enqueue_letter(invitation.email, letter, ics=itip.message(event, occurrence, itip.REQUEST, attendee),
                              ics_method=itip.REQUEST, attachment_name="invite.ics", event_id=event.id)


def invitations(event: Event, start: datetime) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.occurrence_start == start).order_by(Invitation.name,
                                                                                        Invitation.email)).all()


def invitation_counts(rows: list[Invitation]) -> dict[str, int]:
    counts = Counter(row.answer or "none" for row in rows)
    return {"invited": len(rows), "yes": counts["yes"], "no": counts["no"], "maybe": counts["maybe"],
            "none": counts["none"]}


def remind_invitees(event: Event, start: datetime, now: datetime | None = None) -> int:
    """Mail those who have not answered; nobody twice within 24 hours. The number reminded.
    Only the newest link works (hashes are stored), so the reminder carries a new one."""
    now = now or utcnow()
    reminded = 0
    for row in invitations(event, start):
        if row.answer is not None or (row.reminded_at is not None and now - row.reminded_at < REMIND_AGAIN_AFTER):
            continue
        token, row.token_hash = _token_pair()
        row.reminded_at = now
        _mail(row, token, reminder=True)
        reminded += 1
    return reminded
