"""Treffpunkt: meetings, registrations, calendar feeds and minutes for integration networks."""
from pathlib import Path

from flask import Flask

from . import config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(Path(__file__).parent.parent / "templates"),
        static_folder=str(Path(__file__).parent.parent / "static"),
    )
    app.config.update(config.load(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_extensions(app)
    from .core.params import IdConverter

    app.url_map.converters["int"] = IdConverter  # before the routes: every <int:…> is bounded
    _register_blueprints(app)
    _subscribe()
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .auth.service import load_user
    from .core import assets, cache, compression, formatting, i18n, params, security
    from .events import labels as event_labels
    from .minutes import labels as minutes_labels
    from .programmes import labels as programme_labels
    # Every model module, so that the metadata (and so the migrations) know every table.
    from .announcements import models as _announcement_models  # noqa: F401
    from .digest import models as _digest_models  # noqa: F401
    from .directory import models as _directory_models  # noqa: F401
    from .events import models as _event_models  # noqa: F401
    from .feeds import models as _feed_models  # noqa: F401
    from .mail import models as _mail_models  # noqa: F401
    from .minutes import models as _minutes_models  # noqa: F401
    from .newsletters import models as _newsletter_models  # noqa: F401
    from .polls import models as _poll_models  # noqa: F401
    from .programmes import models as _programme_models  # noqa: F401
    from .registrations import models as _registration_models  # noqa: F401
    from .reports import models as _report_models  # noqa: F401
    from .search import models as _search_models  # noqa: F401
    from .core import database
    from .core.extensions import babel, csrf, db, htmx, limiter, login_manager, mail, migrate, talisman
    from .core.views import register_error_pages
    from .operations import requestlog

    db.init_app(app)
    database.init_app(app)  # SQLite: WAL and a busy timeout, so several processes share the file
    # First, so that its after_request hook runs last and the duration it logs includes the
    # other hooks' work (compression); it also sets up the log format for everything else.
    requestlog.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    mail.init_app(app)
    htmx.init_app(app)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", cache.redis_options())  # fail fast when it is down
    limiter.init_app(app)
    cache.init_app(app)
    compression.init_app(app)
    assets.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)

    # The login check runs before the CSRF check, so anonymous requests to organizer
    # routes are always answered "log in first", whatever their method.
    app.before_request(params.apply_upload_limit)
    app.before_request(params.refuse_nul_bytes)
    app.before_request(security.require_login_unless_public)
    csrf.init_app(app)

    app.after_request(security.keep_secret_links_private)  # before Talisman's hook: runs after it
    https = app.config["PREFERRED_URL_SCHEME"] == "https"
    talisman.init_app(
        app,
        force_https=False,  # the reverse proxy redirects; see README
        strict_transport_security=https,
        session_cookie_secure=https,
        content_security_policy={
            "default-src": "'self'",
            "img-src": ["'self'", "data:"],
            "script-src": "'self'",
            "style-src": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
            "base-uri": "'self'",
            "object-src": "'none'",
        },
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    register_error_pages(app)
    formatting.register(app)
    event_labels.register(app)
    minutes_labels.register(app)
    programme_labels.register(app)

    app.context_processor(i18n.template_context)
    app.after_request(i18n.remember_link_language)


def _subscribe() -> None:
    """The modules that subscribe to lower packages' signals (`<package>/signals.py`): a lower
    package tells, the higher ones listen, and no package imports one above it."""
    from .digest import service as _digest  # noqa: F401  registrations' personal data export
    from .events import occurrences as _occurrences  # noqa: F401  keeps the stored dates with every flush
    from .events import service as _events  # noqa: F401  directory.network_created: built-in kinds
    from .feeds import versions as _versions  # noqa: F401  every flush that changes what feeds show
    from .minutes import agenda as _agenda  # noqa: F401  registrations.invitation_extras: the agenda
    from .minutes import service as _minutes  # noqa: F401  events.event_rescheduled, registrations' personal data
    from .polls import privacy as _poll_privacy  # noqa: F401  registrations' personal data export
    from .programmes import booklet_builds as _booklet_builds  # noqa: F401  every flush that changes a booklet
    from .registrations import notifications as _notifications  # noqa: F401  events.event_changed: mails
    from .search import index as _search_index  # noqa: F401  every flush that changes what the search finds


def _register_blueprints(app: Flask) -> None:
    from .announcements.views import bp as announcements_bp
    from .auth.views import bp as auth_bp
    from .core.views import bp as core_bp
    from .digest.views import bp as digest_bp
    from .directory.views import bp as directory_bp
    from .events.views import bp as events_bp
    from .feeds.views import bp as feeds_bp
    from .mail.views import bp as mail_bp
    from .minutes.views import bp as minutes_bp
    from .newsletters.views import bp as newsletters_bp
    from .operations.views import bp as operations_bp
    from .polls.organizer import bp as poll_admin_bp
    from .polls.views import bp as polls_bp
    from .programmes.views import bp as programmes_bp
    from .reports.views import bp as reports_bp
    from .registrations.organizer import bp as registration_admin_bp
    from .registrations.views import bp as registrations_bp
    from .search.views import bp as search_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(operations_bp)  # /healthz, /readyz, /metrics
    app.register_blueprint(auth_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(feeds_bp)  # calendar feeds (.ics)
    app.register_blueprint(mail_bp)  # the dev mailbox; 404 when MAIL_SERVER is set
    app.register_blueprint(registrations_bp)  # the participant's pages, no account
    app.register_blueprint(registration_admin_bp)  # the organizer's registration pages
    app.register_blueprint(minutes_bp)  # agenda, minutes, decisions, action items
    app.register_blueprint(programmes_bp)  # the Intercultural Week: campaigns, submissions, programme
    app.register_blueprint(search_bp)  # the public search over events and programme entries
    app.register_blueprint(polls_bp)  # a date poll's participant pages, no account
    app.register_blueprint(poll_admin_bp)  # the organizer's date polls
    app.register_blueprint(reports_bp)  # reports for funders
    app.register_blueprint(announcements_bp)  # short news on a network's page, and their Atom feed
    app.register_blueprint(digest_bp)  # the weekly digest: subscribing, the mail, its archive
    app.register_blueprint(newsletters_bp)  # the newsletter: composing, web page, PDF, sending


def _register_cli(app: Flask) -> None:
    from .auth.cli import users_cli
    from .demo import demo_command
    from .mail.outbox import outbox_cli
    from .operations.cli import backup_command, doctor_command

    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(backup_command)

    from .registrations.cli import purge_command, register_periodic_jobs

    app.cli.add_command(purge_command)
    register_periodic_jobs()  # the outbox worker purges expired data and sends reminders

    from .mail import pdfs  # its import registers the layout for every round
    from .mail.outbox import purge_delivered, register_periodic
    from .polls import privacy as poll_privacy, service as polls

    register_periodic(purge_delivered)  # and deletes mails delivered a while ago (MAIL_KEEP_DAYS),
    register_periodic(pdfs.purge_old)  # and stored PDFs after some days (it lays them out each round),

    poll_privacy.register_periodic_jobs()  # and purges date polls,
    register_periodic(polls.deadline_reminder_job)  # and reminds a day before a poll's deadline

    from .digest import service as digest

    register_periodic(digest.send_due_digests)  # and sends each network's weekly digest on its day
