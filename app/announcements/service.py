"""Announcements: which show when, and saving one with its attachment. The newsletters
package picks from `shown` and `recent` too, so both take a network and plain UTC moments.

An attachment is a picture (stored as an event's: once, by its content's hash, in a few widths)
or a PDF (kept in the row, read only for its download). Both are recognised by their bytes."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import or_, select

from ..core import images
from ..core.extensions import db
from ..core.formatting import to_local
from ..core.types import utcnow
from ..directory.models import Network
from ..events import pictures
from .models import Announcement

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A form with an attachment: the larger of a picture and a PDF, and the rest.
MAX_UPLOAD = max(MAX_DOCUMENT_BYTES, pictures.MAX_PICTURE_BYTES) + 1024 * 1024
MAX_TEXT = 20_000
PUBLIC_LIMIT = 50  # the public list and the feed: what shows now, newest first
BOX_LIMIT = 3  # the network's page and the home page
_REFUSALS = {
    images.EMPTY: _l("This file is empty."),
    images.TOO_BIG: _l("A picture may be at most 8 MB."),
    images.WRONG_TYPE: _l("Please choose a picture (JPEG, PNG or WebP) or a PDF."),
    images.DAMAGED: _l("This image file is damaged."),
    images.TOO_LARGE: _l("The picture may be at most 10,000 pixels wide and high."),
}

pictures.REFERENCES.append(Announcement.picture_hash)  # a picture stays while an announcement shows it


class AnnouncementError(ValueError):
    """A problem the coordinator can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """A checked attachment: a picture or a PDF."""

    data: bytes
    is_pdf: bool
    name: str = ""


def _newest_first(query):
    return query.order_by(Announcement.shows_from.desc(), Announcement.id.desc())


def _showing(at: datetime):
    return (Announcement.shows_from <= at,
            or_(Announcement.shows_until.is_(None), Announcement.shows_until > at))


def shown(network: Network | None, at: datetime | None = None, limit: int | None = None) -> list[Announcement]:
    """The network's announcements showing at `at` (default: now), newest first; with no
    network, every network's (the home page)."""
    query = _newest_first(select(Announcement).where(*_showing(at or utcnow())))
    if network is not None:
        query = query.where(Announcement.network_id == network.id)
    return list(db.session.scalars(query.limit(limit)))


def recent(network: Network, since: datetime, until: datetime) -> list[Announcement]:
    """The network's announcements shown at some moment from `since` to `until` (excluded),
    newest first: what a newsletter for that period may pick from."""
    query = _newest_first(select(Announcement).where(
        Announcement.network_id == network.id, Announcement.shows_from < until,
        or_(Announcement.shows_until.is_(None), Announcement.shows_until > since)))
    return list(db.session.scalars(query))


def is_shown(announcement: Announcement, at: datetime | None = None) -> bool:
    at = at or utcnow()
    return announcement.shows_from <= at and (announcement.shows_until is None or announcement.shows_until > at)


@dataclass
class Overview:
    current: list[Announcement]
    scheduled: list[Announcement]  # soonest first
    past: list[Announcement]  # most recently ended first


def overview(network: Network, at: datetime | None = None) -> Overview:
    """All of a network's announcements for its coordinators, in one query."""
    at = at or utcnow()
    rows = db.session.scalars(_newest_first(select(Announcement).where(Announcement.network_id == network.id)))
    result = Overview([], [], [])
    for row in rows:
        if row.shows_from > at:
            result.scheduled.append(row)
        elif is_shown(row, at):
            result.current.append(row)
        else:
            result.past.append(row)
    result.scheduled.reverse()
    result.past.sort(key=lambda a: a.shows_until, reverse=True)
    return result


def check_upload(data: bytes, name: str, field: str = "attachment") -> Upload:
    """A picture (JPEG, PNG, WebP) or a PDF, told apart by their first bytes, never by the name."""
    if data.startswith(b"%PDF-"):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise AnnouncementError(_("A PDF may be at most 10 MB."), field)
        if b"%%EOF" not in data[-1024:]:  # cut off in the upload, or not a PDF after all
            raise AnnouncementError(_("This PDF is incomplete or damaged."), field)
        return Upload(data, True, _document_name(name))
    try:
        images.check(data, pictures.FORMATS, pictures.MAX_PICTURE_BYTES, pictures.MAX_PICTURE_SIDE)
    except images.ImageError as error:
        raise AnnouncementError(str(_REFUSALS[error.reason]), field) from None
    return Upload(data, False)


def _document_name(name: str) -> str:
    """The uploaded name without folders or control characters, ending in .pdf: the download's name;
    empty when nothing is left (save() then names it after the announcement)."""
    stem = "".join(c for c in name.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    return f"{stem[:190]}.pdf" if stem else ""


def save(announcement: Announcement, upload: Upload | None = None, remove_attachment: bool = False,
         **fields) -> Announcement:
    """Set the fields (title, text, text_language, shows_from, shows_until, picture_alt; the
    form checks the end after the start) and the attachment: a new upload replaces the old
    one; `remove_attachment` drops it."""
    for name, value in fields.items():
        setattr(announcement, name, value)
    if announcement.id is None:
        db.session.add(announcement)
    if upload is not None or remove_attachment:
        _drop_attachment(announcement)
    if upload is not None and upload.is_pdf:
        if not upload.name:
            db.session.flush()  # the id names it
        announcement.document = upload.data
        announcement.document_name = upload.name or f"announcement-{announcement.id}.pdf"
        announcement.document_size = len(upload.data)
    elif upload is not None:
        announcement.picture_hash = pictures.store(upload.data).hash
    if announcement.picture_hash is None:
        announcement.picture_alt = ""
    return announcement


def _drop_attachment(announcement: Announcement) -> None:
    old = announcement.picture_hash
    announcement.picture_hash, announcement.picture = None, None
    announcement.document, announcement.document_name, announcement.document_size = None, "", 0
    if old is not None:
        pictures.discard_unused(old)


def delete(announcement: Announcement) -> None:
    old = announcement.picture_hash
    db.session.delete(announcement)
    if old is not None:
        pictures.discard_unused(old)


def local_today(network: Network):
    """Today in the network's zone: where a new announcement starts."""
    return to_local(utcnow(), network.timezone).date()


def set_translation(announcement: Announcement, language: str, title: str, text: str) -> None:
    """The title and text in `language` (not the one it is written in), in the events' scheme
    (core/texts.py reads it); both empty remove that language. A new dict, so that SQLAlchemy
    sees the JSON change."""
    changed = {code: fields for code, fields in (announcement.translations or {}).items() if code != language}
    fields = {name: value for name, value in (("title", " ".join(title.split())), ("text", text.strip())) if value}
    if fields:
        changed[language] = fields
    announcement.translations = changed
