"""Prometheus metrics (prometheus_client), imported only when METRICS_ENABLED is set.

    treffpunkt_requests_total{endpoint,method,status}       requests answered
    treffpunkt_request_duration_seconds{endpoint}           time to answer (a histogram)
    treffpunkt_outbox_waiting                               mails neither sent nor given up
    treffpunkt_outbox_oldest_age_seconds                    how long the oldest of them has waited

Labels are the endpoint's name (never the path: ids and tokens would make a series per
object and put secrets into the monitoring), the method (unusual ones as "other") and the
status code, so the number of series stays bounded.

Several gunicorn workers: each process counts its own requests. Without
PROMETHEUS_MULTIPROC_DIR a scrape sees the counts of whichever worker answered it (fine for one
worker or threads). With PROMETHEUS_MULTIPROC_DIR set to an empty folder, writable by every
worker and emptied before gunicorn starts, prometheus_client keeps the counts in files there
and every scrape adds up all workers. The outbox figures are read from the database at each
scrape, so they are right either way.
"""
import ipaddress
import os
from functools import cache

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# Our own registry rather than the global one: nothing else (a library's default collectors)
# ends up on the page by accident, and the process metrics stay out of multiprocess mode's way.
_registry = CollectorRegistry()
REQUESTS = Counter("treffpunkt_requests", "Requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"], registry=_registry)
DURATION = Histogram("treffpunkt_request_duration_seconds", "Time to answer a request, by endpoint.",
                     ["endpoint"], registry=_registry,
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

CONTENT_TYPE = CONTENT_TYPE_LATEST


def observe(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    name = endpoint or "none"  # no route matched (a 404): one series, whatever the path
    REQUESTS.labels(name, method if method in _METHODS else "other", str(status)).inc()
    DURATION.labels(name).observe(seconds)


@cache
def allowed_networks(setting: str) -> tuple:
    """METRICS_ALLOWED: addresses or networks, separated by spaces or commas."""
    return tuple(ipaddress.ip_network(part, strict=False) for part in setting.replace(",", " ").split())


def is_allowed(remote_addr: str | None, setting: str) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:127.0.0.1 from a dual-stack socket
        address = address.ipv4_mapped
    return any(address in network for network in allowed_networks(setting))


class _Outbox:
    """The outbox's figures, read by the view just before the page is made."""

    def __init__(self, waiting: int, oldest_age: float):
        self.waiting, self.oldest_age = waiting, oldest_age

    def collect(self):
        yield GaugeMetricFamily("treffpunkt_outbox_waiting", "Mails waiting to be sent (neither sent nor given up).",
                                value=self.waiting)
        yield GaugeMetricFamily("treffpunkt_outbox_oldest_age_seconds",
                                "How long the oldest waiting mail has waited (0 when none waits).",
                                value=self.oldest_age)


def exposition(outbox: tuple[int, float] | None) -> bytes:
    """The page Prometheus scrapes; `outbox` is (mails waiting, the oldest's age in seconds),
    None when the database could not be read (the gauges are then left out, not shown as 0)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # every worker's counts, from the folder's files
    else:
        registry.register(_registry)  # a registry is a collector of its metrics
    if outbox is not None:
        registry.register(_Outbox(*outbox))
    return generate_latest(registry)
