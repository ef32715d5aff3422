"""A report as an XLSX workbook (one sheet per table, numbers as numbers: integers, the show-up
rate as a percentage; the header row bold and frozen) and as a PDF."""
import io

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..directory.logo import logo_data_uri
from .service import Report

INTEGER, PERCENT, MONTH = "#,##0", "0.0%", "mmm yyyy"


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], formats: list[str | None]) -> None:
    sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet's name
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
        for cell, number_format in zip(sheet[sheet.max_row], formats):
            if number_format:
                cell.number_format = number_format
    for index, heading in enumerate(header, 1):
        longest = max([len(str(heading))] + [len(str(row[index - 1])) for row in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)


def workbook(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    number = _("Number")
    _sheet(book, _("Overview"), [_("Figure"), number], [
        [_("Event dates held"), report.events],
        [_("Registrations"), report.registrations],
        [_("Attended (checked in)"), report.attended],
        [_("Show-up rate"), report.show_up_rate],
        [_("Did not get a place (waiting list)"), report.waiting],
        [_("Organizations taking part"), report.organizations],
        [_("of which new"), report.new_organizations],
        [_("of which returning"), report.returning_organizations],
    ], [None, INTEGER])
    book[_("Overview")]["B5"].number_format = PERCENT  # the show-up rate's row
    _sheet(book, _("Months"), [_("Month"), _("Event dates held"), _("Registrations"), _("Attended (checked in)")],
           [[m.month, m.events, m.registrations, m.attended] for m in report.months],
           [MONTH, INTEGER, INTEGER, INTEGER])
    tables = [(_("Kinds"), _("Kind"), report.kinds, ""),
              (_("Working groups"), _("Working group"), report.groups, _("No working group")),
              (_("Organizations by kind"), _("Kind"), report.organization_kinds, _("Not in the directory")),
              (_("Languages"), _("Language"), report.languages, "")]
    if report.group is None:  # the Intercultural Week is the whole network's
        tables.append((_("Intercultural Week"), _("District"), report.districts, _("No district given")))
    for title, header, rows, empty in tables:
        _sheet(book, title, [header, number], [[label or empty, count] for label, count in rows], [None, INTEGER])
    _sheet(book, _("Organizations"), [_("Organization")], [[name] for name in report.organization_names], [None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_html(report: Report, args, intro: str = "") -> str:
    """The PDF's HTML: A4, with the network's logo (a data: URL), the figures, the charts and
    their tables, ready to attach to a Sachbericht."""
    return render_template("reports/pdf.html", network=report.network, group=report.group, report=report,
                           args=args, intro=intro, logo=logo_data_uri(report.network))
