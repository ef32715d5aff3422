"""Public pages of events: the upcoming list, the event page, print view, archive.

Every page here runs a fixed number of SQL queries, however many events, series and
occurrences there are: the list asks `service.upcoming` (singles, series, changes, tags)
plus four small look-ups for the filter form, whose working groups also serve the
entries; the event page loads the event and its few related rows once.
"""
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import segno
from flask import abort, current_app, make_response, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.formatting import format_date, local_time, when
from ..core.markdown import to_text
from ..core.params import in_calendar
from ..core.rendering import render, wants_fragment
from ..core.security import public
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..directory import access
from ..directory.models import Network, WorkingGroup
from . import recurrence, service
from .labels import LANGUAGE_LABELS
from .models import Event, EventKind, Tag, event_tags
from .views import bp

NEXT_DATES = 6
_CURSOR_FORMATS = ("%Y%m%dT%H%M%S.%fZ", "%Y%m%dT%H%M%SZ")
# schema.org wants BCP 47 codes; German Sign Language is "gsg" there.
_BCP47 = {"dgs": "gsg"}



# --- Small helpers ------------------------------------------------------------------

def _default_tz() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _date(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if in_calendar(day) else None


def encode_cursor(moment: datetime) -> str:
    """Like an occurrence key, with microseconds when there are any."""
    moment = moment.astimezone(timezone.utc)
    if moment.microsecond:
        return moment.strftime("%Y%m%dT%H%M%S.%fZ")
    return moment.strftime("%Y%m%dT%H%M%SZ")


def decode_cursor(value: str) -> datetime | None:
    for fmt in _CURSOR_FORMATS:
        try:
            moment = datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        return moment if in_calendar(moment) else None
    return None


def _start_of(day: date, tz: str) -> datetime:
    return recurrence.to_utc(datetime.combine(day, time.min), tz)


def _local_today(tz: str) -> date:
    return recurrence.to_local(utcnow(), tz).date()


@bp.app_template_filter("web_url")
def web_url(value: str) -> str:
    """The address if it is a web address (http/https), else "": never a javascript: link."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


def is_public(event: Event) -> bool:
    return event.visibility == "public" and event.status in ("published", "cancelled")


# The relations of an event that its pages show come in the event's query (each was a query of
# its own); packages above add theirs (registrations: its settings). By name: a relation that a
# package above declares exists only once the mappers are configured.
page_relations = ["organization", "contact_person", "working_group", "tags", "picture"]


def _visible_event(event_id: int) -> Event:
    """The event if this visitor may see it: public ones to all, others to the network's organizers."""
    event = db.session.get(Event, event_id, options=[joinedload(getattr(Event, name)) for name in page_relations])
    if event is None:
        abort(404)
    if not is_public(event) and not (
            current_user.is_authenticated and access.can_view_network(current_user, event.network)):
        abort(404)  # not 403: a private event's existence is not told either
    return event


# --- Words for times and rules ------------------------------------------------------

@bp.app_template_global()
def time_range(occurrence) -> str:
    """"15:00 – 17:00" on the day heading's day; the full span when all-day or over several days."""
    event = occurrence.event
    start = recurrence.to_local(occurrence.starts_at, event.timezone)
    end = recurrence.to_local(occurrence.ends_at, event.timezone)
    if event.all_day:
        if (end - timedelta(days=1)).date() <= start.date():
            return _("All day")
        return when(occurrence.starts_at, occurrence.ends_at, event.timezone, True)
    if start.date() != end.date():
        return when(occurrence.starts_at, occurrence.ends_at, event.timezone)
    return f"{local_time(occurrence.starts_at, event.timezone)} – {local_time(occurrence.ends_at, event.timezone)}"


@lru_cache(maxsize=256)
def _series_span(rule: recurrence.Rule) -> tuple[date, date, int] | None:
    """First and last day and number of dates of a rule. Expanding a year of weekly dates takes
    0.2 ms on every page of the series; a rule is a frozen dataclass of plain values, so it
    keys the result itself."""
    starts = rule.starts()
    return (starts[0].date(), starts[-1].date(), len(starts)) if starts else None


def describe_series(event: Event) -> dict:
    """Rule, time of day and first and last date of a series, for the event page."""
    found = _series_span(recurrence.Rule.of(event))
    first = recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at)
    text = service.rule_in_words(event)
    if not event.all_day:
        text = _("%(rule)s, %(time)s", rule=text, time=time_range(first))
    span = ""
    if found:
        span = _("From %(first)s to %(last)s (%(num)d dates)", first=format_date(found[0], "medium"),
                 last=format_date(found[1], "medium"), num=found[2])
    return {"text": text, "span": span}


# --- The filters of the list ------------------------------------------------------

@dataclass
class FilterOptions:
    """What the filter form offers; loaded in four small queries, the same for every page."""

    networks: list
    groups: list
    kinds: list
    tags: list  # (slug, name)

    @classmethod
    def load(cls) -> "FilterOptions":
        networks = db.session.scalars(select(Network).order_by(Network.name)).all()
        groups = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.name)).all()
        kinds = db.session.scalars(
            select(EventKind).order_by(EventKind.network_id, EventKind.position, EventKind.name)).all()
        # Only topics of public events to come: tags of internal meetings stay internal.
        in_use = select(event_tags.c.tag_id).join(Event, Event.id == event_tags.c.event_id).where(
            event_tags.c.tag_id == Tag.id, Event.visibility == "public",
            Event.status.in_(("published", "cancelled")), Event.last_ends_at > utcnow())
        tags = db.session.execute(
            select(Tag.slug, func.min(Tag.name)).where(in_use.exists())
            .group_by(Tag.slug).order_by(func.min(Tag.name))).all()
        return cls(networks, groups, kinds, [tuple(t) for t in tags])

    def by_network(self, items) -> list:
        """[(network, [items])] in the networks' order, leaving out networks without any."""
        grouped = [(n, [i for i in items if i.network_id == n.id]) for n in self.networks]
        return [(n, found) for n, found in grouped if found]


@dataclass
class ListRequest:
    filters: service.Filters
    values: dict = field(default_factory=dict)  # the valid filter values, for the form and links
    messages: list = field(default_factory=list)
    date_to_error: bool = False

    @property
    def active(self) -> bool:
        return bool(self.values)


def parse_filters(args, options: FilterOptions, dates: bool = True) -> ListRequest:
    """The GET parameters as Filters; unknown values are left out, with a message where it helps."""
    parsed = ListRequest(service.Filters())
    slug = args.get("network", "").strip()
    if slug:
        network = next((n for n in options.networks if n.slug == slug), None)
        if network is None:
            parsed.messages.append(_("There is no network with the address “%(slug)s”; "
                                     "events of all networks are shown.", slug=slug[:80]))
        else:
            parsed.filters.network_id = network.id
            parsed.values["network"] = slug
    group_id = service.id_param(args.get("group"))
    if group_id and any(g.id == group_id for g in options.groups):
        parsed.filters.working_group_id = group_id
        parsed.values["group"] = group_id
    kind_id = service.id_param(args.get("kind"))
    if kind_id and any(k.id == kind_id for k in options.kinds):
        parsed.filters.kind_id = kind_id
        parsed.values["kind"] = kind_id
    language = args.get("spoken", "").strip()  # `lang` is the page's language (core/i18n.py)
    if language in LANGUAGE_LABELS:
        parsed.filters.language = language
        parsed.values["spoken"] = language
    tag = args.get("tag", "").strip()
    if tag and any(slug == tag for slug, _name in options.tags):
        parsed.filters.tag_slug = tag
        parsed.values["tag"] = tag
    if not dates:
        return parsed
    for name, attribute in (("from", "date_from"), ("to", "date_to")):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        day = _date(raw)
        if day is None:
            parsed.messages.append(_("“%(value)s” is not a date we can use. Please enter a date like "
                                     "2027-03-25 (year-month-day).", value=raw[:40]))
            continue
        setattr(parsed.filters, attribute, day)
        parsed.values[name] = day.isoformat()
    filters = parsed.filters
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        parsed.messages.append(_("The end date is before the start date; it is left out."))
        filters.date_to = None
        parsed.values.pop("to")
    return parsed


def group_by_day(occurrences, today: date | None = None) -> list[tuple[date, list]]:
    """Consecutive occurrences on the same local day, under one heading; those that began
    before `today` and still run are listed under today."""
    days: list[tuple[date, list]] = []
    for occurrence in occurrences:
        day = recurrence.to_local(occurrence.starts_at, occurrence.event.timezone).date()
        if today is not None and day < today:
            day = today
        if days and days[-1][0] == day:
            days[-1][1].append(occurrence)
        else:
            days.append((day, [occurrence]))
    return days


@bp.app_template_global()
def occurrence_url(occurrence, external: bool = False) -> str:
    """A date's page; `external`: absolute (BASE_URL), for mails."""
    values = {"event_id": occurrence.event.id}
    if occurrence.event.is_series:
        values["at"] = occurrence.key
    return absolute_url("events.show", **values) if external else url_for("events.show", **values)


def _list_context() -> dict:
    tz = _default_tz()
    options = FilterOptions.load()
    parsed = parse_filters(request.args, options)
    # From the start of today: a meeting that began an hour ago is still worth finding.
    start = _start_of(_local_today(tz), tz)
    if parsed.filters.date_from:
        start = max(start, _start_of(parsed.filters.date_from, tz))
    cursor = None
    raw_cursor = request.args.get("after", "").strip()
    if raw_cursor:
        cursor = decode_cursor(raw_cursor)
        if cursor is None:
            parsed.messages.append(_("The link to further events was not valid; the list starts from the beginning."))
    after = max(start, cursor) if cursor else start
    ongoing_at = None if cursor or parsed.filters.date_from else utcnow()
    page, next_after = service.upcoming(parsed.filters, after, ongoing_at=ongoing_at)
    if page:
        summary = ngettext("%(num)d date", "%(num)d dates", len(page))
        if next_after:
            summary = _("%(dates)s on this page, more on the next", dates=summary)
    else:
        summary = _("No events match.") if parsed.active else _("No upcoming events.")
    return {
        "days": group_by_day(page, _local_today(tz)),
        "listed": page,
        "next_url": url_for("events.upcoming", after=encode_cursor(next_after), **parsed.values)
        if next_after else None,
        "first_url": url_for("events.upcoming", **parsed.values) if cursor else None,
        "options": options,
        "values": parsed.values,
        "messages": parsed.messages,
        "summary": summary,
        "language_options": sorted(((code, str(label)) for code, label in LANGUAGE_LABELS.items()),
                                   key=lambda item: item[1]),
        "oob": wants_fragment(),
        "default_tz": tz,
    }


@bp.app_template_global()
def coming_dates(limit: int = 6, network=None) -> list:
    """The next public dates (those still running first), for the home and network pages."""
    tz = network.timezone if network is not None else _default_tz()
    filters = service.Filters(network_id=network.id if network is not None else None)
    page, _next = service.upcoming(filters, _start_of(_local_today(tz), tz), limit, ongoing_at=utcnow())
    return page


# --- The pages --------------------------------------------------------------------

@bp.get("/events")
@public
def upcoming():
    return render("events/list.html", "events/_list.html", **_list_context())


@bp.get("/events/archive")
@public
def archive():
    options = FilterOptions.load()
    parsed = parse_filters(request.args, options, dates=False)
    page = min(service.id_param(request.args.get("page")) or 1, 100_000)
    events, total = service.archive(parsed.filters, page)
    pages = max(1, math.ceil(total / service.PAGE_SIZE))
    return render_template(
        "events/archive.html", events=events, total=total, page=page, pages=pages,
        values=parsed.values, messages=parsed.messages, options=options,
        describe_rule=service.rule_in_words, default_tz=_default_tz(),
    )


def _shown_occurrence(event: Event, key: str | None, now: datetime):
    """The occurrence the page is about, whether the key named one, and the next dates of a series."""
    if not event.is_series:
        return recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at), False, []
    changes = list(event.changes)
    chosen = None
    bad_key = False
    if key is not None:
        chosen = service.occurrence_or_none(event, key[:40])
        bad_key = chosen is None
    next_dates = service.next_dates(event, now, NEXT_DATES)
    if chosen is None:
        if next_dates:
            chosen = next_dates[0]
        else:  # the series is over: its last date
            starts = recurrence.Rule.of(event).starts()
            last = recurrence.to_utc(starts[-1], event.timezone) if starts else event.starts_at
            chosen = recurrence.occurrence(event, changes, last) or recurrence.Occurrence(
                event, event.starts_at, event.starts_at, event.ends_at)
    return chosen, bad_key, next_dates


def occurrence_state(occurrence) -> str:
    """"skipped", "cancelled", "moved" or "" (as planned)."""
    if occurrence.change is not None and occurrence.change.action == "skipped":
        return "skipped"
    if occurrence.cancelled:
        return "cancelled"
    if occurrence.moved:
        return "moved"
    return ""


def json_ld(event: Event, occurrence, url: str) -> dict:
    """schema.org Event of one occurrence (https://schema.org/Event)."""
    tz = recurrence.zone(event.timezone)
    if event.all_day:
        start = recurrence.to_local(occurrence.starts_at, event.timezone).date()
        end = (recurrence.to_local(occurrence.ends_at, event.timezone) - timedelta(days=1)).date()
        start_value, end_value = start.isoformat(), max(start, end).isoformat()
    else:
        start_value = occurrence.starts_at.astimezone(tz).isoformat()
        end_value = occurrence.ends_at.astimezone(tz).isoformat()
    online = web_url(event.online_url)
    in_person = bool(event.venue_name.strip() or event.venue_address.strip())
    mode = "Mixed" if online and in_person else "Online" if online else "Offline"
    state = occurrence_state(occurrence)
    status = {"skipped": "EventCancelled", "cancelled": "EventCancelled", "moved": "EventRescheduled"}.get(
        state, "EventScheduled")
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": start_value,
        "endDate": end_value,
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
    }
    if state == "moved":
        data["previousStartDate"] = occurrence.original_start.astimezone(tz).isoformat()
    locations = []
    if in_person:
        place = {"@type": "Place", "name": event.venue_name.strip() or event.venue_address.strip()}
        if event.venue_address.strip():
            place["address"] = event.venue_address.strip()
        if web_url(event.map_url):
            place["hasMap"] = web_url(event.map_url)
        locations.append(place)
    if online:
        locations.append({"@type": "VirtualLocation", "url": online})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    organization = event.organization
    if organization is not None:
        organizer = {"@type": "Organization", "name": organization.name}
        if web_url(organization.website):
            organizer["url"] = web_url(organization.website)
    else:
        organizer = {"@type": "Organization", "name": event.network.name}
    data["organizer"] = organizer
    description = to_text(event.description)
    if description:
        data["description"] = description
    languages = [_BCP47.get(code, code) for code in event.language_codes]
    if languages:
        data["inLanguage"] = languages[0] if len(languages) == 1 else languages
    return data


def _event_context(event: Event) -> dict:
    now = utcnow()
    key = request.args.get("at")
    occurrence, bad_key, next_dates = _shown_occurrence(event, key, now)
    specific = event.is_series and key is not None and not bad_key
    url_values = {"at": occurrence.key} if specific else {}
    page_url = absolute_url("events.show", event_id=event.id, **url_values)
    jsonld_url = absolute_url("events.show", event_id=event.id, at=occurrence.key) if event.is_series else page_url
    state = occurrence_state(occurrence)
    overview = event.is_series and not specific
    if overview:  # the page is about the series: marks of single dates go with the dates
        banner = "cancelled" if event.status == "cancelled" else ""
    else:
        banner = "cancelled" if state == "skipped" else state
    reason = ""
    if banner:
        change = occurrence.change
        reason = change.reason if change is not None and not overview and change.reason else ""
        if banner == "cancelled" and not reason:
            reason = event.cancel_reason
    organizer = current_user.is_authenticated and access.can_view_network(current_user, event.network)
    manage_url = None
    if organizer and "events.manage" in current_app.view_functions:  # the organizer pages
        manage_url = url_for("events.manage", event_id=event.id)
    return {
        "event": event,
        "occurrence": occurrence,
        "manage_url": manage_url,
        "organizer": organizer,
        "overview": overview,
        "banner": banner,
        "reason": reason,
        "specific": specific,
        "bad_key": bad_key,
        "next_dates": next_dates,
        "series": describe_series(event) if event.is_series else None,
        "past": not next_dates if overview else occurrence.ends_at <= now,
        "default_tz": _default_tz(),
        "public": is_public(event),
        "page_url": page_url,
        "url_values": url_values,
        "jsonld": json_ld(event, occurrence, jsonld_url),
        "description_text": to_text(event.description)[:300],
        "occurrence_state": occurrence_state,
    }


@bp.get("/events/<int:event_id>")
@public
def show(event_id: int):
    return render("events/show.html", **_event_context(_visible_event(event_id)))


@bp.get("/events/<int:event_id>/print")
@public
def print_view(event_id: int):
    return render("events/print.html", **_event_context(_visible_event(event_id)))


@bp.get("/events/<int:event_id>/qr.svg")
@public
def qr(event_id: int):
    """A QR code of the event page's address, for posters (an occurrence's with ?at=)."""
    event = _visible_event(event_id)
    values = {}
    key = request.args.get("at", "")
    if event.is_series and recurrence.parse_key(key):
        values["at"] = key
    code = segno.make(absolute_url("events.show", event_id=event.id, **values), error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=4, border=2, xmldecl=False, omitsize=True, dark="#000", light="#fff")
    response = make_response(buffer.getvalue())
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "public, max-age=86400" if is_public(event) else "private, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)
