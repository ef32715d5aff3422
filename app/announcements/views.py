"""The coordinators' announcement pages: the list (current, scheduled, past), new, edit,
delete. The public pages, the feed and the attachments are in public.py."""
from datetime import time, timedelta

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.formatting import format_date, format_time, to_local
from ..core.params import allows_upload
from ..core.rendering import render, see_other
from ..core.security import require
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network
from . import service
from .forms import AnnouncementForm, TranslationForm
from .models import Announcement

bp = Blueprint("announcements", __name__)


def _moment(moment, tz: str, end: bool = False) -> str:
    """A day without a time where it is a local midnight (an end then names the day before,
    the last one shown), else the day and the time."""
    local = to_local(moment, tz)
    if local.time() == time():
        return format_date((local - timedelta(days=1)).date() if end else local.date())
    return f"{format_date(local.date())}, {format_time(local.time())}"


@bp.app_template_global()
def announcement_window(announcement: Announcement) -> str:
    """When it shows, as the form took it: "3 Mar 2026 to 31 Mar 2026", "from 3 Mar 2026, 14:00"."""
    tz = announcement.network.timezone
    start = _moment(announcement.shows_from, tz)
    if announcement.shows_until is None:
        return _("from %(start)s, no end", start=start)
    return _("%(start)s to %(end)s", start=start, end=_moment(announcement.shows_until, tz, end=True))


def _network(slug: str) -> Network:
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    return network


def _announcement(slug: str, announcement_id: int) -> tuple[Network, Announcement]:
    network = _network(slug)
    announcement = db.get_or_404(Announcement, announcement_id)
    if announcement.network_id != network.id:
        abort(404)
    return network, announcement


@bp.get("/n/<slug>/announcements")
def index(slug: str):
    network = _network(slug)
    return render("announcements/index.html", network=network, overview=service.overview(network),
                  can_manage=True)


def _form_page(network: Network, form: AnnouncementForm, announcement: Announcement):
    """Save a valid form, else show it (again, with the messages next to the fields)."""
    if form.validate_on_submit():
        try:
            service.save(announcement, upload=form.upload, remove_attachment=form.remove_attachment.data,
                         **form.fields(network.timezone))
        except service.AnnouncementError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(url_for(".index", slug=network.slug))
    return render("announcements/form.html", network=network, form=form, announcement=announcement,
                  can_manage=True), 422 if form.errors else 200


@bp.route("/n/<slug>/announcements/new", methods=["GET", "POST"])
@allows_upload(service.MAX_UPLOAD)  # a phone photo or a flyer is more than other forms may send
def new(slug: str):
    network = _network(slug)
    form = AnnouncementForm()
    if request.method == "GET":
        form.from_date.data = service.local_today(network)
    return _form_page(network, form, Announcement(network_id=network.id, created_by_id=current_user.id))


@bp.route("/n/<slug>/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
@allows_upload(service.MAX_UPLOAD)
def edit(slug: str, announcement_id: int):
    network, announcement = _announcement(slug, announcement_id)
    form = AnnouncementForm()
    form.has_picture = announcement.picture_hash is not None
    if request.method == "GET":
        form.fill(announcement, network.timezone)
    return _form_page(network, form, announcement)


@bp.route("/n/<slug>/announcements/<int:announcement_id>/delete", methods=["GET", "POST"])
def delete(slug: str, announcement_id: int):
    """Asks first (GET); the POST with its CSRF token deletes."""
    network, announcement = _announcement(slug, announcement_id)
    if request.method == "POST":
        service.delete(announcement)
        db.session.commit()
        flash(_("The announcement was deleted."), "success")
        return see_other(url_for(".index", slug=network.slug))
    return render("announcements/delete.html", network=network, announcement=announcement, can_manage=True)


@bp.route("/n/<slug>/announcements/<int:announcement_id>/translations", methods=["GET", "POST"])
def translations(slug: str, announcement_id: int):
    """The title and text in other languages, one language at a time (`?language=`)."""
    network, announcement = _announcement(slug, announcement_id)
    languages = [code for code in current_app.config["LANGUAGES"] if code != announcement.text_language]
    requested = request.args.get("language") or languages[0]
    if requested not in languages:  # its own language, or one the site does not offer
        abort(404)
    language = requested
    form = TranslationForm()
    if form.validate_on_submit():
        service.set_translation(announcement, language, form.title.data or "", form.text.data or "")
        db.session.commit()
        flash(_("Saved."), "success")
        return see_other(url_for(".translations", slug=slug, announcement_id=announcement.id, language=language))
    if request.method == "GET":
        texts = (announcement.translations or {}).get(language, {})
        form.title.data, form.text.data = texts.get("title", ""), texts.get("text", "")
    return render("announcements/translations.html", network=network, announcement=announcement, form=form,
                  languages=languages, language=language, can_manage=True), 422 if form.errors else 200


from . import public  # noqa: E402,F401  (registers the public pages on bp)
