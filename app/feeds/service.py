"""Calendar feeds: which events a feed holds, its fingerprint (for 304s) and its bytes.

A feed is assembled from pieces: the serialized VEVENTs of one event (a series' master with
RRULE/EXDATE plus its RECURRENCE-ID overrides), kept in the store every worker shares
(core/cache.py) under a key made of everything that goes into the text (UID, SEQUENCE,
updated_at, its changes, tags, the names it prints, language, base URL). The keys are read as
plain rows, so after an edit only that event is loaded and built again; a new worker finds
the pieces, and the whole feed, already built. The components themselves come from
`mail.ics.build_vevent`, the same function the invitation mails use.

Queries: checking a public or group feed for changes reads the content version (one row,
feeds/versions.py), and the fingerprint cached under it; only after a write does the
fingerprint's one aggregate run again. Building runs a fixed number more, however many events
and series there are.
"""
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app, url_for
from flask_babel import get_locale, gettext as _
from icalendar import Calendar, vDuration, vText
from sqlalchemy import String, cast, exists, func, select
from sqlalchemy.orm import selectinload

from ..core.cache import key_of, store
from ..core.extensions import db
from ..core.tokens import hash_token, keyed_token
from ..core.types import utcnow
from ..directory.models import Network, Organization, Person
from ..events import recurrence, service as events
from ..events.labels import kind_label
from ..events.models import Event, EventKind, OccurrenceChange, Tag, event_tags
from ..mail.ics import PRODID, build_vevent, vtimezone
from ..programmes.models import Campaign, Submission
from ..registrations.models import ACTIVE_STATUSES, Registration, RegistrationSettings
from . import versions
from .models import FeedSecret

# A feed covers the past 90 days and the whole future; cancelled events stay 90 days after their end.
PAST = timedelta(days=90)
REFRESH = timedelta(hours=1)
# Part of every ETag and cache key: raise it when the output format changes.
FORMAT_VERSION = "1"
TOKEN_BYTES = 32
PUBLIC_STATUSES = ("published", "cancelled")
# Pieces this process built (tests and benchmarks check that an edit rebuilds only its event).
built_pieces = 0


# --- Secrets of private feeds -----------------------------------------------------

def _token(secret: FeedSecret) -> str:
    return keyed_token(f"{secret.scope}:{secret.subject}:{secret.salt}")


def _subject(scope: str, group=None, email: str = "") -> str:
    return str(group.id) if scope == "group" else email.strip().lower()


def secret_of(scope: str, group=None, email: str = "") -> FeedSecret | None:
    return db.session.scalar(select(FeedSecret).where(FeedSecret.scope == scope,
                                                      FeedSecret.subject == _subject(scope, group, email)))


def rotate(scope: str, group=None, email: str = "") -> FeedSecret:
    """Make the secret (or a new one, which revokes the old address at once)."""
    secret = secret_of(scope, group, email)
    if secret is None:
        secret = FeedSecret(scope=scope, subject=_subject(scope, group, email),
                            working_group_id=group.id if group is not None else None)
        db.session.add(secret)
    secret.salt = secrets.token_hex(TOKEN_BYTES)
    secret.token_hash = hash_token(_token(secret))
    return secret


def token_of(secret: FeedSecret | None) -> str | None:
    """The token of the secret's address; None when there is none (or SECRET_KEY changed since)."""
    if secret is None:
        return None
    token = _token(secret)
    return token if hmac.compare_digest(hash_token(token), secret.token_hash) else None


# --- Which events ---------------------------------------------------------------------

@dataclass
class Feed:
    """What a feed holds: `stmt` selects its events (single or series, whole)."""

    stmt: object
    # Scalar subquery that must find a row, else the feed answers 404: the token's subject
    # (group id / e-mail) of a private feed, the published programme of a programme's feed.
    secret: object = None
    # Personal feeds: registrations select the events and the dates of series.
    person: object = None  # scalar subquery of the e-mail address


def cutoff() -> datetime:
    """90 days before the start of today (UTC): a whole day, so that what a feed holds changes
    with writes and at midnight, and a cached fingerprint holds for the rest of the day."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - PAST


def public_feed(filters: events.Filters, network_slug: str | None = None) -> Feed:
    stmt = events._candidates(filters, cutoff(), None, public=True)
    if network_slug is not None:
        stmt = stmt.where(Event.network_id == select(Network.id).where(Network.slug == network_slug)
                          .scalar_subquery())
    return Feed(stmt)


def programme_feed(slug: str) -> Feed:
    """The events of a published programme (issue 7), its cancelled ones too; 404 for an
    unknown or unpublished programme (checked in the fingerprint's one query)."""
    campaign_id = select(Campaign.id).where(Campaign.slug == slug[:80], Campaign.status == "published") \
        .scalar_subquery()
    in_programme = select(Submission.event_id).where(Submission.campaign_id == campaign_id)
    stmt = events._candidates(events.Filters(), cutoff(), None, public=True).where(Event.id.in_(in_programme))
    return Feed(stmt, secret=campaign_id)


def group_private_feed(token: str) -> Feed:
    """Every event (public, members-only, invited-only; not drafts) of the token's group."""
    group_id = select(FeedSecret.working_group_id).where(
        FeedSecret.scope == "group", FeedSecret.token_hash == hash_token(token)).scalar_subquery()
    stmt = select(Event).where(Event.last_ends_at > cutoff(), Event.status.in_(PUBLIC_STATUSES),
                               Event.working_group_id == group_id)
    return Feed(stmt, secret=group_id)


def personal_feed(token: str) -> Feed:
    email = select(FeedSecret.subject).where(
        FeedSecret.scope == "person", FeedSecret.token_hash == hash_token(token)).scalar_subquery()
    registered = select(Registration.event_id).where(func.lower(Registration.email) == email,
                                                     Registration.status.in_(ACTIVE_STATUSES))
    stmt = select(Event).where(Event.last_ends_at > cutoff(), Event.status.in_(PUBLIC_STATUSES),
                               Event.id.in_(registered))
    return Feed(stmt, secret=email, person=email)


def single_event_feed(event_id: int) -> Feed:
    return Feed(select(Event).where(Event.id == event_id))


# --- Fingerprint: the one query of the 304 path ----------------------------------------

@dataclass
class Fingerprint:
    found: bool  # the token named a secret (always True for public feeds)
    etag: str
    last_modified: datetime
    names: dict  # the texts the feed's title is made of, as the query read them (None: no such row)


def fingerprint(make_feed, key: tuple, make_names, personal: bool = False) -> Fingerprint:
    """ETag and Last-Modified of the feed at `key` (address, language, host) from ONE query;
    `make_feed()` gives the Feed and `make_names()` the scalar subqueries of its title's texts,
    made only when the query must run.

    The ETag covers what the feed holds and what it prints: its events (count and sum of ids,
    newest change, sum of SEQUENCEs; a changed date raises its event's), a personal feed's
    registrations, the texts it prints from other rows, which change without touching the event
    (organization name and address, the contact's address, network and kind names: `_printed`),
    and the texts its title is made of (`names`, scalar subqueries from the view), plus language,
    base URL and format. So an event that leaves (unregistered, made members-only, deleted, past
    the 90 days) and every rename make a new ETag, and the caches keyed by it miss.

    Last-Modified is the time the current ETag was first served at `key` (`_first_served`), not
    a row's time: a deleted event or a cancelled registration leaves no row in the feed that
    could date the change. That time is after every change the ETag covers, never goes back,
    and is kept in the shared store, so every worker and a restarted one give the same date.
    Should the store forget it, the feed is dated afresh (later); so If-Modified-Since gets a
    304 only for exactly the date given out for the current ETag (`views._not_modified`), and
    a date that stands for other content gets the feed, never a wrong 304.

    Public and group feeds cache this under the content version (feeds/versions.py) and the
    day of the cutoff, so that checking them costs one primary-key read; personal feeds follow
    registrations, which the version does not cover, and run the query each time.
    """
    cache_key = None
    version = "" if personal else versions.current()
    if version:
        cache_key = key_of("fingerprint", FORMAT_VERSION, version, cutoff(), key)
        cached = store().get(cache_key)
        if cached is not None:
            found, etag, read = json.loads(cached)
            return Fingerprint(found, etag, _first_served(key, etag), read)
    feed, names = make_feed(), make_names()
    stmt, extra = feed.stmt, []
    if feed.person is not None:
        stmt = stmt.join(Registration, Registration.event_id == Event.id).where(
            func.lower(Registration.email) == feed.person, Registration.status.in_(ACTIVE_STATUSES))
        extra = [Registration.id.label("registration_id"), Registration.updated_at.label("registration_updated")]
    held = stmt.with_only_columns(Event.id, Event.updated_at, Event.sequence, Event.organization_id,
                                  Event.contact_person_id, Event.network_id, Event.kind_id, *extra).cte("held")
    counts = [func.count(held.c.id), func.max(held.c.updated_at), func.coalesce(func.sum(held.c.id), 0),
                func.coalesce(func.sum(held.c.sequence), 0)]
    if feed.person is not None:
        counts += [func.coalesce(func.sum(held.c.registration_id), 0), func.max(held.c.registration_updated)]
    printed = _printed(held)
    secret = [feed.secret] if feed.secret is not None else []
    row = list(db.session.execute(select(*counts, *printed, *names.values(), *secret).select_from(held)).one())
    found = not secret or row.pop() is not None
    n, m = len(counts), len(counts) + len(printed)
    read = dict(zip(names, row[m:]))
    raw = repr((FORMAT_VERSION, [str(v) for v in row[:n]], [sorted((v or "").split("\n")) for v in row[n:m]],
                read, str(get_locale()), _base_url()))
    etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    if cache_key is not None:
        store().put(cache_key, json.dumps([found, etag, read]).encode())
    return Fingerprint(found, etag, _first_served(key, etag), read)


def _printed(held) -> list:
    """Scalar subqueries: the texts the feed prints of the rows its events point to, one line
    per row with its id (so that two organizations swapping names still shows). The order of
    the lines is up to the database; the fingerprint sorts them."""
    def lines(model, ids, *columns):
        line = cast(model.id, String)
        for column in columns:
            line = line + "\t" + column
        return select(func.aggregate_strings(line, "\n")).where(model.id.in_(select(ids))).scalar_subquery()

    return [lines(Organization, held.c.organization_id, Organization.name, Organization.email),
            lines(Person, held.c.contact_person_id, Person.email),
            lines(Network, held.c.network_id, Network.name),
            lines(EventKind, held.c.kind_id, EventKind.name)]


def _first_served(key: tuple, etag: str) -> datetime:
    """When `etag` was first served at `key`, in whole seconds: the feed's Last-Modified. A new
    ETag (or a key the shared store forgot) is dated now, so the date only ever moves on."""
    served_key = key_of("served", key)
    seen = store().get(served_key)
    if seen is not None:
        seen_etag, seen_at = seen.decode().split(" ", 1)
        if seen_etag == etag:
            return datetime.fromisoformat(seen_at)
    now = utcnow().replace(microsecond=0)
    store().put(served_key, f"{etag} {now.isoformat()}".encode())
    return now


def _base_url() -> str:
    base = current_app.config.get("BASE_URL")
    return base or url_for("events.upcoming", _external=True).rsplit("/events", 1)[0]


# --- Pieces -----------------------------------------------------------------------------

def _absolute(endpoint: str, **values) -> str:
    base = current_app.config.get("BASE_URL")
    return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


def _page_url(event, occurrence=None) -> str:
    if event.is_series and occurrence is not None:
        return _absolute("events.show", event_id=event.id, at=occurrence.key)
    return _absolute("events.show", event_id=event.id)


def _extra_text(event, occurrence, page_url: str, takes_registrations: bool) -> str:
    lines = []
    change = occurrence.change if occurrence is not None else None
    if event.status == "cancelled":
        lines.append(_("Cancelled.") + (f" {event.cancel_reason}" if event.cancel_reason else ""))
    elif change is not None and change.action == "cancelled":
        lines.append(_("This date is cancelled.") + (f" {change.reason}" if change.reason else ""))
    elif change is not None and change.action == "moved":
        lines.append(_("This date has been moved.") + (f" {change.reason}" if change.reason else ""))
    if event.online_url.strip().lower().startswith(("https://", "http://")):
        lines.append(_("Online: %(url)s", url=event.online_url.strip()))
    lines.append(_("Event page: %(url)s", url=page_url))
    if takes_registrations and event.status != "cancelled":
        values = {"at": occurrence.key} if event.is_series and occurrence is not None else {}
        lines.append(_("Registration: %(url)s", url=_absolute("registrations.register", event_id=event.id, **values)))
    return "\n".join(lines)


def _categories(event) -> list[str]:
    return [kind_label(event.kind), *(tag.name for tag in event.tags)]


def _component(event, occurrence, takes_registrations: bool, dtstamp, **extra):
    url = _page_url(event, occurrence if extra.get("recurrence_id", True) else None)
    return build_vevent(event, occurrence, dtstamp=dtstamp, url=url, categories=_categories(event),
                        extra_text=_extra_text(event, occurrence, url, takes_registrations), **extra)


def _crosses_offset_change(start: datetime, end: datetime, tz: str) -> bool:
    zone = recurrence.zone(tz)
    return start.astimezone(zone).utcoffset() != end.astimezone(zone).utcoffset()


def event_components(event, changes, takes_registrations: bool) -> list:
    """The VEVENTs of one event: a single event, or a series as ONE master with RRULE and
    EXDATE (skipped dates) plus RECURRENCE-ID overrides for moved and cancelled dates and for
    dates that span a clock change (parsers disagree on those unless DTEND is explicit)."""
    stamps = [event.updated_at, *(c.updated_at for c in changes if c.updated_at)]
    dtstamp = max(s for s in stamps if s is not None) if any(stamps) else utcnow()
    if not event.is_series:
        return [_component(event, None, takes_registrations, dtstamp)]
    tz = event.timezone
    rule = recurrence.Rule.of(event)
    walls = rule.starts()
    starts = {recurrence.to_utc(wall, tz): wall for wall in walls}
    by_start = {c.original_start: c for c in changes if c.original_start in starts}
    exdates = sorted(s for s, c in by_start.items() if c.action == "skipped")
    master = _component(event, None, takes_registrations, dtstamp, rrule=rule.ical(event.all_day),
                        exdates=exdates)
    overrides = []
    duration = recurrence.to_local(event.ends_at, tz) - rule.start
    for start, wall in starts.items():
        change = by_start.get(start)
        if change is not None and change.action in ("moved", "cancelled"):
            occurrence = recurrence.occurrence(event, changes, start)
        elif change is None and not event.all_day and start != event.starts_at:
            end = recurrence.to_utc(wall + duration, tz)
            if not _crosses_offset_change(start, end, tz):
                continue
            occurrence = recurrence.Occurrence(event, start, start, end)
        else:
            continue
        if occurrence is not None:
            overrides.append(_component(event, occurrence, takes_registrations, dtstamp))
    return [master, *overrides]


def _common() -> tuple:
    """What every piece of this request's feed shares: format, language, base URL."""
    return FORMAT_VERSION, str(get_locale()), _base_url()


def _piece_key(common: tuple, event_id, uid, sequence, updated_at, changes, tags, kind, takes_registrations,
               organization, contact_email, network_name) -> str:
    """Names a piece by everything that goes into it, `changes` and `tags` in any order. Public
    feeds make it from plain rows (`_held`), personal ones from ORM objects (`_piece_key_of`):
    the two spell dates differently and so never share a key, which costs a build, never a
    wrong piece."""
    return key_of("piece", common, event_id, uid, sequence, updated_at, tuple(sorted(changes)), tuple(sorted(tags)),
                  kind, takes_registrations, organization, contact_email, network_name)


def _piece_key_of(event, changes, takes_registrations: bool, common: tuple) -> str:
    org, person = event.organization, event.contact_person
    return _piece_key(common, event.id, event.uid, event.sequence, event.updated_at,
                      [(c.id, c.sequence, c.updated_at, c.action) for c in changes], [t.name for t in event.tags],
                      kind_label(event.kind), takes_registrations,
                      (org.name, org.email, org.updated_at) if org is not None else None,
                      person.email if person is not None else None, event.network.name)


def personal_piece(event, occurrence, takes_registrations: bool) -> bytes:
    """One registered date of a series, on its own: a UID of its own derived from the series'
    UID and the date (an override without its master would be an orphan some clients drop)."""
    change = occurrence.change
    key = key_of("date", occurrence.key,
                 _piece_key_of(event, [change] if change is not None else [], takes_registrations, _common()))
    data = store().get(key)
    if data is None:
        cancelled = None
        if change is not None and change.action == "skipped":
            cancelled = True
        dtstamp = max(event.updated_at, change.updated_at) if change is not None and change.updated_at \
            else event.updated_at
        component = _component(event, occurrence, takes_registrations, dtstamp, recurrence_id=False,
                               uid=f"{occurrence.key}-{event.uid}", cancelled=cancelled)
        data = component.to_ical()
        store().put(key, data)
    return data


# --- Assembling ---------------------------------------------------------------------

def calendar_head(name: str, tz_names, default_tz: str, description: str = "") -> bytes:
    """BEGIN:VCALENDAR and the calendar's properties and VTIMEZONEs, without its END."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    # Typed as text, or icalendar escapes neither NAME (RFC 7986) nor X- properties.
    calendar.add("X-WR-CALNAME", vText(name))
    calendar.add("NAME", vText(name))
    if description:
        calendar.add("X-WR-CALDESC", vText(description))
    calendar.add("X-WR-TIMEZONE", default_tz)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for tz_name in sorted(set(tz_names)):
        calendar.add_component(vtimezone(tz_name))
    data = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)]


def _load(stmt) -> list[Event]:
    found = db.session.scalars(
        stmt.options(selectinload(Event.organization), selectinload(Event.contact_person))
        .order_by(Event.starts_at, Event.id)).unique().all()
    return list(found)


def _takes_registrations(ids) -> set[int]:
    return set(db.session.scalars(select(RegistrationSettings.event_id).where(RegistrationSettings.event_id.in_(ids))))


def _held(stmt) -> tuple[list, dict[int, str], set[int]]:
    """The feed's events in order as plain rows, with the key of each one's piece, in ONE query
    and without ORM objects: after an edit only the changed pieces are built. An event's dates,
    tags and registration settings come as one correlated value each (in no set order: the
    key sorts them)."""
    change = (cast(OccurrenceChange.id, String) + ":" + cast(OccurrenceChange.sequence, String) + ":"
              + OccurrenceChange.action + ":" + cast(OccurrenceChange.updated_at, String))
    rows = db.session.execute(
        stmt.with_only_columns(
            Event.id, Event.uid, Event.sequence, Event.updated_at, Event.timezone, Event.all_day,
            EventKind.code, EventKind.name, Organization.name, Organization.email, Organization.updated_at,
            Person.email, Network.name,
            select(func.aggregate_strings(change, "\n")).where(OccurrenceChange.event_id == Event.id)
            .scalar_subquery(),
            select(func.aggregate_strings(Tag.name, "\n")).join(event_tags, event_tags.c.tag_id == Tag.id)
            .where(event_tags.c.event_id == Event.id).scalar_subquery(),
            exists().where(RegistrationSettings.event_id == Event.id))
        .select_from(Event)
        .join(EventKind, EventKind.id == Event.kind_id)
        .outerjoin(Organization, Organization.id == Event.organization_id)
        .outerjoin(Person, Person.id == Event.contact_person_id)
        .join(Network, Network.id == Event.network_id)
        .order_by(Event.starts_at, Event.id)).all()
    common, kinds = _common(), {}
    keys, registering = {}, set()
    for (event_id, uid, sequence, updated_at, _tz, _all_day, kind_code, kind_name, org_name, org_email, org_updated,
         contact_email, network_name, changes, tags, takes_registrations) in rows:
        if (kind_code, kind_name) not in kinds:
            kinds[kind_code, kind_name] = kind_label(SimpleNamespace(code=kind_code, name=kind_name))
        if takes_registrations:
            registering.add(event_id)
        organization = (org_name, org_email, org_updated) if org_name is not None else None
        keys[event_id] = _piece_key(common, event_id, uid, sequence, updated_at, (changes or "").split("\n"),
                                    (tags or "").split("\n"), kinds[kind_code, kind_name], bool(takes_registrations),
                                    organization, contact_email, network_name)
    return rows, keys, registering


def build(feed: Feed, name: str, default_tz: str, description: str = "") -> bytes:
    """The feed's bytes (CRLF, folded, UTF-8, no BOM), assembled from pieces in the shared store;
    only the events whose pieces are missing are loaded and built."""
    if feed.person is not None:
        return _build_personal(feed, name, default_tz, description)
    rows, keys, registering = _held(feed.stmt)
    found = store().get_many(list(keys.values()))
    missing = [event_id for event_id, key in keys.items() if key not in found]
    if missing:
        stmt = feed.stmt if len(missing) == len(keys) else select(Event).where(Event.id.in_(missing))
        built = _load(stmt)
        changes = events._changes_for(built)
        events._load_tags(built)
        new = {keys[e.id]: b"".join(c.to_ical() for c in event_components(e, changes.get(e.id, []),
                                                                             e.id in registering))
               for e in built}
        store().put_many(new)
        found.update(new)
        global built_pieces
        built_pieces += len(new)
    zones = {row.timezone for row in rows if not row.all_day}
    return calendar_head(name, zones, default_tz, description) + b"".join(found[keys[row.id]] for row in rows) \
        + b"END:VCALENDAR\r\n"


def _build_personal(feed: Feed, name: str, default_tz: str, description: str) -> bytes:
    """A person's registered events: whole single events, and of a series only the dates
    registered for, each on its own (personal_piece)."""
    found = _load(feed.stmt)
    changes = events._changes_for(found)
    events._load_tags(found)
    registering = _takes_registrations([e.id for e in found]) if found else set()
    common = _common()
    registered: dict[int, set] = {}
    for event_id, start in db.session.execute(
            select(Registration.event_id, Registration.occurrence_start).where(
                func.lower(Registration.email) == feed.person, Registration.status.in_(ACTIVE_STATUSES))):
        registered.setdefault(event_id, set()).add(start)
    parts = []
    for event in found:
        if not event.is_series:
            key = _piece_key_of(event, [], event.id in registering, common)
            data = store().get(key)
            if data is None:
                data = b"".join(c.to_ical() for c in event_components(event, [], event.id in registering))
                store().put(key, data)
            parts.append(data)
            continue
        mine = changes.get(event.id, [])
        for start in sorted(registered.get(event.id, ())):
            occurrence = recurrence.occurrence(event, mine, start)
            if occurrence is not None and occurrence.ends_at > cutoff():
                parts.append(personal_piece(event, occurrence, event.id in registering))
    zones = {e.timezone for e in found if not e.all_day}
    return calendar_head(name, zones, default_tz, description) + b"".join(parts) + b"END:VCALENDAR\r\n"
