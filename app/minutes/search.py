"""Full-text search over a network's meetings, one interface on both databases.

Each meeting has one `SearchDocument` row with all its searchable text. The index is made
by migration 0005: SQLite's FTS5 (a table kept in step by triggers) or PostgreSQL's
full-text search (a stored `to_tsvector('simple', …)` column with a GIN index); what both
searches share is in core/fulltext.py.
"""
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import column, func, literal_column, select, table

from ..core.extensions import db
from ..core.fulltext import START, STOP, fts5_match, mark, on_postgresql, terms, tsquery
from .models import SearchDocument


def index(meeting_id: int, network_id: int, working_group_id: int | None, document: str) -> None:
    """Write (or replace) a meeting's searchable text in the current transaction."""
    row = db.session.get(SearchDocument, meeting_id)
    if row is None:
        db.session.add(SearchDocument(meeting_id=meeting_id, network_id=network_id,
                                      working_group_id=working_group_id, document=document))
    else:
        row.network_id, row.working_group_id, row.document = network_id, working_group_id, document


@dataclass
class Hit:
    meeting_id: int
    snippet: Markup


def search(query: str, meeting_ids, limit: int = 50) -> list[Hit]:
    """Meetings among `meeting_ids` (a select of ids the reader may see) that contain every
    word of `query` as a word or word start, best first, each with a snippet. One query."""
    words = terms(query)
    if not words:
        return []
    if on_postgresql():
        rows = _postgresql(words, meeting_ids, limit)
    else:
        rows = _sqlite(words, meeting_ids, limit)
    return [Hit(meeting_id, mark(snippet)) for meeting_id, snippet in rows]


def _sqlite(words, meeting_ids, limit):
    match = fts5_match(words)
    fts = table("minutes_search_fts", column("rowid"))
    whole = literal_column("minutes_search_fts")
    statement = (
        select(fts.c.rowid, func.snippet(whole, 0, START, STOP, "…", 24))
        .where(whole.op("MATCH")(match), fts.c.rowid.in_(meeting_ids))
        .order_by(literal_column("rank")).limit(limit)
    )
    return db.session.execute(statement).all()


def _postgresql(words, meeting_ids, limit):
    query = tsquery(words)
    vector = literal_column("minutes_search.minutes_search_fts_vector")
    # Rank on the stored vector and cut to `limit` first; only those few get a snippet, which
    # has to parse the document again.
    best = (
        select(SearchDocument.meeting_id, func.ts_rank(vector, query).label("rank"))
        .where(vector.op("@@")(query), SearchDocument.meeting_id.in_(meeting_ids))
        .order_by(literal_column("rank").desc()).limit(limit).subquery()
    )
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=8, MaxFragments=2"
    statement = (
        select(SearchDocument.meeting_id,
               func.ts_headline(literal_column("'simple'::regconfig"), SearchDocument.document, query, options))
        .join(best, best.c.meeting_id == SearchDocument.meeting_id)
        .order_by(best.c.rank.desc())
    )
    return db.session.execute(statement).all()

