"""The minutes' notes per agenda item: autosaved drafts, saving with the "changed meanwhile"
check, every saved version, and diffs between versions.

A save names the revision it was based on. It goes through only if the item is still at
that revision; the check and the write are one conditional UPDATE (… WHERE notes_revision =
:base), so two saves from the same base cannot both win, on PostgreSQL (the second UPDATE
waits for the first's row lock, then finds the revision changed) as on SQLite (one writer at
a time). The unique (agenda_item_id, number) of notes_revisions is the second guard.
The caller commits.
"""
import difflib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..core.extensions import db
from ..core.types import utcnow
from . import service
from .models import AgendaItem, Meeting, NotesDraft, NotesRevision
from .service import MinutesError

MAX_NOTES = 50_000


@dataclass
class Conflict:
    """What someone else saved since the writer's base revision."""

    text: str
    revision: int
    author_name: str
    saved_at: datetime | None


class NotesConflict(Exception):
    def __init__(self, conflict: Conflict):
        super().__init__(conflict.author_name)
        self.conflict = conflict


def items_of(meeting: Meeting) -> list[AgendaItem]:
    """The items that get notes: the accepted ones, in agenda order."""
    return [item for item in meeting.items if item.status == "accepted"]


def item_of(meeting: Meeting, item_id: int) -> AgendaItem | None:
    return next((item for item in items_of(meeting) if item.id == item_id), None)


def checked_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_NOTES:
        raise MinutesError(_("The notes can have at most %(num)d characters.", num=MAX_NOTES), "notes")
    return text


# --- Drafts -------------------------------------------------------------------------------

def drafts_of(meeting: Meeting, user) -> dict[int, NotesDraft]:
    """The writer's drafts on the meeting's items, by item id (one query)."""
    rows = db.session.scalars(select(NotesDraft).join(AgendaItem, AgendaItem.id == NotesDraft.agenda_item_id)
                              .where(AgendaItem.meeting_id == meeting.id, NotesDraft.author_id == user.id))
    return {draft.agenda_item_id: draft for draft in rows}


def draft_of(item: AgendaItem, user) -> NotesDraft | None:
    return db.session.scalar(select(NotesDraft).where(NotesDraft.agenda_item_id == item.id,
                                                      NotesDraft.author_id == user.id))


def autosave(item: AgendaItem, user, text: str, base_revision: int) -> NotesDraft | None:
    """Keep what the writer typed (never a revision). Text equal to the saved one leaves
    nothing unsaved (typed back, or a late autosave after the save): the draft goes.
    Returns the draft, or None when there is none."""
    text = checked_text(text)
    draft = draft_of(item, user)
    if text == item.notes:
        if draft is not None:
            db.session.delete(draft)
        return None
    if draft is None:
        draft = NotesDraft(agenda_item_id=item.id, author_id=user.id)
        try:
            # The same writer's autosave from a second tab may have made it meanwhile.
            with db.session.begin_nested():
                db.session.add(draft)
                db.session.flush()
        except IntegrityError:
            draft = draft_of(item, user)
    draft.text = text
    draft.base_revision = base_revision
    draft.saved_at = utcnow()
    return draft


def discard_draft(item: AgendaItem, user) -> None:
    db.session.execute(delete(NotesDraft).where(NotesDraft.agenda_item_id == item.id,
                                                NotesDraft.author_id == user.id))


def shows_draft(item: AgendaItem, draft: NotesDraft | None) -> bool:
    """Whether the editor opens with the draft instead of the saved text."""
    return draft is not None and draft.text != item.notes


# --- Saving --------------------------------------------------------------------------------

def save(item: AgendaItem, user, text: str, base_revision: int) -> NotesRevision:
    """Save the notes as the next revision, if nobody saved since `base_revision`; else
    raise NotesConflict with what they saved (and keep the writer's text as a draft)."""
    text = checked_text(text)
    number = base_revision + 1
    changed = db.session.execute(
        update(AgendaItem).where(AgendaItem.id == item.id, AgendaItem.notes_revision == base_revision)
        .values(notes=text, notes_revision=number).execution_options(synchronize_session=False)).rowcount
    db.session.expire(item, ["notes", "notes_revision"])
    if changed != 1:
        conflict = conflict_of(item)
        autosave(item, user, text, base_revision)
        raise NotesConflict(conflict)
    revision = NotesRevision(agenda_item_id=item.id, number=number, text=text, author_id=user.id,
                             created_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    discard_draft(item, user)
    service.touch(item.meeting)
    return revision


def conflict_of(item: AgendaItem) -> Conflict:
    """The item's current text and who saved it when."""
    db.session.refresh(item, ["notes", "notes_revision"])
    latest = db.session.scalar(select(NotesRevision).where(NotesRevision.agenda_item_id == item.id,
                                                           NotesRevision.number == item.notes_revision))
    author = latest.author.name if latest is not None and latest.author is not None else _("someone")
    return Conflict(item.notes, item.notes_revision, author, latest.created_at if latest else None)


# --- Versions and diffs ------------------------------------------------------------------

def revisions_of(meeting: Meeting) -> dict[int, list[NotesRevision]]:
    """Every saved version of every item's notes, oldest first, by item id (one query;
    the authors come joined)."""
    found: dict[int, list[NotesRevision]] = {}
    rows = db.session.scalars(
        select(NotesRevision).join(AgendaItem, AgendaItem.id == NotesRevision.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id).order_by(NotesRevision.agenda_item_id, NotesRevision.number))
    for revision in rows:
        found.setdefault(revision.agenda_item_id, []).append(revision)
    return found


@dataclass
class DiffLine:
    kind: str  # "same", "ins", "del" or "gap" (unchanged lines left out)
    text: str


def diff(old: str, new: str, context: int = 2) -> list[DiffLine]:
    """The lines that changed from `old` to `new`, with a little unchanged context. Plain
    text: the template escapes it."""
    lines = []
    for line in list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context))[2:]:
        if line.startswith("@@"):
            lines.append(DiffLine("gap", ""))
        elif line.startswith("+"):
            lines.append(DiffLine("ins", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("del", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines[1:] if lines and lines[0].kind == "gap" else lines


def text_at(revisions: list[NotesRevision], number: int) -> str | None:
    """The text of version `number` (0: nothing saved yet), None if there is no such version."""
    if number == 0:
        return ""
    return next((r.text for r in revisions if r.number == number), None)


def latest_revisions(meeting: Meeting) -> dict[int, NotesRevision]:
    """The current revision of each item's notes (who saved last, when), by item id; one query."""
    rows = db.session.scalars(
        select(NotesRevision).join(AgendaItem, (AgendaItem.id == NotesRevision.agenda_item_id)
                                   & (AgendaItem.notes_revision == NotesRevision.number))
        .where(AgendaItem.meeting_id == meeting.id))
    return {revision.agenda_item_id: revision for revision in rows}
