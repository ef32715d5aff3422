"""Fuzzing the whole app (issue 12): against the demo data, anonymous and as a coordinator,
every route of the URL map with its path variables set to edge values (and edge values in the
query string), and every form reachable from the pages and mails posted with missing,
doubled, overlong and wrongly typed fields. No answer may be a 5xx.

Each run draws its sample from a seed that changes daily; `FUZZ_SEED=<n>` repeats a run, and
a failure names the seed and the requests that failed."""
import os
import random
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.core.extensions import db
from tests.demo_snapshot import load_demo
from app.mail.models import OutboxMail
from app.programmes.models import Campaign

SEED = int(os.environ.get("FUZZ_SEED") or date.today().toordinal())
SAMPLES_PER_ROUTE = 3
MAX_PAGES = 100  # crawled for links and forms, per round
FORM_VARIANTS = 4

EDGE_NUMBERS = ["0", "-1", str(2**31 - 1), str(2**31), str(2**63), str(10**20)]
EDGE_TEXTS = ["0", "-1", str(10**20), "äöü€😀عربي", "x" * 5000, "..", "../../etc/passwd", "%00",
              "0001-01-01", "9999-12-31", "00010101T000000Z", "99991231T235959Z", "2027-02-30",
              "<script>alert(1)</script>", "' OR '1'='1", "NaN", "1e309", " "]
# Query parameters the views read; each run sets a few of them to edge values.
QUERY_NAMES = ["at", "page", "from", "to", "after", "day", "q", "group", "kind", "lang", "tag", "network",
               "show", "duplicate", "parent", "edit", "item", "status", "category", "district", "sent",
               "done", "email", "next", "audience", "target", "free", "step_free", "format", "year"]
WRONG_VALUES = ["", "-1", "0", "9" * 30, "1e309", "NaN", "abc", "2027-02-30", "99:99", "9999-12-31",
                "äöü€😀", "on", "<b>x</b>"]
# Logging out would end the fuzzing session halfway.
SKIP_LOGGED_IN = {"/logout"}


class _Page(HTMLParser):
    """Links and forms (with their fields' names and first values) of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": MultiDict()}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if tag == "input" and attrs.get("type") in ("checkbox", "radio") and attrs["name"] in self._form["fields"]:
                return
            self._form["fields"].add(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _local(url: str, base: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
        return None
    if not parts.path.startswith("/") and parts.path:
        return None
    path = parts.path or urlsplit(base).path
    return path + (f"?{parts.query}" if parts.query else "")


class Fuzzer:
    def __init__(self, app, client, logged_in: bool):
        self.app, self.client, self.logged_in = app, client, logged_in
        self.rng = random.Random(f"{SEED}:{logged_in}")
        self.failures: list[str] = []
        self.requests = 0
        self.values: dict[str, set] = {}  # path variable -> real values seen in links
        self.forms: list[tuple[str, MultiDict]] = []

    def send(self, method: str, url: str, data=None) -> str:
        if self.logged_in and urlsplit(url).path in SKIP_LOGGED_IN:
            return ""
        self.requests += 1
        try:
            response = self.client.open(url, method=method, data=data)
        except Exception as error:  # noqa: BLE001 - every exception is a finding
            self.failures.append(f"{method} {url[:300]} {_short(data)}: {type(error).__name__}: {error}"[:600])
            return ""
        if response.status_code >= 500:
            self.failures.append(f"{method} {url[:300]} {_short(data)}: {response.status_code}")
        if response.mimetype == "text/html" and response.status_code < 400:
            return response.get_data(as_text=True)
        return ""

    # --- Real values: crawl the pages and the mails' links ---------------------------------

    def remember(self, url: str) -> None:
        adapter = self.app.url_map.bind("localhost")
        try:
            _endpoint, values = adapter.match(urlsplit(url).path, method="GET")
        except (HTTPException, RequestRedirect):
            return
        for name, value in values.items():
            self.values.setdefault(name, set()).add(str(value))

    def crawl(self, start: list[str]) -> None:
        queue, seen = list(start), set()
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            self.remember(url)
            html = self.send("GET", url)
            if not html:
                continue
            page = _Page()
            page.feed(html)
            for href in page.links:
                target = _local(href, url)
                if target and target not in seen and not target.startswith("/static/"):
                    queue.append(target)
            for form in page.forms:
                action = _local(form["action"], url) or url
                if form["method"] == "post":
                    self.forms.append((action, form["fields"]))
                self.remember(action)

    # --- The URL map with edge values -------------------------------------------------------

    def walk_url_map(self) -> None:
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for _ in range(SAMPLES_PER_ROUTE):
                    url = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", self._fill, rule.rule)
                    if method == "GET":
                        url += "?" + self._query()
                    self.send(method, url, data=self._junk_form() if method == "POST" else None)

    def _fill(self, match) -> str:
        converter, name = match.group(1), match.group(2)
        real = sorted(self.values.get(name, ()))
        edges = EDGE_NUMBERS if converter == "int" else EDGE_TEXTS
        if real and self.rng.random() < 0.5:
            return self.rng.choice(real)
        return self.rng.choice(edges)

    def _query(self) -> str:
        names = self.rng.sample(QUERY_NAMES, 3)
        return urlencode([(name, self.rng.choice(EDGE_TEXTS + EDGE_NUMBERS)) for name in names])

    def _junk_form(self) -> dict:
        return {name: self.rng.choice(WRONG_VALUES + EDGE_TEXTS) for name in self.rng.sample(QUERY_NAMES, 4)}

    # --- Forms with bad fields ----------------------------------------------------------------

    def post_forms(self) -> None:
        """Each form once as filled in plausibly (registrations, submissions: new mails with
        links for the next round), then with bad fields."""
        forms = {}
        for action, fields in self.forms:  # one of each (action, field names)
            forms.setdefault((re.sub(r"\d+", "#", action), tuple(sorted(fields.keys()))), (action, fields))
        self.forms = []
        for action, fields in forms.values():
            self.send("POST", action, data=self._plausible(fields))
            for _ in range(FORM_VARIANTS):
                self.send("POST", action, data=self._mutate(fields))

    def _plausible(self, fields: MultiDict) -> MultiDict:
        data = MultiDict(fields)
        for name in data.keys():
            if not data.get(name):
                data.setlist(name, [f"fuzz{self.requests}@example.org" if "email" in name else "Fuzz"])
        return data

    def _mutate(self, fields: MultiDict) -> MultiDict:
        data = MultiDict(fields)
        names = [name for name in data.keys() if name != "csrf_token"]
        if not names:
            return data
        name = self.rng.choice(names)
        how = self.rng.choice(["missing", "doubled", "overlong", "wrong", "all wrong"])
        if how == "missing":
            data.poplist(name)
        elif how == "doubled":
            data.add(name, self.rng.choice(WRONG_VALUES))
        elif how == "overlong":
            data.setlist(name, ["Ä" * self.rng.choice([301, 5001, 100_001])])
        elif how == "wrong":
            data.setlist(name, [self.rng.choice(WRONG_VALUES + EDGE_TEXTS)])
        else:
            for other in names:
                data.setlist(other, [self.rng.choice(WRONG_VALUES)])
        return data


def _short(data) -> str:
    if not data:
        return ""
    items = data.items(multi=True) if isinstance(data, MultiDict) else data.items()
    return "{" + ", ".join(f"{k}={str(v)[:30]!r}" for k, v in items) + "}"


def _mail_links() -> list[str]:
    links = []
    for body in db.session.scalars(select(OutboxMail.body)):
        links += [_local(url.rstrip(".,)"), "/") for url in re.findall(r"https?://\S+", body)]
    return [link for link in links if link]


def _start_pages() -> list[str]:
    from flask import url_for

    campaigns = db.session.scalars(select(Campaign)).all()
    pages = ["/", "/events", "/events/archive", "/login", "/password/forgot"]
    pages += [url_for("programmes.programme", slug=c.slug) for c in campaigns]
    pages += [url_for("programmes.submit", slug=c.slug, token=c.submission_key) for c in campaigns]
    return pages + _mail_links()


@pytest.fixture
def demo(app):
    """The demo, and mails with every kind of secret link: manage, invitation, action item."""
    from app.minutes import records
    from app.minutes.models import Meeting
    from app.registrations import notifications, service as registrations
    from app.registrations.models import Registration

    load_demo()
    for registration in db.session.scalars(select(Registration).limit(5)):
        notifications.status(registration, registrations.renew_token(registration), again=True)
    for meeting in db.session.scalars(select(Meeting)):
        records.send_open_links(meeting)
    db.session.commit()


@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_no_url_and_no_form_gets_a_server_error(app, client, make, demo, who):
    if who == "coordinator":
        make.login(client, "koordination@magdeburg.example", "treffpunkt-demo")
    fuzzer = Fuzzer(app, client, logged_in=who != "anonymous")
    organizer_pages = ["/networks", "/n/magdeburg", "/n/magdeburg/calendar", "/n/magdeburg/programmes",
                       "/n/magdeburg/archive", "/n/magdeburg/action-items", "/dev/mailbox"]
    fuzzer.crawl((organizer_pages if fuzzer.logged_in else []) + _start_pages())
    mailed = set(_mail_links())
    fuzzer.post_forms()
    fuzzer.crawl(sorted(set(_mail_links()) - mailed))  # the links the forms just mailed
    fuzzer.post_forms()
    fuzzer.walk_url_map()
    assert fuzzer.requests > 500
    assert not fuzzer.failures, (f"FUZZ_SEED={SEED}: {len(fuzzer.failures)} of {fuzzer.requests} requests "
                                 "failed:\n" + "\n".join(fuzzer.failures[:40]))
