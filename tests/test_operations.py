"""Operations (issue 19): /healthz and /readyz, `flask doctor`, the request log, /metrics,
`flask backup`, and SQLite shared by several writers."""
import json
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.core.database import BUSY_TIMEOUT_MS
from app.core.extensions import db
from app.core.security import public
from app.core.types import utcnow
from app.mail import outbox

from .conftest import make_app



def _is_sqlite(app) -> bool:
    return db.engine.dialect.name == "sqlite"


@pytest.fixture
def sqlite_app(app):
    if not _is_sqlite(app):
        pytest.skip("SQLite only")
    return app


def _old_mail(minutes: int, **fields):
    mail = outbox.enqueue("someone@example.org", "Hello", "Text")
    mail.created_at = utcnow() - timedelta(minutes=minutes)
    for name, value in fields.items():
        setattr(mail, name, value)
    return mail


# --- /healthz and /readyz -----------------------------------------------------------------

def test_healthz_answers_without_touching_the_database(app, client, count_queries):
    assert count_queries(lambda: client.get("/healthz")) == 0
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_stays_up_when_the_database_is_gone_and_readyz_says_so(tmp_path):
    broken = make_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    client = broken.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert response.json["status"] == "fail"
    assert checks["database"] == {"ok": False, "detail": "OperationalError"}  # no message, no path
    assert checks["migrations"]["ok"] is False and checks["outbox"]["ok"] is False
    assert "nowhere.db" not in response.get_data(as_text=True)


def test_readyz_is_green_on_a_migrated_database_with_a_young_mail(app, client):
    _old_mail(minutes=3)
    _old_mail(minutes=120, sent_at=utcnow())  # sent: no longer waiting
    _old_mail(minutes=120, failed_at=utcnow())  # given up: the worker no longer tries it
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "redis", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]
    assert body["checks"]["redis"]["detail"] == "not configured"
    assert body["checks"]["outbox"]["waiting"] == 1
    assert 170 <= body["checks"]["outbox"]["oldest_age_seconds"] <= 200


def test_readyz_fails_when_a_mail_waits_too_long(app, client):
    _old_mail(minutes=16)
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["outbox"]["ok"] is False
    assert response.json["checks"]["outbox"]["max_age_seconds"] == 15 * 60
    assert response.json["checks"]["database"]["ok"] is True


@pytest.mark.config(READY_MAX_OUTBOX_AGE=3600)
def test_the_outbox_age_limit_is_a_setting(app, client):
    _old_mail(minutes=16)
    db.session.commit()
    assert client.get("/readyz").status_code == 200


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1")
def test_readyz_fails_when_the_configured_redis_is_unreachable(app, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == {"ok": False, "detail": "ConnectionError"}
    assert response.json["checks"]["database"]["ok"] is True


def test_readyz_fails_when_the_database_lags_behind_the_migrations(app, client):
    with db.engine.begin() as connection:
        head = connection.scalar(text("SELECT version_num FROM alembic_version"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        migrations = response.json["checks"]["migrations"]
        assert migrations["ok"] is False and migrations["current"] == ["0001"] and migrations["head"] == [head]
        assert "db upgrade" in migrations["detail"]
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_the_older_health_url_still_answers(client):
    assert client.get("/health").json == {"status": "ok"}


# --- flask doctor -------------------------------------------------------------------------

def test_doctor_prints_one_line_per_check_and_exits_0_when_all_pass(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "database"], ["ok", "migrations"], ["ok", "redis"], ["ok", "outbox"]]


def test_doctor_exits_1_and_says_why_when_a_mail_waits_too_long(app):
    _old_mail(minutes=40)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    outbox_line = next(line for line in result.output.splitlines() if "outbox" in line)
    assert outbox_line.startswith("FAIL")
    assert "1 waiting, the oldest for 40 min (limit 15 min)" in outbox_line
    assert "outbox work" in outbox_line


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1")
def test_doctor_shows_the_administrator_the_whole_error(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    redis_line = next(line for line in result.output.splitlines() if " redis " in line)
    assert redis_line.startswith("FAIL") and "ConnectionError" in redis_line and "127.0.0.1:1" in redis_line


# --- The request log ----------------------------------------------------------------------

def _log_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if " app.requests " in line or '"app.requests"' in line]


def test_one_line_per_request_with_the_proxys_request_id(client, capsys):
    capsys.readouterr()
    response = client.get("/events?token=a-secret-in-the-query", headers={"X-Request-ID": "proxy-42.abc"})
    assert response.headers["X-Request-ID"] == "proxy-42.abc"
    [line] = _log_lines(capsys)
    assert "[proxy-42.abc]" in line
    assert " GET /events 200 " in line and line.endswith(" ms")
    assert "secret" not in line and "?" not in line


@pytest.mark.parametrize("given", ["two words", "x" * 129, "quote\"d", ""])
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, capsys, given):
    capsys.readouterr()
    response = client.get("/events", headers={"X-Request-ID": given} if given else {})
    request_id = response.headers["X-Request-ID"]
    assert request_id != given and len(request_id) == 32 and int(request_id, 16) >= 0
    [line] = _log_lines(capsys)
    assert f"[{request_id}]" in line
    assert client.get("/events").headers["X-Request-ID"] != request_id  # one per request


def test_a_secret_links_token_stays_out_of_the_log(client, capsys):
    capsys.readouterr()
    token = "Zq8vX1secretTokenValue0123456789abcdefABCDEF"
    client.get(f"/r/{token}")
    [line] = _log_lines(capsys)
    assert token not in line
    assert " GET /r/[token] " in line


def test_a_path_cannot_break_the_line(client, capsys):
    capsys.readouterr()
    client.get("/no%0Asuch%20page%C3%BC")
    [line] = _log_lines(capsys)
    assert " GET /no%0Asuch%20page%C3%BC 404 " in line


@pytest.mark.config(LOG_FORMAT="json")
def test_json_lines_when_asked(client, capsys):
    capsys.readouterr()
    client.get("/events?lang=en", headers={"X-Request-ID": "abc-123"})
    [line] = _log_lines(capsys)
    entry = json.loads(line)
    assert entry["request_id"] == "abc-123"
    assert (entry["method"], entry["path"], entry["status"], entry["endpoint"]) == ("GET", "/events", 200, "events.upcoming")
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["level"] == "INFO" and entry["logger"] == "app.requests" and entry["time"].endswith("Z")


@pytest.mark.config(LOG_FORMAT="json", PROPAGATE_EXCEPTIONS=False)
def test_an_error_in_a_request_carries_the_request_id(app, client, capsys):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom-for-test", "boom_for_test", public(boom))
    capsys.readouterr()
    response = client.get("/boom-for-test", headers={"X-Request-ID": "err-1"})
    assert response.status_code == 500
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    traceback = next(entry for entry in entries if "exception" in entry)
    assert traceback["request_id"] == "err-1" and "RuntimeError: boom" in traceback["exception"]
    request_line = next(entry for entry in entries if entry["logger"] == "app.requests")
    assert request_line["status"] == 500 and request_line["level"] == "ERROR"


def test_healthy_probes_are_not_logged_but_a_failing_one_is(client, capsys):
    capsys.readouterr()
    client.get("/healthz")
    client.get("/health")
    assert client.get("/readyz").status_code == 200
    assert _log_lines(capsys) == []
    _old_mail(minutes=60)
    db.session.commit()
    assert client.get("/readyz").status_code == 503
    [line] = _log_lines(capsys)
    assert " GET /readyz 503 " in line


def test_an_unknown_log_format_stops_the_start(database_url):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        make_app(database_url, LOG_FORMAT="yaml")


# --- /metrics -----------------------------------------------------------------------------

def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.config(METRICS_ENABLED=True)
def test_metrics_for_an_allowed_address(app, client):
    _old_mail(minutes=5)
    db.session.commit()
    client.get("/healthz")
    client.get("/no-such-page/12345")
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    page = response.get_data(as_text=True)
    assert 'treffpunkt_requests_total{endpoint="operations.healthz",method="GET",status="200"}' in page
    assert 'treffpunkt_requests_total{endpoint="none",method="GET",status="404"}' in page  # never the path
    assert "12345" not in page
    assert 'treffpunkt_request_duration_seconds_bucket{endpoint="operations.healthz",le="0.005"}' in page
    assert "treffpunkt_outbox_waiting 1.0" in page
    age = float(next(line for line in page.splitlines() if line.startswith("treffpunkt_outbox_oldest_age_seconds ")).split()[1])
    assert 290 <= age <= 330


@pytest.mark.config(METRICS_ENABLED=True)
@pytest.mark.parametrize("address, status", [("203.0.113.7", 404), ("::1", 200), ("::ffff:127.0.0.1", 200),
                                             ("10.1.2.3", 404)])
def test_metrics_refuse_other_addresses(client, address, status):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == status


@pytest.mark.config(METRICS_ENABLED=True, METRICS_ALLOWED="10.0.0.0/8, 192.0.2.5")
@pytest.mark.parametrize("address, status", [("10.1.2.3", 200), ("192.0.2.5", 200), ("127.0.0.1", 404)])
def test_metrics_allowed_networks_are_a_setting(client, address, status):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code == status


def test_a_mistyped_metrics_allowed_stops_the_start(database_url):
    with pytest.raises(ValueError):
        make_app(database_url, METRICS_ENABLED=True, METRICS_ALLOWED="10.0.0.0/8 localhost")


# --- SQLite shared by several writers ------------------------------------------------------

def test_every_sqlite_connection_uses_wal_and_waits_for_its_turn(sqlite_app):
    connections = [db.engine.connect() for _ in range(2)]  # two pooled connections, not one reused
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    finally:
        for connection in connections:
            connection.close()


@pytest.fixture
def probe_table(sqlite_app):
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE ops_probe (id INTEGER PRIMARY KEY, writer TEXT, n INTEGER)")
    yield "ops_probe"
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE ops_probe")


def test_two_writers_and_a_long_reader_at_once_without_database_is_locked(sqlite_app, probe_table):
    engine, errors, per_writer = db.engine, [], 60
    start = threading.Barrier(3)

    def writer(name):
        try:
            start.wait()
            for n in range(per_writer):
                with engine.begin() as connection:  # its own pooled connection
                    connection.execute(text("INSERT INTO ops_probe (writer, n) VALUES (:w, :n)"), {"w": name, "n": n})
                    time.sleep(0.002)  # hold the write lock a moment, so the writers collide
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))

    def reader():
        # An open read transaction (a report, a backup): in WAL mode writers commit meanwhile.
        raw = engine.raw_connection()
        try:
            start.wait()
            for _ in range(3):
                raw.driver_connection.execute("BEGIN")
                raw.driver_connection.execute("SELECT count(*) FROM ops_probe").fetchone()
                time.sleep(0.1)
                raw.driver_connection.execute("COMMIT")
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            raw.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")] + [threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT writer, count(*) FROM ops_probe GROUP BY writer ORDER BY writer")).all() \
            == [("a", per_writer), ("b", per_writer)]


# --- flask backup -------------------------------------------------------------------------

def test_backup_while_another_connection_writes(sqlite_app, probe_table, make, tmp_path):
    make.network("magdeburg", "Netzwerk Magdeburg")
    db.session.commit()
    engine, stop, written, errors = db.engine, threading.Event(), [], []

    def keep_writing():
        try:
            with engine.connect() as connection:
                n = 0
                while not stop.is_set():
                    connection.execute(text("INSERT INTO ops_probe (writer, n) VALUES ('w', :n)"), {"n": n})
                    connection.commit()
                    written.append(n)
                    n += 1
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 50:  # the writer is well under way
            time.sleep(0.005)
        before = len(written)
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
        after = len(written)
        while len(written) < after + 20:  # and went on after the backup
            time.sleep(0.005)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []
    assert result.exit_code == 0, result.output
    assert "checked" in result.output

    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        assert copy.execute("SELECT name FROM networks").fetchall() == [("Netzwerk Magdeburg",)]
        rows = copy.execute("SELECT count(*), max(n) FROM ops_probe").fetchone()
        assert before <= rows[0] <= after + 1 and rows[1] == rows[0] - 1  # a prefix: one moment's state
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    finally:
        copy.close()
    assert [p.name for p in tmp_path.iterdir()] == ["copy.db"]  # no partial file left


def test_backup_does_not_overwrite_unless_forced(sqlite_app, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"an earlier backup")
    runner = sqlite_app.test_cli_runner()
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code != 0 and "exists" in refused.output
    assert target.read_bytes() == b"an earlier backup"
    assert runner.invoke(args=["backup", "--force", str(target)]).exit_code == 0
    assert sqlite3.connect(target).execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_backup_on_postgresql_prints_pg_dump_and_fails(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        from sqlalchemy import create_engine

        from app.operations.backup import pg_dump_command

        engine = create_engine("postgresql+psycopg://treffpunkt:secret@db.example:5432/treffpunkt")
        dump, restore = pg_dump_command(engine, tmp_path / "x.dump")
        assert dump == f"pg_dump --format=custom --file={tmp_path / 'x.dump'} postgresql://treffpunkt@db.example:5432/treffpunkt"
        assert "secret" not in dump + restore and restore.startswith("pg_restore ")
        return
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.output
    assert not (tmp_path / "x.dump").exists()
