"""Markdown for descriptions and minutes: rendered by markdown-it, then sanitized by nh3.

Raw HTML in the source is shown as text, and whatever the renderer produces passes
an allow-list, so neither script, event handlers nor javascript: links get through.
"""
import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")

_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "h5",
         "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
# Both results are pure functions of the text, and the same texts come on every request (an
# event page needs its description three times: page, JSON-LD, meta description), so the
# last ones are kept per process. Long texts (minutes) are rendered each time, so that the
# cache stays a few megabytes.
_CACHED_LENGTH = 8_000
_CACHED_TEXTS = 256


def _html(text: str) -> Markup:
    html = _renderer.render(text)
    # Headings from the author would compete with the page's own; keep them below h3.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def _text(text: str) -> str:
    return html.unescape(nh3.clean(_renderer.render(text), tags=set())).strip()


_cached_html = lru_cache(maxsize=_CACHED_TEXTS)(_html)
_cached_text = lru_cache(maxsize=_CACHED_TEXTS)(_text)


def to_html(text: str) -> Markup:
    text = text or ""
    return _cached_html(text) if len(text) <= _CACHED_LENGTH else _html(text)


def to_text(text: str) -> str:
    """Plain text of the Markdown (for meta descriptions and JSON-LD)."""
    text = text or ""
    return _cached_text(text) if len(text) <= _CACHED_LENGTH else _text(text)
