"""The coordinator's review: approve (the submission becomes an ordinary event of the network),
ask for changes, decline; overlaps of time and place; publishing the programme.

The event of an approved submission is made once and updated on every later approval or
coordinator edit, so its UID, registrations and feed entries stay the same. Its status
follows the programme: a draft while the programme is unpublished, published with it.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext as _, pgettext
from sqlalchemy import select

from ..core.extensions import db
from ..core.types import utcnow
from ..events import pictures, service as events
from ..events.models import Event, EventKind
from ..registrations import admin_service
from . import booklet_builds, service
from .models import ACTIVE_SUBMISSION_STATUSES, Campaign, Submission
from .service import ProgrammeError

# The built-in kind the programme's events get (see events.models.BUILTIN_KINDS).
EVENT_KIND = "public_event"
# From which statuses each review action may be taken (the queue offers it only there).
ACTIONS_FROM = {
    "approve": ("submitted", "changes_requested", "declined"),
    "changes": ("submitted", "approved"),
    "decline": ("submitted", "changes_requested", "approved", "draft"),
}


def _ensure(submission: Submission, action: str) -> None:
    if submission.status not in ACTIONS_FROM[action]:
        raise ProgrammeError(_("This submission was changed meanwhile. Please look at it again."))


def approve(submission: Submission, user, message: str = "") -> Event:
    """Into the programme: make or update its event, tell the submitter."""
    _ensure(submission, "approve")
    missing = service.missing_fields(submission)
    if missing:
        raise ProgrammeError(_("This submission is not complete yet."), missing[0])
    # The status first: sync_event keeps a cancelled event cancelled unless the entry is approved.
    before = submission.status
    submission.status = "approved"
    try:
        event = sync_event(submission)
    except ProgrammeError:
        submission.status = before
        raise
    submission.reviewed_at, submission.review_message = utcnow(), message.strip()
    service._record(submission, "approved", message.strip(), user)
    with force_locale(service.mail_language(submission)):
        lines = [_("Good news: “%(title)s” is part of the programme “%(campaign)s”.",
                   title=submission.title, campaign=submission.campaign.title)]
        if submission.campaign.status != "published":
            lines.append(_("The programme will be published soon; we will not write again about it."))
        if message.strip():
            lines.append(message.strip())
        word = pgettext("submission status", "Approved")
        service.mail_submitter(submission, f"{submission.campaign.title}: {word}: {submission.title}", lines)
    return event


def request_changes(submission: Submission, user, message: str) -> None:
    """Back to the submitter with a message; an approved event stays as it is meanwhile."""
    _ensure(submission, "changes")
    if not message.strip():
        raise ProgrammeError(_("Please write what should change: the organizer reads it."), "message")
    submission.status, submission.reviewed_at, submission.review_message = "changes_requested", utcnow(), message.strip()
    service._record(submission, "changes_requested", message.strip(), user)
    with force_locale(service.mail_language(submission)):
        word = _("Please change your entry")  # outside the f-string, where pybabel finds it
        service.mail_submitter(
            submission, f"{submission.campaign.title}: {word}: {submission.title}",
            [_("We have read “%(title)s” and ask you for some changes:", title=submission.title), message.strip(),
             _("Please change your entry through the link below; it then comes back to us for review.")])


def decline(submission: Submission, user, message: str) -> None:
    """Not in the programme; an already approved event is cancelled (and stays in feeds as such)."""
    _ensure(submission, "decline")
    if not message.strip():
        raise ProgrammeError(_("Please give a reason: the organizer reads it."), "message")
    submission.status, submission.reviewed_at, submission.review_message = "declined", utcnow(), message.strip()
    service._record(submission, "declined", message.strip(), user)
    cancel_event(submission, message.strip())
    with force_locale(service.mail_language(submission)):
        word = _("Not in the programme")
        service.mail_submitter(
            submission, f"{submission.campaign.title}: {word}: {submission.title}",
            [_("We are sorry: “%(title)s” cannot be part of the programme “%(campaign)s”.",
               title=submission.title, campaign=submission.campaign.title), message.strip()])


def edit_by_coordinator(submission: Submission, user, **fields) -> None:
    """The coordination's own correction: saved as it is; an approved entry's event follows."""
    service._apply(submission, fields)
    service._record(submission, "edited", "", user)
    if submission.status == "approved":
        if service.missing_fields(submission):
            raise ProgrammeError(_("Please fill in every required field."), service.missing_fields(submission)[0])
        sync_event(submission)
    elif submission.status == "draft" and not service.missing_fields(submission):
        submission.status, submission.submitted_at = "submitted", utcnow()


# --- The event behind an approved submission ---------------------------------------

def _kind_id(campaign: Campaign) -> int:
    """The network's "public event" kind; its first kind if that one was removed."""
    by_code = db.session.scalar(select(EventKind.id).where(EventKind.network_id == campaign.network_id,
                                                           EventKind.code == EVENT_KIND))
    return by_code or db.session.scalar(select(EventKind.id).where(EventKind.network_id == campaign.network_id)
                                        .order_by(EventKind.position, EventKind.id).limit(1))


def sync_event(submission: Submission) -> Event:
    """Make or update the submission's event; registrants hear of changes to time and place."""
    campaign = submission.campaign
    event = submission.event
    sequence_before = event.sequence if event is not None else None
    if event is None:
        event = Event(network_id=campaign.network_id, kind_id=_kind_id(campaign), visibility="public",
                      timezone=campaign.network.timezone)
    status = event.status if event.status == "cancelled" and submission.status != "approved" else (
        "published" if campaign.status == "published" else "draft")
    try:
        _save_event(event, submission, status)
    except events.EventError as error:  # e.g. longer than events may last: the entry must be corrected
        raise ProgrammeError(str(error), "end_time") from None
    events.set_tags(event, [campaign.title])
    if submission.picture_hash:
        pictures.set_picture(event, submission.picture_alt, digest=submission.picture_hash)
    else:
        pictures.remove_picture(event)
    db.session.flush()
    submission.event = event
    if submission.registration_required:
        settings = admin_service.settings_of(event)
        admin_service.save_settings(event, is_open=True, capacity=submission.capacity,
                                    waiting_list=settings.waiting_list)
    elif event.registration_settings is not None:
        admin_service.save_settings(event, is_open=False)  # registrations already made are kept
    if sequence_before is not None and event.sequence != sequence_before:
        events.announce(event)
    return event


def _save_event(event: Event, submission: Submission, status: str) -> None:
    events.save(
        event, title=" ".join(submission.title.split()), description=submission.description,
        text_language=submission.text_language, translations=dict(submission.translations or {}),
        organization_id=submission.organization_id,
        starts_at=submission.starts_at, ends_at=submission.ends_at, all_day=False,
        venue_name=submission.venue_name, venue_address=submission.venue_address,
        accessibility=_accessibility(submission), languages=submission.languages or "de",
        status=status, cancel_reason="")


def _accessibility(submission: Submission) -> str:
    parts = [_("Step-free access for wheelchairs.")] if submission.step_free else []
    if submission.accessibility:
        parts.append(submission.accessibility)
    return " ".join(parts)[:500]


def cancel_event(submission: Submission, reason: str) -> None:
    event = submission.event
    if event is None or event.status == "cancelled":
        return
    if event.status == "draft":  # never public: nobody to tell, nothing in any feed
        db.session.delete(event)
        submission.event = None
        return
    events.cancel(event, reason)
    events.announce(event)


# --- Publishing -------------------------------------------------------------------

def publish(campaign: Campaign) -> int:
    """The programme page goes public and every approved entry's event with it; returns how many."""
    campaign.status, campaign.published_at = "published", utcnow()
    booklet_builds.want(campaign.id, current_app.config["BABEL_DEFAULT_LOCALE"])  # the worker builds it now
    drafts = db.session.scalars(select(Event).join(Submission, Submission.event_id == Event.id).where(
        Submission.campaign_id == campaign.id, Submission.status == "approved", Event.status == "draft")).all()
    for event in drafts:
        events.publish(event)
    return len(drafts)


def unpublish(campaign: Campaign) -> None:
    """Hides the programme page again; the events stay published (people may have registered)."""
    campaign.status = "draft"


# --- Overlaps ---------------------------------------------------------------------

@dataclass
class Overlap:
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    submission_id: int | None = None
    event_id: int | None = None


def _place_key(name: str, address: str) -> str:
    return " ".join((address or name).split()).casefold()


def overlaps(campaign: Campaign, submissions: list[Submission]) -> dict[int, list[Overlap]]:
    """For each submission: the others (and other events of the network) at the same place whose
    times overlap. Two queries at most, whatever the number of submissions."""
    active = [s for s in submissions if s.status in ACTIVE_SUBMISSION_STATUSES and s.starts_at and s.ends_at
              and (s.venue_name or s.venue_address)]
    by_place: dict[str, list[Submission]] = {}
    for s in active:
        by_place.setdefault(_place_key(s.venue_name, s.venue_address), []).append(s)
        if s.venue_name and s.venue_address:  # the same hall typed with and without the address
            by_place.setdefault(_place_key(s.venue_name, ""), []).append(s)
    found: dict[int, list[Overlap]] = {}

    def add(s: Submission, overlap: Overlap) -> None:
        if all((o.submission_id, o.event_id) != (overlap.submission_id, overlap.event_id) for o in found.get(s.id, [])):
            found.setdefault(s.id, []).append(overlap)

    for group in by_place.values():
        for a in group:
            for b in group:
                if a.id != b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                    add(a, Overlap(b.title, b.starts_at, b.ends_at, b.venue_name, submission_id=b.id))
    if active:
        own_events = {s.event_id for s in submissions if s.event_id}
        first = min(s.starts_at for s in active)
        last = max(s.ends_at for s in active)
        others = db.session.scalars(select(Event).where(
            Event.network_id == campaign.network_id, Event.status != "cancelled", Event.repeat.is_(None),
            Event.starts_at < last, Event.ends_at > first, Event.venue_name != "")).all()
        for event in others:
            if event.id in own_events:
                continue
            for key in {_place_key(event.venue_name, event.venue_address), _place_key(event.venue_name, "")}:
                for s in by_place.get(key, []):
                    if s.starts_at < event.ends_at and event.starts_at < s.ends_at:
                        add(s, Overlap(event.title, event.starts_at, event.ends_at, event.venue_name,
                                       event_id=event.id))
    for items in found.values():
        items.sort(key=lambda o: o.starts_at)
    return found

