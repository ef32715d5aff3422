"""Every mail a registrant gets: where they stand (confirmed, waiting list, awaiting approval,
moved up, declined, cancelled), reminders before their date, and notices after an organizer
changed time, place or status (events.signals.event_changed).

Each is a Letter (plain text and HTML, mail/letters.py) in the language the person registered
in, with the date, the place and the links in the body (Outlook shows the body, not the
calendar part). Whoever has a place also gets the iTIP message their calendar needs
(mail/itip.py): a REQUEST that adds or updates the entry, a CANCEL that takes it out; people on
the waiting list or awaiting approval have no entry, so their notices carry none.
"""
import io
from datetime import datetime, timedelta

import segno
from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.leases import set_once
from ..core.formatting import when
from ..core.types import utcnow
from ..core.urls import absolute_url, url_context
from ..events import recurrence
from ..events.models import Event
from ..events.signals import event_changed
from ..mail import itip, outbox
from ..mail.letters import Letter
from . import service
from .admin_service import occurrence_of
from .attendance import checkin_code
from .models import ACTIVE_STATUSES, Registration, RegistrationSettings


def language_of(person) -> str:
    """The language a registration or invitation was made in (older rows: the default)."""
    return person.language or current_app.config["BABEL_DEFAULT_LOCALE"]


def title_of(event: Event) -> str:
    """The event's title in the mail's language where the organizers translated it."""
    return event.text("title").text


def greeting(name: str) -> str:
    return _("Hello %(name)s,", name=name) if name else _("Hello,")


def facts(event: Event, occurrence) -> list[tuple[str, str]]:
    """When, where and the event page: in every body, since Outlook shows the body."""
    rows = [(_("Event"), title_of(event)),
            (_("When"), when(occurrence.starts_at, occurrence.ends_at, event.timezone, event.all_day))]
    place = ", ".join(part for part in (event.venue_name, event.venue_room, event.venue_address) if part)
    if place:
        rows.append((_("Where"), place))
    if event.online_url:
        rows.append((_("Online"), event.online_url))
    rows.append((_("Event page"), service.event_url(event, occurrence.original_start)))
    return rows


def _date_text(event: Event, occurrence) -> str:
    return when(occurrence.starts_at, occurrence.ends_at, event.timezone, event.all_day)


def _qr_png(registration: Registration) -> bytes:
    """The check-in code the organizers scan at the door, as in the manage page."""
    url = absolute_url("registration_admin.checkin_token", event_id=registration.event_id,
                       token=checkin_code(registration))
    buffer = io.BytesIO()
    # A fixed mask: choosing the best of eight was 40 % of a sign-up's time (issue 15); every
    # reader reads the mask from the code, and these short codes scan well with any.
    segno.make(url, error="m", mask=4).save(buffer, kind="png", scale=5, border=2)
    return buffer.getvalue()


def _check_in(registration: Registration, image: bytes | None) -> dict:
    """The Letter's picture: the check-in code, with what it is for."""
    if image is None:
        return {}
    return {"image": image, "image_alt": _("QR code for the check-in"),
            "image_caption": _("Your check-in code: show it at the entrance, the organizers scan it.")}


def _send(registration: Registration, letter: Letter, occurrence, method: str | None = None,
          extra_text: str = "") -> None:
    """Queue the letter, with the calendar message when `method` is given."""
    ics = None
    if method is not None and occurrence is not None:
        attendee = itip.Attendee(registration.email, registration.name, "ACCEPTED")
        ics = itip.message(registration.event, occurrence, method, attendee, extra_text=extra_text)
    outbox.enqueue_letter(registration.email, letter, ics=ics, ics_method=method if ics else None,
                          attachment_name="invite.ics" if ics else None, event_id=registration.event_id)


def _manage_links(registration: Registration, token: str | None) -> tuple[tuple[str, str] | None, list[str]]:
    """The button to the manage page, or where to get the link again when the mail has none
    (only hashes are stored: a mail can repeat a link only when it makes a new one)."""
    if token:
        return (_("See, change or cancel my registration"), service.manage_url(token)), []
    resend = absolute_url("registrations.resend", event_id=registration.event_id)
    return None, [_("Your registration (see, change, cancel): the personal link in our first e-mail; "
                    "a new one is sent to you here: %(url)s", url=resend)]


# --- Where the person stands ------------------------------------------------------------

def status(registration: Registration, token: str | None, again: bool = False, promoted: bool = False,
           had_place: bool = False) -> None:
    """Confirmed, on the waiting list or awaiting approval, with the manage link; a place comes
    with the calendar entry (REQUEST) and the check-in QR code, and losing it (`had_place`,
    back to the waiting list) takes the entry out again (CANCEL)."""
    event = registration.event
    with force_locale(language_of(registration)):
        occurrence = service.occurrence_of(event, registration.occurrence_start)
        date_text = _date_text(event, occurrence) if occurrence else ""
        method, image, links = None, None, []
        if registration.status == "confirmed":
            subject = _("You have a place: %(title)s, %(when)s", title=title_of(event), when=date_text) if promoted \
                else _("Registration confirmed: %(title)s, %(when)s", title=title_of(event), when=date_text)
            intro = (_("A place has become free and it is yours now: you have moved up from the waiting list.")
                     if promoted else _("Your registration is confirmed."))
            method, image = itip.REQUEST, _qr_png(registration)
            # The event's own .ics holds just this date for a single event (a series' holds all).
            ics_url = "" if event.is_series else absolute_url("feeds.event", event_id=event.id)
            links = itip.add_links(event, occurrence, service.event_url(event, registration.occurrence_start), ics_url)
        elif registration.status == "waiting":
            subject = _("Waiting list: %(title)s, %(when)s", title=title_of(event), when=date_text)
            intro = _("The event is full. You are on the waiting list at position %(num)d. "
                      "If a place becomes free, you move up automatically and we write to you.",
                      num=service.waiting_list_position(registration) or 1)
        else:
            subject = _("Registration received: %(title)s, %(when)s", title=title_of(event), when=date_text)
            intro = _("We have received your registration. The organizers confirm it; we write to you then.")
        if had_place and method is None:
            method = itip.CANCEL
        if again:
            intro = _("You are registered already; here is your personal link again (the old one no longer "
                      "works).") + " " + intro
        button, more = _manage_links(registration, token)
        after = [*more, _("Please keep this mail: with the link you can see, change or cancel your "
                          "registration, and delete your data.")]
        letter = Letter(subject, greeting(registration.name), [intro], facts(event, occurrence) if occurrence else [],
                        button=button, links=links, after=after, **_check_in(registration, image))
        _send(registration, letter, occurrence, method)


def cancelled(registration: Registration, had_place: bool) -> None:
    """The person cancelled (or was cancelled): a CANCEL takes the entry out of their calendar."""
    event = registration.event
    with force_locale(language_of(registration)):
        occurrence = occurrence_of(event, registration.occurrence_start)
        subject = _("Cancelled: your registration for %(title)s, %(when)s", title=title_of(event),
                    when=_date_text(event, occurrence))
        letter = Letter(subject, greeting(registration.name),
                        [_("Your registration is cancelled. You can register again on the event page while "
                           "registration is open.")], facts(event, occurrence))
        _send(registration, letter, occurrence, itip.CANCEL if had_place else None)


def declined(registration: Registration) -> None:
    event = registration.event
    with force_locale(language_of(registration)):
        occurrence = occurrence_of(event, registration.occurrence_start)
        letter = Letter(_("Your registration: %(title)s", title=title_of(event)), greeting(registration.name),
                        [_("We are sorry: the organizers could not accept your registration.")],
                        facts(event, occurrence))
        _send(registration, letter, occurrence)


# --- Reminders ------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed registrants `reminder_days` before their date, once: each registration is
    claimed by a conditional UPDATE, so of two workers at once only one mails it (on PostgreSQL
    the other waits for the first's commit and finds it reminded). The number sent."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Registration, RegistrationSettings.reminder_days)
        .join(RegistrationSettings, RegistrationSettings.event_id == Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == "confirmed", Registration.reminded_at.is_(None),
               RegistrationSettings.reminder_days.is_not(None), RegistrationSettings.reminder_days > 0,
               Event.status == "published", Registration.occurrence_start > now,
               Registration.occurrence_start <= now + timedelta(days=60))
        .order_by(Registration.id)).all()  # every worker claims in the same order: no deadlock
    sent = 0
    for registration, days in rows:
        occurrence = occurrence_of(registration.event, registration.occurrence_start)
        if occurrence.cancelled or not now < occurrence.starts_at <= now + timedelta(days=days):
            continue
        if not set_once(Registration.reminded_at, registration.id, now):
            continue
        with force_locale(language_of(registration)):
            letter = Letter(_("Reminder: %(title)s", title=title_of(registration.event)), greeting(registration.name),
                            [_("a reminder: you are registered for this event.")],
                            facts(registration.event, occurrence),
                            after=[_("If you cannot come, please cancel with the link in your confirmation mail, "
                                     "so that someone else can have your place.")],
                            **_check_in(registration, _qr_png(registration)))
            _send(registration, letter, occurrence)
        sent += 1
    return sent


def reminder_job() -> None:
    with url_context():
        send_reminders()


# --- Changes ---------------------------------------------------------------------------

@event_changed.connect
def _tell_registrants(event: Event, dates=None, **_) -> None:
    notify_change(event, dates)


def _current(event: Event, start: datetime):
    """The registration's date as it is now, and whether it is gone (cancelled, skipped, or no
    longer part of the series). A single event's registrations follow it wherever it moves."""
    if not event.is_series:
        occurrence = recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at)
        return occurrence, event.status == "cancelled"
    found = recurrence.occurrence(event, event.changes, start)
    if found is None:
        return occurrence_of(event, start), True
    skipped = found.change is not None and found.change.action == "skipped"
    return found, event.status == "cancelled" or found.cancelled or skipped


def notify_change(event: Event, dates: list[datetime] | None = None, now: datetime | None = None) -> int:
    """After a change of time, place or status: the people registered for the dates that
    changed (`dates`; None: every date) and still to come get a notice. Who has a place gets the
    date as it is now (REQUEST) or, when it is gone, a CANCEL. The number of mails."""
    if not event.id:
        return 0
    now = now or utcnow()
    query = select(Registration).where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES),
                                       Registration.occurrence_start > now - timedelta(days=1))
    if dates is not None and event.is_series:
        query = query.where(Registration.occurrence_start.in_(dates))
    sent = 0
    for registration in db.session.scalars(query):
        occurrence, gone = _current(event, registration.occurrence_start)
        if occurrence.ends_at < now and not gone:
            continue
        with force_locale(language_of(registration)):
            if gone:
                subject = _("Cancelled: %(title)s", title=title_of(event))
                text = [_("We are sorry: this event does not take place.")]
                reason = (occurrence.change.reason if occurrence.change is not None else "") or event.cancel_reason
                if reason:
                    text.append(_("Reason:") + " " + reason)
            else:
                subject = _("Changed: %(title)s", title=title_of(event))
                text = [_("The event has changed. The attached calendar entry updates yours.")]
            letter = Letter(subject, greeting(registration.name), text, facts(event, occurrence))
            method = (itip.CANCEL if gone else itip.REQUEST) if registration.status == "confirmed" else None
            _send(registration, letter, occurrence, method)
        sent += 1
    return sent
