"""What registrants are told without being asked: reminders before their date, and the
change notices after an organizer changed time, place or status (events.signals.event_changed)."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.types import utcnow
from ..core.urls import url_context
from ..events import recurrence
from ..events.models import Event
from ..events.signals import event_changed
from .admin_service import event_details, occurrence_of
from .models import ACTIVE_STATUSES, Registration, RegistrationSettings


def send_reminders(now: datetime | None = None) -> int:
    """Mail confirmed registrants `reminder_days` before their date, once. The number sent."""
    from ..mail import outbox

    now = now or utcnow()
    rows = db.session.execute(
        select(Registration, RegistrationSettings.reminder_days)
        .join(RegistrationSettings, RegistrationSettings.event_id == Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.status == "confirmed", Registration.reminded_at.is_(None),
               RegistrationSettings.reminder_days.is_not(None), RegistrationSettings.reminder_days > 0,
               Event.status == "published", Registration.occurrence_start > now,
               Registration.occurrence_start <= now + timedelta(days=60))).all()
    sent = 0
    for registration, days in rows:
        occurrence = occurrence_of(registration.event, registration.occurrence_start)
        if occurrence.cancelled or not now < occurrence.starts_at <= now + timedelta(days=days):
            continue
        registration.reminded_at = now
        body = "\n\n".join([_("Hello %(name)s,", name=registration.name),
                            _("a reminder: you are registered for this event."),
                            event_details(registration.event, registration.occurrence_start),
                            _("If you cannot come, please cancel with the link in your confirmation mail, "
                              "so that someone else can have your place.")])
        outbox.enqueue(registration.email, _("Reminder: %(title)s", title=registration.event.title), body,
                       event_id=registration.event_id)
        sent += 1
    return sent


@event_changed.connect
def _tell_registrants(event: Event, dates=None, **_) -> None:
    notify_change(event)


def notify_change(event: Event, now: datetime | None = None) -> int:
    """After a change of time, place or status: each active registrant of a coming date gets a
    mail with the updated .ics (SEQUENCE raised; METHOD:CANCEL when the date is cancelled)."""
    if not event.id:
        return 0
    from ..mail import ics, outbox

    now = now or utcnow()
    rows = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES),
        Registration.occurrence_start > now - timedelta(days=1))).all()
    calendars: dict[datetime, tuple[bytes, str]] = {}
    for registration in rows:
        start = registration.occurrence_start
        occurrence = occurrence_of(event, start)
        gone = occurrence.cancelled or (occurrence.change is not None and occurrence.change.action == "skipped") \
            or recurrence.occurrence(event, event.changes, start) is None
        if occurrence.ends_at < now and not gone:
            continue
        if start not in calendars:
            method = "CANCEL" if gone else "REQUEST"
            calendars[start] = (ics.event_calendar(event, occurrence, method, sequence=event.sequence,
                                                   extra_text=event.cancel_reason if gone else ""), method)
        data, method = calendars[start]
        subject = (_("Cancelled: %(title)s", title=event.title) if method == "CANCEL"
                   else _("Changed: %(title)s", title=event.title))
        text = (_("We are sorry: this event does not take place.") if method == "CANCEL"
                else _("The event has changed. The attached calendar entry updates yours."))
        if method == "CANCEL" and event.cancel_reason:
            text += "\n" + _("Reason:") + " " + event.cancel_reason
        body = "\n\n".join([_("Hello %(name)s,", name=registration.name), text,
                            event_details(event, start)])
        outbox.enqueue(registration.email, subject, body, ics=data.decode() if isinstance(data, bytes) else data,
                       ics_method=method, attachment_name="invite.ics", event_id=event.id)
    return len(rows)


def reminder_job() -> None:
    with url_context():
        send_reminders()
