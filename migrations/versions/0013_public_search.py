"""the public search over events and programme entries

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_search',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_public_search_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_public_search'))
    )
    _create_search_index()
    # The documents of the public events there are (the same code that keeps them after).
    from app.search.index import rebuild

    rebuild(op.get_bind())


def downgrade():
    _drop_search_index()
    op.drop_table('public_search')


# The full-text index over public_search (see app/search/service.py and core/fulltext.py), as
# the minutes' in 0005: FTS5 kept in step by triggers, with a vocabulary table for correcting
# typos, on SQLite; a stored tsvector (the title weighted above the rest) with a GIN index on
# PostgreSQL, whose words ts_stat() lists.
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE public_search_fts USING fts5(title, body, content='public_search', "
    "content_rowid='event_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE public_search_fts_vocabulary USING fts5vocab(public_search_fts, 'row')",
    "CREATE TRIGGER public_search_fts_insert AFTER INSERT ON public_search BEGIN "
    "INSERT INTO public_search_fts(rowid, title, body) VALUES (new.event_id, new.title, new.body); END",
    "CREATE TRIGGER public_search_fts_delete AFTER DELETE ON public_search BEGIN "
    "INSERT INTO public_search_fts(public_search_fts, rowid, title, body) "
    "VALUES ('delete', old.event_id, old.title, old.body); END",
    "CREATE TRIGGER public_search_fts_update AFTER UPDATE ON public_search BEGIN "
    "INSERT INTO public_search_fts(public_search_fts, rowid, title, body) "
    "VALUES ('delete', old.event_id, old.title, old.body); "
    "INSERT INTO public_search_fts(rowid, title, body) VALUES (new.event_id, new.title, new.body); END",
]


def _create_search_index():
    if op.get_context().dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    else:
        # "/", "<" and ">" split words as in FTS5 (see 0005).
        op.execute("ALTER TABLE public_search ADD COLUMN public_search_fts_vector tsvector GENERATED ALWAYS AS "
                   "(setweight(to_tsvector('simple', translate(title, '/<>', '   ')), 'A') || "
                   "setweight(to_tsvector('simple', translate(body, '/<>', '   ')), 'B')) STORED")
        op.execute("CREATE INDEX ix_public_search_fts ON public_search USING gin (public_search_fts_vector)")


def _drop_search_index():
    if op.get_context().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS public_search_fts_{name}")
        op.execute("DROP TABLE IF EXISTS public_search_fts_vocabulary")
        op.execute("DROP TABLE IF EXISTS public_search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_public_search_fts")
        op.execute("ALTER TABLE public_search DROP COLUMN IF EXISTS public_search_fts_vector")
