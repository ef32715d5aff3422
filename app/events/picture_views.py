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


def variant_url(event_id: int, picture: Picture, width: int) -> str:
    return url_for("events.picture", event_id=event_id, digest=picture.hash, width=width)


@bp.app_template_global()
def picture_sources(event: Event) -> dict | None:
    """What an <img> of the event's picture needs (templates/events/_picture.html), or None."""
    shown = event.picture
    if shown is None:
        return None
    picture = shown.image
    widths = images.variant_widths(picture.width, WIDTHS)
    largest = widths[-1]
    return {
        "src": variant_url(event.id, picture, widths[min(1, len(widths) - 1)]),
        "srcset": ", ".join(f"{variant_url(event.id, picture, w)} {w}w" for w in widths),
        "width": largest, "height": max(1, round(picture.height * largest / picture.width)), "alt": shown.alt,
        "large": absolute_url("events.picture", event_id=event.id, digest=picture.hash, width=largest),
    }


@bp.get("/events/<int:event_id>/picture/<digest>-<int:width>.webp")
@public
def picture(event_id: int, digest: str, width: int):
    """One width of an event's picture: the hash in the address names the content, so it may
    be kept for a year. Only where the event page may be seen."""
    event = public_pages._visible_event(event_id)
    if event.picture is None or event.picture.hash != digest:
        abort(404)
    variant = db.session.get(PictureVariant, (digest, width))
    if variant is None:
        abort(404)
    response = make_response(variant.data)
    response.mimetype = variant.mime
    # Not public ones: only the organizers' browsers may keep them, no shared cache.
    response.headers["Cache-Control"] = ("public" if public_pages.is_public(event) else "private") + \
        ", max-age=31536000, immutable"
    response.set_etag(f"{digest}-{width}")
    return response.make_conditional(request)
