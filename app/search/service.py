"""Finding public events and programme entries by what someone typed.

Every word must occur as a word or word start (core/fulltext.py), in the title (which ranks
higher), text, place, organizer, tags or programme facts. When nothing is found, each word that
no indexed word begins with is replaced by the closest indexed word that begins with the same
two letters ("Sprachcafee" → "sprachcafe"), and the search runs again with the words it says it
used. Only documents of public events exist (search/index.py) and the event's visibility is
checked again in the query.

Queries: one for the matches; without any, one for the index's words and one more search. Then
one for the found events with their shown dates, one for the changes of series among them, one
for tags and one for programme entries, however many are found.
"""
from dataclasses import dataclass, field

from sqlalchemy import column, func, literal_column, or_, select, table, union_all
from sqlalchemy.orm import joinedload

from ..core import fulltext
from ..core.extensions import db
from ..core.types import utcnow
from ..events import recurrence, service as events
from ..events.models import Event
from ..programmes.models import Submission
from .models import PublicDocument

LIMIT = 50  # the best matches shown; a search is narrowed by another word, not paged
MAX_QUERY = 200
# How many of the index's words the correction of typos looks through at most.
MAX_VOCABULARY = 5000


@dataclass
class Results:
    query: str
    corrected: str = ""  # the words searched for instead, when those typed found nothing
    upcoming: list[recurrence.Occurrence] = field(default_factory=list)  # the next date of each, soonest first
    past: list[recurrence.Occurrence] = field(default_factory=list)  # the last date of each, latest first
    entries: dict[int, Submission] = field(default_factory=dict)  # by event: its programme entry
    limited: bool = False  # more matched than are shown

    @property
    def total(self) -> int:
        return len(self.upcoming) + len(self.past)


def clean(query: str | None) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def search(query: str) -> Results:
    results = Results(clean(query))
    words = fulltext.terms(results.query)
    if not words:
        return results
    hits = _matches(words)
    if not hits:
        better = fulltext.corrected(words, _vocabulary(words))
        if better:
            hits = _matches(better)
            results.corrected = " ".join(better) if hits else ""
    if not hits:
        return results
    results.limited = len(hits) > LIMIT
    hits = hits[:LIMIT]
    now = utcnow()
    shown = events.shown_dates(hits, now)
    results.upcoming = sorted((o for o in shown if o.ends_at > now), key=lambda o: (o.starts_at, o.event.id))
    results.past = sorted((o for o in shown if o.ends_at <= now), key=lambda o: (o.starts_at, o.event.id),
                          reverse=True)
    results.entries = {s.event_id: s for s in db.session.scalars(
        select(Submission).where(Submission.event_id.in_([o.event.id for o in shown]))
        .options(joinedload(Submission.category), joinedload(Submission.campaign)))}
    return results


def _public():
    # As events.public.is_public, in SQL: a document of an event that stopped being public is
    # removed in the same transaction, and this keeps it so should one ever be left behind.
    return Event.visibility == "public", Event.status.in_(("published", "cancelled"))


def _matches(words: list[str]) -> list[int]:
    """The events of the best LIMIT + 1 matches, best first."""
    if fulltext.on_postgresql():
        return _postgresql(words)
    return _sqlite(words)


def _sqlite(words):
    fts = table("public_search_fts", column("rowid"))
    whole = literal_column("public_search_fts")
    statement = (
        select(fts.c.rowid).join(Event, Event.id == fts.c.rowid)
        .where(whole.op("MATCH")(fulltext.fts5_match(words)), *_public())
        .order_by(func.bm25(whole, 4.0, 1.0), fts.c.rowid).limit(LIMIT + 1)  # a title's words count four times
    )
    return list(db.session.scalars(statement))


def _postgresql(words):
    query = fulltext.tsquery(words)
    vector = literal_column("public_search.public_search_fts_vector")
    statement = (  # ranked on the stored vector, where the title is weighted 'A'
        select(PublicDocument.event_id).join(Event, Event.id == PublicDocument.event_id)
        .where(vector.op("@@")(query), *_public())
        .order_by(func.ts_rank(vector, query).desc(), PublicDocument.event_id).limit(LIMIT + 1)
    )
    return list(db.session.scalars(statement))


def _vocabulary(words: list[str]) -> list[str]:
    """The index's words that begin with the same two letters as one of `words`, in one query.
    SQLite reads them from the FTS5 vocabulary table's order; PostgreSQL collects the stored
    vectors' words (ts_stat reads every vector: it runs only when a search found nothing)."""
    ranges = [fulltext.vocabulary_range(word) for word in words]
    if fulltext.on_postgresql():
        stat = func.ts_stat("SELECT public_search_fts_vector FROM public_search").table_valued("word")
        statement = select(stat.c.word).where(or_(*(func.starts_with(stat.c.word, low) for low, _high in ranges)))
    else:
        # One range per select: given ranges joined by OR, fts5vocab returns the first range's words only.
        vocabulary = table("public_search_fts_vocabulary", column("term"))
        statement = union_all(*(select(vocabulary.c.term).where(vocabulary.c.term >= low, vocabulary.c.term < high)
                                for low, high in ranges))
    return list(db.session.scalars(statement.limit(MAX_VOCABULARY)))
