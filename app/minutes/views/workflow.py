"""(being written)"""
from . import bp, editable_meeting  # noqa: F401


@bp.get("/meetings/<int:meeting_id>/status")
def workflow(meeting_id: int):
    return str(editable_meeting(meeting_id).id)
