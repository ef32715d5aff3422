"""The programme as a table for the newspaper and the municipality's website: CSV for a German
Excel and XLSX, one row per approved entry in time order, headers in the page's language.

Cells that a spreadsheet would run as a formula get a leading apostrophe in both formats (an
organizer's title like "=HYPERLINK(…)" stays text). Three queries whatever the size: the
entries with their events, their registration settings, the campaign's categories.
"""
import io

from flask_babel import format_date, format_time, gettext as _

from ..core.markdown import to_text
from ..core.spreadsheet import escape_formula, excel_csv
from ..core.urls import absolute_url
from ..events.labels import LANGUAGE_LABELS
from . import listing
from .labels import TARGET_GROUP_LABELS, category_label
from .models import Campaign

# Column widths in the XLSX (characters), in the order of `columns()`.
WIDTHS = (28, 7, 7, 40, 20, 30, 28, 30, 16, 10, 24, 24, 16, 12, 80, 40)


def columns() -> list[str]:
    return [_("Day"), _("Start"), _("End"), _("Title"), _("Category"), _("Organizer"), _("Venue"), _("Address"),
            _("District or place"), _("Step-free"), _("Languages spoken"), _("Target groups"), _("Admission"),
            _("Registration needed"), _("Description"), _("Event page")]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def rows(campaign: Campaign) -> list[list[str]]:
    """The approved entries (cancelled ones are not in the programme any more), as text."""
    result = []
    for entry in listing.entries(campaign, preview=True):
        if entry.cancelled:
            continue
        s = entry.submission
        result.append([
            format_date(entry.starts.date(), "full"),
            format_time(entry.starts.time(), "short"),
            format_time(entry.ends.time(), "short"),
            s.title,
            category_label(s.category),
            s.organization_name,
            s.venue_name,
            s.venue_address,
            s.district,
            _yes_no(s.step_free),
            ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in s.language_codes),
            ", ".join(str(TARGET_GROUP_LABELS.get(code, code)) for code in s.target_group_codes),
            _("free") if s.is_free else (s.fee or _("with a fee")),
            _yes_no(s.registration_required),
            to_text(s.description),
            absolute_url("events.show", event_id=entry.event.id),
        ])
    return result


def as_csv(campaign: Campaign) -> bytes:
    return excel_csv(columns(), rows(campaign))


def as_xlsx(campaign: Campaign) -> bytes:
    # Imported here: openpyxl adds 16 MiB to every worker, and few requests ask for a spreadsheet.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Programme"))
    for number, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in columns():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows(campaign):
        # Control characters are not allowed in the file format; openpyxl would refuse the cell.
        sheet.append([escape_formula(ILLEGAL_CHARACTERS_RE.sub("", cell)) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
