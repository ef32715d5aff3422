"""What the public sees of announcements: a box on the network's page and the home page (a
template global, so that those pages never import this package), the list of those showing
now, one announcement's page, its picture and PDF, and the Atom feed."""
import io
import textwrap

from flask import abort, make_response, render_template, request, send_file
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..core.extensions import db
from ..core.markdown import to_text
from ..core.security import public
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network
from ..events.picture_views import sources, variant_response
from . import feed as atom_feed, service
from .models import Announcement
from .views import bp

SUMMARY_LENGTH = 220


@bp.app_template_global()
def announcements_box(network: Network | None = None) -> Markup:
    """The few announcements showing now (of one network, or of all on the home page), newest
    first, with a link to the network's full list: one query."""
    shown = service.shown(network, limit=service.BOX_LIMIT)
    return Markup(render_template("announcements/_box.html", network=network, announcements=shown))


@bp.app_template_global()
def announcement_picture(announcement: Announcement) -> dict | None:
    """What an <img> of the announcement's picture needs, or None."""
    if announcement.picture is None:
        return None
    return sources(announcement.picture, announcement.picture_alt, "announcements.picture",
                   slug=announcement.network.slug, announcement_id=announcement.id)


@bp.app_template_global()
def announcement_summary(text: str) -> str:
    """The start of the text as plain text, for lists."""
    return textwrap.shorten(to_text(text), SUMMARY_LENGTH, placeholder=" …")


def _visible(slug: str, announcement_id: int) -> Announcement:
    """An announcement showing now; its network's coordinators see the others too (a preview)."""
    announcement = db.get_or_404(Announcement, announcement_id)
    if announcement.network.slug != slug:
        abort(404)
    if not service.is_shown(announcement) and not (
            current_user.is_authenticated and access.can_manage_network(current_user, announcement.network)):
        abort(404)
    return announcement


@bp.get("/n/<slug>/news")
@public
def news(slug: str):
    network = directory.network_or_404(slug)
    return render_template("announcements/news.html", network=network,
                           announcements=service.shown(network, limit=service.PUBLIC_LIMIT))


@bp.get("/n/<slug>/news/<int:announcement_id>")
@public
def entry(slug: str, announcement_id: int):
    announcement = _visible(slug, announcement_id)
    return render_template("announcements/entry.html", network=announcement.network, announcement=announcement,
                           preview=not service.is_shown(announcement))


@bp.get("/n/<slug>/news/<int:announcement_id>/document.pdf")
@public
def document(slug: str, announcement_id: int):
    announcement = _visible(slug, announcement_id)
    if not announcement.has_document:
        abort(404)
    response = send_file(io.BytesIO(announcement.document), mimetype="application/pdf", as_attachment=True,
                         download_name=announcement.document_name, etag=False)
    response.set_etag(f"{announcement.id}-{announcement.updated_at.timestamp()}")
    return response.make_conditional(request)


@bp.get("/n/<slug>/news/<int:announcement_id>/picture/<digest>-<int:width>.webp")
@public
def picture(slug: str, announcement_id: int, digest: str, width: int):
    announcement = _visible(slug, announcement_id)
    if announcement.picture_hash != digest:
        abort(404)
    return variant_response(digest, width, shared=service.is_shown(announcement))


@bp.get("/n/<slug>/announcements.atom")
@public
def feed(slug: str):
    network = directory.network_or_404(slug)
    shown = service.shown(network, limit=service.PUBLIC_LIMIT)
    response = make_response(atom_feed.atom(network, shown, _("Announcements: %(network)s", network=network.name)))
    response.mimetype = "application/atom+xml"
    response.set_etag(atom_feed.etag(network, shown, str(get_locale())))
    response.last_modified = atom_feed.last_change(network, shown)
    # As the calendar feeds: the titles and texts follow the reader's language (feeds/views.py).
    response.headers["Cache-Control"] = "public, max-age=300, must-revalidate"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response.make_conditional(request)
