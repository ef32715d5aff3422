"""One log line per request, with a request id, and the log format of the whole app.

Every request gets an id: the reverse proxy's `X-Request-ID` when it sent a well-formed one (so
the proxy's log line and ours can be joined), else a new random one. It is sent back in the
answer's `X-Request-ID` and stands on every log line written while the request runs (an
exception's traceback too), so one id finds everything about one request.

The line holds method, path, status and duration. The path never holds the query string, and a
secret link's token (manage, invitation, private feed, password reset …) is replaced by
`[token]`: a log file is read by more people, and kept longer, than the links are meant for.

LOG_FORMAT=json writes each record as one JSON object per line, for a log collector; the
default "text" is for people reading a terminal or journalctl.

Only the standard logging module: a handler on the app's logger (Flask's `app.logger`, the
"app" package logger, which the modules' own loggers and the outbox worker use too).
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

from flask import Flask, current_app, has_request_context, request, request_started
from flask.logging import default_handler

from ..core.security import SECRET_ARGUMENT, is_secret_link

HEADER = "X-Request-ID"
# What we accept from the proxy: nginx's $request_id, UUIDs, AWS-style trace ids. Nothing
# that could break a log line (spaces, quotes, line breaks) or flood it (length).
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
_ID = "treffpunkt.request_id"
_START = "treffpunkt.request_start"
# Load balancers ask these every few seconds: a healthy answer is not worth a line each time
# (it would bury the real traffic). A failing one is logged.
QUIET_ENDPOINTS = {"operations.healthz", "operations.readyz", "core.health"}
FORMATS = ("text", "json")
# Record attributes the JSON format writes when a record has them (the request line's fields).
_FIELDS = ("method", "path", "status", "duration_ms", "endpoint")


def init_app(app: Flask) -> None:
    configure_logging(app, app.config["LOG_FORMAT"])
    # A signal, not before_request: it fires before every before_request hook, so a request
    # that one of them answers early (a rate limit, a refused upload) is timed and logged too.
    request_started.connect(_start, app)
    app.after_request(_finish)


def current_request_id() -> str | None:
    return request.environ.get(_ID) if has_request_context() else None


def _start(sender: Flask, **extra) -> None:
    given = request.headers.get(HEADER, "")
    request.environ[_ID] = given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
    request.environ[_START] = time.perf_counter()


def _finish(response):
    request_id = current_request_id()
    if request_id is None:  # the signal was not sent (never in Flask 3); nothing to report
        return response
    response.headers[HEADER] = request_id
    seconds = time.perf_counter() - request.environ[_START]
    status, endpoint = response.status_code, request.endpoint
    if current_app.config["METRICS_ENABLED"]:
        from . import metrics

        metrics.observe(endpoint, request.method, status, seconds)
    if endpoint in QUIET_ENDPOINTS and status < 400:
        return response
    path, ms = loggable_path(), round(seconds * 1000, 1)
    current_app.logger.getChild("requests").log(
        logging.ERROR if status >= 500 else logging.INFO, "%s %s %s %.1f ms", request.method, path, status, ms,
        extra={"method": request.method, "path": path, "status": status, "duration_ms": ms,
               "endpoint": endpoint})
    return response


def loggable_path() -> str:
    """The request's path without its query string, a secret link's token replaced, and
    percent-encoded so that no character of it can break the line."""
    path = request.path
    if is_secret_link(request.url_rule) and request.view_args:
        token = request.view_args.get(SECRET_ARGUMENT)
        if token:
            path = path.replace(str(token), "[token]")
    return quote(path, safe="/:@!$&'()*+,;=-._~[]")[:500]


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class TextFormatter(logging.Formatter):
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
    converter = time.gmtime  # UTC, as the database stores times; the Z says so

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, timezone.utc)
        entry = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", "-") != "-":
            entry["request_id"] = record.request_id
        for name in _FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (as logging's last resort does), so a
    test's captured stderr, or a replaced one, gets the lines and no closed stream is kept."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure_logging(app: Flask, log_format: str) -> None:
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    logger = app.logger
    # Replace Flask's default handler and the one an earlier app of this process set (tests).
    for handler in list(logger.handlers):
        if handler is default_handler or isinstance(handler, _StderrHandler):
            logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # Our handler writes every line once: a root handler (alembic's logging.ini sets one up
    # during `db upgrade`) would write it a second time, in another format.
    logger.propagate = False
    logger.disabled = False
