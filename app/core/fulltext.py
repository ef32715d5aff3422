"""What the full-text searches (the minutes archive, the public search) share: how a query is
split into words, how each database is asked for word starts, the marks in snippets, and close
words for a typo.

Each search keeps its documents in a table of its own; the index over it is database-specific
and made by hand in its migration: an FTS5 table kept in step by triggers on SQLite, a stored
`to_tsvector('simple', …)` column with a GIN index on PostgreSQL. Both split words the same way
and match word starts without stemming, so both databases find the same rows. Every name of
such an index contains INDEX_MARK, which keeps alembic's autogenerate away from it.
"""
import difflib
import re

from markupsafe import Markup, escape
from sqlalchemy import func, literal_column

from .extensions import db

MAX_TERMS = 8
INDEX_MARK = "_search_fts"
# Marks around the matches in a snippet; control characters that cannot occur in stored text.
START, STOP = "\x02", "\x03"
# How alike a word of the index must be to one typed to be offered in its place (difflib's ratio).
CLOSE_ENOUGH = 0.75
_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_index(name: str | None) -> bool:
    """Whether a table, trigger, column or index belongs to a database-specific index (for alembic)."""
    return bool(name) and INDEX_MARK in name


def terms(query: str) -> list[str]:
    """The words of what someone typed; everything else (quotes, operators) is dropped, so
    no input can break or steer the database's query syntax."""
    return _WORD.findall(query or "")[:MAX_TERMS]


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def fts5_match(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a word start. terms() leaves only word
    characters, so quoting each word cannot be broken out of."""
    return " AND ".join(f'"{word}"*' for word in words)


def tsquery(words: list[str]):
    """The PostgreSQL query of every word as a word start: 'sprach':* finds Sprachkurs."""
    return func.to_tsquery(literal_column("'simple'::regconfig"), " & ".join(f"'{word.lower()}':*" for word in words))


def mark(snippet: str) -> Markup:
    """The snippet as safe HTML: the text escaped, the matches in <mark>."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def vocabulary_range(word: str) -> tuple[str, str]:
    """The range of index words that begin like `word` (its first two letters): where a typo's
    corrections are looked for. A typo in the first two letters is not corrected."""
    start = word.lower()[:2]
    return start, start[:-1] + chr(ord(start[-1]) + 1)


def corrected(words: list[str], vocabulary) -> list[str] | None:
    """`words` with each one that no index word begins with replaced by the closest index word,
    or None when some word has nothing close enough (or nothing needed replacing). A word is
    also compared with the start of each index word, as someone typing has not finished it yet."""
    vocabulary = list(vocabulary)
    result, changed = [], False
    for word in words:
        lower = word.lower()
        if any(term.startswith(lower) for term in vocabulary):
            result.append(word)
            continue
        best, closest = CLOSE_ENOUGH, None  # the first of equally close words wins
        matcher = difflib.SequenceMatcher(b=lower)
        for term in vocabulary:
            for candidate in {term, term[:len(lower)]}:
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() >= best and matcher.quick_ratio() >= best:
                    ratio = matcher.ratio()
                    if ratio > best or (closest is None and ratio == best):
                        best, closest = ratio, term
        if closest is None:
            return None
        result.append(closest)
        changed = True
    return result if changed else None
