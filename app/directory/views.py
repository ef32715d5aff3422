from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..core.extensions import db
from ..core.params import db_int
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import admin_required, public, require
from .forms import ORGANIZATION_KIND_LABELS, NetworkForm, OrganizationForm, PersonForm, WorkingGroupForm
from .models import Network, Organization, Person, WorkingGroup
from . import access, logo as logo_service
from . import service
from .service import DirectoryError

bp = Blueprint("directory", __name__)


def _network(slug: str, manage: bool = False) -> Network:
    network = service.network_or_404(slug)
    allowed = access.can_manage_network if manage else access.can_view_network
    require(allowed(current_user, network))
    return network


def _member(network: Network, org_id: int) -> Organization:
    organization = db.get_or_404(Organization, org_id)
    if not service.is_member(network, organization):
        require(False)
    return organization


def _group(network: Network, group_id: int, manage: bool = False) -> WorkingGroup:
    group = db.get_or_404(WorkingGroup, group_id)
    require(group.network_id == network.id)
    if manage:
        require(access.can_manage_group(current_user, group))
    return group


def _field_error(form, error: DirectoryError) -> None:
    getattr(form, error.field).errors.append(str(error))


def _fields(form, names) -> dict:
    return {name: getattr(form, name).data for name in names}


# --- Networks ---------------------------------------------------------------------

@bp.get("/networks")
def networks():
    visible = db.session.scalars(access.visible_networks_query(current_user)).all()
    return render_template("directory/networks.html", networks=visible, form=NetworkForm())


@bp.post("/networks")
@admin_required
def create_network():
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = service.create_network(form.name.data, form.slug.data, form.description.data)
        except DirectoryError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Network created."), "success")
            return see_other(url_for("directory.network", slug=network.slug))
    visible = db.session.scalars(access.visible_networks_query(current_user)).all()
    return render_template("directory/networks.html", networks=visible, form=form), 422


@bp.app_template_global()
def public_networks() -> list[Network]:
    """Every network, by name, for the home page: each has a public page."""
    return db.session.scalars(select(Network).order_by(Network.name)).all()


@bp.get("/n/<slug>")
@public
def network(slug: str):
    """The network's page: its organizers' overview for those who work in it, and the public
    page (who they are, groups, contact, events, programmes) for everyone else."""
    network = service.network_or_404(slug)
    if not (current_user.is_authenticated and access.can_view_network(current_user, network)) \
            or request.args.get("view") == "public":
        return render_template("directory/public_network.html", network=network, groups=service.group_tree(network))
    return render_template(
        "directory/network.html", network=network, groups=service.group_tree(network),
        can_manage=access.can_manage_network(current_user, network),
        member_count=service.member_count(network),
    )


@bp.route("/n/<slug>/edit", methods=["GET", "POST"])
def edit_network(slug: str):
    network = _network(slug, manage=True)
    form = NetworkForm(obj=network)
    del form.slug  # web addresses stay stable once shared
    if form.validate_on_submit():
        network.name = form.name.data.strip()
        for name in ("description", "contact_name", "contact_email", "contact_phone", "website"):
            setattr(network, name, (getattr(form, name).data or "").strip())
        db.session.commit()
        flash(_("Saved."), "success")
        return see_other(url_for("directory.network", slug=network.slug))
    return render_template("directory/network_edit.html", network=network, form=form), (422 if form.errors else 200)


# --- Organizations ----------------------------------------------------------------

def _organization_list_context(network: Network) -> dict:
    query = request.args.get("q", "")
    kind = request.args.get("kind", "")
    if kind not in ORGANIZATION_KIND_LABELS:
        kind = ""
    return {
        "network": network,
        "rows": service.organizations_page(network, query, kind),
        "query": query,
        "kind": kind,
        "kind_labels": ORGANIZATION_KIND_LABELS,
        "can_manage": access.can_manage_network(current_user, network),
    }


@bp.get("/n/<slug>/organizations")
def organizations(slug: str):
    network = _network(slug)
    return render("directory/organizations.html", "directory/_organization_list.html",
                  form=OrganizationForm(formdata=None), **_organization_list_context(network))


@bp.route("/n/<slug>/organizations/new", methods=["GET", "POST"])
def new_organization(slug: str):
    network = _network(slug, manage=True)
    form = OrganizationForm()
    existing = None
    if form.validate_on_submit():
        try:
            organization = service.create_organization(
                network, form.name.data, **_fields(form, service.ORGANIZATION_FIELDS))
        except DirectoryError as error:
            _field_error(form, error)
            existing = error.existing
        else:
            db.session.commit()
            flash(_("%(name)s added.", name=organization.name), "success")
            if wants_fragment():
                # Inline create: a fresh form, and the list refreshed out of band.
                return render_template("directory/_organization_created.html", organization=organization,
                                       form=OrganizationForm(formdata=None), **_organization_list_context(network))
            return redirect(url_for("directory.organization", slug=slug, org_id=organization.id), code=303)
    status = 422 if form.errors else 200
    return render("directory/organization_new.html", "directory/_organization_form.html",
                  network=network, form=form, existing=existing,
                  action=url_for("directory.new_organization", slug=slug)), status


@bp.post("/n/<slug>/organizations/add-existing")
def add_existing_organization(slug: str):
    network = _network(slug, manage=True)
    organization = db.get_or_404(Organization, request.form.get("organization_id", 0, type=db_int))
    # Only organizations the user can already see in one of their networks.
    require(any(access.can_view_network(current_user, n) for n in service.networks_of(organization)))
    service.add_member(network, organization)
    db.session.commit()
    flash(_("%(name)s added.", name=organization.name), "success")
    return see_other(url_for("directory.organization", slug=slug, org_id=organization.id))


@bp.get("/n/<slug>/organizations/<int:org_id>")
def organization(slug: str, org_id: int):
    network = _network(slug)
    # For htmx (leaving the inline edit) just the details card.
    return _organization_page(network, _member(network, org_id), PersonForm(formdata=None),
                              fragment="directory/_organization_info.html")


def _organization_page(network: Network, organization: Organization, person_form: PersonForm, status=200,
                       fragment="directory/_contacts.html"):
    """The organization's page; for htmx only the part that changed (by default its contacts)."""
    return render(
        "directory/organization.html", fragment,
        network=network, organization=organization, groups=service.groups_of(network, organization),
        other_networks=[n for n in service.networks_of(organization) if n.id != network.id],
        can_manage=access.can_manage_network(current_user, network),
        kind_labels=ORGANIZATION_KIND_LABELS, person_form=person_form,
    ), status


@bp.route("/n/<slug>/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organization(slug: str, org_id: int):
    network = _network(slug, manage=True)
    organization = _member(network, org_id)
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        try:
            service.update_organization(organization, form.name.data, **_fields(form, service.ORGANIZATION_FIELDS))
        except DirectoryError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            if wants_fragment():
                return render_template("directory/_organization_info.html", network=network,
                                       organization=organization, can_manage=True,
                                       kind_labels=ORGANIZATION_KIND_LABELS)
            flash(_("Saved."), "success")
            return redirect(url_for("directory.organization", slug=slug, org_id=org_id), code=303)
    status = 422 if form.errors else 200
    return render("directory/organization_edit.html", "directory/_organization_form.html",
                  network=network, organization=organization, form=form,
                  action=url_for("directory.edit_organization", slug=slug, org_id=org_id),
                  cancel_url=url_for("directory.organization", slug=slug, org_id=org_id)), status


@bp.post("/n/<slug>/organizations/<int:org_id>/remove")
def remove_organization(slug: str, org_id: int):
    network = _network(slug, manage=True)
    organization = _member(network, org_id)
    service.remove_member(network, organization)
    db.session.commit()
    flash(_("%(name)s is no longer a member of this network.", name=organization.name), "success")
    return see_other(url_for("directory.organizations", slug=slug))


# --- Contact people ---------------------------------------------------------------

@bp.post("/n/<slug>/organizations/<int:org_id>/contacts")
def add_contact(slug: str, org_id: int):
    network = _network(slug, manage=True)
    organization = _member(network, org_id)
    form = PersonForm()
    if not form.validate_on_submit():
        return _organization_page(network, organization, form, 422)
    service.save_person(organization, None, **_fields(form, service.PERSON_FIELDS))
    db.session.commit()
    if wants_fragment():
        return _organization_page(network, organization, PersonForm(formdata=None))
    flash(_("Contact person added."), "success")
    return redirect(url_for("directory.organization", slug=slug, org_id=org_id), code=303)


def _contact(network: Network, person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    _member(network, person.organization_id)
    return person


@bp.route("/n/<slug>/contacts/<int:person_id>/edit", methods=["GET", "POST"])
def edit_contact(slug: str, person_id: int):
    network = _network(slug, manage=True)
    person = _contact(network, person_id)
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        service.save_person(person.organization, person, **_fields(form, service.PERSON_FIELDS))
        db.session.commit()
        if wants_fragment():
            return render_template("directory/_contact_row.html", network=network, person=person, can_manage=True)
        flash(_("Saved."), "success")
        return redirect(url_for("directory.organization", slug=slug, org_id=person.organization_id), code=303)
    status = 422 if form.errors else 200
    return render("directory/contact_edit.html", "directory/_contact_form.html",
                  network=network, person=person, form=form), status


@bp.post("/n/<slug>/contacts/<int:person_id>/delete")
def delete_contact(slug: str, person_id: int):
    network = _network(slug, manage=True)
    person = _contact(network, person_id)
    org_id = person.organization_id
    db.session.delete(person)
    db.session.commit()
    if wants_fragment():
        return ""  # the row disappears
    flash(_("Contact person removed."), "success")
    return redirect(url_for("directory.organization", slug=slug, org_id=org_id), code=303)


# --- Working groups ---------------------------------------------------------------

def _group_form(network: Network, group: WorkingGroup | None = None) -> WorkingGroupForm:
    form = WorkingGroupForm(obj=group)
    form.set_parent_choices(network.working_groups, exclude=group)
    if group is not None and request.method == "GET":
        form.parent_id.data = group.parent_id or 0
    return form


@bp.route("/n/<slug>/groups/new", methods=["GET", "POST"])
def new_group(slug: str):
    return _group_form_page(_network(slug, manage=True), None)


@bp.get("/n/<slug>/groups/<int:group_id>")
def group(slug: str, group_id: int):
    network = _network(slug)
    group = _group(network, group_id)
    return render_template("directory/group.html", **_group_context(network, group))


def _group_context(network: Network, group: WorkingGroup) -> dict:
    can_manage = access.can_manage_group(current_user, group)
    context = {"network": network, "group": group, "can_manage": can_manage,
               "can_manage_network": access.can_manage_network(current_user, network)}
    if can_manage:
        members = {o.id for o in group.organizations}
        context["candidate_organizations"] = [
            o for o, _count in service.organizations_page(network) if o.id not in members]
        people = {p.id for p in group.people}
        context["candidate_people"] = [p for p in service.people_of(network) if p.id not in people]
    return context


@bp.route("/n/<slug>/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(slug: str, group_id: int):
    network = _network(slug)
    return _group_form_page(network, _group(network, group_id, manage=True))


def _group_form_page(network: Network, group: WorkingGroup | None):
    """Create (group None) or edit a working group."""
    form = _group_form(network, group)
    if group is None and request.method == "GET":
        form.parent_id.data = request.args.get("parent", 0, type=db_int)
    if form.validate_on_submit():
        try:
            saved = service.save_group(network, group, form.name.data, form.kind.data,
                                       form.parent_id.data, form.description.data)
        except DirectoryError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved.") if group else _("Group created."), "success")
            return see_other(url_for("directory.group", slug=network.slug, group_id=saved.id))
    return render_template("directory/group_form.html", network=network, form=form, group=group), (
        422 if form.errors else 200)


@bp.post("/n/<slug>/groups/<int:group_id>/members")
def change_group_members(slug: str, group_id: int):
    """Add or remove an organization or a person; answers with the members fragment."""
    network = _network(slug)
    group = _group(network, group_id, manage=True)
    action = request.form.get("action")
    if org_id := request.form.get("organization_id", type=db_int):
        organization = _member(network, org_id)
        if action == "add" and organization not in group.organizations:
            group.organizations.append(organization)
        elif action == "remove" and organization in group.organizations:
            group.organizations.remove(organization)
    if person_id := request.form.get("person_id", type=db_int):
        person = _contact(network, person_id)
        if action == "add" and person not in group.people:
            group.people.append(person)
        elif action == "remove" and person in group.people:
            group.people.remove(person)
    db.session.commit()
    return render("directory/group.html", "directory/_group_members.html", **_group_context(network, group))


@bp.post("/n/<slug>/groups/<int:group_id>/leads")
def change_group_leads(slug: str, group_id: int):
    """Coordinators name the organizer accounts that lead a group."""
    network = _network(slug, manage=True)
    group = _group(network, group_id)
    email = (request.form.get("email") or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if request.form.get("action") == "remove" and user in group.leads:
        group.leads.remove(user)
    elif request.form.get("action") == "add":
        if user is None:
            flash(_("No organizer account has the address %(email)s. An administrator can create one.",
                    email=email), "error")
            return redirect(url_for("directory.group", slug=slug, group_id=group.id), code=303)
        if user not in group.leads:
            group.leads.append(user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("directory.group", slug=slug, group_id=group.id), code=303)


# --- The network's logo (for the minutes' PDF) -----------------------------------------

@bp.post("/n/<slug>/logo")
def change_logo(slug: str):
    """Upload (PNG or JPEG, checked by its bytes) or remove the logo; coordinators only."""
    network = _network(slug, manage=True)
    if request.form.get("action") == "remove":
        logo_service.set_logo(network, None)
        db.session.commit()
        flash(_("The logo was removed."), "success")
        return see_other(url_for("directory.edit_network", slug=slug))
    upload = request.files.get("logo")
    data = upload.read(logo_service.MAX_LOGO_BYTES + 1) if upload else b""  # one byte more tells "too big"
    try:
        logo_service.set_logo(network, data)
    except DirectoryError as error:
        db.session.rollback()
        form = NetworkForm(obj=network, formdata=None)
        del form.slug
        return render_template("directory/network_edit.html", network=network, form=form,
                               logo_error=str(error)), 422
    db.session.commit()
    flash(_("The logo was saved."), "success")
    return see_other(url_for("directory.edit_network", slug=slug))


@bp.get("/n/<slug>/logo")
def logo(slug: str):
    network = _network(slug)
    if not network.logo or network.logo_type not in ("image/png", "image/jpeg"):
        abort(404)
    return Response(network.logo, mimetype=network.logo_type,
                    headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"})


from . import accounts, imports  # noqa: E402,F401  (register the accounts' and the CSV routes on bp)
