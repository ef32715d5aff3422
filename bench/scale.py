"""Treffpunkt against a bare Flask app, both on gunicorn (sync, 2 workers) on PostgreSQL, with
the bench data set: the events of bench/events_pages.py (10,000 events, 500 weekly series with
skipped, cancelled and moved dates), the demo (its Intercultural Week programme of 46 events)
and about 100,000 registrations. Load comes from wrk (Debian's package; `make bench` installs
it); each row is measured in the same round as its reference (bench/_reference.py):

    latency with one connection (p50, p95) and requests/s with four, for the upcoming list,
    an event page, one date of a series and the programme page, against a Jinja page of 50 rows;
    a network feed warm against ready bytes of its size; the same feed answered 304 against
    /hello; the first request after an edit; a cold feed (fresh workers); 200 simultaneous
    sign-ups (bench/registrations_concurrency.py); the workers' memory, also after 60 feed
    requests with unknown query parameters.

    .venv/bin/python bench/scale.py                 # BENCH_QUICK=1: shorter rounds
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres (the default)
"""
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from registrations_concurrency import _free_port, _pg_admin, _wait_until_up  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
SECONDS = 2 if QUICK else 6
WORKERS = 2
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.timeout, summary.requests))
end
"""


def fill(url: str) -> dict:
    """The data set; returns the addresses to measure."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from app import create_app
    from app.core.extensions import db
    from app.demo import load_demo
    from app.events import recurrence
    from app.events.models import Event
    from app.programmes.models import Campaign
    from app.registrations.models import Registration, RegistrationSettings
    from app.registrations.service import new_token
    import events_pages

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "localhost"})
    with app.app_context():
        upgrade()
        load_demo()
        network = events_pages.fill()
        now = datetime.now().astimezone()
        public = db.session.scalars(select(Event.id).where(
            Event.repeat.is_(None), Event.visibility == "public", Event.status == "published",
            Event.id.not_in(select(RegistrationSettings.event_id))).order_by(Event.id).limit(10 if QUICK else 5000)).all()
        db.session.execute(insert(RegistrationSettings), [{"event_id": e, "capacity": 100} for e in public])
        starts = dict(db.session.execute(select(Event.id, Event.starts_at).where(Event.id.in_(public))).all())
        _token, token_hash = new_token()
        rows = [{"event_id": e, "occurrence_start": starts[e], "name": f"Person {n}",
                 "email": f"p{n}.{e}@example.org", "status": "confirmed", "organization_name": "Verein",
                 "token_hash": f"{token_hash[:40]}{e:012d}{n:012d}", "answers": "{}", "created_at": now,
                 "updated_at": now} for e in public for n in range(20)]
        for chunk in range(0, len(rows), 20_000):
            db.session.execute(insert(Registration), rows[chunk:chunk + 20_000])
        single = db.session.scalar(select(Event.id).where(
            Event.repeat.is_(None), Event.visibility == "public", Event.status == "published",
            Event.starts_at > now, Event.network_id == network.id).order_by(Event.starts_at).limit(1))
        series = db.session.scalar(select(Event).where(
            Event.repeat.is_not(None), Event.visibility == "public", Event.status == "published",
            Event.last_ends_at > now, Event.network_id == network.id).order_by(Event.id).limit(1))
        key = recurrence.following(series, series.changes, now, 1)[0].key
        campaign = db.session.scalar(select(Campaign.slug))
        registrations = db.session.scalar(select(func.count()).select_from(Registration))
        events = db.session.scalar(select(func.count()).select_from(Event))
        paths = {"list": "/events", "event": f"/events/{single}", "series": f"/events/{series.id}?at={key}",
                 "programme": f"/programmes/{campaign}", "feed": f"/feeds/n/{network.slug}.ics", "edited": single,
                 "events": events, "registrations": registrations}
        db.session.commit()
        # Statistics, as autovacuum keeps them on a live database: without them PostgreSQL
        # plans the bulk-loaded tables blind (the upcoming list's query took 65 ms, not 2).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        db.engine.dispose()
    return paths


def wrk(port: int, path: str, connections: int, headers=()) -> tuple[float, float, float, int]:
    """(p50 ms, p95 ms, requests/s, errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{SECONDS}s", "-s", script.name]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    os.unlink(script.name)
    found = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", output)
    if not found:
        raise SystemExit(f"wrk gave no result for {path}:\n{output}")
    p50, p95, rate, errors, _count = found.groups()
    return float(p50), float(p95), float(rate), int(errors)


def get(port: int, path: str, headers=None) -> tuple[int, float, dict, bytes]:
    import http.client

    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - start) * 1000, dict(response.getheaders()), body


class Server:
    """gunicorn serving `app` of the checkout at `root` (bench/public_pages.py serves another one), its log
    lines to `output` (a file) or the terminal."""

    def __init__(self, app: str, env: dict, workers: int = WORKERS, port: int | None = None, root: Path = ROOT,
                 output=None):
        self.app, self.env, self.workers, self.root, self.output = app, env, workers, root, output
        self.port, self.process = port or _free_port(), None

    def start(self) -> "Server":
        root = self.root
        self.process = subprocess.Popen(
            [str(root / ".venv/bin/gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--chdir", str(root / "bench") if "reference" in self.app else str(root),
             self.app], cwd=root, env=self.env, start_new_session=True, stdout=self.output, stderr=self.output)
        if "reference" in self.app:
            time.sleep(1.5)
        else:
            _wait_until_up(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def rss_mib(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sorted(sizes)


def row(label: str, ours: str, reference: str = "", ratio: str = "", goal: str = "") -> None:
    print(f"| {label} | {ours} | {reference} | {ratio} | {goal} |")


def main() -> int:
    if shutil.which("wrk") is None:
        print("skipped: wrk is not installed (apt-get install wrk; `make bench` does it)")
        return 0
    try:
        admin = _pg_admin()
    except Exception as error:  # noqa: BLE001 - any reason PostgreSQL is not there
        print(f"skipped: PostgreSQL is not reachable at {ADMIN_URL} ({error})")
        return 0
    name = f"tp_bench_scale_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    ours = reference = cache_dir = None
    try:
        started = time.perf_counter()
        paths = fill(url)
        print(f"data: {paths['events']:,} events, {paths['registrations']:,} registrations "
              f"(filled in {time.perf_counter() - started:.0f} s); gunicorn sync, {WORKERS} workers, "
              f"wrk {SECONDS} s per round\n")
        cache_dir = tempfile.mkdtemp(prefix="tp-bench-cache-")  # the feeds' shared store, empty
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + secrets.token_hex(8),
               "CACHE_DIR": cache_dir}
        env.pop("MAIL_SERVER", None)
        ours = Server("app:create_app({'RATELIMIT_ENABLED': False})", env).start()
        reference = Server("_reference:app", env).start()

        print("| what | Treffpunkt | reference | ratio | goal |\n|---|---:|---:|---:|---|")
        jinja = wrk(reference.port, "/jinja", 4)
        jinja_idle = wrk(reference.port, "/jinja", 1)
        for label, key, goal in (("upcoming list `/events`, idle", "list", "p95 ≤ 20 ms, ≥ 0.3"),
                                 ("event page, idle", "event", "≤ 8 ms, ≥ 0.5"),
                                 ("one date of a series", "series", "≤ 8 ms, ≥ 0.5"),
                                 ("programme page (46 events)", "programme", "≤ 15 ms, ≥ 0.3")):
            get(ours.port, paths[key])  # warm
            idle = wrk(ours.port, paths[key], 1)
            busy = wrk(ours.port, paths[key], 4)
            row(label, f"{idle[0]:.1f} ms (p95 {idle[1]:.1f}), {busy[2]:.0f} req/s",
                f"Jinja {jinja_idle[0]:.1f} ms, {jinja[2]:.0f} req/s", f"{busy[2] / jinja[2]:.3f}", goal)

        status, _ms, headers, body = get(ours.port, paths["feed"])
        size = len(body)
        warm = wrk(ours.port, paths["feed"], 4)
        ready = wrk(reference.port, f"/bytes?size={size}", 4)
        row(f"network feed ({body.count(b'BEGIN:VEVENT'):,} VEVENTs, {size / 1e6:.1f} MB), warm",
            f"{warm[2]:.0f} req/s", f"ready bytes {ready[2]:.0f} req/s", f"{warm[2] / ready[2]:.3f}", "≥ 0.5")
        etag = headers.get("ETag", "")
        cached = wrk(ours.port, paths["feed"], 4, headers=[f"If-None-Match: {etag}"])
        hello = wrk(reference.port, "/hello", 4)
        row("the same feed, `If-None-Match` → 304", f"{cached[2]:.0f} req/s, {cached[0]:.1f} ms",
            f"`/hello` {hello[2]:.0f} req/s", f"{cached[2] / hello[2]:.3f}", "≥ 0.8")

        from sqlalchemy import create_engine, text

        from app.feeds.versions import bump

        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE events SET title = title || ' (neu)', updated_at = now(), "
                                    "sequence = sequence + 1 WHERE id = :id"), {"id": paths["edited"]})
            bump(connection)  # SQL around the ORM must say so (feeds/versions.py)
        engine.dispose()
        after = [get(ours.port, paths["feed"])[1] for _ in range(WORKERS * 2)]
        row("first feed requests after one edit", " / ".join(f"{ms:.0f} ms" for ms in after), "", "",
            "≤ 20 ms, once for all workers")

        before_rss = ours.rss_mib()
        ours.stop()
        # The same address: the feed's links (and so its cache keys) name the host.
        ours = Server("app:create_app({'RATELIMIT_ENABLED': False})", env, port=ours.port).start()
        fresh = get(ours.port, paths["feed"])[1]
        ours.stop()
        shutil.rmtree(cache_dir)
        ours = Server("app:create_app({'RATELIMIT_ENABLED': False})", env, port=ours.port).start()
        cold = get(ours.port, paths["feed"])[1]
        row("cold feed (fresh workers)", f"{fresh:.0f} ms; {cold:.0f} ms with the shared store emptied", "", "",
            "≤ 300 ms, no worker starts cold")
        for n in range(60):
            get(ours.port, f"{paths['feed']}?x={secrets.token_hex(6)}&n={n}")
        row("worker RSS", f"{', '.join(f'{m:.0f}' for m in before_rss)} MiB; "
            f"{', '.join(f'{m:.0f}' for m in ours.rss_mib())} MiB after 60 feed requests with unknown parameters",
            f"bare Flask {', '.join(f'{m:.0f}' for m in reference.rss_mib())} MiB", "", "≤ 100 MiB, bounded")
        print()
        ours.stop()
        reference.stop()
        ours = reference = None
        print("sign-ups:", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench/registrations_concurrency.py")], check=False)
        return 0
    finally:
        for server in (ours, reference):
            if server is not None:
                server.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if cache_dir is not None:
            shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
