"""The report pages of a network (coordinators; group leads for their groups)."""
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_percent
from flask_login import current_user
from markupsafe import Markup

from ..core.extensions import db
from ..core.formatting import format_date, format_skeleton, to_local
from ..core.params import db_int
from ..core.rendering import render, see_other
from ..core.security import require
from ..core.types import utcnow
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network, WorkingGroup
from ..mail import pdfs
from . import service
from .forms import IntroForm

bp = Blueprint("reports", __name__)


@bp.app_template_filter("percent")
def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, "#,##0 %")


@bp.app_template_filter("month_name")
def month_name(month: date, short: bool = False) -> str:
    return format_skeleton("yMMM" if short else "yMMMM", month)


@bp.app_template_global()
def registrations_line(event, occurrence_start=None) -> Markup:
    """The small line of registrations over time on an event's registrations page: registrations
    shows it through this global and never imports the reports."""
    return Markup(render_template("reports/_registrations_line.html",
                                  points=service.registrations_over_time(event, occurrence_start)))


@bp.app_template_filter("report_day")
def report_day(day: date) -> str:
    return format_date(day)


def _scope(network: Network) -> WorkingGroup | None:
    """The group asked for (a lead's own), or None for the whole network (coordinators only)."""
    group_id = request.args.get("group", type=db_int)
    if group_id is None:
        require(access.can_manage_network(current_user, network))
        return None
    group = db.session.get(WorkingGroup, group_id)
    if group is None or group.network_id != network.id:
        abort(404)
    require(access.can_manage_group(current_user, group))
    return group


def _period(network: Network) -> tuple[service.Period | None, str | None, str]:
    """(period, error, the field the error belongs to); this year when nothing was asked."""
    args = request.args
    if not any(name in args for name in ("period", "from", "to")):
        year = to_local(utcnow(), network.timezone).year
        return service.parse_period(str(year), None, None), None, ""
    try:
        return service.parse_period(args.get("period"), args.get("from"), args.get("to")), None, ""
    except service.PeriodError as error:
        return None, str(error), "period" if args.get("period") else "from"


def _filename(network: Network, report: service.Report, extension: str) -> str:
    period = report.period.key or f"{report.period.start}_{report.period.end}"
    group = f"-{report.group.id}" if report.group else ""
    return f"{network.slug}{group}-{period}.{extension}"


def _report(slug: str):
    network = directory.network_or_404(slug)
    group = _scope(network)
    period, error, error_field = _period(network)
    report = service.figures(network, period.start, period.end, group, period.key) if period else None
    return network, group, report, error, error_field


def _args() -> dict:
    """The query's period and group, and nothing else, for the page's links (url_for would
    obey keys such as _external or slug)."""
    return {name: value for name in ("period", "from", "to", "group") if (value := request.args.get(name))}


def _page(network, group, report, error, error_field, intro_form=None):
    if intro_form is None and report is not None:
        intro_form = IntroForm(text=service.intro(network, group, report.period))
    return render("reports/report.html", "reports/_report.html", network=network, group=group, report=report,
                  error=error, error_field=error_field, args=_args(), intro_form=intro_form,
                  intro=intro_form.text.data if report is not None and not intro_form.errors else None,
                  can_manage=access.can_manage_network(current_user, network),
                  groups=[g for g, _depth in directory.group_tree(network)
                          if access.can_manage_group(current_user, g)])


@bp.get("/n/<slug>/reports")
def report(slug: str):
    network, group, report, error, error_field = _report(slug)
    return _page(network, group, report, error, error_field), 422 if error else 200


@bp.post("/n/<slug>/reports/intro")
def save_intro(slug: str):
    """The intro of the report that the query string names (period and group, as on the page)."""
    network, group, report, error, error_field = _report(slug)
    if error:
        return _page(network, group, report, error, error_field), 422
    form = IntroForm()
    if not form.validate():
        return _page(network, group, report, error, error_field, intro_form=form), 422
    service.save_intro(network, group, report.period, form.text.data or "")
    db.session.commit()
    return see_other(url_for("reports.report", slug=slug, **_args()) + "#report-intro")


@bp.get("/n/<slug>/reports.xlsx")
def report_xlsx(slug: str):
    from .export import workbook

    network, _group, report, error, _field = _report(slug)
    if error:
        return Response(error, status=422, mimetype="text/plain")
    return Response(workbook(report), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(network, report, "xlsx")}"'})


@bp.get("/n/<slug>/reports.pdf")
def report_pdf(slug: str):
    """Laid out by the worker (mail/pdfs.py); the same figures and intro are the same PDF."""
    from .export import pdf_html

    network, group, report, error, _field = _report(slug)
    if error:
        return Response(error, status=422, mimetype="text/plain")
    intro = service.intro(network, group, report.period)
    return pdfs.respond(pdf_html(report, _args(), intro), "report", _filename(network, report, "pdf"))
