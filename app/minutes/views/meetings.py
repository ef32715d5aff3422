"""Opening the agenda and minutes of an event's date."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.extensions import db
from ...core.rendering import see_other
from ...core.security import require
from ...directory import access
from ...events.models import Event
from ...registrations import admin_service
from .. import service
from . import bp, editable_meeting


def _event_and_start(event_id: int):
    event = db.get_or_404(Event, event_id)
    require(access.can_manage_event(current_user, event))
    start = admin_service.occurrence_start(event, request.values.get("at"))
    if start is None:
        abort(404)
    return event, start


@bp.route("/events/<int:event_id>/meeting", methods=["GET", "POST"])
def for_event(event_id: int):
    """GET: the date's meeting, or a page that offers to start it; POST: start it."""
    event, start = _event_and_start(event_id)
    meeting = service.meeting_for(event, start)
    if request.method == "POST":
        meeting = service.open_meeting(event, start)
        db.session.commit()
        return see_other(url_for("minutes.agenda", meeting_id=meeting.id))
    if meeting is not None:
        return redirect(url_for("minutes.agenda", meeting_id=meeting.id))
    return render_template("minutes/start.html", event=event, network=event.network,
                           occurrence=admin_service.occurrence_of(event, start),
                           at=f"{start:%Y%m%dT%H%M%SZ}")


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    editable_meeting(meeting_id)
    return redirect(url_for("minutes.agenda", meeting_id=meeting_id))
