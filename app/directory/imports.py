"""CSV import and export of a network's organizations and contact people; the logic is in csv_io."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from ..core.extensions import db
from . import csv_io
from .csv_io import CsvFileError
from .forms import ORGANIZATION_KIND_LABELS
from .models import Network
from .service import DirectoryError
from .views import _network, bp


@bp.route("/n/<slug>/import", methods=["GET", "POST"])
def import_csv(slug: str):
    """The upload form; posted, the preview of the file. Nothing is written here."""
    network = _network(slug, manage=True)
    if request.method == "GET":
        return _import_page(network)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(network, file_error=_("Please choose a CSV file."), status=422)
    try:
        checked = csv_io.preview(network, csv_io.decode(upload.read()))
    except CsvFileError as error:
        return _import_page(network, file_error=str(error), status=422)
    return _import_page(network, checked)


@bp.post("/n/<slug>/import/confirm")
def import_confirm(slug: str):
    """Import the previewed text, checked again: the hidden field came from the browser."""
    network = _network(slug, manage=True)
    try:
        checked = csv_io.preview(network, request.form.get("text", ""))
    except CsvFileError as error:
        return _import_page(network, file_error=str(error), status=422)
    if not checked.importable:
        return _import_page(network, checked, status=422)
    try:
        counts = csv_io.write(network, checked)
    except DirectoryError as error:
        # Someone added one of the organizations meanwhile: show the preview as it is now.
        db.session.rollback()
        flash(str(error), "error")
        return _import_page(network, csv_io.preview(network, checked.text), status=409)
    db.session.commit()
    flash(_("Import finished: %(created)s, %(joined)s, %(contacts)s.",
            created=ngettext("%(num)d organization created", "%(num)d organizations created", counts.created),
            joined=ngettext("%(num)d existing organization added to this network",
                            "%(num)d existing organizations added to this network", counts.joined),
            contacts=ngettext("%(num)d contact person added", "%(num)d contact people added", counts.contacts)),
          "success")
    return redirect(url_for("directory.organizations", slug=slug), code=303)


def _import_page(network: Network, checked: csv_io.Preview | None = None, file_error: str | None = None,
                 status: int = 200):
    return render_template(
        "directory/import.html", network=network, can_manage=True, preview=checked, file_error=file_error,
        columns=csv_io.column_labels(), kind_labels=ORGANIZATION_KIND_LABELS, max_rows=csv_io.MAX_ROWS,
    ), status


@bp.get("/n/<slug>/export.csv")
def export_csv(slug: str):
    network = _network(slug, manage=True)
    today = datetime.now(ZoneInfo(network.timezone)).date().isoformat()
    return Response(csv_io.export(network), mimetype="text/csv", headers={
        # The slug is [a-z0-9-] only, so the file name needs no quoting rules beyond these quotes.
        "Content-Disposition": f'attachment; filename="treffpunkt-{network.slug}-{today}.csv"',
        "Cache-Control": "no-store",  # contact people's details: not for shared caches
    })
