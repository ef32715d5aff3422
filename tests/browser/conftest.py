"""Real-browser tests: the app on a free local port, driven by headless Chromium.

Chromium comes from the system (Debian's `chromium` package, or the path in $CHROMIUM);
Playwright never downloads a browser here. Without one the tests are skipped, unless
REQUIRE_BROWSER=1, which turns the skip into a failure (for CI).

Every page a test visits can be scanned with axe (WCAG 2.1 A/AA) and photographed at
desktop and phone width into tests/screenshots/ (git-ignored). Every test also fails when
the browser asked a non-local host for anything or logged a console error; CSP
violations (inline scripts/styles) show up as console errors.
"""
import os
import re
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from app.core.extensions import db
from app.directory import service as directory

from .. import factories

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# CSP violations reach the console on their own, but without saying which element did it.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const element = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 200) : "";
  console.error(`CSP ${event.violatedDirective} blocked at ${event.sourceFile}:${event.lineNumber}:` +
                `${event.columnNumber} ${event.sample || event.blockedURI} ${element}`);
});
"""
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PASSWORD = factories.PASSWORD


# --- The app, served for real ---------------------------------------------------------

@pytest.fixture
def app_config():
    # 127.0.0.1:PORT must route (no SERVER_NAME); real forms and htmx carry real CSRF tokens.
    return {"SERVER_NAME": None, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app):
    """The test's app on 127.0.0.1 and a free port, in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop to look again: every 0.5 s by default, half a second a test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- The browser --------------------------------------------------------------------

def chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _no_browser(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is not skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        _no_browser("no Chromium found: install Debian's chromium package or set CHROMIUM=/path/to/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright for Python is not installed (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    except Exception as error:  # a broken or incompatible Chromium
        playwright.stop()
        _no_browser(f"Chromium at {path} did not start: {error}")
    yield launched
    launched.close()
    playwright.stop()


class BrowserWatch:
    """What the browser did that no page should make it do."""

    def __init__(self):
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.expected_statuses: set[int] = set()

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.console_errors.append(f"uncaught: {error.error}"))

    def expect_status(self, status: int) -> None:
        """Chromium logs every 4xx answer as a console error; allow one the test provokes (e.g. 422)."""
        self.expected_statuses.add(status)

    def _request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.hostname not in LOCAL_HOSTS:
            self.foreign_requests.append(request.url)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        status = re.search(r"status of (\d{3})", message.text)
        if status and int(status.group(1)) in self.expected_statuses:
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def assert_clean(self) -> None:
        assert not self.foreign_requests, f"requests to non-local hosts: {self.foreign_requests}"
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def watch():
    return BrowserWatch()


@pytest.fixture
def new_page(browser, live_server, watch):
    """Open a page in a fresh browser context: new_page(locale=..., viewport=..., java_script_enabled=...)."""
    contexts = []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")  # English UI: the msgids are stable text to look for
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(5000)
        watch.attach(context)
        context.add_init_script(CSP_REPORTER)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    watch.assert_clean()


@pytest.fixture
def page(new_page):
    """A page at desktop width in a fresh context (English via Accept-Language)."""
    return new_page()


# --- Helpers the tests call ---------------------------------------------------------

def axe_report(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"\n* {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:300]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {summary_line}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """axe-core over the page as it is now, WCAG 2.0/2.1 levels A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{page.url}\n{axe_report(violations)}"


def screenshot(page, name: str) -> None:
    """Full-page screenshots at 1280 px and 360 px: tests/screenshots/<name>-1280.png, -360.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        # caret="initial": hiding the caret leaves style="" on every input, which htmx later
        # copies while settling, and the CSP then reports inline styles the app never wrote.
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}.png"), full_page=True, caret="initial")
    page.set_viewport_size(original)


def check_page(page, name: str) -> None:
    """The usual visit: axe at desktop width, then the two screenshots."""
    assert_accessible(page)
    screenshot(page, name)


def mark_document(page) -> None:
    """Mark the current document, to tell later that htmx swapped parts of it without a page load."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def htmx_idle(page) -> None:
    """Wait until htmx has finished swapping and settling: an event fired on content that
    htmx has not processed yet would be lost (a user cannot be that fast, a test can)."""
    from playwright.sync_api import expect

    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/networks")


def no_horizontal_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# --- Data -----------------------------------------------------------------------------

ORGANIZATIONS = [
    # name, kind, street, postcode, city, contacts (name, role, email)
    ("Volkshochschule Magdeburg", "education", "Leibnizstraße 23", "39104", "Magdeburg",
     [("Petra Neumann", "Fachbereich Deutsch als Fremdsprache", "p.neumann@vhs-md.example")]),
    ("Jobcenter Landeshauptstadt Magdeburg", "job_center", "Otto-von-Guericke-Straße 12", "39104", "Magdeburg",
     [("Sabine Krüger", "Teamleitung Migration", "s.krueger@jobcenter-md.example")]),
    ("Caritasverband für das Bistum Magdeburg", "welfare", "Langer Weg 28", "39112", "Magdeburg", []),
    ("Einewelthaus Magdeburg", "association", "Schellingstraße 3-4", "39104", "Magdeburg", []),
    ("Ukrainische Gemeinde Magdeburg", "migrant_organization", "", "", "Magdeburg",
     [("Olena Kovalenko", "Ansprechpartnerin", "o.kovalenko@ukr-md.example")]),
    ("Interkultureller Garten Schönebeck", "association", "", "39218", "Schönebeck", []),
]


@pytest.fixture
def magdeburg(app):
    """A network with organizations, contact people, working groups incl. a sub-group, and a
    coordinator; committed, so that the live server sees it. Plain values only, so that the
    test thread holds no rows (and no database locks) while the browser works."""
    network = factories.network("magdeburg", "Netzwerk für Integrations- und Ausländerarbeit Magdeburg")
    organizations = {}
    for name, kind, street, postcode, city, contacts in ORGANIZATIONS:
        organization = factories.organization(network, name, kind=kind, street=street, postcode=postcode, city=city)
        for person, role, email in contacts:
            directory.save_person(organization, None, name=person, role=role, email=email)
        organizations[name] = organization
    sprache = factories.group(network, "Sprache")
    sub_group = factories.group(network, "Unter-AG Berufssprachkurse", parent=sprache)
    arbeit = factories.group(network, "Arbeit und Ausbildung")
    sprache.organizations.append(organizations["Volkshochschule Magdeburg"])
    arbeit.organizations.append(organizations["Jobcenter Landeshauptstadt Magdeburg"])
    coordinator = factories.user("koordination@magdeburg.example", coordinates=[network])
    db.session.commit()
    data = SimpleNamespace(
        slug=network.slug, network_name=network.name,
        organization_ids={name: o.id for name, o in organizations.items()},
        group_ids={"Sprache": sprache.id, "Unter-AG Berufssprachkurse": sub_group.id,
                   "Arbeit und Ausbildung": arbeit.id},
        coordinator=coordinator.email,
    )
    db.session.rollback()  # end the read transaction the values above opened
    return data
