"""The archive of a working group's minutes (or of the network's meetings without a group),
with full-text search. Public: everyone sees what they may read, anonymous visitors only
minutes published to everyone."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from ...core.extensions import db
from ...core.params import db_int
from ...core.rendering import render
from ...core.security import public
from ...directory import access
from ...directory import service as directory
from ...directory.models import WorkingGroup
from .. import archive as listing, search
from . import bp


@bp.get("/n/<slug>/archive")
@public
def archive(slug: str):
    network = directory.network_or_404(slug)
    scope = request.args.get("group", "")
    group = None
    if scope == listing.ALL:
        group = listing.ALL
    elif scope:
        group = db.session.get(WorkingGroup, request.args.get("group", type=db_int) or 0)
        if group is None or group.network_id != network.id:
            abort(404)
    query = " ".join(request.args.get("q", "").split())[:200]
    page_number = max(request.args.get("page", 1, type=db_int) or 1, 1)
    total = None  # a search shows the best matches, not pages
    if search.terms(query):
        rows = listing.found(current_user, network, group, query)
    else:
        rows, total = listing.past_page(current_user, network, group, page_number)
    if group == listing.ALL:
        scope_name = _("All meetings of the network")
    else:
        scope_name = group.name if group else _("Network meetings without a working group")
    insider = current_user.is_authenticated and access.can_view_network(current_user, network)
    return render("minutes/archive.html", "minutes/_archive_results.html",
                  network=network, group=group, scope=scope, scope_name=scope_name, query=query, rows=rows,
                  total=total, page_number=page_number, pages=max(-(-(total or 0) // listing.PAGE_SIZE), 1),
                  page_size=listing.PAGE_SIZE, all_scope=listing.ALL, insider=insider,
                  groups=directory.group_tree(network) if insider else [])
