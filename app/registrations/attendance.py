"""At the door and after: checking people in (by list or by the QR code of their manage page)
and the attendance list ("Teilnehmendenliste") as CSV and PDF, as funders require."""
import hmac
from datetime import datetime

from flask import current_app, render_template
from flask_babel import gettext as _, pgettext

from ..core.extensions import db
from ..core.spreadsheet import excel_csv
from ..core.tokens import keyed_token
from ..core.types import utcnow
from ..events.models import Event
from .admin_service import AdminError, occurrence_of, organization_label, registrations
from .models import Registration


def check_in(registration: Registration, present: bool = True, now: datetime | None = None) -> None:
    if registration.status != "confirmed":
        raise AdminError(_("Only people with a confirmed place can be checked in."))
    registration.checked_in_at = (now or utcnow()) if present else None


def checkin_code(registration: Registration) -> str:
    """What the participant's QR code carries: the registration's id and a keyed hash of it.
    Not the manage token: whoever scans it (an organizer) gets no way into the person's other
    registrations or calendar (service.proven_mailbox)."""
    return f"{registration.id}.{keyed_token(f'checkin:{registration.id}')}"


def by_checkin_code(event: Event, code: str) -> Registration | None:
    registration_id, _, mac = (code or "")[:100].partition(".")
    if not registration_id.isdigit() or len(registration_id) > 10:
        return None
    registration = db.session.get(Registration, int(registration_id))
    if registration is None or registration.event_id != event.id:
        return None
    return registration if hmac.compare_digest(mac, keyed_token(f"checkin:{registration.id}")) else None


# --- Attendance list ("Teilnehmendenliste") --------------------------------------------

def attendance(event: Event, start: datetime, only_confirmed: bool = True) -> list[Registration]:
    rows = registrations(event, start, status="confirmed" if only_confirmed else "active")
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def attendance_csv(event: Event, start: datetime, only_confirmed: bool = True) -> bytes:
    rows = []
    for number, row in enumerate(attendance(event, start, only_confirmed), start=1):
        checked = row.checked_in_at.strftime("%Y-%m-%d %H:%M UTC") if row.checked_in_at else ""
        rows.append((number, row.name, organization_label(row), row.email, row.status, checked))
    header = [pgettext("number", "No."), _("Name"), _("Organization"), _("E-mail"), _("Status"), _("Checked in")]
    return excel_csv(header, rows)


def attendance_pdf(event: Event, start: datetime, only_confirmed: bool = True, blank_rows: int = 5) -> bytes:
    """A4, with the network and the event on top and a signature column, as funders require."""
    from weasyprint import HTML

    html = render_template("registrations/attendance_pdf.html", event=event, network=event.network,
                           occurrence=occurrence_of(event, start), rows=attendance(event, start, only_confirmed),
                           blank_rows=blank_rows, organization_label=organization_label)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()
