"""The readiness checks: is this instance able to do its work?

Each check answers on its own and never raises, so that one broken part (the database down)
still lets the others report. /readyz shows `detail` to anyone; `error` (an exception's
message, which may name hosts or users) is only for the administrator's `flask doctor`.
"""
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, select, text

from ..core.cache import redis_client
from ..core.extensions import db
from ..core.types import utcnow
from ..mail.models import OutboxMail


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    error: str = ""  # for `flask doctor` only
    data: dict = field(default_factory=dict)  # figures for the JSON answer

    def public(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, **self.data}


def run_checks() -> list[Check]:
    database = check_database()
    return [database, check_migrations(database.ok), check_redis(), check_outbox(database.ok)]


def all_ok(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)


def _failure(name: str, error: Exception) -> Check:
    # The class name tells the kind of failure without the message's host and user names.
    # The first line: SQLAlchemy's messages go on with the statement and a link.
    message = (str(error).strip().splitlines() or [""])[0]
    return Check(name, False, type(error).__name__, error=f"{type(error).__name__}: {message}")


def check_database() -> Check:
    # Its own connection, not the request's session: a failure must not leave that one broken.
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return _failure("database", error)
    return Check("database", True, f"reachable ({db.engine.dialect.name})")


@cache
def script_heads(directory: str) -> tuple[str, ...]:
    """The newest revisions in the migrations folder. They change only with a new release,
    which restarts the process, so they are read once per process."""
    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def check_migrations(database_reachable: bool = True) -> Check:
    if not database_reachable:
        return Check("migrations", False, "unknown: the database is not reachable")
    try:
        heads = script_heads(current_app.extensions["migrate"].directory)
        with db.engine.connect() as connection:
            current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    except Exception as error:  # noqa: BLE001
        return _failure("migrations", error)
    data = {"current": list(current), "head": list(heads)}
    if current == heads:
        return Check("migrations", True, f"at head {', '.join(heads)}", data=data)
    return Check("migrations", False,
                 f"database at {', '.join(current) or 'no revision'}, code expects {', '.join(heads)}: "
                 "run `flask --app app db upgrade`", data=data)


def check_redis() -> Check:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return Check("redis", True, "not configured")
    try:
        client = redis_client(url)  # one try, with a timeout: a probe must not hang
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:  # noqa: BLE001 - refused, timed out, bad URL, wrong password …
        return _failure("redis", error)
    return Check("redis", True, "reachable")


def outbox_backlog(connection) -> tuple[int, datetime | None]:
    """How many mails wait to be sent (neither sent nor given up), and when the oldest was written."""
    waiting = (OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    count, oldest = connection.execute(
        select(func.count(), func.min(OutboxMail.created_at)).where(*waiting)).one()
    return count, oldest


def check_outbox(database_reachable: bool = True) -> Check:
    """A mail waiting longer than READY_MAX_OUTBOX_AGE means no worker sends (not started,
    crashed) or the mail server has refused for that long; a large but moving queue does not."""
    if not database_reachable:
        return Check("outbox", False, "unknown: the database is not reachable")
    limit = current_app.config["READY_MAX_OUTBOX_AGE"]
    try:
        with db.engine.connect() as connection:
            count, oldest = outbox_backlog(connection)
    except Exception as error:  # noqa: BLE001 - e.g. the table is missing before the first upgrade
        return _failure("outbox", error)
    age = max(0, int((utcnow() - oldest).total_seconds())) if oldest else 0
    data = {"waiting": count, "oldest_age_seconds": age, "max_age_seconds": limit}
    if count == 0:
        return Check("outbox", True, "no mail waiting", data=data)
    detail = f"{count} waiting, the oldest for {_duration(age)} (limit {_duration(limit)})"
    if age > limit:
        return Check("outbox", False, detail + ": is `flask --app app outbox work` running?", data=data)
    return Check("outbox", True, detail, data=data)


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
