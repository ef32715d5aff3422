"""Health checks for load balancers and monitoring, and the metrics page.

/healthz   the process answers (no database access): for a liveness probe and the load balancer
/readyz    the instance can do its work: database, migrations, Redis, outbox (service.py);
           200 when every check passes, else 503, with each check's result either way
/metrics   Prometheus metrics, only when METRICS_ENABLED and only for METRICS_ALLOWED; any
           other visitor gets the same 404 as for a page that does not exist

All are public: a probe has no login. What they show is no secret (no names, no addresses;
exception messages only in `flask doctor`). The older /health (core.views) stays as it was.
"""
from flask import Blueprint, Response, abort, current_app, request

from ..core.extensions import db
from ..core.security import public
from ..core.types import utcnow
from . import service

bp = Blueprint("operations", __name__)

_NO_STORE = {"Cache-Control": "no-store"}  # a cached "ok" from a proxy would hide an outage


@bp.record_once
def _check_settings(state) -> None:
    # A typo in METRICS_ALLOWED should stop the start, not answer 500 to the first scrape.
    if state.app.config["METRICS_ENABLED"]:
        from . import metrics

        metrics.allowed_networks(state.app.config["METRICS_ALLOWED"])


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}, 200, _NO_STORE


@bp.get("/readyz")
@public
def readyz():
    checks = service.run_checks()
    ok = service.all_ok(checks)
    body = {"status": "ok" if ok else "fail", "checks": {check.name: check.public() for check in checks}}
    return body, 200 if ok else 503, _NO_STORE


@bp.get("/metrics")
@public
def metrics():
    config = current_app.config
    if not config["METRICS_ENABLED"]:
        abort(404)
    from . import metrics as prometheus

    if not prometheus.is_allowed(request.remote_addr, config["METRICS_ALLOWED"]):
        abort(404)
    try:
        with db.engine.connect() as connection:
            waiting, oldest = service.outbox_backlog(connection)
    except Exception:  # noqa: BLE001 - the database down: the request counts still matter most
        outbox = None
    else:
        outbox = (waiting, max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)
    return Response(prometheus.exposition(outbox), headers=_NO_STORE, content_type=prometheus.CONTENT_TYPE)
