"""CSV import and export of a network's organizations and contact people."""
from .views import bp


@bp.route("/n/<slug>/import", methods=["GET", "POST"])
def import_csv(slug):
    raise NotImplementedError


@bp.get("/n/<slug>/export.csv")
def export_csv(slug):
    raise NotImplementedError
