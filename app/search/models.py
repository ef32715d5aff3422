from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db


class PublicDocument(db.Model):
    """The searchable text of one public event, kept by search/index.py: only events everyone
    may see have a row, so no word of another event can be found or offered as a correction.

    The full-text index over it is database-specific and made in migration 0013 (see
    core/fulltext.py); the title is weighted above the rest.
    """

    __tablename__ = "public_search"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
