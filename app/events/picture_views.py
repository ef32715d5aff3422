"""Serving event pictures, and what templates need to show one (templates/events/_picture.html)."""
from flask import abort, make_response, request, url_for

from ..core import images
from ..core.extensions import db
from ..core.security import public
from ..core.urls import absolute_url
from .models import Event, Picture, PictureVariant
from .pictures import WIDTHS
from . import public as public_pages  # by module: it may still be loading when this loads
from .views import bp


def sources(picture: Picture, alt: str, endpoint: str, **values) -> dict:
    """What an <img> of a stored picture needs, its widths served by `endpoint` (which takes
    `digest` and `width` besides `values`)."""
    widths = images.variant_widths(picture.width, WIDTHS)
    largest = widths[-1]

    def url(width: int) -> str:
        return url_for(endpoint, digest=picture.hash, width=width, **values)

    return {
        "src": url(widths[min(1, len(widths) - 1)]),
        "srcset": ", ".join(f"{url(w)} {w}w" for w in widths),
        "width": largest, "height": max(1, round(picture.height * largest / picture.width)), "alt": alt,
        "large": absolute_url(endpoint, digest=picture.hash, width=largest, **values),
    }


@bp.app_template_global()
def picture_sources(event: Event) -> dict | None:
    """What an <img> of the event's picture needs (templates/events/_picture.html), or None."""
    shown = event.picture
    return None if shown is None else sources(shown.image, shown.alt, "events.picture", event_id=event.id)


def variant_response(digest: str, width: int, shared: bool):
    """One width of a picture: the hash in the address names the content, so it may be kept for
    a year; by shared caches too where `shared`, else only by the reader's browser."""
    variant = db.session.get(PictureVariant, (digest, width))
    if variant is None:
        abort(404)
    response = make_response(variant.data)
    response.mimetype = variant.mime
    response.headers["Cache-Control"] = ("public" if shared else "private") + ", max-age=31536000, immutable"
    response.set_etag(f"{digest}-{width}")
    return response.make_conditional(request)


@bp.get("/events/<int:event_id>/picture/<digest>-<int:width>.webp")
@public
def picture(event_id: int, digest: str, width: int):
    """One width of an event's picture, where the event page may be seen."""
    event = public_pages._visible_event(event_id)
    if event.picture is None or event.picture.hash != digest:
        abort(404)
    return variant_response(digest, width, shared=public_pages.is_public(event))
