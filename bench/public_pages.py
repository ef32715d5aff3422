"""What a visitor's browser gets from the public pages of the demo, on a slow phone.

Serves the demo (`flask demo` on a throwaway SQLite database, gunicorn with 2 sync workers on
a free local port) and drives Debian's Chromium through Playwright over the home page, the
upcoming list, an event page with an open registration form (the first in the list) and the
Intercultural Week programme, at 360×740 and 1280×800, German. Each page is opened in a fresh
browser context (empty cache, the first visit) and then once more in the same context (the
second visit, with whatever the first one let the browser keep).

Throttling through the Chrome DevTools Protocol, on every visit:
  CPU      `Emulation.setCPUThrottlingRate` rate 4 (a mid-range phone)
  network  `Network.emulateNetworkConditions`: 400 kbit/s down, 400 kbit/s up, 400 ms latency
           added to every request (about DevTools' "Slow 3G" bandwidth, its latency divided by 5)

Figures per page and width:
  bytes    what came over the wire, the sum of `Network.loadingFinished` encodedDataLength
           (headers included), first and second visit, with the number of requests and how
           many the second visit answered from the cache or got as 304
  w/o pic  the first visit without pictures (images not under /static/), the issue's 150 KB goal
  LCP      Largest Contentful Paint (PerformanceObserver, buffered), ms, and its element; the
           median of 3 runs (BENCH_QUICK=1: one run)
  DOM      elements in the document after load
  height   document height in px
  on screen  on /events: entries of the list (the `li`/`article`/`tr` around each link to an
           event page) wholly inside the first screen, and titles (links) inside it

Goals from issue 16: first visit ≤ 150 KB without event pictures, LCP ≤ 1.5 s; the programme
at 360 px under a third of 30,185 px; the list's first screen at 360 px showing ≥ 3 events.
Nothing is asserted: the figures are printed (a table, or JSON with --json).

    .venv/bin/python bench/public_pages.py [--json]
    .venv/bin/python bench/public_pages.py --root /tmp/before   # another checkout, its own .venv
    .venv/bin/python bench/public_pages.py --screenshots /tmp/shots   # and each first screen
"""
import argparse
import html
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _support import QUICK  # noqa: E402
from registrations_concurrency import _free_port  # noqa: E402
from scale import Server  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402

VIEWPORTS = ({"width": 360, "height": 740}, {"width": 1280, "height": 800})
KBIT = 1000 / 8  # bytes per second in one kbit/s
NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 400 * KBIT, "uploadThroughput": 400 * KBIT}
CPU_SLOWDOWN = 4
REPEAT = 1 if QUICK else 3

# Resolves with the latest LCP candidate; the buffered flag hands over those before this ran.
LCP_SCRIPT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    const element = last.element;
    const name = element && element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + (element.classList.length ? "." + element.classList[0] : "");
    resolve({ms: last.startTime, element: name || null});
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve({ms: null, element: null}), 5000);
})"""
# Entries of the list: the item around each link to an event page, counted once.
ON_SCREEN_SCRIPT = """() => {
  const links = [...document.querySelectorAll('main a[href^="/events/"]')]
    .filter((a) => /^\\/events\\/\\d+(\\?|$)/.test(a.getAttribute("href")));
  const inside = (r) => r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
  const entries = new Set(links.map((a) => a.closest("li, article, tr") || a));
  return {entries: [...entries].filter((e) => inside(e.getBoundingClientRect())).length,
          titles: links.filter((a) => inside(a.getBoundingClientRect())).length};
}"""


class Demo:
    """The demo of the checkout at `root` on gunicorn, with its own database and feed store."""

    def __init__(self, root: Path):
        self.root, self.tmp = root, tempfile.TemporaryDirectory(prefix="tp-bench-public-")
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.tmp.name}/demo.db", "CACHE_DIR": f"{self.tmp.name}/cache",
               "SECRET_KEY": secrets.token_hex(16), "BASE_URL": self.base}
        env.pop("MAIL_SERVER", None)
        self.server = Server("app:create_app({'RATELIMIT_ENABLED': False})", env, port=port, root=root)

    def start(self) -> str:
        """Load the demo and serve it; returns the programme's path that `flask demo` printed."""
        flask, env = [str(self.root / ".venv/bin/flask"), "--app", "app"], self.server.env
        subprocess.run(flask + ["db", "upgrade"], cwd=self.root, env=env, check=True, capture_output=True)
        demo = subprocess.run(flask + ["demo"], cwd=self.root, env=env, check=True, capture_output=True, text=True)
        self.server.start()
        return re.search(r"\((/programmes/[^)]+)\)", demo.stdout).group(1)

    def stop(self) -> None:
        self.server.stop()
        self.tmp.cleanup()

    def text(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            return response.read().decode()


def event_with_registration(server: Demo) -> str:
    """The first event page in the upcoming list that offers the registration form."""
    seen = set()
    for href in re.findall(r'href="(/events/(\d+)[^"]*)"', server.text("/events")):
        path, event_id = html.unescape(href[0]), href[1]
        if event_id not in seen:
            seen.add(event_id)
            if f'action="/events/{event_id}/register"' in server.text(path):
                return path
    raise SystemExit("no event in the upcoming list offers a registration form")


class Visit:
    """One navigation under throttling, with what went over the wire."""

    def __init__(self, context, page):
        self.page, self.requests = page, {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", NETWORK)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        self.cdp.on("Network.requestWillBeSent", lambda e: self._note(e["requestId"], pending=True))
        self.cdp.on("Network.loadingFailed", lambda e: self._note(e["requestId"], pending=False))
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.requestServedFromCache", lambda e: self._note(e["requestId"], cached=True))
        self.cdp.on("Network.loadingFinished", lambda e: self._note(e["requestId"], bytes=e["encodedDataLength"],
                                                                          pending=False))

    def _note(self, request_id: str, **values) -> None:
        self.requests.setdefault(request_id, {}).update(values)

    def _response(self, event) -> None:
        response = event["response"]
        self._note(event["requestId"], url=response["url"], status=response["status"], type=event["type"],
                   cached=response.get("fromDiskCache") or response.get("fromPrefetchCache") or
                   self.requests.get(event["requestId"], {}).get("cached", False))

    def _settle(self) -> None:
        """Wait for a second with nothing under way: the favicon comes after load, at times
        after what Playwright calls network idle."""
        quiet = 0
        for _ in range(100):  # at most 10 s
            self.page.wait_for_timeout(100)
            quiet = 0 if any(r.get("pending") for r in self.requests.values()) else quiet + 1
            if quiet == 10:
                return

    def go(self, url: str) -> dict:
        self.requests.clear()
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        self._settle()
        lcp = self.page.evaluate(LCP_SCRIPT)
        done = [r for r in self.requests.values() if r.get("url", "").startswith("http")]  # no data: URLs
        pictures = sum(r.get("bytes", 0) for r in done if r["type"] == "Image" and "/static/" not in r["url"])
        total = sum(r.get("bytes", 0) for r in done)
        return {"bytes": round(total), "bytes_without_pictures": round(total - pictures), "requests": len(done),
                "from_cache": sum(1 for r in done if r.get("cached")),
                "not_modified": sum(1 for r in done if r["status"] == 304),
                "lcp_ms": lcp["ms"] and round(lcp["ms"]), "lcp_element": lcp["element"],
                "resources": sorted(((urlsplit(r["url"]).path, r["status"], round(r.get("bytes", 0))) for r in done),
                                    key=lambda r: -r[2])}


def measure(browser, base: str, path: str, viewport: dict, shot: Path | None) -> dict:
    context = browser.new_context(viewport=viewport, locale="de-DE")
    try:
        page = context.new_page()
        visit = Visit(context, page)
        first = visit.go(base + path)
        figures = {"path": path, "width": viewport["width"], "first": first,
                   "dom_elements": page.evaluate("document.getElementsByTagName('*').length"),
                   "height": page.evaluate("document.documentElement.scrollHeight")}
        if path == "/events":
            figures["on_screen"] = page.evaluate(ON_SCREEN_SCRIPT)
        if shot:
            page.screenshot(path=shot)  # the first screen, as the visitor sees it before scrolling
        page.goto("about:blank")
        figures["second"] = visit.go(base + path)
        return figures
    finally:
        context.close()


def measure_repeatedly(browser, base: str, path: str, viewport: dict, shot: Path | None) -> dict:
    """The last run's figures with the median LCP of REPEAT runs (a shared machine jitters)."""
    runs = [measure(browser, base, path, viewport, shot) for _ in range(REPEAT)]
    figures = runs[-1]
    for visit in ("first", "second"):
        times = [run[visit]["lcp_ms"] for run in runs]
        figures[visit]["lcp_runs"] = times
        figures[visit]["lcp_ms"] = round(statistics.median(times)) if None not in times else None
    return figures


def kb(size: float) -> str:
    return f"{size / 1000:.1f} kB"


def table(results: list[dict]) -> None:
    print(f"CPU {CPU_SLOWDOWN}× slower; network {NETWORK['downloadThroughput'] / KBIT:.0f} kbit/s down, "
          f"{NETWORK['latency']} ms latency per request\n")
    print("| page | width | 1st visit (w/o pictures, requests) | 2nd visit (requests, cached, 304) "
          "| LCP 1st / 2nd | DOM | height | on first screen |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        first, second = r["first"], r["second"]
        screen = f"{r['on_screen']['entries']} entries, {r['on_screen']['titles']} titles" if "on_screen" in r else ""
        print(f"| {r['name']} `{r['path']}` | {r['width']} "
              f"| {kb(first['bytes'])} ({kb(first['bytes_without_pictures'])}, {first['requests']}) "
              f"| {kb(second['bytes'])} ({second['requests']}, {second['from_cache']}, {second['not_modified']}) "
              f"| {first['lcp_ms']} / {second['lcp_ms']} ms ({first['lcp_element']}) | {r['dom_elements']} "
              f"| {r['height']:,} px | {screen} |")
    print("\nFirst visit at 360 px, the largest answers:")
    for r in results:
        if r["width"] == 360:
            largest = ", ".join(f"{url} {kb(size)}" + (f" ({status})" if status != 200 else "")
                                for url, status, size in r["first"]["resources"][:4])
            print(f"  {r['name']}: {largest}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (with its own .venv)")
    parser.add_argument("--screenshots", type=Path, help="save each page's first screen here as NAME-WIDTH.png")
    args = parser.parse_args()
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("skipped: Playwright is not installed (make install-dev)")
        return 0
    if chromium is None:
        print("skipped: no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chromium)")
        return 0
    server = Demo(args.root.resolve())
    try:
        programme = server.start()
        pages = {"home": "/", "list": "/events", "event": event_with_registration(server), "programme": programme}
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for name, path in pages.items():
                for viewport in VIEWPORTS:
                    shot = args.screenshots and args.screenshots / f"{name}-{viewport['width']}.png"
                    results.append({"name": name, **measure_repeatedly(browser, server.base, path, viewport, shot)})
            browser.close()
    finally:
        server.stop()
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
    else:
        table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
