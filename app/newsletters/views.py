"""The newsletters pages: composing (the network's coordinators), and the public issue, its PDF
and the archive. Logic lives in service."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..core.extensions import db, limiter
from ..core.formatting import when
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import public, require
from ..core.types import utcnow
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network
from ..events.recurrence import to_local
from ..mail import pdfs
from . import service
from .forms import FORMS, KIND_LABELS, IssueForm
from .models import KINDS, Newsletter, NewsletterBlock
from .service import NewsletterError

bp = Blueprint("newsletters", __name__)

# The public PDF is laid out once per issue and language by the worker (mail/pdfs.py), but each
# request renders its HTML, and a new HTML is a new job: enough for readers, the print shop and
# the waiting page's poll every 2 s, not for one address asking in a loop.
PDF_LIMIT = "60 per minute;300 per hour"


@bp.context_processor
def _labels():
    return {"newsletter_kind_labels": KIND_LABELS}


@bp.app_template_global()
def newsletter_link(network: Network) -> Markup:
    """The line "The newsletter: the latest issue and all past ones" on the network's public page,
    once an issue is published: the directory shows it through this global."""
    latest = service.latest(network)
    if latest is None:
        return Markup("")
    return Markup(render_template("newsletters/_link.html", network=network, latest=latest))


# --- Helpers ------------------------------------------------------------------------------

def _network(slug: str) -> Network:
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    return network


def _issue(slug: str, newsletter_id: int) -> Newsletter:
    network = _network(slug)
    newsletter = service.load(newsletter_id)
    if newsletter is None or newsletter.network_id != network.id:
        abort(404)
    return newsletter


def _block(newsletter: Newsletter, block_id: int) -> NewsletterBlock:
    block = next((b for b in newsletter.blocks if b.id == block_id), None)
    if block is None:
        abort(404)
    return block


def _edit_url(newsletter: Newsletter, anchor: str | None = None) -> str:
    return url_for("newsletters.edit", slug=newsletter.network.slug, newsletter_id=newsletter.id, _anchor=anchor)


def _form(kind: str, network: Network, **kwargs):
    """The kind's form with what it offers to choose from."""
    options = {}
    if kind == "portrait":
        options["organizations"] = service.organizations(network)
    elif kind == "announcements":
        options["announcements"] = service.announcement_choices(network)
    elif kind == "coming":
        options["events"] = service.event_choices(network)
        # A series by its next date, as the newsletter will show it.
        dates = service.coming_dates([e.id for e in options["events"]], utcnow())

        def describe(event):
            date = dates.get(event.id) or service.ComingDate(event, event.starts_at, event.ends_at)
            return f"{event.title} ({when(date.starts_at, date.ends_at, network.timezone, event.all_day)})"
        options["describe"] = describe
    return FORMS[kind](**options, **kwargs)


def _page(newsletter: Newsletter, issue_form=None, error=None, status=200):
    return render("newsletters/edit.html", "newsletters/_blocks.html", network=newsletter.network,
                  newsletter=newsletter, issue_form=issue_form or IssueForm(obj=newsletter), kinds=KINDS,
                  recipients=service.recipient_count(newsletter.network), error=error), status


# --- Composing ------------------------------------------------------------------------------

@bp.route("/n/<slug>/newsletters", methods=["GET", "POST"])
def issues(slug: str):
    network = _network(slug)
    form = IssueForm()
    if form.validate_on_submit():
        newsletter = service.create(network, form.title.data)
        db.session.commit()
        return see_other(_edit_url(newsletter))
    if request.method == "GET":
        form.title.data = service.suggested_title(network, to_local(utcnow(), network.timezone).date())
    return render("newsletters/list.html", network=network, issues=service.issues(network), form=form,
                  can_manage=True), 422 if form.errors else 200


@bp.get("/n/<slug>/newsletters/<int:newsletter_id>")
def edit(slug: str, newsletter_id: int):
    return _page(_issue(slug, newsletter_id))


@bp.post("/n/<slug>/newsletters/<int:newsletter_id>/title")
def rename(slug: str, newsletter_id: int):
    newsletter = _issue(slug, newsletter_id)
    form = IssueForm()
    if not form.validate():
        return _page(newsletter, issue_form=form, status=422)
    newsletter.title = form.title.data.strip()
    db.session.commit()
    return see_other(_edit_url(newsletter))


@bp.route("/n/<slug>/newsletters/<int:newsletter_id>/blocks/new", methods=["GET", "POST"])
def new_block(slug: str, newsletter_id: int):
    newsletter = _issue(slug, newsletter_id)
    kind = request.values.get("kind", "")
    if not kind:  # the kind is chosen on the issue's page
        return redirect(_edit_url(newsletter, "add"))
    if kind not in KINDS:
        abort(404)
    form = _form(kind, newsletter.network)
    if request.method == "GET" and kind == "look_back":
        form.period_start.data, form.period_end.data = service.last_quarter(
            to_local(utcnow(), newsletter.network.timezone).date())
    if request.method == "POST" and form.validate():
        block = service.add_block(newsletter, kind, **_data(form))
        db.session.commit()
        return see_other(_edit_url(newsletter, f"block-{block.id}"))
    return render("newsletters/block.html", network=newsletter.network, newsletter=newsletter, kind=kind,
                  form=form, block=None), 422 if form.errors else 200


@bp.route("/n/<slug>/newsletters/<int:newsletter_id>/blocks/<int:block_id>", methods=["GET", "POST"])
def edit_block(slug: str, newsletter_id: int, block_id: int):
    newsletter = _issue(slug, newsletter_id)
    block = _block(newsletter, block_id)
    form = _form(block.kind, newsletter.network, obj=block)
    if request.method == "POST" and form.validate():
        service.update_block(block, **_data(form))
        db.session.commit()
        return see_other(_edit_url(newsletter, f"block-{block.id}"))
    return render("newsletters/block.html", network=newsletter.network, newsletter=newsletter, kind=block.kind,
                  form=form, block=block), 422 if form.errors else 200


def _data(form) -> dict:
    return {name: form[name].data for name in ("title", "text", "organization_id", "item_ids", "period_start",
                                               "period_end") if name in form}


@bp.post("/n/<slug>/newsletters/<int:newsletter_id>/blocks/<int:block_id>/move")
def move_block(slug: str, newsletter_id: int, block_id: int):
    newsletter = _issue(slug, newsletter_id)
    block = _block(newsletter, block_id)
    service.move(block, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return _blocks_or_page(newsletter, block)


@bp.post("/n/<slug>/newsletters/<int:newsletter_id>/blocks/<int:block_id>/delete")
def delete_block(slug: str, newsletter_id: int, block_id: int):
    newsletter = _issue(slug, newsletter_id)
    service.delete_block(_block(newsletter, block_id))
    db.session.commit()
    return _blocks_or_page(newsletter)


def _blocks_or_page(newsletter: Newsletter, block: NewsletterBlock | None = None):
    """htmx swaps the list of blocks; without JavaScript the edit page loads again."""
    if wants_fragment():
        return _page(newsletter)
    return see_other(_edit_url(newsletter, f"block-{block.id}" if block else "blocks"))


@bp.get("/n/<slug>/newsletters/<int:newsletter_id>/preview")
def preview(slug: str, newsletter_id: int):
    newsletter = _issue(slug, newsletter_id)
    return render("newsletters/issue.html", network=newsletter.network, newsletter=newsletter,
                  content=service.content(newsletter), preview=True)


@bp.get("/n/<slug>/newsletters/<int:newsletter_id>.pdf")
def draft_pdf(slug: str, newsletter_id: int):
    return _pdf(_issue(slug, newsletter_id))


@bp.post("/n/<slug>/newsletters/<int:newsletter_id>/publish")
def publish(slug: str, newsletter_id: int):
    newsletter = _issue(slug, newsletter_id)
    try:
        service.publish(newsletter)
    except NewsletterError as error:
        return _page(newsletter, error=error, status=422)
    db.session.commit()
    flash(_("The newsletter is published."), "success")
    return see_other(_edit_url(newsletter))


@bp.post("/n/<slug>/newsletters/<int:newsletter_id>/send")
def send(slug: str, newsletter_id: int):
    newsletter = _issue(slug, newsletter_id)
    try:
        count = service.send(newsletter)
    except NewsletterError as error:
        db.session.rollback()
        return _page(service.load(newsletter_id), error=error, status=409)
    db.session.commit()
    flash(_("The newsletter is on its way to %(num)d subscribers.", num=count), "success")
    return see_other(_edit_url(newsletter))


# --- Public -----------------------------------------------------------------------------------

def _published(slug: str, number: int) -> Newsletter:
    network = directory.network_or_404(slug)
    found = service.published_issue(network, number)
    if found is None:
        abort(404)
    return service.load(found.id)


@bp.get("/n/<slug>/newsletter")
@public
def archive(slug: str):
    network = directory.network_or_404(slug)
    return render("newsletters/archive.html", network=network, issues=service.published(network))


@bp.get("/n/<slug>/newsletter/<int:number>")
@public
def issue(slug: str, number: int):
    newsletter = _published(slug, number)
    return render("newsletters/issue.html", network=newsletter.network, newsletter=newsletter,
                  content=service.content(newsletter), preview=False)


@bp.get("/n/<slug>/newsletter/<int:number>.pdf")
@public
@limiter.limit(PDF_LIMIT)
def issue_pdf(slug: str, number: int):
    """A published issue never changes: laid out once per language by the worker."""
    newsletter = _published(slug, number)
    return pdfs.respond(service.pdf_html(newsletter), "newsletter", _pdf_name(newsletter), tagged=True)


def _pdf_name(newsletter: Newsletter) -> str:
    return f"{newsletter.network.slug}-newsletter-{newsletter.number}.pdf"


def _pdf(newsletter: Newsletter) -> Response:
    """A draft's PDF, laid out here: it changes with every edit, and only its coordinators ask."""
    return Response(service.pdf(newsletter), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_pdf_name(newsletter)}"'})
