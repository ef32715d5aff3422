"""Compressed answers: pages, CSS, JavaScript and SVG in brotli or gzip (Flask-Compress), so a
slow phone loads a third of the bytes. Feeds, pictures and PDFs are left as they are (their
formats are compressed already, or their ETags are compared by calendar clients).

Flask-Compress marks the ETag of a compressed answer ("abc:br"), and browsers send that mark
back; the mark is taken off before the app compares, so an unchanged file still gets a 304.
"""
import re

from flask import Flask, request
from flask_compress import Compress

compress = Compress()

MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
             "application/json"]
_MARK = re.compile(r':(?:br|gzip|deflate|zstd)"')


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)

    @app.before_request
    def unmark_etags() -> None:
        tags = request.environ.get("HTTP_IF_NONE_MATCH")
        if tags and ":" in tags:
            request.environ["HTTP_IF_NONE_MATCH"] = _MARK.sub('"', tags)
