"""A picture per event: uploaded as JPEG, PNG or WebP, kept as WebP in a few widths (in the
database, named by the content's hash), served with `srcset` (picture_views.py). Programme submissions bring one the
same way (programmes/ adds its column to REFERENCES)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select

from ..core import images
from ..core.extensions import db
from .models import Event, EventPicture, Picture, PictureVariant
from .service import EventError

MAX_PICTURE_BYTES = 8 * 1024 * 1024
MAX_UPLOAD = MAX_PICTURE_BYTES + 1024 * 1024  # a form with a picture: the picture and the rest
# A phone photo is 4000 to 8000 pixels wide; more is a decompression bomb or a poster scan.
MAX_PICTURE_SIDE = 10_000
WIDTHS = (320, 640, 1280)
FORMATS = ("JPEG", "PNG", "WEBP")
MAX_ALT = 300
_REFUSALS = {
    images.EMPTY: _l("Please choose a JPEG, PNG or WebP picture."),
    images.TOO_BIG: _l("The picture may be at most 8 MB."),
    images.WRONG_TYPE: _l("This file is not a picture we can use. Please choose a JPEG, PNG or WebP picture."),
    images.DAMAGED: _l("This image file is damaged."),
    images.TOO_LARGE: _l("The picture may be at most 10,000 pixels wide and high."),
}
# The columns that point at pictures: one no longer pointed at is deleted with its variants.
REFERENCES = [EventPicture.hash]


def check_upload(data: bytes, field: str = "picture") -> None:
    """Raise EventError (for `field`) unless `data` is a picture we can use."""
    try:
        images.check(data, FORMATS, MAX_PICTURE_BYTES, MAX_PICTURE_SIDE)
    except images.ImageError as error:
        raise EventError(str(_REFUSALS[error.reason]), field=field) from None


def store(data: bytes) -> Picture:
    """The stored picture of a checked upload: made once, found again by its hash."""
    digest = images.content_hash(data)
    picture = db.session.get(Picture, digest)
    if picture is None:
        (width, height), made = images.variants(data, WIDTHS)
        picture = Picture(hash=digest, width=width, height=height)
        db.session.add(picture)
        db.session.add_all(PictureVariant(hash=digest, width=v.width, height=v.height, mime="image/webp",
                                          data=v.data) for v in made)
    return picture


def set_picture(event: Event, alt: str, data: bytes | None = None, digest: str | None = None) -> None:
    """Show a checked upload (`data`) or a stored picture (`digest`) on the event, with its text
    alternative; with neither, give the picture there a new text."""
    alt = " ".join(alt.split())[:MAX_ALT]
    if data is not None:
        digest = store(data).hash
    if digest is None:
        if event.picture is not None:
            event.picture.alt = alt
        return
    old = event.picture.hash if event.picture is not None else None
    if event.picture is None:
        event.picture = EventPicture(hash=digest, alt=alt)
    else:
        event.picture.hash, event.picture.alt = digest, alt
    if old not in (None, digest):
        discard_unused(old)


def remove_picture(event: Event) -> None:
    if event.picture is not None:
        old = event.picture.hash
        event.picture = None
        discard_unused(old)


def discard_unused(digest: str) -> None:
    """Delete a picture nothing shows any more: a removed photo should be gone, not kept."""
    db.session.flush()
    if not any(db.session.scalar(select(exists().where(column == digest))) for column in REFERENCES):
        db.session.execute(delete(PictureVariant).where(PictureVariant.hash == digest))
        db.session.execute(delete(Picture).where(Picture.hash == digest))


def smallest_variants(event_ids) -> dict[int, tuple[str, PictureVariant]]:
    """Each of these events' smallest width (320 pixels or less) and its text alternative, in
    one query: for print, where the picture is small."""
    rows = db.session.execute(
        select(EventPicture.event_id, EventPicture.alt, PictureVariant)
        .join(PictureVariant, PictureVariant.hash == EventPicture.hash)
        .where(EventPicture.event_id.in_(list(event_ids))).order_by(PictureVariant.width.desc()))
    return {event_id: (alt, variant) for event_id, alt, variant in rows}  # the smallest comes last
