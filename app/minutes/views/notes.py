"""The minutes editor: notes per agenda item with live preview, autosaved drafts and the
"changed meanwhile" check on save; every version with diffs. Logic lives in minutes.notes."""
from dataclasses import dataclass

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.extensions import db
from ...core.markdown import to_html
from ...core.params import db_int
from ...core.rendering import see_other, wants_fragment
from .. import notes as notes_service
from ..models import AgendaItem, Meeting, NotesDraft, NotesRevision
from ..service import MinutesError
from . import bp, editable_meeting, meeting_context
from .records import records_context


@dataclass
class Editor:
    """One item's notes form as the page shows it."""

    item: AgendaItem
    text: str
    base_revision: int
    draft: NotesDraft | None = None  # the unsaved draft the textarea was filled with
    conflict: notes_service.Conflict | None = None
    latest: NotesRevision | None = None
    message: str = ""
    error: str = ""


def _editor(item: AgendaItem, draft: NotesDraft | None) -> Editor:
    if notes_service.shows_draft(item, draft):
        return Editor(item, draft.text, draft.base_revision, draft=draft)
    return Editor(item, item.notes, item.notes_revision)


def minutes_page(meeting: Meeting, status: int = 200, editors: dict | None = None, **records):
    """The whole minutes page; `editors` replaces items' forms (a conflict, an error),
    `records` the records' state (a form problem, the action item being edited)."""
    items = notes_service.items_of(meeting)
    drafts = notes_service.drafts_of(meeting, current_user)
    latest = notes_service.latest_revisions(meeting)
    shown = {}
    for item in items:
        shown[item.id] = (editors or {}).get(item.id) or _editor(item, drafts.get(item.id))
        shown[item.id].latest = latest.get(item.id)
    return render_template("minutes/notes.html", items=items, editors=shown, **meeting_context(meeting),
                           **records_context(meeting, **records)), status


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = notes_service.item_of(meeting, item_id)
    if item is None:
        abort(404)
    return item


def _base_revision() -> int:
    value = request.form.get("base_revision", type=db_int)
    if value is None or value < 0:
        abort(400)
    return value


def _answer(meeting: Meeting, editor: Editor, status: int = 200):
    """htmx: the item's editor alone; otherwise the page."""
    if wants_fragment():
        if editor.latest is None:
            editor.latest = notes_service.latest_revisions(meeting).get(editor.item.id)
        return render_template("minutes/_notes_item.html", editor=editor, **meeting_context(meeting)), status
    return minutes_page(meeting, status, editors={editor.item.id: editor})


@bp.get("/meetings/<int:meeting_id>/minutes")
def notes(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    return minutes_page(meeting, edit_action=request.args.get("edit", type=db_int))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/notes")
def save_notes(meeting_id: int, item_id: int):
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id)
    text = request.form.get("notes", "")
    base_revision = _base_revision()
    try:
        revision = notes_service.save(item, current_user, text, base_revision)
    except MinutesError as error:
        db.session.rollback()
        return _answer(meeting, Editor(item, text[:notes_service.MAX_NOTES], base_revision, error=str(error)), 422)
    except notes_service.NotesConflict as conflict:
        db.session.commit()  # the writer's text, kept as their draft
        # The form is now based on their version: saving again, after merging, is deliberate.
        editor = Editor(item, text, conflict.conflict.revision, conflict=conflict.conflict)
        # htmx swaps only 2xx and 422 (base.html); a plain form gets the fitting 409.
        return _answer(meeting, editor, 422 if wants_fragment() else 409)
    db.session.commit()
    if wants_fragment():
        return _answer(meeting, Editor(item, item.notes, item.notes_revision, latest=revision,
                                       message=_("Saved as version %(num)d.", num=revision.number)))
    return see_other(url_for("minutes.notes", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/draft")
def autosave(meeting_id: int, item_id: int):
    """htmx, a few seconds after typing stops: keep the text as the writer's draft."""
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id)
    try:
        draft = notes_service.autosave(item, current_user, request.form.get("notes", ""), _base_revision())
    except MinutesError as error:
        db.session.rollback()
        return render_template("minutes/_draft_status.html", draft=None, error=str(error), event=meeting.event), 422
    db.session.commit()
    return render_template("minutes/_draft_status.html", draft=draft, error="", event=meeting.event)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/draft/discard")
def discard_draft(meeting_id: int, item_id: int):
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id)
    notes_service.discard_draft(item, current_user)
    db.session.commit()
    if wants_fragment():
        return _answer(meeting, Editor(item, item.notes, item.notes_revision, message=_("Draft discarded.")))
    return see_other(url_for("minutes.notes", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/meetings/<int:meeting_id>/preview")
def preview(meeting_id: int):
    """The notes as they will look (htmx, while typing); changes nothing."""
    editable_meeting(meeting_id)
    return to_html(request.form.get("notes", "")[:notes_service.MAX_NOTES])


# --- Versions --------------------------------------------------------------------------------

@bp.get("/meetings/<int:meeting_id>/versions")
def versions(meeting_id: int):
    """Every saved version of every item with who and when; each against the one before,
    and any two versions of one item compared (?item=&from=&to=)."""
    meeting = editable_meeting(meeting_id)
    items = notes_service.items_of(meeting)
    revisions = notes_service.revisions_of(meeting)
    compared = None
    chosen = request.args.get("item", type=db_int)
    if chosen in revisions:
        first, second = request.args.get("from", 0, type=db_int), request.args.get("to", 0, type=db_int)
        old, new = notes_service.text_at(revisions[chosen], first), notes_service.text_at(revisions[chosen], second)
        if old is not None and new is not None:
            compared = {"item_id": chosen, "from": first, "to": second, "lines": notes_service.diff(old, new)}
    changes = {}
    for item_revisions in revisions.values():
        previous = ""
        for revision in item_revisions:
            changes[revision.id] = notes_service.diff(previous, revision.text)
            previous = revision.text
    return render_template("minutes/versions.html", items=items, revisions=revisions, changes=changes,
                           compared=compared, **meeting_context(meeting))
