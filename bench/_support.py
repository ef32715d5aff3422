"""Shared set-up for the benchmarks: an app on a fresh migrated database, and timing."""
import os
import statistics
import tempfile
import time
from contextlib import contextmanager

QUICK = os.environ.get("BENCH_QUICK") == "1"


@contextmanager
def bench_app():
    """The app on BENCH_DATABASE_URL (e.g. PostgreSQL) or on a throwaway SQLite file."""
    from flask_migrate import upgrade

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost"})
        with app.app_context():
            upgrade()
        # No app context stays pushed: each request gets its own, as in production.
        yield app


@contextmanager
def throwaway_postgres(admin_url: str, prefix: str):
    """A new database on the PostgreSQL server of `admin_url` (its maintenance database) for one
    run, dropped afterwards, whatever happens; yields its URL, or None (having said why) when no
    server answers."""
    import secrets

    import psycopg

    try:
        admin = psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True,
                                connect_timeout=3)
    except psycopg.Error as error:
        print(f"skipped: PostgreSQL is not reachable at {admin_url} ({error.__class__.__name__})")
        yield None
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def measure(label: str, fn, repeat: int) -> None:
    """Run fn `repeat` times after one warm-up; print median and 95th percentile in ms."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:<46} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   (n={repeat})")
