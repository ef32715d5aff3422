"""The demo for tests that start from it: `load_demo()` runs the real `flask demo` code (13-35 s)
once per test process, keeps its rows, and gives every later test a copy of them (well
under a second). The full-text indexes follow by the tables' own triggers (SQLite) and
generated columns (PostgreSQL).

What the demo writes depends on the day and on a few settings (the default language of
its texts, the address in its stored mails and digests): a copy is kept for each."""
from datetime import date

from flask import current_app
from sqlalchemy import insert, select, text

from app import demo
from app.core.extensions import db

_snapshots: dict[tuple, dict[str, list[dict]]] = {}


def load_demo() -> None:
    config = current_app.config
    key = (date.today(), config.get("BABEL_DEFAULT_LOCALE"), config.get("BASE_URL"), config.get("SERVER_NAME"))
    rows = _snapshots.get(key)
    if rows is None:
        demo.load_demo()
        db.session.commit()
        _snapshots[key] = {table.name: [dict(row._mapping) for row in db.session.execute(
            select(table).order_by(*table.primary_key.columns))] for table in db.metadata.sorted_tables}
        return
    if db.engine.dialect.name == "postgresql":
        # Rows may point ahead within their table (a meeting's minutes approved in a later
        # meeting): the copy is whole by the commit, so its foreign keys are checked as a whole.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in db.metadata.sorted_tables:
        if rows[table.name]:
            db.session.execute(insert(table), rows[table.name])
    if db.engine.dialect.name == "postgresql":
        _continue_sequences()
    db.session.commit()


def _continue_sequences() -> None:
    """Rows came with their ids: each id sequence goes on after the highest."""
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                         {"t": table.name, "c": column.name})
            if sequence:  # None for keys that are not counted (codes, composite keys)
                db.session.execute(text(f"SELECT setval('{sequence}', (SELECT COALESCE(MAX(\"{column.name}\"), 0) + 1 "
                                        f"FROM \"{table.name}\"), false)"))
