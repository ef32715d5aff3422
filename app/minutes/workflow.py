"""The minutes' way from draft to published, and who gets them by mail.

    draft ──send for corrections──▶ review ──approve──▶ approved ──publish──▶ published
      ▲                               │  (also from draft)  │ ▲                  │
      └──────────back to draft────────┘                     │ └────withdraw──────┘
                                        undo approval ◀─────┘

Each step is one conditional UPDATE on the state the organizer saw, so two people
clicking at once cannot both publish (and mail) the same minutes; the mails go into the
outbox in the same transaction. Nothing here commits: the view does.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l, lazy_pgettext as _pl
from sqlalchemy import select, update

from ..core.extensions import db
from ..core.types import utcnow
from ..directory import service as directory
from ..mail import outbox
from ..registrations.models import Invitation, Registration
from . import document, service
from .labels import AUDIENCE_LABELS, MINUTES_STATUS_LABELS
from .models import AUDIENCES, Meeting
from .service import MinutesError

STEP_LABELS = {
    "review": _l("Send for corrections"),
    "draft": _l("Back to draft"),
    "approve": _pl("minutes", "Approve"),
    "unapprove": _l("Undo the approval"),
    "publish": _l("Publish"),
    "withdraw": _l("Withdraw the publication"),
}
# From which states each step may start.
STEP_FROM = {
    "review": ("draft",),
    "draft": ("review",),
    "approve": ("draft", "review"),
    "unapprove": ("approved",),
    "publish": ("approved",),
    "withdraw": ("published",),
}


@dataclass
class Recipient:
    name: str
    email: str
    source: str  # why: registered, invited, group, network


SOURCE_LABELS = {"registered": _l("registered"), "invited": _l("accepted the invitation"),
                 "group": _l("working group"), "network": _l("member organization")}


# --- Who gets the minutes ------------------------------------------------------------------

def recipients(meeting: Meeting, audience: str = "group") -> list[Recipient]:
    """For corrections and for the group: the date's confirmed registrations, invitees who said
    yes, and the working group's people; for the network or the public also the contact people
    of every member organization. Each address once (case does not count), in four queries."""
    event = meeting.event
    same_date = [Registration.event_id == event.id, Registration.status == "confirmed"]
    invited = [Invitation.event_id == event.id, Invitation.answer == "yes"]
    if event.is_series:  # a single event's rows are all of its one date, even if it moved
        same_date.append(Registration.occurrence_start == meeting.occurrence_start)
        invited.append(Invitation.occurrence_start == meeting.occurrence_start)
    found = [(name, email, "registered") for name, email in db.session.execute(
        select(Registration.name, Registration.email).where(*same_date).order_by(Registration.created_at))]
    found += [(name, email, "invited") for name, email in db.session.execute(
        select(Invitation.name, Invitation.email).where(*invited).order_by(Invitation.created_at))]
    if meeting.working_group is not None:
        found += [(person.name, person.email, "group") for person in meeting.working_group.people]
    if audience in ("network", "public"):
        found += [(person.name, person.email, "network") for person in directory.people_of(meeting.network)]
    result, seen = [], set()
    for name, email, source in found:
        email = (email or "").strip()
        if not email or email.casefold() in seen:
            continue
        seen.add(email.casefold())
        result.append(Recipient(name or email, email, source))
    return result


# --- Steps ----------------------------------------------------------------------------------

def _move(meeting: Meeting, step: str, to: str, **values) -> None:
    """Change the state if it still is what the organizer saw; otherwise refuse, unchanged."""
    seen = meeting.minutes_status
    if seen not in STEP_FROM[step]:
        raise MinutesError(_("“%(step)s” is not possible: the minutes are “%(state)s” now.",
                             step=STEP_LABELS[step], state=MINUTES_STATUS_LABELS[seen]))
    changed = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.minutes_status == seen)
        .values(minutes_status=to, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise MinutesError(_("Someone else changed these minutes meanwhile. Please look at them again."))
    db.session.refresh(meeting)


def send_for_review(meeting: Meeting, organizer, now: datetime | None = None) -> int:
    """Draft → review: every participant gets the minutes (text and PDF) and is asked to send
    corrections to the organizer. The number of mails; refused when nobody would get one (the
    minutes would count as sent for corrections that nobody received)."""
    people = recipients(meeting, "group")
    if not people:
        raise MinutesError(_("Nobody of this meeting has an e-mail address, so nobody could send corrections. "
                             "Add the participants' addresses first (attendance, or the group's members)."))
    _move(meeting, "review", "review", review_sent_at=now or utcnow())
    intro = _("Here is the draft of the minutes of our meeting. Please read it and send your corrections "
              "to %(name)s <%(email)s>. The PDF is attached.", name=organizer.name, email=organizer.email)
    subject = _("Minutes for corrections: %(title)s, %(day)s", title=meeting.event.title,
                day=document.meeting_day(meeting))
    return _distribute(meeting, people, subject, intro)


def back_to_draft(meeting: Meeting) -> None:
    _move(meeting, "draft", "draft")


def approval_choices(meeting: Meeting) -> list[Meeting]:
    """The meetings at which the minutes can be approved: the group's following ones."""
    return service.following_meetings(meeting)


def approve(meeting: Meeting, approved_in_id: int | None, now: datetime | None = None) -> None:
    """Record the approval, at one of the following meetings or at none (approved_in_id 0/None)."""
    if approved_in_id and approved_in_id not in {m.id for m in approval_choices(meeting)}:
        raise MinutesError(_("Please choose one of the listed meetings."), "approved_in")
    _move(meeting, "approve", "approved", approved_at=now or utcnow(), approved_in_id=approved_in_id or None)


def undo_approval(meeting: Meeting) -> None:
    """Approved by mistake: back to where the minutes were before."""
    _move(meeting, "unapprove", "review" if meeting.review_sent_at else "draft",
          approved_at=None, approved_in_id=None)


def audiences(meeting: Meeting) -> list[str]:
    """Who the minutes can be published to: not "the group" without a group, not "everyone"
    unless the event itself is public."""
    allowed = [a for a in AUDIENCES if a != "group" or meeting.working_group_id]
    if not _public_event(meeting):
        allowed.remove("public")
    return allowed


def _public_event(meeting: Meeting) -> bool:
    return meeting.event.visibility == "public" and meeting.event.status != "draft"


def publish(meeting: Meeting, audience: str, send_mail: bool, now: datetime | None = None) -> int:
    """Approved → published to `audience`; with send_mail everyone in it gets the minutes (text
    and PDF). The number of mails."""
    if audience not in AUDIENCES:
        raise MinutesError(_("Please choose who may read the minutes."), "audience")
    if audience not in audiences(meeting):
        message = (_("Only the minutes of a public event can be published to everyone. Choose the "
                     "network, or make the event public first.") if audience == "public"
                   else _("This meeting belongs to no working group. Choose the network or everyone."))
        raise MinutesError(message, "audience")
    _move(meeting, "publish", "published", audience=audience, published_at=now or utcnow())
    if not send_mail:
        return 0
    intro = _("The minutes of our meeting are approved and published. You find them below and as a PDF "
              "attached.")
    subject = _("Minutes: %(title)s, %(day)s", title=meeting.event.title, day=document.meeting_day(meeting))
    return _distribute(meeting, recipients(meeting, audience), subject, intro)


def withdraw(meeting: Meeting) -> None:
    """Published → approved: readers outside the editors no longer see the minutes."""
    _move(meeting, "withdraw", "approved", published_at=None)


def _distribute(meeting: Meeting, people: list[Recipient], subject: str, intro: str) -> int:
    """One mail per recipient through the outbox: the text, and the PDF made once. The owners
    of action items also get their links to mark them done."""
    from . import records

    doc = document.build(meeting)
    body = f"{intro}\n\n{'-' * 60}\n\n{document.as_text(doc)}"
    pdf = document.as_pdf(doc) if people else None
    for person in people:
        outbox.enqueue(person.email, subject, _("Hello %(name)s,", name=person.name) + "\n\n" + body,
                       attachment=pdf, attachment_type="application/pdf",
                       attachment_name=document.pdf_filename(meeting), event_id=meeting.event_id)
    records.send_open_links(meeting)
    return len(people)


# --- What the page shows ---------------------------------------------------------------------

@dataclass
class Step:
    label: str
    at: datetime | None
    detail: str = ""


def history(meeting: Meeting) -> list[Step]:
    """The dates so far, oldest first."""
    steps = [Step(_("Agenda started"), meeting.created_at)]
    if meeting.review_sent_at:
        steps.append(Step(_("Sent to the participants for corrections"), meeting.review_sent_at))
    if meeting.approved_at:
        detail = (_("at the meeting of %(day)s", day=document.meeting_day(meeting.approved_in))
                  if meeting.approved_in is not None else _("not at a meeting"))
        steps.append(Step(_("Approved"), meeting.approved_at, detail))
    if meeting.published_at:
        steps.append(Step(_("Published"), meeting.published_at,
                          _("to: %(audience)s", audience=AUDIENCE_LABELS[meeting.audience])))
    return steps


def next_step_text(meeting: Meeting) -> str:
    return {
        "draft": _("Write the minutes, then send them to the participants for corrections, or approve them "
                   "directly."),
        "review": _("The participants were asked for corrections. Work them into the minutes, then record the "
                    "approval, usually at the next meeting."),
        "approved": _("Publish the minutes to the group, the network or everyone, and send them by mail."),
        "published": _("The minutes are published. Corrections show at once; withdraw the publication to hide "
                       "them again."),
    }[meeting.minutes_status]
