"""One app server against two (issue 19): gunicorn with 2 sync workers, then two such servers
behind one address as a load balancer would spread the load, on PostgreSQL and Redis. Each setup
starts on a fresh database and an emptied Redis database (BENCH_REDIS_URL, default database 13):

  sign-ups   200 people register at the same moment for an event with 50 places and a waiting
             list (40 for 10 with BENCH_QUICK=1): bench/registrations_concurrency.py's clients
             (event page, then all POST at a barrier), client n on server n % servers. Exactly
             the places are confirmed, the rest wait; requests/s over the POSTs and their p95.
  warm feed  the network feed of bench/feeds.py (1,000 events and 50 series), warmed on every
             server, then wrk with 8 connections (4 + 4 over two servers at once) for SECONDS;
             requests/s of all, and the p95 of all requests (both runs' latency distributions
             merged, from 999 percentiles each).

    .venv/bin/python bench/scale_out.py                      # BENCH_QUICK=1: smaller, shorter
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres (the default)

On a machine where servers, PostgreSQL, Redis and the load generator share the same cores, a
second server adds processes, not CPU: the figures show that spreading over servers keeps the
capacity rule and costs little, not how far a real cluster of machines goes.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT), str(ROOT / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _support import throwaway_postgres  # noqa: E402
from registrations_concurrency import CLIENTS, PLACES, Client, _counts, _prepare, sign_up_at_once  # noqa: E402
from scale import ADMIN_URL, SECONDS, WORKERS, Server, get  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
LOG = Path(tempfile.gettempdir()) / "treffpunkt-bench-scale-out.log"  # the servers' request log, not the table's
CONNECTIONS = 8
APP = "app:create_app({'RATELIMIT_ENABLED': False})"  # one address sends everything
# Request count, duration (µs), errors, then the latency (µs) at 0.1, 0.2, … 99.9 percent.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SUMMARY %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
  for step = 1, 999 do io.write(string.format("Q %d\\n", latency:percentile(step / 10))) end
end
"""


def fill(url: str) -> tuple[int, str]:
    """The sign-up event and the feed's network on a new database; (event id, feed path)."""
    from sqlalchemy import text

    import feeds
    from app import create_app
    from app.core.extensions import db

    event_id = _prepare(url)  # migrates, then the event with PLACES places
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "localhost"})
    with app.app_context():
        network, _ids = feeds.fill()
        path = f"/feeds/n/{network.slug}.ics"
        # Statistics as autovacuum keeps them on a live database (see bench/scale.py).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        db.engine.dispose()
    return event_id, path


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def sign_ups(url: str, ports: list[int], event_id: int) -> dict:
    clients = [Client(ports[i % len(ports)], event_id, i) for i in range(CLIENTS)]
    results, wall = sign_up_at_once(clients)
    answered = [r for r in results if r[1] in (302, 422)]  # registered or waiting / full: the app's rules
    counts = _counts(url, event_id)
    return {"rps": len(results) / wall, "p95": p95([r[0] for r in results if r[0] is not None]),
            "confirmed": counts.get("confirmed", 0), "waiting": counts.get("waiting", 0),
            "errors": len(results) - len(answered)}


def wrk_run(port: int, path: str, connections: int) -> tuple[int, float, int, list[float]]:
    """(requests, seconds, errors, latency in ms at 999 percentiles)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        output = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{SECONDS}s",
                                 "-s", script.name, f"http://127.0.0.1:{port}{path}"],
                                capture_output=True, text=True, timeout=SECONDS + 60).stdout
    finally:
        os.unlink(script.name)
    found = re.search(r"SUMMARY (\d+) (\d+) (\d+)", output)
    if not found:
        raise SystemExit(f"wrk gave no result for {path}:\n{output}")
    requests, duration, errors = map(int, found.groups())
    return requests, duration / 1e6, errors, [int(q) / 1000 for q in re.findall(r"^Q (\d+)", output, flags=re.M)]


def warm_feed(ports: list[int], path: str) -> dict:
    for port in ports:  # every worker of every server has the feed at hand (and it is a 200)
        with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
            statuses = set(pool.map(lambda _: get(port, path)[0], range(4 * WORKERS)))
        if statuses != {200}:
            raise SystemExit(f"{path} answered {statuses} on port {port}")
    with ThreadPoolExecutor(max_workers=len(ports)) as pool:
        runs = list(pool.map(lambda port: wrk_run(port, path, CONNECTIONS // len(ports)), ports))
    # Each run's percentiles stand for equal shares of its requests: merged, they give the p95
    # of all requests to within a tenth of a percent.
    weighted = sorted((ms, requests / len(quantiles)) for requests, _s, _e, quantiles in runs for ms in quantiles)
    total, seen = sum(weight for _ms, weight in weighted), 0.0
    merged = weighted[-1][0]
    for ms, weight in weighted:
        seen += weight
        if seen >= 0.95 * total:
            merged = ms
            break
    return {"rps": sum(requests / seconds for requests, seconds, _e, _q in runs), "p95": merged,
            "errors": sum(errors for _r, _s, errors, _q in runs)}


def setup(servers: int) -> tuple[dict, dict]:
    import redis

    with throwaway_postgres(ADMIN_URL, "tp_bench_scale_out") as url:
        if url is None:
            raise SystemExit(0)
        redis.Redis.from_url(REDIS_URL).flushdb()
        event_id, path = fill(url)
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "bench-scale-out",
               "BASE_URL": "http://treffpunkt.bench"}  # one public address: the same feed bytes from every server
        env.pop("MAIL_SERVER", None)  # mails stay in the outbox
        started: list[Server] = []
        try:
            with LOG.open("ab") as log:
                for _ in range(servers):
                    started.append(Server(APP, env, output=log).start())
            ports = [server.port for server in started]
            return sign_ups(url, ports, event_id), warm_feed(ports, path)
        finally:
            for server in started:
                server.stop()
            redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> int:
    import redis

    if shutil.which("wrk") is None:
        print("skipped: wrk is not installed (apt-get install wrk; `make bench` does it)")
        return 0
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as error:
        print(f"skipped: Redis is not reachable at {REDIS_URL} ({error})")
        return 0
    print(f"gunicorn sync, {WORKERS} workers per server, PostgreSQL and Redis; {CLIENTS} sign-ups at once for "
          f"{PLACES} places; warm feed by wrk, {CONNECTIONS} connections, {SECONDS} s; {os.cpu_count()} CPUs "
          f"shared by everything; the servers' log: {LOG}\n")
    print("| setup | sign-ups req/s | sign-ups p95 | confirmed / waiting / errors | feed req/s | feed p95 |")
    print("|---|---:|---:|---|---:|---:|")
    LOG.unlink(missing_ok=True)
    failed = False
    for servers in (1, 2):
        registered, feed = setup(servers)
        label = f"{servers} server{'s' if servers > 1 else ''} × {WORKERS} workers"
        print(f"| {label} | {registered['rps']:.0f} | {registered['p95']:.0f} ms | {registered['confirmed']} / "
              f"{registered['waiting']} / {registered['errors']} | {feed['rps']:.0f} | {feed['p95']:.1f} ms"
              + (f" ({feed['errors']} errors)" if feed["errors"] else "") + " |", flush=True)
        failed |= (registered["confirmed"], registered["waiting"], registered["errors"], feed["errors"]) \
            != (PLACES, CLIENTS - PLACES, 0, 0)
    if failed:
        print("\nFAILED: places overbooked or left free, or requests failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
