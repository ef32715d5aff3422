"""iTIP (RFC 5546): the calendar part of every mail that puts an event into someone's calendar,
changes it or takes it out. One module, so that every mail does it the same way:

- REQUEST invites or updates: the event's UID (plus RECURRENCE-ID for one date of a series),
  the date's time and place as they are now, the event's SEQUENCE (it rises with every change
  of time, place or status; equal SEQUENCEs are ordered by DTSTAMP, which is always now);
- CANCEL takes it out of the calendar: the same UID (and RECURRENCE-ID), STATUS:CANCELLED. It is
  sent for a real cancellation only: clients delete the entry on it;
- both carry ORGANIZER (the contact person's or organization's address, else the installation's
  sender with the network's name) and the recipient as ATTENDEE: without them Gmail shows no
  invitation card and Outlook no meeting request.

`tools/ics-check --itip --strict --recipient ADDR` passes on every part (tests/test_mail_itip.py).
"""
from dataclasses import dataclass
from datetime import timedelta, timezone
from email.utils import parseaddr
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, vCalAddress, vText

from ..core.formatting import to_local

from .ics import PRODID, _location, build_vevent, vtimezone

REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass
class Attendee:
    """Who the message is for. ACCEPTED: registered with a place; NEEDS-ACTION: invited."""
    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def organizer(event) -> vCalAddress:
    """The event's contact address, else the installation's sender in the network's name (the
    one address that surely receives what a calendar sends back)."""
    for holder in (event.contact_person, event.organization):
        if holder is not None and holder.email:
            name = event.organization.name if event.organization is not None else event.network.name
            return _address(holder.email, name)
    _name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return _address(sender, event.network.name)


def message(event, occurrence, method: str, attendee: Attendee, extra_text: str = "") -> bytes:
    """The .ics (bytes, CRLF, no BOM) of one REQUEST or CANCEL for `attendee`.

    `occurrence` is the event itself (None, or the Occurrence of a single event) or one date of a
    series: then the VEVENT carries the series' UID and a RECURRENCE-ID of the date's original
    start, so that calendars change that date only. `extra_text` goes into DESCRIPTION.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported METHOD {method}")
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    if not event.all_day:
        calendar.add_component(vtimezone(event.timezone))
    vevent = build_vevent(event, occurrence, cancelled=True if method == CANCEL else None,
                          sequence=event.sequence or 0, extra_text=extra_text)
    vevent.pop("ORGANIZER", None)
    vevent.add("ORGANIZER", organizer(event))
    attendee_address = _address(attendee.email, attendee.name)
    attendee_address.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": attendee.partstat, "RSVP": "TRUE"})
    vevent.add("ATTENDEE", attendee_address)
    calendar.add_component(vevent)
    return calendar.to_ical()


def calendar_urls(event, occurrence, page_url: str, title: str | None = None) -> dict[str, str]:
    """{"google": …, "outlook": …}: Google Calendar's and Outlook.com's "new event" forms filled
    in with one date (nothing is sent anywhere unless the person saves it there). Times in UTC
    with Z, so that the reader's own calendar zone is no matter; an all-day date as dates with
    an exclusive end, as both expect. `title` is the title in the reader's language."""
    if event.all_day:
        first = to_local(occurrence.starts_at, event.timezone).date()
        last = to_local(occurrence.ends_at, event.timezone).date()
        end = last if last > first else first + timedelta(days=1)
        google_dates = f"{first:%Y%m%d}/{end:%Y%m%d}"
        outlook = {"startdt": first.isoformat(), "enddt": end.isoformat(), "allday": "true"}
    else:
        start, end = occurrence.starts_at.astimezone(timezone.utc), occurrence.ends_at.astimezone(timezone.utc)
        google_dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
        outlook = {"startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "allday": "false"}
    title = title or event.title
    place = _location(event)
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode(
            {"action": "TEMPLATE", "text": title, "dates": google_dates, "details": page_url, "location": place}),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
            {"path": "/calendar/action/compose", "rru": "addevent", "subject": title, **outlook,
             "body": page_url, "location": place}),
    }


def add_links(event, occurrence, page_url: str, ics_url: str = "") -> list[tuple[str, str]]:
    """"Add to my calendar" in a mail: Google Calendar and Outlook.com (calendar_urls), Apple
    Calendar opens `ics_url` (an .ics of just this date; the mail's own calendar part serves
    Apple Mail too)."""
    urls = calendar_urls(event, occurrence, page_url)
    links = [(_("Add to Google Calendar"), urls["google"]), (_("Add to Outlook.com"), urls["outlook"])]
    return links + ([(_("Add to Apple Calendar"), ics_url)] if ics_url else [])
