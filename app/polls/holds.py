"""A participant's holds feed: the candidate dates of an open poll, subscribed to as
STATUS:TENTATIVE events, so that nobody books the chosen date twice before it is chosen.

While the poll is open every date the participant did not answer "no" is held (opaque, so
Outlook shows the time as taken). Once the poll is closed or decided every hold goes out as
STATUS:CANCELLED with a higher SEQUENCE for CANCELLED_FOR, so that subscribed clients remove
it; after that the feed is empty (the decided date comes as the event's own invitation).
The calendar head (PRODID, names, VTIMEZONEs with yearly RRULEs) is the calendar feeds' one.
"""
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext as _
from icalendar import Event as VEvent

from ..core.formatting import to_local
from ..core.types import utcnow
from ..feeds.service import calendar_head
from ..registrations.notifications import language_of
from . import service
from .models import PollParticipant

CANCELLED_FOR = timedelta(days=14)


def _value(option, moment: datetime, tz: str):
    """A stored UTC instant as written in the feed: a DATE for whole days, else a TZID time."""
    if option.all_day:
        return to_local(moment, tz).date()
    return to_local(moment, tz).replace(tzinfo=ZoneInfo(tz))


def _uid_domain() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "treffpunkt.local"


def _location(poll) -> str:
    return ", ".join(part for part in (poll.venue_name, poll.venue_address) if part) or poll.online_url


def calendar(participant: PollParticipant, now: datetime | None = None) -> bytes:
    """The feed's bytes (CRLF, folded, UTF-8), in the participant's language."""
    poll = participant.poll
    now = now or utcnow()
    cancelled = poll.status != "open"
    if cancelled:
        closed_at = poll.closed_at or poll.updated_at
        shown = now < closed_at + CANCELLED_FOR
        stamp = closed_at
    else:
        shown = True
        stamp = max(moment for moment in (poll.updated_at, participant.answered_at, participant.created_at)
                    if moment is not None)
    answers = service.answers_of(participant) if shown else {}
    options = [option for option in poll.options if shown and answers.get(option.id) != "no"]
    domain = _uid_domain()
    with force_locale(language_of(participant)):
        name = _("Held for the poll: %(title)s", title=poll.title)
        if cancelled:
            note = _("The poll is closed: this date is no longer held for it.")
        else:
            # No answer link: calendars are shared and synced to others; the link is the person's own.
            note = _("Held until a date is chosen.")
    timed = any(not option.all_day for option in options)
    parts = [calendar_head(name, [poll.timezone] if timed else [], poll.timezone)]
    location = _location(poll)
    for option in options:
        vevent = VEvent()
        vevent.add("UID", f"poll-{poll.id}-date-{option.id}@{domain}")
        vevent.add("DTSTAMP", stamp.replace(microsecond=0))
        vevent.add("SEQUENCE", 1 if cancelled else 0)
        vevent.add("STATUS", "CANCELLED" if cancelled else "TENTATIVE")
        start, end = _value(option, option.starts_at, poll.timezone), _value(option, option.ends_at, poll.timezone)
        if option.all_day and end <= start:
            end = start + timedelta(days=1)  # DTEND is exclusive
        vevent.add("DTSTART", start)
        vevent.add("DTEND", end)  # never DURATION: parsers disagree on it across clock changes
        vevent.add("SUMMARY", name)
        if location:
            vevent.add("LOCATION", location)
        vevent.add("DESCRIPTION", note)
        # Opaque while held: that is what keeps the time free in the person's calendar.
        vevent.add("TRANSP", "TRANSPARENT" if cancelled else "OPAQUE")
        parts.append(vevent.to_ical())
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)
