"""Feed addresses: `.ics` per event, per network, group, kind, tag and organization, the
list's filters as a feed, a programme's feed (issue 7), a group's private feed and a
person's feed; plus the two forms that make (or renew, revoking the old one) a private
feed's address.

Every feed answers conditional requests from one aggregate query (service.fingerprint)
before anything is built; HEAD is answered like GET without the body (Flask). A feed's title
is built from texts that same query reads (`names`), so a rename changes the ETag as well.
"""
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.http import http_date

from ..core.cache import key_of, store
from ..core.extensions import db, limiter
from ..core.security import public, require
from ..core.tokens import plausible_token
from ..core.urls import share_urls
from ..directory import access
from ..directory.models import Network, Organization, WorkingGroup
from ..events import service as events
from ..events.labels import LANGUAGE_LABELS, kind_label
from ..events.public import is_public
from ..events.models import Event, EventKind, Tag
from ..mail import itip
from ..mail.ics import event_page_url
from ..programmes.models import Campaign
from . import service

bp = Blueprint("feeds", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _default_tz() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# The query parameters that make a feed; any other is left out of cache keys, so that made-up
# parameters cannot fill the caches with copies.
FEED_PARAMS = ("network", "group", "kind", "tag", "spoken", "lang", "organization")


def _feed_key() -> tuple:
    """Names the feed this request asks for, in its language and for its host."""
    params = tuple((name, request.args.get(name, "")[:80]) for name in FEED_PARAMS if name in request.args)
    return (request.endpoint, tuple(sorted(request.view_args.items())), params, str(get_locale()),
            request.host_url)


def _not_modified(fp: service.Fingerprint) -> bool:
    if request.if_none_match:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
        return request.if_none_match.contains_weak(fp.etag)
    # Only the very date given out for the current ETag (see service.fingerprint): another date
    # may stand for other content.
    return request.if_modified_since == fp.last_modified


def _answer(make_feed, title, make_names=dict, filename: str = "calendar.ics", download: bool = False,
            private: bool = False, personal: bool = False):
    """304 from the fingerprint alone, else the built feed. `make_feed()` gives the Feed and
    `make_names()` the scalar subqueries of the texts the feed's title is made of, which the
    fingerprint's query reads; both are made only when that query must run (an unchanged
    feed is known by its cached fingerprint). `title(**texts)` -> (name, description) makes
    the title of what it read (None for a missing row) and may abort(404)."""
    key = _feed_key()
    fp = service.fingerprint(make_feed, key, make_names, personal=personal)
    if not fp.found:
        abort(404)  # unknown or revoked token: the same plain 404 as any unknown address
    name, description = title(**fp.names)
    if _not_modified(fp):
        response = make_response("", 304)
    else:
        data_key = key_of("feed", key, fp.etag)
        data = store().get(data_key)
        if data is None:
            data = service.build(make_feed(), name, _default_tz(), description)
            store().put(data_key, data)
        response = make_response(data)
        response.headers["Content-Type"] = CONTENT_TYPE
        response.headers["Content-Disposition"] = (
            f'{"attachment" if download else "inline"}; filename="{filename}"')
    response.headers["ETag"] = f'"{fp.etag}"'
    response.headers["Last-Modified"] = http_date(fp.last_modified)
    response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300, must-revalidate"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _network_or_404(slug: str) -> Network:
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        abort(404)
    return network


def _found(text: str | None) -> str:
    if text is None:
        abort(404)
    return text


# --- Texts of feed titles: scalar subqueries for the fingerprint's query ------------

def _network_id(slug: str):
    return select(Network.id).where(Network.slug == slug).scalar_subquery()


def _network_name(network_id):
    return select(Network.name).where(Network.id == network_id).scalar_subquery()


def _name(model, object_id, network_id=None):
    """The row's name; with `network_id` only if the row belongs to that network."""
    stmt = select(model.name).where(model.id == object_id)
    if network_id is not None:
        stmt = stmt.where(model.network_id == network_id)
    return stmt.scalar_subquery()


def _kind(kind_id: int, network_id=None) -> dict:
    """Code and name: a built-in kind is named in the reader's language (kind_label)."""
    return {"kind_code": select(EventKind.code).where(EventKind.id == kind_id).scalar_subquery(),
            "kind": _name(EventKind, kind_id, network_id)}


def _kind_label(code: str | None, name: str) -> str:
    return kind_label(SimpleNamespace(code=code, name=name))


def _tag_name(slug: str):
    return select(Tag.name).where(Tag.slug == slug).limit(1).scalar_subquery()


# --- One event ----------------------------------------------------------------------

@bp.get("/events/<int:event_id>.ics")
@public
def event(event_id: int):
    """"Add to my calendar": the whole event (a series with its rule and changes)."""
    found = db.session.get(Event, event_id)
    if found is None or found.status == "draft" and not _organizer_of(found):
        abort(404)
    public_event = found.visibility == "public" and found.status in service.PUBLIC_STATUSES
    if not public_event and not _organizer_of(found):
        abort(404)
    return _answer(lambda: service.single_event_feed(event_id), lambda: (found.title, ""),
                   filename=f"event-{event_id}.ics", download=True, private=not public_event)


def _organizer_of(event: Event) -> bool:
    return current_user.is_authenticated and access.can_view_network(current_user, event.network)


# --- Public feeds -------------------------------------------------------------------

@bp.get("/feeds/events.ics")
@public
def events_feed():
    """The public list's filters as a feed: ?network=<slug>&group=&kind=&tag=&spoken=&organization=
    (`lang` for the spoken language in addresses made before it was called `spoken`)."""
    filters = events.Filters(working_group_id=events.id_param(request.args.get("group")),
                             kind_id=events.id_param(request.args.get("kind")),
                             organization_id=events.id_param(request.args.get("organization")),
                             tag_slug=(request.args.get("tag") or "").strip()[:60] or None)
    language = (request.args.get("spoken") or request.args.get("lang") or "").strip()
    filters.language = language if language in LANGUAGE_LABELS else None
    slug = (request.args.get("network") or "").strip()[:80] or None

    def names():
        found = {}
        if slug:
            found["network"] = _network_name(_network_id(slug))
        if filters.working_group_id:
            found["group"] = _name(WorkingGroup, filters.working_group_id)
        if filters.kind_id:
            found.update(_kind(filters.kind_id))
        if filters.tag_slug:
            found["tag"] = _tag_name(filters.tag_slug)
        if filters.organization_id:
            found["organization"] = _name(Organization, filters.organization_id)
        return found

    def title(network=None, group=None, kind_code=None, kind=None, tag=None, organization=None):
        parts = [_found(network) if slug else None, group, kind and _kind_label(kind_code, kind),
                 filters.tag_slug and (tag or filters.tag_slug), organization,
                 filters.language and str(LANGUAGE_LABELS[filters.language])]
        name = " – ".join(p for p in parts if p) or _("Events")
        return f"Treffpunkt: {name}", ""

    return _answer(lambda: service.public_feed(filters, slug), title, names)


@bp.get("/feeds/n/<slug>.ics")
@public
def network(slug: str):
    def title(network):
        return _found(network), _("Public events of %(network)s", network=network)

    return _answer(lambda: service.public_feed(events.Filters(), slug), title,
                   lambda: {"network": _network_name(_network_id(slug))})


@bp.get("/feeds/n/<slug>/groups/<int:group_id>.ics")
@public
def group(slug: str, group_id: int):
    def title(network, group):
        return f"{_found(network)} – {_found(group)}", ""

    def names():
        network_id = _network_id(slug)
        return {"network": _network_name(network_id), "group": _name(WorkingGroup, group_id, network_id)}

    return _answer(lambda: service.public_feed(events.Filters(working_group_id=group_id), slug), title, names)


@bp.get("/feeds/n/<slug>/kinds/<int:kind_id>.ics")
@public
def kind(slug: str, kind_id: int):
    def title(network, kind_code, kind):
        return f"{_found(network)} – {_kind_label(kind_code, _found(kind))}", ""

    def names():
        network_id = _network_id(slug)
        return {"network": _network_name(network_id), **_kind(kind_id, network_id)}

    return _answer(lambda: service.public_feed(events.Filters(kind_id=kind_id), slug), title, names)


@bp.get("/feeds/n/<slug>/tags/<tag>.ics")
@public
def tag(slug: str, tag: str):
    tag = tag[:60]

    def title(network, name):
        return f"{_found(network)} – {name or tag}", ""

    return _answer(lambda: service.public_feed(events.Filters(tag_slug=tag), slug), title,
                   lambda: {"network": _network_name(_network_id(slug)), "name": _tag_name(tag)})


@bp.get("/feeds/n/<slug>/organizations/<int:organization_id>.ics")
@public
def organization(slug: str, organization_id: int):
    def title(network, organization):
        return f"{_found(network)} – {_found(organization)}", ""

    return _answer(lambda: service.public_feed(events.Filters(organization_id=organization_id), slug), title,
                   lambda: {"network": _network_name(_network_id(slug)),
                            "organization": _name(Organization, organization_id)})


@bp.get("/feeds/programmes/<slug>.ics")
@public
def programme(slug: str):
    """A published programme's events (issue 7), cancelled ones included."""
    def of_campaign(column):
        return select(column).where(Campaign.slug == slug[:80]).scalar_subquery()

    def title(title, motto, network):
        return _found(title), " – ".join(part for part in (motto, network) if part)

    def names():
        return {"title": of_campaign(Campaign.title), "motto": of_campaign(Campaign.motto),
                "network": _network_name(of_campaign(Campaign.network_id))}

    return _answer(lambda: service.programme_feed(slug), title, names, filename=f"{slug[:80]}.ics")


# --- Private feeds ------------------------------------------------------------------

@bp.get("/feeds/private/<token>.ics")
@public
def group_private(token: str):
    """A group's every event (members-only and invited-only too); the token is the access."""
    if not plausible_token(token):
        abort(404)
    def title(network, group):
        return f"{_found(network)} – {_found(group)}", _("All events of the group, internal ones too. "
                                                         "Do not pass this address on.")

    def names():
        group_id = service.group_private_feed(token).secret
        network_id = select(WorkingGroup.network_id).where(WorkingGroup.id == group_id).scalar_subquery()
        return {"network": _network_name(network_id), "group": _name(WorkingGroup, group_id)}

    return _answer(lambda: service.group_private_feed(token), title, names, private=True)


@bp.get("/feeds/me/<token>.ics")
@public
def personal(token: str):
    """Every event (or date) the address's owner is registered for."""
    if not plausible_token(token):
        abort(404)
    return _answer(lambda: service.personal_feed(token), lambda: (_("My events (Treffpunkt)"), ""),
                   private=True, personal=True)


@bp.post("/n/<slug>/groups/<int:group_id>/feed-link")
def rotate_group_link(slug: str, group_id: int):
    """The group's lead (or a coordinator) makes the private feed's address, or a new one:
    the old address stops working at once."""
    network = _network_or_404(slug)
    group = db.session.get(WorkingGroup, group_id)
    if group is None or group.network_id != network.id:
        abort(404)
    require(access.can_manage_group(current_user, group))
    existed = service.secret_of("group", group) is not None
    service.rotate("group", group)
    db.session.commit()
    flash(_("There is a new address; the old one no longer works.") if existed
          else _("The private calendar address is ready."), "success")
    return redirect(url_for("directory.group", slug=slug, group_id=group.id) + "#calendar-private", code=303)


@bp.post("/r/<token>/calendar-link")
@public
@limiter.limit("20 per hour", methods=["POST"])
def personal_link(token: str):
    """From the manage page: make or renew the personal feed's address. It lists every event the
    address is registered for, so it needs proof of the mailbox (registrations.proven_mailbox)."""
    from ..registrations import service as registrations

    email = registrations.proven_mailbox(token)
    if email is None:
        abort(404)
    service.rotate("person", email=email)
    db.session.commit()
    return redirect(url_for("registrations.manage", token=token) + "#calendar", code=303)


# --- For the pages: the Subscribe box, "add to calendar" and sharing ----------------

def subscribe_links(https_url: str, name: str = "") -> dict:
    """The Subscribe box's links: the https address to copy, webcal:// for the calendar app,
    and Google Calendar's and Outlook.com's own "subscribe from web" pages, filled in."""
    webcal = "webcal://" + https_url.split("://", 1)[1] if "://" in https_url else https_url
    outlook = {"url": https_url, **({"name": name} if name else {})}
    return {"https": https_url, "webcal": webcal,
            "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
            "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(outlook)}


def absolute(endpoint: str, **values) -> str:
    base = current_app.config.get("BASE_URL")
    return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


@bp.app_template_global()
def feed_links(endpoint: str, name: str = "", **values) -> dict:
    """`name`: what Outlook.com calls the calendar (else it takes the feed's own)."""
    return subscribe_links(absolute(endpoint, **values), name)


@bp.app_template_global()
def event_calendar_links(event, occurrence, title) -> dict:
    """"Add to my calendar" for the date a page is about: Google Calendar, Outlook.com and the
    event's .ics (a series' holds all its dates: `series` says so); `page`, the date's page,
    is there to share when `public`."""
    page_url = event_page_url(event, occurrence)
    return {**itip.calendar_urls(event, occurrence, page_url, str(title)),
            "ics": url_for("feeds.event", event_id=event.id), "series": event.is_series,
            "page": page_url, "public": is_public(event)}


# Beside the calendar links: the event page's other way to take an event elsewhere.
bp.add_app_template_global(share_urls, "share_links")


@bp.app_template_global()
def list_feed_links(values: dict) -> dict:
    """The public list's filters (not its dates or page) as a feed."""
    kept = {k: v for k, v in values.items() if k in ("network", "group", "kind", "tag", "spoken")}
    return feed_links("feeds.events_feed", **kept)


@bp.app_template_global()
def group_private_feed(group) -> dict | None:
    """The group's private feed links, or None when it has none yet."""
    token = service.token_of(service.secret_of("group", group))
    return feed_links("feeds.group_private", token=token) if token else None


@bp.app_template_global()
def personal_feed(email: str) -> dict | None:
    token = service.token_of(service.secret_of("person", email=email))
    return feed_links("feeds.personal", token=token) if token else None
