"""Absolute addresses, for mails, feeds and QR codes that leave the browser, and the links that
share a page."""
from contextlib import nullcontext
from urllib.parse import quote, urlencode

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL when it is set (behind a reverse proxy, and outside requests), else this host."""
    base = current_app.config.get("BASE_URL")
    if base:  # the path only: outside a request with SERVER_NAME set, url_for would add a host
        return base + url_for(endpoint, _external=False, **values)
    return url_for(endpoint, _external=True, **values)


def url_context():
    """Mails carry absolute links; outside a request (the worker, the CLI) url_for needs one.
    BASE_URL is what mails use in production (see absolute_url)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or "http://localhost")


def share_urls(url: str, title: str, text: str = "") -> dict[str, str]:
    """Plain links that hand a page to WhatsApp, Telegram or a mail program: no script of theirs
    runs on our pages and nothing is added to `url` (no tracking parameters). `text` (e.g. the
    date) goes beside the title. Spaces as %20: mail programs show a "+" literally (RFC 6068)."""
    message = f"{title} – {text}" if text else title
    return {
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{message}\n{url}"}, quote_via=quote),
        "telegram": "https://t.me/share/url?" + urlencode({"url": url, "text": message}, quote_via=quote),
        "email": "mailto:?" + urlencode({"subject": title, "body": f"{message}\n\n{url}"}, quote_via=quote),
    }
