"""The coordinator's campaign pages: the network's programmes, a campaign's settings and home
(counts, the submission link, publishing, the links to share), its categories and partners, and
the export for the newspaper. Coordinators of the campaign's network only."""
from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import func, select

from ...core.extensions import db
from ...core.rendering import render, see_other, wants_fragment
from ...core.security import require
from ...core.types import utcnow
from ...core.urls import absolute_url
from ...directory import access
from ...directory import service as directory
from ...directory.logo import MAX_LOGO_BYTES, check_logo
from ...directory.service import DirectoryError
from ...events import recurrence
from .. import export as exporting, review, service
from ..forms import MAX_CATEGORY_NAME, CampaignForm, CategoryForm, PartnerForm
from ..labels import category_label
from ..models import SUBMISSION_STATUSES, Campaign, Category, Partner, Submission
from ..service import ProgrammeError
from . import bp, managed_campaign

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _managed_network(slug: str):
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    return network


# --- The network's programmes -------------------------------------------------------------

@bp.get("/n/<slug>/programmes")
def campaigns(slug: str):
    network = _managed_network(slug)
    found = service.campaigns_of(network)
    return render_template("programmes/campaigns.html", network=network, can_manage=True,
                           campaigns=[(c, service.status_counts(c)) for c in found])


@bp.route("/n/<slug>/programmes/new", methods=["GET", "POST"])
def new_campaign(slug: str):
    network = _managed_network(slug)
    form = CampaignForm()
    if request.method == "GET":
        form.suggest(recurrence.to_local(utcnow(), network.timezone).date(), current_user.email)
    return _campaign_form(
        form, network, None, url_for("programmes.new_campaign", slug=slug),
        save=lambda **fields: service.create_campaign(network, **fields),
        done=_("The programme was created. Share the submission link below with the organizers."))


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    return _campaign_form(
        CampaignForm(obj=campaign), campaign.network, campaign,
        url_for("programmes.edit_campaign", campaign_id=campaign.id),
        save=lambda **fields: service.update_campaign(campaign, **fields), done=_("Saved."))


def _campaign_form(form: CampaignForm, network, campaign: Campaign | None, action: str, save, done: str):
    """Validate and save (nothing is saved when anything is wrong), or show the form again."""
    if form.validate_on_submit():
        try:
            saved = save(**form.campaign_fields())
        except ProgrammeError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return see_other(url_for("programmes.campaign", campaign_id=saved.id))
    status = 422 if any(f.errors for f in form) else 200
    return render("programmes/campaign_form.html", "programmes/_campaign_form.html", form=form,
                  network=network, campaign=campaign, action=action), status


def _refused(form, error: ProgrammeError) -> None:
    db.session.rollback()
    getattr(form, error.field).errors.append(str(error))


# --- A campaign's home ---------------------------------------------------------------------

@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    counts = service.status_counts(campaign)
    return render_template(
        "programmes/campaign.html", campaign=campaign, network=campaign.network,
        counts=[(status, counts.get(status, 0)) for status in SUBMISSION_STATUSES], total=sum(counts.values()),
        accepting=service.accepting_submissions(campaign), today=service.local_today(campaign),
        submit_url=absolute_url("programmes.submit", slug=campaign.slug, token=campaign.submission_key),
        programme_url=absolute_url("programmes.programme", slug=campaign.slug),
        embed_snippet=embed_snippet(campaign))


def embed_snippet(campaign: Campaign) -> str:
    """The HTML partners paste into their websites (escaped here once, shown as text)."""
    src = absolute_url("programmes.embed", slug=campaign.slug)
    return (f'<iframe src="{escape(src)}" title="{escape(campaign.title)}" width="100%" height="800" '
            f'loading="lazy"></iframe>')


@bp.post("/campaigns/<int:campaign_id>/link")
def renew_link(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    service.renew_submission_key(campaign)
    db.session.commit()
    flash(_("There is a new submission link. The old one no longer works."), "success")
    return see_other(url_for("programmes.campaign", campaign_id=campaign.id, _anchor="submission-link"))


@bp.post("/campaigns/<int:campaign_id>/publish")
def publish(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    count = review.publish(campaign)
    db.session.commit()
    flash(ngettext("The programme is public. %(num)d event was published with it.",
                   "The programme is public. %(num)d events were published with it.", count), "success")
    return see_other(url_for("programmes.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/unpublish")
def unpublish(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    review.unpublish(campaign)
    db.session.commit()
    flash(_("The programme page is hidden again. Its events stay public: people may have registered."), "success")
    return see_other(url_for("programmes.campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/export.<fmt>")
def export(campaign_id: int, fmt: str):
    campaign = managed_campaign(campaign_id)
    if fmt not in EXPORT_TYPES:
        abort(404)
    data = exporting.as_csv(campaign) if fmt == "csv" else exporting.as_xlsx(campaign)
    return Response(data, mimetype=EXPORT_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{campaign.slug}.{fmt}"'})


# --- Categories ------------------------------------------------------------------------------

def _own(campaign: Campaign, model, row_id: int):
    """A category or partner of this campaign; 404 for anyone else's."""
    row = db.session.get(model, row_id)
    if row is None or row.campaign_id != campaign.id:
        abort(404)
    return row


def _category_usage(campaign: Campaign) -> dict[int, int]:
    """Submissions per category, in one query (a used category cannot be removed)."""
    return dict(db.session.execute(
        select(Submission.category_id, func.count()).where(Submission.campaign_id == campaign.id,
                                                           Submission.category_id.is_not(None))
        .group_by(Submission.category_id)).all())


def _categories_page(campaign: Campaign, form: CategoryForm | None = None, status: int = 200,
                     row_errors: dict | None = None, message: str = ""):
    return render("programmes/campaign_categories.html", "programmes/_categories.html", campaign=campaign,
                  network=campaign.network, form=form or CategoryForm(formdata=None),
                  usage=_category_usage(campaign), row_errors=row_errors or {}, message=message,
                  announce=wants_fragment()), status


def _changed(campaign: Campaign, message: str, endpoint: str, part):
    """Saved: htmx gets the part again (a fresh form, the message announced), a plain form the
    page after a redirect."""
    db.session.commit()
    if wants_fragment():
        return part(campaign, message=message)
    flash(message, "success")
    return see_other(url_for(endpoint, campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/categories", methods=["GET", "POST"])
def categories(campaign_id: int):
    campaign = managed_campaign(campaign_id)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = service.add_category(campaign, form.name.data)
        except ProgrammeError as error:
            _refused(form, error)
        else:
            return _changed(campaign, _("%(name)s added.", name=category.name), "programmes.categories",
                            _categories_page)
    return _categories_page(campaign, form, 422 if form.errors else 200)


@bp.post("/campaigns/<int:campaign_id>/categories/<int:category_id>")
def category(campaign_id: int, category_id: int):
    """Rename, remove (only while unused) or move one place up or down."""
    campaign = managed_campaign(campaign_id)
    category = _own(campaign, Category, category_id)
    action, name = request.form.get("action"), category_label(category)
    try:
        if action == "rename":
            new_name = request.form.get("name", "")
            if len(new_name) > MAX_CATEGORY_NAME:
                raise ProgrammeError(_("The name can have at most %(max)d characters.", max=MAX_CATEGORY_NAME))
            if " ".join(new_name.split()) == name:  # unchanged: a built-in one stays translated
                message = _("Nothing was changed.")
            else:
                service.rename_category(category, new_name)
                message = _("%(old)s renamed to %(new)s.", old=name, new=category.name)
        elif action == "remove":
            service.remove_category(category)
            message = _("%(name)s removed.", name=name)
        elif action in ("up", "down"):
            _move(campaign, category, -1 if action == "up" else 1)
            message = _("%(name)s moved.", name=name)
        else:
            abort(400)
    except ProgrammeError as error:
        db.session.rollback()
        return _categories_page(campaign, status=422, row_errors={category_id: str(error)})
    return _changed(campaign, message, "programmes.categories", _categories_page)


def _move(campaign: Campaign, category: Category, step: int) -> None:
    """One place up or down; the positions are numbered afresh."""
    ordered = list(campaign.categories)
    index = ordered.index(category)
    if 0 <= index + step < len(ordered):
        ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position


# --- Partners --------------------------------------------------------------------------------

def _partners_page(campaign: Campaign, form: PartnerForm | None = None, status: int = 200, logo_error: str = "",
                   message: str = ""):
    return render("programmes/campaign_partners.html", "programmes/_partners.html", campaign=campaign,
                  network=campaign.network, form=form or PartnerForm(formdata=None), logo_error=logo_error,
                  message=message, announce=wants_fragment()), status


@bp.route("/campaigns/<int:campaign_id>/partners", methods=["GET", "POST"])
def partners(campaign_id: int):
    """The partners with their logos (PNG or JPEG, checked by the bytes like the network's logo)."""
    campaign = managed_campaign(campaign_id)
    form = PartnerForm()
    if not form.validate_on_submit():
        return _partners_page(campaign, form, 422 if form.errors else 200)
    upload = request.files.get("logo")
    data = upload.read(MAX_LOGO_BYTES + 1) if upload and upload.filename else b""  # one byte more tells "too big"
    try:
        logo_type = check_logo(data) if data else ""
    except DirectoryError as error:
        return _partners_page(campaign, form, 422, logo_error=str(error))
    name = " ".join(form.name.data.split())
    campaign.partners.append(Partner(name=name, website=(form.website.data or "").strip(), logo=data or None,
                                     logo_type=logo_type, position=len(campaign.partners)))
    return _changed(campaign, _("%(name)s added.", name=name), "programmes.partners", _partners_page)


@bp.post("/campaigns/<int:campaign_id>/partners/<int:partner_id>")
def partner(campaign_id: int, partner_id: int):
    campaign = managed_campaign(campaign_id)
    partner = _own(campaign, Partner, partner_id)
    if request.form.get("action") != "remove":
        abort(400)
    db.session.delete(partner)
    return _changed(campaign, _("%(name)s removed.", name=partner.name), "programmes.partners", _partners_page)
