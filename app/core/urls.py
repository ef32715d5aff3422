"""Absolute addresses, for mails, feeds and QR codes that leave the browser."""
from contextlib import nullcontext

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL when it is set (behind a reverse proxy, and outside requests), else this host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def url_context():
    """Mails carry absolute links; outside a request (the worker, the CLI) url_for needs one.
    BASE_URL is what mails use in production (see absolute_url)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or "http://localhost")
