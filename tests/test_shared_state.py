"""What several workers must share when REDIS_URL is set (issue 15): rate limits mean the same
with one process or eight. The real Redis of the project machine (127.0.0.1:6379) is used;
without one the tests are skipped with the reason."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent


def _redis_or_skip(url: str = REDIS_URL, needed_for: str = "the test"):
    """A client of the Redis at `url`, or the test skipped with the reason."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"{needed_for} needs Redis, none at {url}: {error}")
    return client


WORKER = """
import sys
from tests.conftest import make_app
app = make_app(sys.argv[1], RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=sys.argv[2])
client = app.test_client()
print([client.post("/login", data={"email": "x@example.org", "password": "wrong"}).status_code
       for _ in range(6)])
"""


def test_login_limit_counts_across_processes_with_redis(database_url, monkeypatch):
    _redis_or_skip()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    prefix = f"test-{secrets.token_hex(8)}"
    other = subprocess.run([sys.executable, "-c", WORKER, database_url, prefix], capture_output=True, text=True,
                           cwd=ROOT, env={**os.environ, "REDIS_URL": REDIS_URL}, timeout=120)
    assert other.stdout.strip() == str([200] * 6), other.stderr[-2000:]
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix)
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "x@example.org", "password": "wrong"}).status_code
                for _ in range(5)]
    # 10 per minute for the address: six in the other process, four here, then no more.
    assert statuses == [200, 200, 200, 200, 429]


def test_without_redis_counters_are_per_process(monkeypatch, tmp_path):
    from app import config

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211")
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memcached://127.0.0.1:11211"


def test_with_redis_down_the_app_serves_limits_in_memory_and_says_so(app, database_url, monkeypatch, caplog):
    """Redis configured but not answering: pages and feeds are served (uncached), the login limit
    counts in this process, each part warns once, and /readyz tells the load balancer."""
    import json
    import logging
    import socket

    from app.core.extensions import db
    from tests import factories
    from tests.test_feeds import add

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        down = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    network = factories.network("magdeburg", "Netzwerk Magdeburg")
    event = add(network, "Sprachcafé", factories.local(2027, 3, 2, 15), factories.local(2027, 3, 2, 17))
    db.session.commit()
    monkeypatch.setenv("REDIS_URL", down)
    served = make_app(database_url, RATELIMIT_ENABLED=True)
    app_logger = logging.getLogger("app")  # it does not propagate to the root, where caplog listens
    app_logger.addHandler(caplog.handler)
    try:
        with served.app_context():
            client = served.test_client()
            for url in ("/", "/events", f"/events/{event.id}", "/feeds/n/magdeburg.ics", "/feeds/n/magdeburg.ics"):
                assert client.get(url).status_code == 200, url
            statuses = [client.post("/login", data={"email": "x@example.org", "password": "wrong"}).status_code
                        for _ in range(11)]
            ready = client.get("/readyz")
    finally:
        app_logger.removeHandler(caplog.handler)

    assert statuses == [200] * 10 + [429]  # 10 per minute, counted in memory
    assert ready.status_code == 503
    checks = json.loads(ready.data)["checks"]
    assert checks["redis"]["ok"] is False and checks["database"]["ok"] is True
    # Besides the request lines (/readyz's 503 is logged as an error): the cache's warning and the
    # rate limiter's, each once.
    warnings = sorted((r.name, r.getMessage()) for r in caplog.records
                      if r.levelno >= logging.WARNING and r.name != "app.requests")
    assert [name for name, _message in warnings] == ["app.core.cache", "flask-limiter"], warnings
    assert "Redis failed" in warnings[0][1] and "unreachable" in warnings[1][1]
