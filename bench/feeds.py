"""The calendar feed of one network: build time, 304 revalidation, throughput under load.

One network with 1,000 single events and 50 weekly series in its feed (a fifth with
BENCH_QUICK=1): public, mostly published, some cancelled; every series runs for a year
with skipped, cancelled and moved dates. Beside them a tenth as many events the feed
must leave out (older than 90 days, drafts, members-only).

In-process, through the WSGI app (server time, no network), with the SQL statements of
one request: the feed built cold (its caches emptied), warm, after one event was
edited (one piece built again), and the 304 answers to If-None-Match / If-Modified-Since.

Then throughput against gunicorn (2 sync workers) on a free local port, measured with
wrk (8 connections, 5 s each, 2 s with BENCH_QUICK=1; without wrk a Python thread-pool
load generator stands in, and says so): the feed (200), the feed revalidated (304), and
for reference a minimal route registered only by this benchmark (/bench/hello, a few
bytes of text) and /health (one SELECT 1), on the same server.

    .venv/bin/python bench/feeds.py
    BENCH_QUICK=1 .venv/bin/python bench/feeds.py
    BENCH_DATABASE_URL=postgresql+psycopg://.../throwaway .venv/bin/python bench/feeds.py

wrk comes with the system's packages (apt-get install wrk). With BENCH_DATABASE_URL, give
an empty throwaway database: it is migrated and filled, and not cleaned up afterwards.
"""
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT), str(ROOT / "bench")):  # the app, and _support / events_pages beside this file
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _support import QUICK, bench_app, measure  # noqa: E402  (standard library only at import)

SINGLES = 200 if QUICK else 1_000
SERIES = 10 if QUICK else 50
LEFT_OUT = SINGLES // 10
COLD_REPEAT = 3 if QUICK else 10
REPEAT = 20 if QUICK else 100
DURATION = 2 if QUICK else 5
CONNECTIONS = 8
WORKERS = 2
SLUG = "feed-bench"
TZ = "Europe/Berlin"
DATABASE_ENV = "BENCH_FEEDS_DATABASE_URL"  # how the gunicorn workers learn the bench database


# --- The server side: gunicorn loads this factory -----------------------------------

def bench_wsgi():
    """The app on the bench database, plus a minimal public route for reference.

    gunicorn -w 2 'bench.feeds:bench_wsgi()' with BENCH_FEEDS_DATABASE_URL set; the extra
    route exists only here, the app itself is unchanged (rate limits off: one IP sends all).
    """
    from app import create_app
    from app.core.security import public

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ[DATABASE_ENV], "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})

    @public
    def hello():
        return "Hallo Treffpunkt\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    app.add_url_rule("/bench/hello", "bench_hello", hello)
    return app


# --- Data -----------------------------------------------------------------------------

def fill():
    """One network: SINGLES events and SERIES weekly series in its feed, LEFT_OUT outside it.

    Bulk inserts as in events_pages.py (its venues, titles and row defaults), with the
    derived fields (uid, last_ends_at) computed here rather than per row by save().
    """
    import events_pages as pages
    from app.core.extensions import db
    from app.directory import service as directory
    from app.events import recurrence, service
    from app.events.models import Tag, event_tags
    from tests import factories

    rng = random.Random(5)
    today = recurrence.to_local(datetime.now().astimezone(), TZ).date()
    network = factories.network(SLUG, "Netzwerk Integration Feed-Bench")
    kinds = service.kinds(network)
    groups = [factories.group(network, f"AG {g}") for g in range(6)]
    people = []
    for o in range(10):
        organization = directory.create_organization(network, f"Träger {o}", city="Magdeburg")
        people.append(directory.save_person(organization, None, name=f"Person {o}", email=f"p{o}@example.org"))
    tags = [Tag(network_id=network.id, name=name, slug=service.slug_of(name)) for name in pages.TAGS]
    db.session.add_all(tags)
    db.session.flush()

    def at(day, hour, minute=0):
        return datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)

    singles = []
    for i in range(SINGLES + LEFT_OUT):
        row = pages._common(rng, network, kinds, groups, people)
        row.update(visibility="public", status="published", cancel_reason="")
        if i < SINGLES:  # in the feed: the past 90 days and the year ahead
            day = today + timedelta(days=rng.randint(-88, 365))
            if rng.random() < 0.04:
                row.update(status="cancelled", cancel_reason="Die Referentin ist erkrankt.")
        else:  # left out: too old, a draft, or members only
            day = today + timedelta(days=rng.randint(-365, 365))
            roll = rng.random()
            if roll < 0.4:
                day = today - timedelta(days=rng.randint(100, 365))
            elif roll < 0.7:
                row["status"] = "draft"
            else:
                row["visibility"] = "members"
        if rng.random() < 0.03:  # all day
            start = at(day, 0)
            end = start + timedelta(days=rng.choice((1, 1, 2)))
            row["all_day"] = True
        else:
            start = at(day, rng.randint(8, 19), rng.choice((0, 0, 15, 30)))
            end = start + timedelta(minutes=rng.choice((60, 90, 120, 120, 180)))
        row.update(title=f"{rng.choice(pages.TITLES)} {i}", starts_at=recurrence.to_utc(start, TZ),
                   ends_at=recurrence.to_utc(end, TZ))
        row["last_ends_at"] = row["ends_at"]
        singles.append(row)

    series, series_changes = [], []
    for i in range(SERIES):
        row = pages._common(rng, network, kinds, groups, people)
        row.update(visibility="public", status="published", cancel_reason="")
        if i % 10 == 9:
            row.update(status="cancelled", cancel_reason="Die Reihe endet früher.")
        first = today + timedelta(days=rng.randint(-200, 100))
        start = at(first, rng.randint(9, 18))
        row.update(title=f"{rng.choice(pages.SERIES_TITLES)} {i}", starts_at=recurrence.to_utc(start, TZ),
                   ends_at=recurrence.to_utc(start + timedelta(hours=2), TZ), repeat="weekly",
                   repeat_interval=2 if rng.random() < 0.2 else 1, repeat_until=first + timedelta(days=364))
        changes = pages.make_series_changes(rng, row, ("skipped", "cancelled", "moved", "moved"), later_hours=(0, 1))
        series.append(row)
        series_changes.append(changes)

    ids = pages.insert_events(singles, series, series_changes)
    db.session.execute(event_tags.insert(), [
        {"event_id": event_id, "tag_id": tag.id}
        for event_id in ids for tag in rng.sample(tags, rng.choice((0, 1, 1, 2)))])
    db.session.commit()
    return network, ids[:SINGLES]


# --- What the feeds blueprint offers ------------------------------------------------

def feed_url(app, slug: str) -> str | None:
    """The network's public feed (feeds.network, /feeds/n/<slug>.ics); None while there is none."""
    from flask import url_for

    if "feeds.network" not in app.view_functions:
        return None
    with app.test_request_context():
        return url_for("feeds.network", slug=slug)


def clear_caches(app):
    """Empty the shared store of pieces, fingerprints and whole feeds (core/cache.py)."""
    app.extensions["treffpunkt_cache"].clear()


def forget_local(app):
    """Drop this process's copies, as a fresh worker would start: the shared store stays."""
    app.extensions["treffpunkt_cache"].forget_local()


# --- In-process timings -----------------------------------------------------------------

def measure_after(label: str, prepare, fn, repeat: int) -> None:
    """As _support.measure, but `prepare` runs untimed before every call of fn."""
    prepare()
    fn()
    times = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:<46} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   (n={repeat})")


def describe(body: bytes) -> str:
    text = body.decode("utf-8")
    vevents = text.count("BEGIN:VEVENT")
    overrides = len(re.findall(r"^RECURRENCE-ID", text, flags=re.M))
    rrules = len(re.findall(r"^RRULE", text, flags=re.M))
    cancelled = len(re.findall(r"^STATUS:CANCELLED", text, flags=re.M))
    return (f"{len(body) / 1024:.0f} KB, {vevents} VEVENTs ({rrules} with RRULE, {overrides} RECURRENCE-ID "
            f"overrides, {cancelled} cancelled)")


def in_process(app, url: str, event_ids: list[int], counter) -> tuple[str, str | None]:
    from app.core.extensions import db
    from app.events import service
    from app.events.models import Event

    client = app.test_client()
    first = client.get(url)
    if first.status_code != 200:
        sys.exit(f"{url} answered {first.status_code}")
    etag, modified = first.headers.get("ETag"), first.headers.get("Last-Modified")
    print(f"  {url}: {first.headers.get('Content-Type')}; {describe(first.data)}")
    print(f"  ETag {etag}   Last-Modified {modified}   Cache-Control {first.headers.get('Cache-Control')}")

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    edits = iter(range(1, 1_000_000))

    def edit_one():
        """Every other edit changes the title (SEQUENCE stays), the rest the room (SEQUENCE rises)."""
        n = next(edits)
        with app.app_context():
            event = db.session.get(Event, event_ids[n % len(event_ids)])
            if n % 2:
                service.save(event, title=f"{event.title.split(' · ')[0]} · geändert {n}")
            else:
                service.save(event, venue_room=f"Raum {n}")
            db.session.commit()

    from app.feeds import service as feeds

    clear_caches(app)
    built = feeds.built_pieces
    queries = counter.queries(get)
    print(f"  cold build: {feeds.built_pieces - built} pieces built (caches emptied before each cold request)")
    measure_after(f"feed, cold (caches empty) [{queries} queries]", lambda: clear_caches(app), get, COLD_REPEAT)
    get()
    forget_local(app)
    queries = counter.queries(get)
    measure_after(f"feed, new worker (shared store warm) [{queries} queries]", lambda: forget_local(app), get,
                  REPEAT)
    get()
    queries = counter.queries(get)
    measure(f"feed, unchanged (whole feed cached) [{queries} queries]", get, REPEAT)

    before = get().headers.get("ETag")
    edit_one()
    built = feeds.built_pieces
    queries = counter.queries(get)
    print(f"  after one edit: {feeds.built_pieces - built} piece(s) built again, "
          f"ETag {'changed' if get().headers.get('ETag') != before else 'UNCHANGED'}")
    measure_after(f"feed, one event edited before [{queries} queries]", edit_one, get, REPEAT)

    etag = get().headers.get("ETag")
    modified = get().headers.get("Last-Modified")
    revalidations = []
    if etag:
        revalidations.append(("If-None-Match", etag))
    else:
        print("  no ETag: If-None-Match not measured")
    if modified:
        revalidations.append(("If-Modified-Since", modified))
    else:
        print("  no Last-Modified: If-Modified-Since not measured")
    for header, value in revalidations:
        def revalidate(header=header, value=value):
            response = client.get(url, headers={header: value})
            assert response.status_code == 304, (header, response.status_code)

        queries = counter.queries(revalidate)
        measure(f"304 to {header} [{queries} queries]", revalidate, REPEAT * 5)
    return etag, modified


# --- Throughput against gunicorn --------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def start_server(database_url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, DATABASE_ENV: database_url}
    env.pop("MAIL_SERVER", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.feeds:bench_wsgi()"],
        cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if _request(port, "/bench/hello").status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not come up within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(port: int, path: str, headers: dict) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                            timeout=DURATION + 60, check=True).stdout
    latency = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", output)
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", output, flags=re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "mean": _ms(latency.group(1)), "p50": _ms(percentiles["50"]), "p99": _ms(percentiles["99"]),
            "max": _ms(latency.group(3)),
            "transfer": re.search(r"Transfer/sec:\s+(\S+)", output).group(1),
            "problems": ", ".join(filter(None, [bad and f"{bad.group(1)} non-2xx/3xx",
                                                errors and f"socket errors {errors.group(1)}"]))}


def run_threads(port: int, path: str, headers: dict) -> dict:
    """Stand-in for wrk: CONNECTIONS threads, each one request after the other (GIL-bound)."""
    latencies, statuses, size = [], {}, [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + DURATION

    def worker():
        mine, seen, received = [], {}, 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                response = _request(port, path, headers)
                seen[response.status] = seen.get(response.status, 0) + 1
                received += len(response.body)
            except OSError:
                seen["error"] = seen.get("error", 0) + 1
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            size[0] += received
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "mean": statistics.fmean(latencies), "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], "max": latencies[-1],
            "transfer": f"{size[0] / elapsed / 1024 / 1024:.2f}MB",
            "problems": ", ".join(f"{count}× {status}" for status, count in statuses.items()
                                  if status not in (200, 304))}


def throughput(database_url: str, url: str) -> None:
    wrk = shutil.which("wrk")
    tool = "wrk" if wrk else "a Python thread pool (wrk not found; its own overhead caps the figures)"
    server, port = start_server(database_url)
    try:
        feed = _request(port, url)
        if feed.status != 200:
            raise SystemExit(f"gunicorn: {url} answered {feed.status}")
        revalidate = {}
        if feed.getheader("ETag"):
            revalidate = {"If-None-Match": feed.getheader("ETag")}
        elif feed.getheader("Last-Modified"):
            revalidate = {"If-Modified-Since": feed.getheader("Last-Modified")}
        targets = [("feed (200)", url, {}, 200)]
        if revalidate:
            targets.append((f"feed, {next(iter(revalidate))} (304)", url, revalidate, 304))
        else:
            print("  no ETag and no Last-Modified: the 304 path is not measured")
        targets += [("reference: /bench/hello (minimal route)", "/bench/hello", {}, 200),
                    ("reference: /health (one SELECT 1)", "/health", {}, 200)]
        print(f"gunicorn -w {WORKERS} (sync) on 127.0.0.1:{port}, load by {tool}, {CONNECTIONS} connections, "
              f"{DURATION} s each, {os.cpu_count()} CPUs shared by server and load tool")
        for label, path, headers, expected in targets:
            # Concurrent warm-up, so that every worker has its pieces cached before the run.
            with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
                statuses = set(pool.map(lambda _: _request(port, path, headers).status, range(4 * WORKERS)))
            status = statuses.pop() if len(statuses) == 1 else statuses
            if status != expected:
                print(f"  {label}: answered {status}, expected {expected}; skipped")
                continue
            result = (run_wrk if wrk else run_threads)(port, path, headers)
            print(f"  {label:<40} {result['rps']:8.0f} req/s   latency median {result['p50']:7.2f} ms   "
                  f"p99 {result['p99']:7.2f} ms   max {result['max']:7.1f} ms   {result['transfer']}/s"
                  + (f"   ({result['problems']})" if result["problems"] else ""))
    finally:
        stop_server(server)


def main():
    import events_pages as pages
    from app.core.extensions import db

    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            network, event_ids = fill()
            slug, engine, database_url = network.slug, db.engine, db.engine.url.render_as_string(hide_password=False)
        filled = time.perf_counter() - started
        print(f"network feed: 1 network, {SINGLES:,} events and {SERIES} weekly series in the feed, "
              f"{LEFT_OUT} events left out (filled in {filled:.1f} s)")
        url = feed_url(app, slug)
        if url is None:
            print("  skipped: the feeds blueprint has no network feed (yet)")
            return
        counter = pages.QueryCounter(engine)
        in_process(app, url, event_ids, counter)
        engine.dispose()  # the SQLite file is now the server's
        throughput(database_url, url)


if __name__ == "__main__":
    main()
