"""Pages that belong to no domain: start page, language switch, health, error pages."""
from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from . import i18n
from .extensions import db, login_manager
from .security import public

bp = Blueprint("core", __name__)
RETRY_AFTER_SECONDS = 10  # a restart of PostgreSQL takes seconds


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("directory.networks"))
    return render_template("core/index.html")


@bp.post("/language")
@public
def set_language():
    """Remember the chosen language in a cookie and go back where the user came from."""
    lang = request.form.get("lang", "")
    target = request.form.get("next", "")
    # Only same-site paths: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.index")
    response = make_response(redirect(i18n.without_lang(target)))
    if lang in current_app.config["LANGUAGES"]:
        i18n.remember(response, lang)
    return response


@bp.get("/health")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


def _error_page(status: int):
    def handler(error):
        return render_template("core/error.html", status=status, error=error), status

    return handler


def _database_unavailable(error: OperationalError):
    """The database is away (PostgreSQL restarting, SQLite locked beyond the busy timeout): a
    moment's outage, not a bug, so 503 with Retry-After instead of 500. pool_pre_ping (config.py)
    replaces the dead connections once it is back, without restarting the app."""
    current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0])
    # Shown as to a visitor: loading the account would ask the database again, and fail again.
    g._login_user = login_manager.anonymous_user()
    page = render_template("core/error.html", status=503, error=error)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def register_error_pages(app):
    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, _error_page(status))
    app.register_error_handler(CSRFError, _error_page(400))
    app.register_error_handler(OperationalError, _database_unavailable)
