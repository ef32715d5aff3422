"""PostgreSQL restarted under load (issue 19): while it is down, pages answer a clean 503 page at
once (no hung request, no traceback), a logged-in organizer's too; when it is back they answer 200 again without restarting
the app; the outbox worker, stopped by the outage between sending a mail and marking it sent,
delivers every mail exactly once.

The test starts its own throwaway cluster (initdb, pg_ctl) on a free port and stops it hard
(`-m immediate`, as a crash or an OOM kill would): never the machine's shared PostgreSQL, which
other tests use. Served by werkzeug's threaded server, the outbox worker a real
`flask outbox work` process, the mails received by aiosmtpd."""
import asyncio
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.core.extensions import db
from app.mail import outbox
from app.mail.models import OutboxMail
from tests import factories
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
MAILS = 30
HELD = 10  # the SMTP server holds its answer to this mail until the database is down
WAIT = 30  # seconds at most for each step: a failing test must not hang


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT} s in vain for {what}")
        time.sleep(0.05)


def _unsent() -> int:
    db.session.rollback()  # a fresh look
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_(None)))


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder (its socket there too)."""

    def __init__(self):
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdb:
            pytest.skip("no PostgreSQL server programs (/usr/lib/postgresql/*/bin/initdb) on this machine")
        self.bin = Path(initdb[-1]).parent
        self.prefix = []
        self.folder = Path(tempfile.mkdtemp(prefix="treffpunkt-pg-"))
        if os.geteuid() == 0:  # initdb refuses to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run initdb as")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", self.folder / "data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self.start()

    def _run(self, program: str, *args) -> None:
        command = [*self.prefix, str(self.bin / program), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"

    def _ctl(self, *args) -> None:
        self._run("pg_ctl", "-D", self.folder / "data", "-l", self.folder / "log", "-w", *args)

    def start(self) -> None:
        self._ctl("start", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off")

    def crash(self) -> None:
        self._ctl("stop", "-m", "immediate")

    def remove(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self.crash()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    made = Cluster()
    try:
        yield made
    finally:
        made.remove()


class Visitor(threading.Thread):
    """Asks for a public page again and again, noting each answer with the database's state
    when it was asked and when it was answered."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.phase, self.answers, self.stopped = url, "before", [], threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            asked = self.phase
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    status, headers, body = response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
            except Exception as error:  # noqa: BLE001 - a hung or dropped request is what we look for
                status, headers, body = type(error).__name__, {}, b""
            if asked == self.phase:
                self.answers.append((asked, status, headers.get("Retry-After"), body))
            time.sleep(0.02)

    def seen(self, phase: str, status=None) -> list:
        return [a for a in self.answers if phase in (None, a[0]) and status in (None, a[1])]


def test_a_postgresql_crash_fails_requests_cleanly_and_loses_or_doubles_no_mail(cluster, smtp_server):
    smtp_port, inbox = smtp_server
    app = make_app(cluster.url, TESTING=False, SERVER_NAME=None)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        for n in range(MAILS):
            outbox.enqueue(f"person{n}@example.org", f"Mail {n}", "Hallo")
        factories.user("coord@example.org", coordinates=[factories.network("magdeburg")])
        db.session.commit()
        db.session.remove()

    # The SMTP server takes mail HELD but answers only once the database is down: the worker
    # has sent it and cannot mark it.
    database_down, held = threading.Event(), threading.Event()
    receive = inbox.handle_DATA

    async def handle_data(server, session, envelope):
        answer = await receive(server, session, envelope)
        if len(inbox.messages) == HELD:
            held.set()
            await asyncio.get_running_loop().run_in_executor(None, database_down.wait, WAIT)
        return answer

    inbox.handle_DATA = handle_data

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    visitor = Visitor(f"{base}/events")
    organizer = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    landed = organizer.open(f"{base}/login", urllib.parse.urlencode(
        {"email": "coord@example.org", "password": factories.PASSWORD}).encode(), timeout=10)
    assert landed.url == f"{base}/networks"  # logged in
    env = dict(os.environ, DATABASE_URL=cluster.url, SECRET_KEY="test", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(smtp_port))
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "work"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    threading.Thread(target=lambda: output.extend(worker.stdout), daemon=True).start()
    try:
        visitor.start()
        _wait_for(lambda: held.is_set() and visitor.seen("before", 200), "the worker to send and a page to answer")
        visitor.phase = "stopping"  # pages may still answer until pg_ctl returns
        cluster.crash()
        visitor.phase = "down"
        database_down.set()
        _wait_for(lambda: len(visitor.seen("down")) >= 5, "answers while the database is down")
        with pytest.raises(urllib.error.HTTPError) as logged_in:  # its account cannot be loaded either
            organizer.open(f"{base}/networks", timeout=10)
        _wait_for(lambda: any("not marked" in line for line in output), "the worker to miss the database")
        visitor.phase = "starting"  # and may answer again before it returns
        cluster.start()
        visitor.phase = "after"
        _wait_for(lambda: len(visitor.seen("after", 200)) >= 5, "pages to answer again")
        _wait_for(lambda: len(inbox.messages) >= MAILS, "every mail")
        with app.app_context():
            _wait_for(lambda: _unsent() == 0, "every mail to be marked sent")
    finally:
        visitor.stopped.set()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=WAIT)
        finally:
            if worker.poll() is None:
                worker.kill()
            server.shutdown()
            visitor.join(timeout=WAIT)
    log = "".join(output)
    assert worker.returncode == 0, log

    assert {a[1] for a in visitor.answers} == {200, 503}  # nothing hung, dropped or broken (500)
    assert {a[1] for a in visitor.seen("before")} == {200}
    assert {a[1] for a in visitor.seen("down")} == {503}
    assert {a[1] for a in visitor.seen("after")} == {200}  # the pool replaced its dead connections
    unavailable = [(retry_after, body) for _phase, _status, retry_after, body in visitor.seen(None, 503)]
    assert logged_in.value.code == 503
    unavailable.append((logged_in.value.headers.get("Retry-After"), logged_in.value.read()))
    for retry_after, body in unavailable:
        assert retry_after is not None and int(retry_after) > 0
        assert "Vorübergehend nicht erreichbar".encode() in body  # the app's own 503 page, in German
        assert b"Traceback" not in body and b"psycopg" not in body

    # Exactly once: each recipient received one message (a second sending has its own Message-ID).
    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(f"person{n}@example.org" for n in range(MAILS))
    assert len({m["Message-ID"] for m in inbox.messages}) == MAILS
