"""The Atom feed (RFC 4287) of a network's announcements showing now, built with ElementTree."""
import hashlib
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, request

from ..core.markdown import to_html
from ..core.urls import absolute_url
from ..directory.models import Network
from .models import Announcement

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _el(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _domain() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or request.host_url).hostname or "localhost"


def entry_id(announcement: Announcement) -> str:
    """A tag: URI (RFC 4151) of the site's domain and the day the announcement was made: it stays
    the same whatever is edited, so feed readers never show an entry twice."""
    return f"tag:{_domain()},{announcement.created_at.date().isoformat()}:announcement/{announcement.id}"


def _updated(announcement: Announcement) -> datetime:
    """Never before it was published: a scheduled one is new to readers when it starts showing."""
    return max(announcement.updated_at, announcement.shows_from)


def last_change(network: Network, announcements: list[Announcement]) -> datetime:
    return max((_updated(a) for a in announcements), default=network.created_at)


def etag(network: Network, announcements: list[Announcement], locale: str) -> str:
    """The feed's version in `locale`: it changes with any entry edited, added or no longer shown."""
    key = ",".join(f"{a.id}:{a.updated_at.timestamp()}" for a in announcements)
    return hashlib.sha256(f"{network.id}|{locale}|{key}".encode()).hexdigest()[:32]


def atom(network: Network, announcements: list[Announcement], title: str) -> bytes:
    feed = ET.Element("feed", xmlns=ATOM)  # Atom as the default namespace: plain names below
    _el(feed, "id", f"tag:{_domain()},{network.created_at.date().isoformat()}:announcements/{network.slug}")
    _el(feed, "title", title)
    _el(feed, "updated", _stamp(last_change(network, announcements)))
    _el(feed, "link", rel="self", type="application/atom+xml",
        href=absolute_url("announcements.feed", slug=network.slug))
    _el(feed, "link", rel="alternate", type="text/html", href=absolute_url("announcements.news", slug=network.slug))
    author = _el(feed, "author")
    _el(author, "name", network.name)
    for announcement in announcements:
        entry = _el(feed, "entry")
        _el(entry, "id", entry_id(announcement))
        title_text = announcement.local("title")
        _el(entry, "title", str(title_text))
        _el(entry, "published", _stamp(announcement.shows_from))
        _el(entry, "updated", _stamp(_updated(announcement)))
        _el(entry, "link", rel="alternate", type="text/html",
            href=absolute_url("announcements.entry", slug=network.slug, announcement_id=announcement.id))
        if announcement.has_document:
            _el(entry, "link", rel="enclosure", type="application/pdf", length=str(announcement.document_size),
                title=announcement.document_name,
                href=absolute_url("announcements.document", slug=network.slug, announcement_id=announcement.id))
        entry_author = _el(entry, "author")
        _el(entry_author, "name", network.name)
        text = announcement.local("text")
        _el(entry, "content", str(to_html(str(text))), type="html", **{XML_LANG: text.lang})
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
