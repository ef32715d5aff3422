"""A byte store that every worker shares, for what is costly to make and named by its content
(feed pieces, whole feeds, their fingerprints): one worker's build serves all, and a restart
does not start cold.

Redis when REDIS_URL is set, so that every server sees it (entries expire after CACHE_TTL;
Redis bounds the bytes with its `maxmemory`, see README); otherwise a diskcache in the
instance folder, which the workers of one machine share, bounded by CACHE_SIZE_LIMIT bytes.
In front of either, each process keeps a small LRU bounded by CACHE_LOCAL_BYTES, so that a
warm feed is a dictionary lookup. Keys name content, so no entry is ever stale: callers put
versions into the key instead of deleting.
"""
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, current_app

_PREFIX = "treffpunkt:cache:"


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
        self.hits = self.misses = 0  # entries asked for and found / not found (for tests, benchmarks)

    def _shared(self):
        # Opened in each process on first use: a connection must not cross gunicorn's fork.
        if self._pid != os.getpid():
            if self.redis_url:
                import redis

                self._backend = redis.Redis.from_url(self.redis_url)
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
            backend = self._shared()
            if self.redis_url:
                values = backend.mget([_PREFIX + k for k in wanted])
            else:
                values = [backend.get(k) for k in wanted]
            for key, value in zip(wanted, values):
                if value is not None:
                    found[key] = value
                    self.local.put(key, value)
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def put_many(self, entries: dict[str, bytes]) -> None:
        if not entries:
            return
        for key, value in entries.items():
            self.local.put(key, value)
        backend = self._shared()
        if self.redis_url:
            with backend.pipeline(transaction=False) as pipe:
                for key, value in entries.items():
                    pipe.set(_PREFIX + key, value, ex=self.ttl)
                pipe.execute()
        else:
            with backend.transact():  # one commit for all, not one per entry
                for key, value in entries.items():
                    backend.set(key, value)

    def put(self, key: str, value: bytes) -> None:
        self.put_many({key: value})

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
