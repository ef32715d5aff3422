"""200 concurrent registrations for 50 places against gunicorn with 4 workers on PostgreSQL.

Creates a throwaway PostgreSQL database, migrates it, adds one public event with 50 places
and a waiting list, starts gunicorn (4 sync workers) on a free local port, then lets 200
clients register at the same moment through the real form: each client first loads the
event page (session cookie and CSRF token, as a browser would), all wait at a barrier, then
all POST. Reports confirmed, waiting, errors, and median and 95th-percentile latency of the
POSTs (queueing behind the 4 workers included). The database is dropped afterwards.

    .venv/bin/python bench/registrations_concurrency.py
    BENCH_QUICK=1 .venv/bin/python bench/registrations_concurrency.py      # 40 for 10 places
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres (the default)

Rate limits are switched off in the server (one IP sends everything) through gunicorn's
app-factory arguments; no setting of the app is changed for the benchmark.
"""
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
CLIENTS = 40 if QUICK else 200
PLACES = 10 if QUICK else 50
WORKERS = 4
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    import psycopg

    dsn = ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(dsn, autocommit=True, connect_timeout=3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(url: str) -> int:
    """Migrate the new database and add the event; returns its id."""
    from flask_migrate import upgrade

    from app import create_app
    from app.core.extensions import db
    from app.core.types import utcnow
    from app.events import service as events
    from app.events.models import Event
    from app.registrations.models import RegistrationSettings
    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "localhost"})
    with app.app_context():
        upgrade()
        network = factories.network("bench", "Netzwerk Bench")
        kind = next(k for k in events.kinds(network) if k.code == "public_event")
        event = Event(network_id=network.id, kind_id=kind.id, title="Interkulturelles Fest", status="published",
                      visibility="public", timezone="Europe/Berlin", languages="de")
        start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        events.save(event, starts_at=start, ends_at=start + timedelta(hours=3), venue_name="Stadtpark")
        db.session.flush()
        db.session.add(RegistrationSettings(event_id=event.id, capacity=PLACES, waiting_list=True))
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id


def _counts(url: str, event_id: int) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM registrations WHERE event_id = :id "
                                       "GROUP BY status"), {"id": event_id}).all()
        mails = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
    engine.dispose()
    return {**dict(rows), "mails": mails}


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up within 30 s")


class Client:
    """One person's browser: the event page first (cookie, CSRF token), then the POST."""

    def __init__(self, port: int, event_id: int, index: int):
        self.port, self.event_id, self.index = port, event_id, index
        self.cookie = ""
        self.token = ""

    def load_form(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", f"/events/{self.event_id}")
        response = connection.getresponse()
        page = response.read().decode()
        self.cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                                if name.lower() == "set-cookie")
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def register(self) -> tuple[float, int, str]:
        body = urlencode({"csrf_token": self.token, "name": f"Person {self.index}",
                          "email": f"person{self.index}@example.org", "organization_id": "0", "at": ""})
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request("POST", f"/events/{self.event_id}/register", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie})
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, response.status, response.getheader("Location") or ""


def sign_up_at_once(clients: list[Client]) -> tuple[list, float]:
    """Every client loads the form, then all POST at the same moment (a barrier). Returns each
    client's (latency ms, status, Location) by its index, and the seconds until the last answer."""
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(lambda c: c.load_form(), clients))

    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(client: Client) -> None:
        barrier.wait(timeout=60)
        try:
            results[client.index] = client.register()
        except OSError as error:
            results[client.index] = (None, 0, repr(error))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - wall


def main() -> int:
    try:
        admin = _pg_admin()
    except Exception as error:  # noqa: BLE001 - any reason PostgreSQL is not there
        print(f"skipped: PostgreSQL is not reachable at {ADMIN_URL} ({error.__class__.__name__}: {error})")
        return 0
    name = f"tp_bench_reg_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    server = None
    try:
        event_id = _prepare(url)
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + secrets.token_hex(8)}
        env.pop("MAIL_SERVER", None)  # mails stay in the outbox; nothing is sent
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "app:create_app({'RATELIMIT_ENABLED': False})"],
            cwd=ROOT, env=env, start_new_session=True)
        _wait_until_up(port, server)

        results, wall = sign_up_at_once([Client(port, event_id, i) for i in range(CLIENTS)])

        ok = [r for r in results if r[1] == 302 and "/registered/" in r[2]]
        errors = [r for r in results if not (r[1] == 302 and "/registered/" in r[2])]
        latencies = sorted(r[0] for r in results if r[0] is not None)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        counts = _counts(url, event_id)
        print(f"{CLIENTS} concurrent registrations for {PLACES} places, gunicorn -w {WORKERS}, PostgreSQL")
        print(f"  confirmed {counts.get('confirmed', 0)}   waiting {counts.get('waiting', 0)}   "
              f"errors {len(errors)}   (successful responses {len(ok)}, mails queued {counts['mails']})")
        print(f"  latency   median {statistics.median(latencies):7.1f} ms   p95 {p95:7.1f} ms   "
              f"max {latencies[-1]:7.1f} ms   all done in {wall:.2f} s")
        if errors:
            print("  first errors:", errors[:3])
        over = counts.get("confirmed", 0) > PLACES
        if over:
            print("  OVERBOOKED")
        return 1 if over or errors else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    raise SystemExit(main())
