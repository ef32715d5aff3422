"""Two app servers and two outbox workers on one PostgreSQL database and one Redis (issue 19),
as a district's cluster runs them: real gunicorn and `flask outbox work` processes, real HTTP,
a real SMTP server. What one server changes the other serves at once, the rate limits count
across servers, every mail queued while both workers compete for the outbox is sent once, and
the booklet is built once by one of the workers and served alike by both servers.

The processes start once for the module, on a database of their own beside TEST_DATABASE_URL's
and on Redis database 14 (TEST_SCALE_OUT_REDIS_URL), which is emptied before and after. Only the
PostgreSQL pass of .ci/run runs it: with SQLite the servers would not be separate machines' view
of one database."""
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.extensions import db
from app.directory.models import Network
from app.events import service as events
from app.events.models import Event, EventKind
from app.mail.models import OutboxMail
from app.mail.outbox import enqueue
from app.programmes import review
from app.registrations.models import RegistrationSettings
from bench._support import throwaway_postgres
from tests import factories
from tests.test_shared_state import _redis_or_skip
from tests.concurrency import needs_postgres
from tests.conftest import free_port, make_app, smtp_inbox
from tests.test_programmes_booklet_builds import build_row
from tests.test_programmes_public import entry, make_programme

pytestmark = needs_postgres

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # gunicorn and flask of the environment running the tests
REDIS_URL = os.environ.get("TEST_SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/14")
STARTUP = 120  # seconds a process may take to answer /readyz on a busy 2-core machine
DELIVERY = 180  # seconds the workers may take for the 200 mails
BUILD = 120  # seconds the workers may take to build a booklet
BULK = 200


@dataclass
class Cluster:
    app: object  # the test's own app on the cluster's database (rows, enqueue)
    ports: list[int]  # server A, server B
    inbox: object  # what the SMTP server received
    slug: str
    event_id: int
    kind_id: int
    coordinator: str
    logs: Path  # server-a.log, server-b.log, worker-1.log, worker-2.log
    workers: list[subprocess.Popen] = field(default_factory=list)  # the two outbox workers

    @property
    def a(self) -> int:
        return self.ports[0]

    @property
    def b(self) -> int:
        return self.ports[1]


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One visitor's browser: one cookie jar for both servers (the same host, as behind the proxy),
    and its own client address in X-Forwarded-For (the servers trust one proxy), so that each
    test's rate limits start at zero."""

    def __init__(self):
        self.address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> Answer:
        sent = {"X-Forwarded-For": self.address, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _rest = value.split(";", 1) if ";" in value else (value, "")
                key, _eq, content = cookie.partition("=")
                if content:
                    self.cookies[key.strip()] = content
                else:
                    self.cookies.pop(key.strip(), None)
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)

    def get(self, port: int, path: str, **headers) -> Answer:
        return self.request(port, "GET", path, headers=headers)

    def post(self, port: int, path: str, data: dict) -> Answer:
        return self.request(port, "POST", path, data=data)

    def token(self, port: int, path: str) -> str:
        """The CSRF token of the form on `path` (it stays valid for the session)."""
        page = self.get(port, path)
        assert page.status == 200, (path, page.status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    def log_in(self, port: int, email: str) -> None:
        answer = self.post(port, "/login", {"email": email, "password": factories.PASSWORD,
                                            "csrf_token": self.token(port, "/login")})
        assert answer.status == 302, answer.text[-2000:]


def _admin_url() -> str:
    """The maintenance database of TEST_DATABASE_URL's server."""
    return os.environ["TEST_DATABASE_URL"].split("?", 1)[0].rsplit("/", 1)[0] + "/postgres"


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (gunicorn's workers too), SIGKILL if it does not end."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on port {port} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            answer = Browser().get(port, "/readyz")
            if answer.status == 200:
                return
            last = f"{answer.status} {answer.text}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.2)
    pytest.fail(f"gunicorn on port {port} not ready within {STARTUP} s: {last}\n{log.read_text()[-3000:]}")


def _dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def _fill(app) -> tuple[int, int]:
    """The network, its coordinator and a public event taking 50 registrations; (event id, kind id)."""
    with app.app_context():
        network = factories.network("scale-out", "Netzwerk Scale-out")
        factories.user("koordination@scale-out.example", coordinates=[network])
        kind = next(k for k in events.kinds(network) if k.code == "public_event")
        event = Event(network_id=network.id, kind_id=kind.id, title="Ehrenamtscafé", status="published",
                      visibility="public", timezone="Europe/Berlin", languages="de")
        start = factories.local(2027, 3, 4, 15)
        events.save(event, starts_at=start, ends_at=start + timedelta(hours=2), venue_name="Einewelthaus")
        db.session.flush()
        db.session.add(RegistrationSettings(event_id=event.id, capacity=50, waiting_list=True))
        db.session.commit()
        return event.id, kind.id


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    redis_client = _redis_or_skip(REDIS_URL, "the scale-out test")
    logs = tmp_path_factory.mktemp("scale-out")
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_postgres(_admin_url(), "tp_test_scale_out"))
        if url is None:
            pytest.skip(f"the scale-out test needs PostgreSQL, none reachable at {_admin_url()}")
        redis_client.flushdb()
        stack.callback(redis_client.flushdb)
        smtp_port, inbox = stack.enter_context(smtp_inbox())
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": secrets.token_hex(32),
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "BASE_URL": "http://treffpunkt.test",
               "PROXY_COUNT": "1", "CACHE_DIR": str(logs / "cache")}
        env.pop("RATELIMIT_STORAGE_URI", None)  # the counters in Redis, as in production
        flask = [str(BIN / "flask"), "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)

        app = make_app(url)
        stack.callback(_dispose, app)
        event_id, kind_id = _fill(app)

        ports, servers, server_logs = [free_port(), free_port()], [], []
        for name, port in zip("ab", ports):
            log = logs / f"server-{name}.log"
            server = _start([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "--no-control-socket", "app:create_app()"], env, log)
            stack.callback(_stop, server)
            servers.append(server)
            server_logs.append(log)
        workers = []
        for number in (1, 2):
            worker = _start([*flask, "outbox", "work"], env, logs / f"worker-{number}.log")
            stack.callback(_stop, worker)
            workers.append(worker)
        for port, server, log in zip(ports, servers, server_logs):
            _wait_ready(port, server, log)
        yield Cluster(app, ports, inbox, "scale-out", event_id, kind_id, "koordination@scale-out.example", logs,
                      workers)


# --- a) A change made through server A is served by server B at once ------------------

def test_a_change_through_one_server_is_served_by_the_other_at_once(cluster):
    visitor, coordinator = Browser(), Browser()
    page, feed = f"/events/{cluster.event_id}", f"/feeds/n/{cluster.slug}.ics"
    before = visitor.get(cluster.b, feed)
    assert before.status == 200 and "Ehrenamtscafé" in before.text
    assert "Ehrenamtscafé" in visitor.get(cluster.b, page).text
    assert visitor.get(cluster.b, feed, **{"If-None-Match": before.headers["etag"]}).status == 304

    coordinator.log_in(cluster.a, cluster.coordinator)
    with cluster.app.app_context():
        kind = db.session.get(EventKind, cluster.kind_id)
        data = factories.event_form(kind, title="Ehrenamtscafé im Frühling")
    data["csrf_token"] = coordinator.token(cluster.a, f"/events/{cluster.event_id}/edit")
    saved = coordinator.post(cluster.a, f"/events/{cluster.event_id}/edit", data)
    assert saved.status == 303, saved.text[-3000:]

    assert "Ehrenamtscafé im Frühling" in visitor.get(cluster.b, page).text
    after = visitor.get(cluster.b, feed, **{"If-None-Match": before.headers["etag"]})
    assert after.status == 200 and after.headers["etag"] != before.headers["etag"]
    assert "SUMMARY:Ehrenamtscafé im Frühling" in after.text
    # The session made on A is valid on B: one SECRET_KEY, the session's rows in the one database.
    assert coordinator.get(cluster.b, f"/events/{cluster.event_id}/manage").status == 200


# --- b) Rate limits count across servers ----------------------------------------------

def test_the_login_limit_counts_requests_to_both_servers(cluster):
    browser = Browser()
    token = browser.token(cluster.a, "/login")
    statuses = [browser.post(cluster.ports[n % 2], "/login", {"email": "wer@example.org", "password": "falsch",
                                                              "csrf_token": token}).status
                for n in range(12)]
    # 10 per minute for an address (auth.views.login), whichever server counts.
    assert statuses == [200] * 10 + [429] * 2


def test_the_registration_limit_counts_requests_to_both_servers(cluster):
    browser = Browser()
    token = browser.token(cluster.a, f"/events/{cluster.event_id}")
    statuses = [browser.post(cluster.ports[n % 2], f"/events/{cluster.event_id}/register", {
        "csrf_token": token, "name": f"Person {n}", "email": f"person{n}@limit.example", "organization_id": "0",
        "at": ""}).status for n in range(12)]
    # 10 per minute for an address (registrations.views.IP_LIMIT), whichever server counts.
    assert statuses == [302] * 10 + [429] * 2


# --- c) Two workers send every queued mail exactly once -------------------------------

def test_two_workers_send_each_of_200_mails_exactly_once(cluster):
    recipients = {f"empfaenger{n}@bulk.example" for n in range(BULK)}
    assert all(worker.poll() is None for worker in cluster.workers)
    with cluster.app.app_context():
        for recipient in sorted(recipients):
            enqueue(recipient, "Einladung zum Netzwerktreffen", "Hallo, wir laden herzlich ein.")
        db.session.commit()
        bulk = (OutboxMail.recipient.like("%@bulk.example"), OutboxMail.sent_at.is_not(None))
        deadline = time.monotonic() + DELIVERY
        while (sent := db.session.scalar(select(func.count()).where(*bulk))) < BULK:
            assert time.monotonic() < deadline, f"{sent} of {BULK} sent within {DELIVERY} s"
            db.session.commit()  # a new snapshot for the next look
            time.sleep(0.2)
    assert all(worker.poll() is None for worker in cluster.workers)  # both competed to the end
    # A mail is marked sent only after the SMTP server accepted it, so everything is in the inbox now.
    delivered = [message for message in cluster.inbox.messages if message["To"].endswith("@bulk.example")]
    assert Counter(message["To"] for message in delivered) == Counter(recipients)
    assert len({message["Message-ID"] for message in delivered}) == BULK


# --- d) The booklet is built once, by one worker, and both servers serve that copy ----------

def _current_build(campaign, old_hash: str | None):
    """Poll until a worker has stored a booklet other than `old_hash` that reflects every change."""
    deadline = time.monotonic() + BUILD
    while True:
        row = build_row(campaign)  # expires the session: a new look at the database
        if row.html_hash not in (None, old_hash) and row.built == row.wanted:
            return row
        assert time.monotonic() < deadline, f"booklet not built within {BUILD} s: {row.built} of {row.wanted}"
        db.session.commit()  # a new snapshot for the next look
        time.sleep(0.2)


def _layouts(cluster, build_id: int) -> dict[str, int]:
    """How often each process ran WeasyPrint for the booklet (booklet_builds logs each run)."""
    line = f"booklet {build_id}: laid out"
    return {log.stem: log.read_text().count(line) for log in sorted(cluster.logs.glob("*.log"))}


def _served_alike(cluster, url: str, row) -> str:
    """Both servers serve the stored copy with its hash as ETag, and 304 to the other's ETag."""
    visitor = Browser()
    a, b = visitor.get(cluster.a, url), visitor.get(cluster.b, url)
    assert (a.status, b.status) == (200, 200) and a.headers["content-type"] == "application/pdf"
    assert a.body == b.body == row.pdf and a.headers["etag"] == b.headers["etag"] == f'"{row.html_hash}"'
    assert visitor.get(cluster.b, url, **{"If-None-Match": a.headers["etag"]}).status == 304
    assert visitor.get(cluster.a, url, **{"If-None-Match": b.headers["etag"]}).status == 304
    return a.headers["etag"]


def test_the_booklet_is_built_once_by_the_workers_and_served_alike_by_both_servers(cluster):
    coordinator = Browser()
    coordinator.log_in(cluster.a, cluster.coordinator)
    with cluster.app.app_context():
        network = db.session.scalar(select(Network).where(Network.slug == cluster.slug))
        p = make_programme(network, coordinator=db.session.scalar(select(User).where(User.email == cluster.coordinator)))
        cafe = entry(p, "Begegnungscafé", day=1)
        entry(p, "Kalligrafie-Workshop", day=2)
        entry(p, "Konzert im Park", day=3, hour=19)
        db.session.commit()
        home, url = f"/campaigns/{p.campaign.id}", f"/programmes/{p.campaign.slug}/booklet.pdf"

        # Publishing through server A asks for the booklet; one of the two workers builds it.
        published = coordinator.post(cluster.a, f"{home}/publish", {"csrf_token": coordinator.token(cluster.a, home)})
        assert published.status == 303, published.text[-3000:]
        first = _current_build(p.campaign, None)
        first_etag = _served_alike(cluster, url, first)
        layouts = _layouts(cluster, first.id)
        assert sum(layouts.values()) == 1, layouts
        assert layouts["worker-1"] + layouts["worker-2"] == 1, layouts  # no request waited for WeasyPrint

        # An edit of an approved entry makes it stale: built once more, served alike again.
        review.edit_by_coordinator(cafe, p.coordinator, venue_name="Altes Rathaus")
        db.session.commit()
        second = _current_build(p.campaign, first.html_hash)
        assert _served_alike(cluster, url, second) != first_etag
        layouts = _layouts(cluster, second.id)
        assert sum(layouts.values()) == 2 and layouts["worker-1"] + layouts["worker-2"] == 2, layouts
    assert all(worker.poll() is None for worker in cluster.workers)
