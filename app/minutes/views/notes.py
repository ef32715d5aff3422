"""(being written)"""
from . import bp, editable_meeting  # noqa: F401


@bp.get("/meetings/<int:meeting_id>/minutes")
def notes(meeting_id: int):
    return str(editable_meeting(meeting_id).id)


@bp.get("/meetings/<int:meeting_id>/versions")
def versions(meeting_id: int):
    return str(editable_meeting(meeting_id).id)
