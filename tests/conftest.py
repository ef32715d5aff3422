"""Test set-up: the schema comes from the migrations, once per run and worker; every test
then starts from empty tables. TEST_DATABASE_URL picks the database (default: a SQLite file).

`make test` runs the suite on both cores with pytest-xdist: each worker has a database of
its own (its own SQLite file; on PostgreSQL a database named after TEST_DATABASE_URL's plus
the worker, made and dropped here)."""
import atexit
import contextlib
import contextvars
import functools
import os
import shutil
import tempfile
from contextlib import contextmanager

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.core.extensions import db

from . import factories


def _compile_url_builders_once():
    """Every test makes its app, and werkzeug compiles Python code for each of the ~200
    routes' URL builders each time: 0.33 s of create_app's 0.36 s. The code depends only on
    the rule's parts, so one process compiles each once (rules with defaults, which are
    folded into the code through their converters, are left to werkzeug)."""
    from werkzeug.routing.rules import Rule

    compile_builder, compiled = Rule._compile_builder, {}

    def cached(rule, append_unknown=True):
        if rule.defaults:
            return compile_builder(rule, append_unknown)
        key = (tuple(rule._trace), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = cached


_compile_url_builders_once()


def _hash_each_password_once():
    """scrypt takes 80 ms a password by design, and the suite makes hundreds of accounts and
    logins with the same few passwords: each is hashed once per process (same salt, tests
    only), and each (hash, password) pair checked once."""
    from app.auth import models, service

    models.generate_password_hash = functools.lru_cache(maxsize=64)(models.generate_password_hash)
    models.check_password_hash = service.check_password_hash = functools.lru_cache(maxsize=256)(
        models.check_password_hash)


_hash_each_password_once()


@contextlib.contextmanager
def _worker_database(url: str, worker: str):
    """A PostgreSQL database of this xdist worker's own, next to TEST_DATABASE_URL's; yields its URL."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield _migrated(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    elif worker_id == "master":
        yield _migrated(url)
    else:
        with _worker_database(url, worker_id) as own:
            yield _migrated(own)


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, as in production: the request
    gets its own g (locale, logged-in user) and its own database session."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test reads afresh what the request changed
        return response


# The feed cache of this test run (its keys name content, so tests cannot mix up entries).
_CACHE_DIR = tempfile.mkdtemp(prefix="treffpunkt-test-cache-")
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)


def make_app(database_url, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would stay silent under TESTING
        "SERVER_NAME": "localhost",
        "CACHE_DIR": _CACHE_DIR,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app_config(request):
    """Settings for this test: @pytest.mark.config(KEY=value), and the SMTP server's
    address when the test uses `smtp_server`."""
    config = {}
    marker = request.node.get_closest_marker("config")
    if marker:
        config.update(marker.kwargs)
    if "smtp_server" in request.fixturenames:
        port, _inbox = request.getfixturevalue("smtp_server")
        config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    return config


@pytest.fixture
def app(database_url, app_config):
    app = make_app(database_url, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables():
    # DELETE, children first, also on PostgreSQL: TRUNCATE of ~80 tables rewrites their files
    # and took 1.4-2.8 s a test, these few rows take milliseconds. Ids go on counting.
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make():
    return factories


@pytest.fixture
def coordinator(app):
    """A network with a coordinator, logged in through the real login form."""
    network = factories.network("magdeburg", "Netzwerk Magdeburg")
    user = factories.user("coord@example.org", coordinates=[network])
    db.session.commit()
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    factories.login(client, coordinator.email)
    return client


class _Inbox:
    """Collects what the real SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 while the block runs; yields (port, inbox)."""
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields (port, inbox)."""
    with smtp_inbox() as server:
        yield server


@pytest.fixture
def count_queries(app):
    """count_queries(fn) -> number of SQL statements fn ran."""
    from sqlalchemy import event

    def run(fn):
        db.session.commit()  # the request's own session sees the test's data
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    return run
