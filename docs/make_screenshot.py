"""Take docs/screenshot.png for the README: the demo network's organization list at desktop
width, logged in as the Magdeburg coordinator.

    .venv/bin/python docs/make_screenshot.py [--lang en|de] [--out docs/screenshot.png]

Starts the app on a temporary SQLite database (migrated, demo data loaded), drives the
system's Chromium (Debian's `chromium`, or $CHROMIUM) and leaves nothing else behind.
"""
import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.core.extensions import db  # noqa: E402
from app.demo import DEMO_PASSWORD, load_demo  # noqa: E402

LOGIN = "koordination@magdeburg.example"
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("No Chromium found: apt-get install chromium, or set CHROMIUM=/path/to/chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "de"], default="en", help="interface language (default: en)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'demo.db'}",
            "SECRET_KEY": "screenshot",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
            "SERVER_NAME": None,
        })
        with app.app_context():
            upgrade()
            load_demo()
            db.session.remove()

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(),
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                context = browser.new_context(base_url=base, viewport=VIEWPORT,
                                              locale="de-DE" if args.lang == "de" else "en-GB")
                page = context.new_page()
                page.goto("/login")
                page.fill("#email", LOGIN)
                page.fill("#password", DEMO_PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_url("**/networks")
                page.goto("/n/magdeburg/organizations")
                # Cut below the tenth row, so that the picture ends at a row's edge.
                tenth = page.locator("#organization-list tbody tr").nth(9).bounding_box()
                clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": tenth["y"] + tenth["height"] + 1}
                page.screenshot(path=str(args.out), clip=clip, caret="initial")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
            with app.app_context():
                db.engine.dispose()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
