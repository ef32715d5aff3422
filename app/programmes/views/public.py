"""The published programme for everyone: the page with its filters (htmx swaps only the
results), the embed for partners' websites, the PDF booklet and the partners' logos.

An unpublished programme answers 404, except to the coordinators of its network, who see a
preview of the page and the booklet (never of the embed: it lives on other sites).

Queries: the campaign (with its network), its categories, the entries with their events and
registration settings, the partners; the filters run over the loaded entries, so the page
costs the same whatever is chosen and however many entries there are.
"""
import threading
from collections import OrderedDict
from datetime import date, timedelta

from flask import abort, current_app, make_response, request, url_for
from flask_babel import get_locale, ngettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer

from ...core.extensions import db, talisman
from ...core.formatting import format_skeleton
from ...core.rendering import render, wants_fragment
from ...core.security import public
from ...directory import access
from ...events.labels import LANGUAGE_LABELS
from ...events.public import time_range
from ...events.service import id_param
from ...registrations import availability
from .. import booklet, booklet_builds, listing
from ..labels import TARGET_GROUP_LABELS, category_label
from ..models import Campaign, Partner, Submission
from . import bp

# Only PNG and JPEG are ever stored (directory/logo.py checks the bytes).
LOGO_TYPES = ("image/png", "image/jpeg")


def _campaign(slug: str, preview_allowed: bool = True, *options) -> tuple[Campaign, bool]:
    """The campaign (loaded with `options`) and whether this is a coordinator's preview of an
    unpublished one; 404 for anyone else (an unpublished programme's existence is not told)."""
    campaign = db.session.scalar(select(Campaign).options(*options).where(Campaign.slug == slug[:80]))
    if campaign is None:
        abort(404)
    if campaign.status == "published":
        return campaign, False
    if preview_allowed and current_user.is_authenticated and access.can_manage_network(current_user, campaign.network):
        return campaign, True
    abort(404)


def parse_filters(args, campaign: Campaign, choices: listing.Choices) -> tuple[listing.Filters, dict]:
    """The GET parameters as Filters and the valid values (for the form and links); whatever
    the programme does not offer is ignored."""
    filters, values = listing.Filters(), {}
    try:
        day = date.fromisoformat((args.get("day") or "").strip()[:10])
    except ValueError:
        day = None
    if day in choices.days:
        filters.day, values["day"] = day, day.isoformat()
    category_id = id_param(args.get("category"))
    if category_id and any(c.id == category_id for c in campaign.categories):
        filters.category_id = values["category"] = category_id
    for name, attribute, offered in (("spoken", "language", choices.languages),
                                     ("district", "district", choices.districts),
                                     ("group", "target_group", choices.target_groups)):
        value = (args.get(name) or "").strip()
        if value and value in offered:
            setattr(filters, attribute, value)
            values[name] = value
    for name, attribute in (("step_free", "step_free"), ("free", "free")):
        if args.get(name) == "1":
            setattr(filters, attribute, True)
            values[name] = "1"
    return filters, values


def entry_time(entry: listing.Entry) -> str:
    return time_range(entry.occurrence)


# Rendered entries of the page, the embed and the htmx list, by everything one shows: a page
# has dozens, rendering them was a third of its time, and an entry changes only with its event,
# its submission, its category's name, the language or whether registration is open. Bounded
# (a few megabytes): a programme's entries in the languages read, in and out of the frame.
_ENTRIES_KEPT = 2048
_rendered: OrderedDict = OrderedDict()
_rendered_lock = threading.Lock()


@pass_context
def programme_entry(context, entry: listing.Entry) -> Markup:
    """The entry as programmes/_programme_entry.html renders it in the list's context."""
    s, e = entry.submission, entry.event
    mark = context["marks"].get((e.id, e.starts_at))
    title = e.text("title")
    # Every value the template reads (url_for: the event's id and the script root).
    key = (str(get_locale()), request.script_root, context["embed"], mark,
           s.category is not None, context["category_names"].get(s.category_id),
           e.id, e.status, title.text, title.lang, e.starts_at, e.ends_at, e.timezone, e.all_day, e.cancel_reason,
           e.kind_id, e.network.timezone, e.online_url, e.venue_name, e.venue_address, s.organization_name, s.district,
           s.step_free, s.accessibility, s.languages, s.target_groups, s.registration_required, s.is_free, s.fee)
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    template = context.environment.get_template("programmes/_programme_entry.html")
    html = Markup(template.render(context.get_all(), entry=entry, mark=mark))
    with _rendered_lock:
        _rendered[key] = html
        while len(_rendered) > _ENTRIES_KEPT:
            _rendered.popitem(last=False)
    return html


def day_label(day: date) -> str:
    """A short day for the filter, e.g. "Monday, 21 September" / "Montag, 21. September"."""
    return format_skeleton("MMMMEEEEd", day)


def _context(campaign: Campaign, preview: bool) -> dict:
    found = listing.entries(campaign, preview=preview)
    choices = listing.choices(found)
    filters, values = parse_filters(request.args, campaign, choices)
    shown = [entry for entry in found if listing.matches(entry, filters)]
    marks = availability.of([entry.occurrence for entry in shown])
    used = {entry.submission.category_id for entry in found}
    count = ngettext("%(num)d event", "%(num)d events", len(shown))
    if filters.active:
        count = ngettext("%(shown)d of %(num)d event", "%(shown)d of %(num)d events", len(found),
                         shown=len(shown))
    return {
        "campaign": campaign,
        "network": campaign.network,
        "preview": preview,
        "days": listing.by_day(shown),
        "count": count,
        "total": len(found),
        "choices": choices,
        "categories": [c for c in campaign.categories if c.id in used],
        "values": values,
        "oob": wants_fragment(),
        "tz": campaign.network.timezone,
        # Translated once per page, not once per entry.
        "language_names": {code: str(label) for code, label in LANGUAGE_LABELS.items()},
        "group_names": {code: str(label) for code, label in TARGET_GROUP_LABELS.items()},
        "category_names": {c.id: category_label(c) for c in campaign.categories},
        "entry_time": entry_time,
        "day_label": day_label,
        "programme_entry": programme_entry,
        "marks": marks,
    }


# --- The pages --------------------------------------------------------------------

@bp.get("/programmes/<slug>")
@public
def programme(slug: str):
    campaign, preview = _campaign(slug, True, booklet_builds.with_stale(str(get_locale())))
    return render("programmes/programme.html", "programmes/_programme_list.html", embed=False,
                  booklet_stale=not preview and campaign.booklet_stale, **_context(campaign, preview))


def _frame_ancestors_policy() -> str:
    """The app's CSP with frame-ancestors opened for the embed: any site may frame it, unless
    EMBED_FRAME_ANCESTORS names the ones that may (e.g. "https://www.magdeburg.de")."""
    policy = dict(talisman.content_security_policy)
    policy["frame-ancestors"] = current_app.config["EMBED_FRAME_ANCESTORS"] or "*"
    return "; ".join(f"{name} {value if isinstance(value, str) else ' '.join(value)}"
                     for name, value in policy.items())


@bp.get("/programmes/<slug>/embed")
@public
# The one framable page: no X-Frame-Options, and its own CSP header (set below) in place of
# the app's frame-ancestors 'none'.
@talisman(frame_options=None, content_security_policy=None)
def embed(slug: str):
    campaign, _preview = _campaign(slug, preview_allowed=False)
    response = make_response(render("programmes/embed.html", "programmes/_programme_list.html", embed=True,
                                    **_context(campaign, False)))
    response.headers["Content-Security-Policy"] = _frame_ancestors_policy()
    return response


@bp.get("/programmes/<slug>/booklet.pdf", endpoint="booklet")
@public
def booklet_pdf(slug: str):
    """The stored booklet (booklet_builds.py), stale or not, with its hash as the ETag; built
    here only when no copy exists yet. The coordinator's preview is built each time."""
    campaign, preview = _campaign(slug)
    if preview:
        response = make_response(booklet.build(campaign, preview=True))
        response.headers["Cache-Control"] = "private, no-store"
    else:
        data, digest = booklet_builds.copy_for(campaign, str(get_locale()), request.if_none_match)
        response = make_response(data or b"")  # no data: the reader has it, 304 below
        response.set_etag(digest)
        response.headers["Cache-Control"] = "public, max-age=300"
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{booklet.filename(campaign)}"'
    return response.make_conditional(request)


@bp.get("/programmes/<slug>/partners/<int:partner_id>/logo")
@public
def partner_logo(slug: str, partner_id: int):
    campaign, preview = _campaign(slug)
    partner = db.session.scalar(select(Partner).options(undefer(Partner.logo)).where(
        Partner.id == partner_id, Partner.campaign_id == campaign.id))
    if partner is None or not partner.logo or partner.logo_type not in LOGO_TYPES:
        abort(404)
    response = make_response(partner.logo)
    response.mimetype = partner.logo_type
    response.headers["Cache-Control"] = "private, max-age=300" if preview else "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)


# --- For the home and network pages -------------------------------------------------

@bp.app_template_global()
def current_programmes(network=None) -> list[Campaign]:
    """Published programmes not yet over (in their network's zone, give or take a day), soonest
    first: what the home and network pages put up front. One query."""
    statement = select(Campaign).where(Campaign.status == "published",
                                       Campaign.ends_on >= date.today() - timedelta(days=1))
    if network is not None:
        statement = statement.where(Campaign.network_id == network.id)
    return db.session.scalars(statement.options(joinedload(Campaign.network))
                              .order_by(Campaign.starts_on, Campaign.id).limit(4)).all()


# --- For the event page ---------------------------------------------------------------

@bp.app_template_global()
def programme_of(event) -> dict | None:
    """{"title", "url"} of the published programme the event is part of, else None (one query)."""
    row = db.session.execute(
        select(Campaign.slug, Campaign.title).join(Submission, Submission.campaign_id == Campaign.id)
        .where(Submission.event_id == event.id, Campaign.status == "published").limit(1)).first()
    return {"title": row.title, "url": url_for("programmes.programme", slug=row.slug)} if row else None
