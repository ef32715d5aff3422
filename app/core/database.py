"""SQLite settings for several processes: gunicorn's workers and the outbox worker share one file.

Every new SQLite connection gets
- `journal_mode=WAL`: readers never block the writer and the writer never blocks readers, so a
  long page (a report, a backup) does not hold up a registration; the file stays one database
  (the -wal and -shm files beside it belong to it: copy it with `flask backup`, not `cp`).
- `busy_timeout`: a writer that finds another one writing waits up to BUSY_TIMEOUT_MS for its
  turn instead of failing at once with "database is locked". SQLite has one writer at a time,
  and our write transactions are short, so waiting is always the better answer.

WAL needs shared memory between the processes, so the file must be on a local disk (not NFS).
PostgreSQL needs none of this; nothing is set there.
"""
from flask import Flask
from sqlalchemy import event

from .extensions import db

BUSY_TIMEOUT_MS = 15_000


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)


def _tune_sqlite(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # The timeout first: switching to WAL needs a moment of exclusive access, and another
        # process may be writing just then.
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file; a no-op once set
    finally:
        cursor.close()
