"""Absolute addresses, for mails, feeds and QR codes that leave the browser."""
from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL when it is set (behind a reverse proxy, and outside requests), else this host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
