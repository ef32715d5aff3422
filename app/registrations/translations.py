"""The organizers' translations of an event's texts: title and description, the registration
questions with their options, and the privacy note, one language at a time (core/texts.py
shows them to readers of that language). An empty field removes that translation."""
from flask_babel import gettext as _

from ..events.models import Event
from .admin_service import AdminError, questions_of
from .models import Question

MAX_TITLE, MAX_TEXT = 200, 20_000


def _set(translations: dict | None, language: str, field: str, value: str) -> dict:
    """A new dict (so that SQLAlchemy sees the JSON change) with `field` set or removed."""
    changed = {code: dict(fields) for code, fields in (translations or {}).items()}
    fields = changed.setdefault(language, {})
    if value:
        fields[field] = value
    else:
        fields.pop(field, None)
    if not fields:
        changed.pop(language)
    return changed


def save(event: Event, language: str, title: str, description: str, privacy_note: str,
         questions: dict[int, tuple[str, str]]) -> None:
    """Store the translations into `language` (not the event's own). `questions`: {question id:
    (label, options one per line)}; an options text must have as many lines as the original.
    Raises AdminError with the field it belongs to; nothing is changed then."""
    if language == event.text_language:
        raise AdminError(_("This is the language the texts are written in. Please choose another."))
    title, description, privacy_note = title.strip(), description.strip(), privacy_note.strip()
    if len(title) > MAX_TITLE:
        raise AdminError(_("At most %(num)d characters.", num=MAX_TITLE), "title")
    if len(description) > MAX_TEXT or len(privacy_note) > MAX_TEXT:
        raise AdminError(_("At most %(num)d characters.", num=MAX_TEXT),
                         "description" if len(description) > MAX_TEXT else "privacy_note")
    rows: list[tuple[Question, str, str]] = []
    for question in questions_of(event):
        label, options = (part.strip() for part in questions.get(question.id, ("", "")))
        lines = [line.strip() for line in options.splitlines() if line.strip()]
        if lines and len(lines) != len(question.choices):
            raise AdminError(_("Please give one line for each of the %(num)d options, in the same order.",
                               num=len(question.choices)), f"options-{question.id}")
        rows.append((question, label[:300], "\n".join(lines)))
    event.translations = _set(_set(event.translations, language, "title", title), language, "description",
                              description)
    settings = event.registration_settings
    if settings is not None:
        settings.privacy_note_translations = _set(settings.privacy_note_translations, language, "privacy_note",
                                                  privacy_note)
    for question, label, options in rows:
        question.translations = _set(_set(question.translations, language, "label", label), language, "options",
                                     options)
