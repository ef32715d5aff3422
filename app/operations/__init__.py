"""Running the installation: health checks (/healthz, /readyz, `flask doctor`), one log line per
request with a request id, optional Prometheus metrics, and `flask backup`.

    service.py      the readiness checks, shared by /readyz, `flask doctor` and the metrics
    views.py        /healthz, /readyz, /metrics
    requestlog.py   the request id, the log line of every request, the log format (text or JSON)
    metrics.py      the Prometheus counters and their exposition (only imported when enabled)
    backup.py       an online copy of an SQLite database
    cli.py          `flask doctor`, `flask backup`

It sits beside core: it reads the outbox (mail) but no domain package, and none imports it.
"""
