"""The minutes as one document: the data of the read view, the print page, the PDF and the
mail text, gathered in a fixed number of queries, with the network's logo in its header.

    build(meeting)         everything the minutes show (MinutesDocument)
    as_text(doc)           plain text for the mail body (notes as their Markdown source)
    as_pdf(doc)            the PDF (WeasyPrint), with the network's name and logo
"""
from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from flask_babel import format_date, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.formatting import when
from ..core.pdf import from_html
from ..directory.logo import logo_data_uri
from ..directory.models import Network, WorkingGroup
from ..events import recurrence
from ..events.models import Event
from ..registrations import admin_service
from . import records, service
from .labels import AUDIENCE_LABELS
from .models import ActionItem, AgendaItem, AttendanceEntry, Decision, Meeting



@dataclass
class Entry:
    """One accepted agenda item ("TOP n") with what the minutes say about it."""

    number: int
    item: AgendaItem
    presenter: str
    decisions: list[tuple[str, Decision]] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)


@dataclass
class MinutesDocument:
    meeting: Meeting
    event: Event
    network: Network
    group: WorkingGroup | None
    scope: str  # the group's (or network's) name, as in decision labels
    occurrence: recurrence.Occurrence
    place: str
    entries: list[Entry]
    # Decisions and action items not tied to an agenda item.
    other_decisions: list[tuple[str, Decision]]
    other_actions: list[ActionItem]
    present: list[AttendanceEntry]
    excused: list[AttendanceEntry]
    by_organization: list[tuple[str, int]]  # present people per organization, most first
    show_names: bool  # the attendance list names people (not in public minutes)
    approved_in: Meeting | None

    @property
    def decision_count(self) -> int:
        return len(self.other_decisions) + sum(len(e.decisions) for e in self.entries)

    @property
    def action_count(self) -> int:
        return len(self.other_actions) + sum(len(e.actions) for e in self.entries)


def build(meeting: Meeting, names: bool | None = None) -> MinutesDocument:
    """The whole minutes of `meeting` in about eight queries, however long they are.
    `names`: whether the attendance list names people; by default not once the minutes are
    published to everyone (the counts per organization remain)."""
    event = meeting.event
    scope = service.scope_name(meeting)
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.status == "accepted")
        .options(joinedload(AgendaItem.presenter_person), joinedload(AgendaItem.presenter_organization))
        .order_by(AgendaItem.position, AgendaItem.id)).all()
    decisions = records.decisions_of(meeting)
    actions = records.actions_of(meeting)
    attendance = records.attendance_of(meeting)

    entries = [Entry(number, item, presenter_of(item)) for number, item in enumerate(items, start=1)]
    by_item = {entry.item.id: entry for entry in entries}
    other_decisions, other_actions = [], []
    for decision in decisions:
        labelled = (service.decision_label(decision, scope), decision)
        target = by_item.get(decision.agenda_item_id)
        (target.decisions if target else other_decisions).append(labelled)
    for action in actions:
        target = by_item.get(action.agenda_item_id)
        (target.actions if target else other_actions).append(action)

    if names is None:
        names = not (meeting.minutes_status == "published" and meeting.audience == "public")
    return MinutesDocument(
        meeting=meeting, event=event, network=meeting.network, group=meeting.working_group, scope=scope,
        occurrence=occurrence_of(meeting), place=place_of(event), entries=entries,
        other_decisions=other_decisions, other_actions=other_actions,
        present=[entry for entry in attendance if entry.present],
        excused=[entry for entry in attendance if not entry.present],
        by_organization=records.counts(attendance).by_organization,
        show_names=names, approved_in=meeting.approved_in)


def occurrence_of(meeting: Meeting) -> recurrence.Occurrence:
    """The meeting's date and time: a single event's current ones (it may have been moved
    since), a series date as it stands (moved or not)."""
    event = meeting.event
    if not event.is_series:
        return recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at)
    return admin_service.occurrence_of(event, meeting.occurrence_start)


def place_of(event: Event) -> str:
    return ", ".join(part for part in (event.venue_name, event.venue_room, event.venue_address) if part)


def presenter_of(item: AgendaItem) -> str:
    if item.presenter_person is not None:
        return item.presenter_person.name
    if item.presenter_organization is not None:
        return item.presenter_organization.name
    return item.presenter_name


def meeting_day(meeting: Meeting, style: str = "medium") -> str:
    return format_date(service.local_day(meeting), style)


def status_line(doc: MinutesDocument) -> str:
    """Where the minutes stand, in one sentence (for the document's head)."""
    meeting = doc.meeting
    if meeting.minutes_status == "draft":
        return _("Draft, not yet approved.")
    if meeting.minutes_status == "review":
        return _("Draft sent to the participants for corrections; not yet approved.")
    approved = _approval(doc)
    if meeting.minutes_status == "approved":
        return approved
    return _("%(approved)s Published to: %(audience)s.", approved=approved,
             audience=AUDIENCE_LABELS[meeting.audience])


def _approval(doc: MinutesDocument) -> str:
    meeting = doc.meeting
    day = format_date(recurrence.to_local(meeting.approved_at, doc.event.timezone).date(), "medium") \
        if meeting.approved_at else "–"
    if doc.approved_in is not None:
        return _("Approved on %(day)s at the meeting of %(meeting)s.", day=day,
                 meeting=meeting_day(doc.approved_in))
    return _("Approved on %(day)s.", day=day)


def next_meeting(doc: MinutesDocument) -> str:
    meeting = doc.meeting
    parts = []
    if meeting.next_meeting_at:
        local = recurrence.to_local(meeting.next_meeting_at, doc.event.timezone)
        parts.append(f"{format_date(local.date(), 'full')}, {local:%H:%M}")
    if meeting.next_meeting_note:
        parts.append(meeting.next_meeting_note)
    return ", ".join(parts)


def due_text(due: date | None) -> str:
    return format_date(due, "medium") if due else ""


# --- Renderings -----------------------------------------------------------------------------

def template_context(doc: MinutesDocument) -> dict:
    """What templates/minutes/_document.html needs."""
    return {"doc": doc, "status_line": status_line(doc), "next_meeting": next_meeting(doc),
            "owner_of": records.owner_label, "due_text": due_text,
            "when_text": when(doc.occurrence.starts_at, doc.occurrence.ends_at, doc.event.timezone,
                              doc.event.all_day)}


def as_text(doc: MinutesDocument) -> str:
    """The minutes as plain text: agenda items as "TOP n", notes as their Markdown source,
    decisions, action items, and attendance as counts per organization."""
    lines = [doc.network.name, _("Minutes: %(title)s", title=doc.event.title),
             when(doc.occurrence.starts_at, doc.occurrence.ends_at, doc.event.timezone, doc.event.all_day)]
    if doc.place:
        lines.append(_("Place: %(place)s", place=doc.place))
    if doc.group is not None:
        lines.append(_("Working group: %(name)s", name=doc.group.name))
    lines += [status_line(doc), ""]

    lines.append(_("Attendance: %(num)d present", num=len(doc.present)))
    lines += [f"  {organization}: {count}" for organization, count in doc.by_organization]
    if doc.excused:
        lines.append(_("Excused: %(num)d", num=len(doc.excused)))
    lines.append("")

    for entry in doc.entries:
        heading = _("Item %(num)d: %(title)s", num=entry.number, title=entry.item.title)
        lines += [heading, "=" * min(len(heading), 72)]
        if entry.presenter:
            lines.append(_("Presented by: %(name)s", name=entry.presenter))
        if entry.item.notes.strip():
            lines += ["", entry.item.notes.strip()]
        lines += _records_text(entry.decisions, entry.actions)
        lines.append("")
    if doc.other_decisions or doc.other_actions:
        lines += [_("Further decisions and action items"), ""]
        lines += _records_text(doc.other_decisions, doc.other_actions)
        lines.append("")
    if next_text := next_meeting(doc):
        lines.append(_("Next meeting: %(when)s", when=next_text))
    return "\n".join(lines).strip() + "\n"


def _records_text(decisions, actions) -> list[str]:
    lines = []
    if decisions or actions:
        lines.append("")
    for label, decision in decisions:
        lines.append(_("Decision %(label)s: %(text)s", label=label, text=decision.text.strip()))
    for action in actions:
        details = [part for part in (records.owner_label(action), due_text(action.due_on) and
                                     _("due %(day)s", day=due_text(action.due_on))) if part]
        suffix = f" ({', '.join(details)})" if details else ""
        lines.append(_("Action item: %(title)s", title=action.title) + suffix)
    return lines


def as_pdf(doc: MinutesDocument) -> bytes:
    """A4 PDF with the network's name and logo on top. The renderer may load data: URLs
    only: nothing in the minutes can make the server fetch an address."""
    return from_html(render_template("minutes/pdf.html", logo=logo_data_uri(doc.network), **template_context(doc)))


def pdf_filename(meeting: Meeting) -> str:
    """ASCII only, for mail clients and Content-Disposition."""
    day = service.local_day(meeting)
    title = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in meeting.event.title)
    title = "-".join(part for part in title.split("-") if part)[:60] or "minutes"
    return f"{title}-{day:%Y-%m-%d}.pdf"
