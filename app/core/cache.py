"""A byte store that every worker shares, for what is costly to make and named by its content
(feed pieces, whole feeds, their fingerprints): one worker's build serves all, and a restart
does not start cold.

Redis when REDIS_URL is set, so that every server sees it (entries expire after CACHE_TTL;
Redis bounds the bytes with its `maxmemory`, see README); otherwise a diskcache in the
instance folder, which the workers of one machine share, bounded by CACHE_SIZE_LIMIT bytes.
In front of either, each process keeps a small LRU bounded by CACHE_LOCAL_BYTES, so that a
warm feed is a dictionary lookup. Keys name content, so no entry is ever stale: callers put
versions into the key instead of deleting.

Redis down is a cache miss, not an error: the page is built and served, the warning is logged
once per process, and Redis is left alone for REDIS_RETRY_AFTER seconds, so that no request
waits for a timeout that the previous one already met.
"""
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

_PREFIX = "treffpunkt:cache:"
# Seconds. Redis answers in milliseconds; and /readyz must answer before the load balancer gives up.
REDIS_TIMEOUT = 1.0
REDIS_RETRY_AFTER = 30.0  # seconds

log = logging.getLogger(__name__)


def redis_options() -> dict:
    """Settings for every Redis client of the app: fail within REDIS_TIMEOUT and do not retry
    (redis-py's default retries with back-off would hold a request for seconds)."""
    return {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT, "retry": Retry(NoBackoff(), 0)}


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, **redis_options())


def key_of(*parts) -> str:
    """A short key for any tuple of plain values (repr is stable for them)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class LocalLRU:
    """This process's recently used entries, bounded by their bytes."""

    def __init__(self, limit: int):
        self.limit, self.used, self.data, self.lock = limit, 0, OrderedDict(), threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.limit // 4:
            return  # one huge entry would push out everything else
        with self.lock:
            old = self.data.pop(key, None)
            self.used += len(value) - (len(old) if old is not None else 0)
            self.data[key] = value
            while self.used > self.limit:
                _, dropped = self.data.popitem(last=False)
                self.used -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.used = 0


class SharedStore:
    def __init__(self, app: Flask):
        self.redis_url = app.config["REDIS_URL"]
        self.directory = app.config["CACHE_DIR"] or str(Path(app.instance_path) / "cache")
        self.size_limit = app.config["CACHE_SIZE_LIMIT"]
        self.ttl = app.config["CACHE_TTL"]
        self.local = LocalLRU(app.config["CACHE_LOCAL_BYTES"])
        self._backend, self._pid = None, None
        self._redis_down_until = 0.0  # time.monotonic() until which Redis is not asked; 0: it answers
        self._redis_state = threading.Lock()
        self.hits = self.misses = 0  # entries asked for and found / not found (for tests, benchmarks)

    def _shared(self):
        # Opened in each process on first use: a connection must not cross gunicorn's fork.
        if self._pid != os.getpid():
            if self.redis_url:
                self._backend = redis_client(self.redis_url)
            else:
                import diskcache

                self._backend = diskcache.Cache(self.directory, size_limit=self.size_limit)
            self._pid = os.getpid()
        return self._backend

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found = {}
        for key in keys:
            value = self.local.get(key)
            if value is not None:
                found[key] = value
        wanted = [k for k in keys if k not in found]
        if wanted:
            for key, value in zip(wanted, self._fetch(wanted)):
                if value is not None:
                    found[key] = value
                    self.local.put(key, value)
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def _fetch(self, keys: list[str]) -> list[bytes | None]:
        if not self.redis_url:
            backend = self._shared()
            return [backend.get(k) for k in keys]
        if self._redis_usable():
            try:
                values = self._shared().mget([_PREFIX + k for k in keys])
            except RedisError as error:
                self._redis_failed(error)
            else:
                self._redis_answered()
                return values
        return [None] * len(keys)

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def put_many(self, entries: dict[str, bytes]) -> None:
        if not entries:
            return
        for key, value in entries.items():
            self.local.put(key, value)
        backend = self._shared()
        if self.redis_url:
            if not self._redis_usable():
                return
            try:
                with backend.pipeline(transaction=False) as pipe:
                    for key, value in entries.items():
                        pipe.set(_PREFIX + key, value, ex=self.ttl)
                    pipe.execute()
            except RedisError as error:
                self._redis_failed(error)
            else:
                self._redis_answered()
        else:
            with backend.transact():  # one commit for all, not one per entry
                for key, value in entries.items():
                    backend.set(key, value)

    def put(self, key: str, value: bytes) -> None:
        self.put_many({key: value})

    def _redis_usable(self) -> bool:
        return time.monotonic() >= self._redis_down_until

    def _redis_failed(self, error: Exception) -> None:
        with self._redis_state:
            if not self._redis_down_until:
                log.warning("shared cache: Redis failed (%s: %s); serving without it, trying again every %d s",
                            type(error).__name__, error, REDIS_RETRY_AFTER)
            self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER

    def _redis_answered(self) -> None:
        if self._redis_down_until:
            with self._redis_state:
                if self._redis_down_until:
                    log.info("shared cache: Redis answers again")
                self._redis_down_until = 0.0

    def forget_local(self) -> None:
        """This process's copies only: as after a restart."""
        self.local.clear()

    def clear(self) -> None:
        """Everything, shared entries too (tests and benchmarks)."""
        self.local.clear()
        backend = self._shared()
        if self.redis_url:
            for key in backend.scan_iter(_PREFIX + "*", count=1000):
                backend.delete(key)
        else:
            backend.clear()
        self.hits = self.misses = 0


def init_app(app: Flask) -> None:
    app.extensions["treffpunkt_cache"] = SharedStore(app)


def store() -> SharedStore:
    return current_app.extensions["treffpunkt_cache"]
