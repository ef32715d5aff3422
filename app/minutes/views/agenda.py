"""(being written)"""
from . import bp, editable_meeting  # noqa: F401


@bp.get("/meetings/<int:meeting_id>/agenda")
def agenda(meeting_id: int):
    return str(editable_meeting(meeting_id).id)
