"""`flask backup`: a consistent copy of the database while the app keeps running.

SQLite: sqlite3's online backup API copies every page in one step inside one read
transaction, so the copy is the database as of one moment, whatever other processes write
meanwhile (in WAL mode they go on writing while it copies; see core/database.py). A plain
`cp` of the file is not safe: it can catch a write half done, and it misses what still sits
in the -wal file. The copy is written beside the target and renamed only once it is complete
and passes `PRAGMA quick_check`, so a crash leaves no half backup under the target's name.

PostgreSQL: pg_dump is the tool (consistent by itself, restorable with pg_restore, its
version matching the server's), run by the administrator with their own credentials
(~/.pgpass or PGPASSWORD, never the password on a command line). So `backup` does not run it:
it prints the command for this database and exits non-zero, so a script that expected a file
notices.
"""
import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, Engine

from ..core.database import BUSY_TIMEOUT_MS


class BackupError(Exception):
    pass


@dataclass
class SqliteBackup:
    source: Path
    target: Path
    size: int


def sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"not an SQLite file: {database or ':memory:'}")
    path = Path(database)
    if not path.is_file():
        raise BackupError(f"no database at {path}")
    return path


def backup_sqlite(source: Path, target: Path, replace: bool = False) -> SqliteBackup:
    target = Path(target)
    if target.exists() and not replace:
        raise BackupError(f"{target} exists; choose another name or pass --force")
    if target.resolve() == Path(source).resolve():
        raise BackupError("the backup cannot replace the database itself")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # pages=-1: all pages in one step, so one snapshot
                # One self-contained file: the copy needs no -wal file beside it.
                dst.execute("PRAGMA journal_mode = DELETE")
                verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise BackupError(f"the copy failed its check: {verdict}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return SqliteBackup(Path(source), target, target.stat().st_size)


def pg_dump_command(engine: Engine, target: Path) -> tuple[str, str]:
    """The pg_dump command that backs this database up to `target`, and pg_restore's to
    restore it (the password left out: pg_dump reads ~/.pgpass or PGPASSWORD)."""
    given = engine.url  # made anew: URL.set(password=None) would keep the password
    url = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                     database=given.database, query=given.query).render_as_string(hide_password=False)
    dump = f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(url)}"
    restore = f"pg_restore --clean --if-exists --no-owner --dbname={shlex.quote(url)} {shlex.quote(str(target))}"
    return dump, restore
