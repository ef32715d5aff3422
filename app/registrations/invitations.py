"""Personal invitations to one date: from a working group, the network's contacts or pasted
addresses; each gets a personal link (yes / no / maybe) by mail, and a reminder when they have
not answered (never twice within 24 hours)."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..directory.models import Network, Person, WorkingGroup
from ..events.models import Event
from .admin_service import AdminError, checked_email, event_details
from .models import Invitation
from .signals import invitation_extras

REMIND_AGAIN_AFTER = timedelta(hours=24)
MAX_PASTED_ADDRESSES = 500


@dataclass
class Invitee:
    name: str
    email: str
    organization_id: int | None = None


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


def _token_pair() -> tuple[str, str]:
    """A new secret for a link and the hash that is stored (from the participant side)."""
    from . import service

    return service.new_token()


def invite(event: Event, start: datetime, invitees: list[Invitee]) -> InviteResult:
    """Invite each address once per date: an invitation row and a mail with a personal link."""
    from ..mail import outbox

    result = InviteResult()
    known = set(db.session.scalars(select(Invitation.email).where(
        Invitation.event_id == event.id, Invitation.occurrence_start == start)))
    details = _invitation_details(event, start)
    for invitee in invitees:
        if invitee.email in known:
            result.already += 1
            continue
        known.add(invitee.email)
        token, token_hash = _token_pair()
        db.session.add(Invitation(event_id=event.id, occurrence_start=start, email=invitee.email,
                                  name=invitee.name, organization_id=invitee.organization_id, token_hash=token_hash))
        outbox.enqueue(invitee.email, _("Invitation: %(title)s", title=event.title),
                       _invitation_body(invitee.name, token, details, reminder=False), event_id=event.id)
        result.invited += 1
    return result


def _invitation_details(event: Event, start: datetime) -> str:
    """Date, place and link, and the date's agenda once the organizers have published it."""
    extras = [text for _receiver, text in invitation_extras.send(event, start=start) if text]
    return "\n\n".join([event_details(event, start), *extras])


def _invitation_body(name: str, token: str, details: str, reminder: bool) -> str:
    link = absolute_url("registrations.invitation", token=token)
    greeting = _("Hello %(name)s,", name=name) if name else _("Hello,")
    text = (_("we have not heard from you yet. Will you come?") if reminder
            else _("you are invited. Please tell us whether you will come: yes, no or maybe."))
    return "\n\n".join([greeting, text, details, _("Your personal link:") + "\n" + link])


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
    Their old link stays valid, so the reminder carries a new one that replaces it."""
    from ..mail import outbox

    now = now or utcnow()
    details = _invitation_details(event, start)
    reminded = 0
    for row in invitations(event, start):
        if row.answer is not None or (row.reminded_at is not None and now - row.reminded_at < REMIND_AGAIN_AFTER):
            continue
        token, row.token_hash = _token_pair()
        row.reminded_at = now
        outbox.enqueue(row.email, _("Reminder: invitation to %(title)s", title=event.title),
                       _invitation_body(row.name, token, details, reminder=True), event_id=event.id)
        reminded += 1
    return reminded
