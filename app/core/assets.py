"""Static files a browser keeps: every `url_for("static", …)` carries a short hash of the file's
content (`?v=…`), and an answer to such an address may be cached for a year without asking
again. A changed file gets a new address, so nobody sees an old stylesheet; a phone's second
visit then loads only the page itself."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def version(filename: str, mtime_ns: int) -> str:
        return hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]

    @app.url_defaults
    def add_version(endpoint, values) -> None:
        if endpoint != "static" or "v" in values:
            return
        path = folder / values.get("filename", "")
        if path.is_file() and folder in path.resolve().parents:
            values["v"] = version(values["filename"], path.stat().st_mtime_ns)

    default_max_age = app.get_send_file_max_age

    def max_age(filename):
        return YEAR if request.args.get("v") else default_max_age(filename)

    app.get_send_file_max_age = max_age
