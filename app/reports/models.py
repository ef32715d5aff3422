"""What a report keeps of its own: the coordinator's intro text. The figures are never stored:
they are read from the live rows and the anonymous counts each time (service.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow


class ReportIntro(db.Model):
    """The intro of one report: a network's (or one group's) report for one period, e.g. "2025",
    "2025-Q3" or "2025-03-01..2025-06-30" (the period's key in the report's address)."""

    __tablename__ = "report_intros"
    __table_args__ = (UniqueConstraint("network_id", "working_group_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
