"""The demo's minutes: past AG meetings with approved, published minutes, numbered decisions and
open action items, and an upcoming meeting whose agenda carries them over."""
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.types import utcnow
from app import demo
from tests.demo_snapshot import load_demo
from app.minutes import service
from app.minutes.models import ActionItem, Decision, Meeting


def test_demo_minutes_carry_a_group_from_meeting_to_meeting(app):
    load_demo()
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.occurrence_start)).all()
    by_group = {}
    for meeting in meetings:
        by_group.setdefault(meeting.working_group.name, []).append(meeting)
    assert set(by_group) == {"Sprache", "Arbeit und Ausbildung", "Interkultur & Soziales"}
    now = utcnow()
    for group_meetings in by_group.values():
        past = [m for m in group_meetings if m.occurrence_start < now]
        upcoming = [m for m in group_meetings if m.occurrence_start > now]
        assert len(past) >= 4 and len(upcoming) == 1
        assert {m.minutes_status for m in past[:-1]} == {"published"}
        assert all(m.approved_in_id is not None and m.approved_at for m in past[:-1])
        assert past[-1].minutes_status == "review"
        next_meeting = upcoming[0]
        assert next_meeting.agenda_status == "published"
        assert next_meeting.items[0].carries_action_items
        carried = service.carried_action_items(next_meeting)
        assert carried and all(a.is_open and a.owner_email for a in carried)
    labels = {service.decision_label(d, d.meeting.working_group.name)
              for d in db.session.scalars(select(Decision))}
    assert any(label.startswith("Sprache ") and label.endswith("/01") for label in labels)
    assert db.session.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.status == "done")) > 0

    count = len(meetings)
    demo.load_demo()
    assert db.session.scalar(select(func.count(Meeting.id))) == count
