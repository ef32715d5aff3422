"""What a report keeps of its own: the coordinator's intro text. The figures are never stored:
they are read from the live rows and the anonymous counts each time (service.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.types import UTCDateTime, utcnow


class ReportIntro(db.Model):
    """The intro of one report: a network's (or one group's) report for one period, e.g. "2025",
    "2025-Q3" or "2025-03-01..2025-06-30" (the period's key in the report's address)."""

    __tablename__ = "report_intros"
    # NULLs are distinct in a unique constraint: the network's own intros (no group) need an index
    # of their own, or two saves at once would leave two rows.
    __table_args__ = (UniqueConstraint("network_id", "working_group_id", "period"),
                      Index("uq_report_intros_network", "network_id", "period", unique=True,
                            sqlite_where=text("working_group_id IS NULL"),
                            postgresql_where=text("working_group_id IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    working_group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
