"""Requests at the same moment, for the PostgreSQL concurrency tests: each in its own thread,
app context, session and connection, all released together by a barrier."""
import os
import threading
from typing import Callable

import pytest

from app.core.extensions import db

# The tests that need connections really running at once; SQLite serializes writers anyway.
needs_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the concurrency test needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…")


def at_once(app, count: int, act: Callable[[int, object], object], prepare: Callable[[int], object] | None = None,
            request_context: bool = False, timeout: float = 120) -> list:
    """Run `act(index, prepared)` in `count` threads that start together, each after its own
    `prepare(index)` (e.g. loading the row it works on); commit after `act`. Returns what each
    `act` returned, or the exception it raised (rolled back)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def one(index: int) -> None:
        with app.app_context():
            context = app.test_request_context() if request_context else None
            if context:
                context.push()
            try:
                prepared = prepare(index) if prepare else None
                barrier.wait(timeout=30)
                results[index] = act(index, prepared)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports every error
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()
                if context:
                    context.pop()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
