"""The programme booklet: an A4 PDF for the print shop (WeasyPrint), built from the same
entries as the programme page.

    html(campaign, preview)   the booklet as HTML: a cover (title, motto, dates, network and
                              partner logos, intro), the programme day by day with a QR code and
                              the picture (when it has one) per event, and an index of organizers with page numbers
    pdf(document)             the PDF of that HTML (WeasyPrint)
    build(campaign, preview)  both: the coordinator's preview, built in the request

The renderer may load data: URLs only (logos, pictures and QR codes are inline): nothing in a
submission can make the server fetch an address. Laying out 60 entries takes seconds, so the
published booklet is built by the outbox worker and stored (booklet_builds.py): whatever
changes what the booklet shows (an entry, a category's name, a logo, the language) changes
the HTML; the same HTML is the same PDF.
"""
import base64
from functools import lru_cache

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..core.extensions import db
from ..core.formatting import qr_data_uri
from ..core.markdown import to_html
from ..core.pdf import from_html
from ..core.urls import absolute_url
from ..directory.logo import logo_data_uri
from ..events.pictures import smallest_variants
from . import listing
from .models import Campaign, Partner

# A description longer than this is cut after the paragraph that reaches it (the QR code
# leads to the whole text).
SHORT_DESCRIPTION = 450


def short_description(text: str, limit: int = SHORT_DESCRIPTION) -> tuple[Markup, bool]:
    """The first paragraphs of the Markdown, sanitized, and whether some text was left out. A
    first paragraph far too long for print is cut after a word."""
    paragraphs = [p for p in (text or "").strip().split("\n\n") if p.strip()]
    kept, length = [], 0
    for paragraph in paragraphs:
        if kept and length + len(paragraph) > limit:
            break
        kept.append(paragraph)
        length += len(paragraph)
    cut = len(kept) < len(paragraphs)
    if len(kept) == 1 and len(kept[0]) > 2 * limit:
        kept, cut = [kept[0][:2 * limit].rsplit(" ", 1)[0]], True
    return to_html("\n\n".join(kept)), cut


@lru_cache(maxsize=2048)
def _qr(url: str) -> str:
    return qr_data_uri(url)


def html(campaign: Campaign, preview: bool = False) -> str:
    from .views.public import entry_time

    found = listing.entries(campaign, preview=preview)
    partners = db.session.scalars(select(Partner).options(undefer(Partner.logo))
                                  .where(Partner.campaign_id == campaign.id)
                                  .order_by(Partner.position, Partner.id)).all()
    links = {entry.event.id: absolute_url("events.show", event_id=entry.event.id) for entry in found}
    return render_template(
        "programmes/booklet.html", campaign=campaign, network=campaign.network, preview=preview,
        logo=logo_data_uri(campaign.network),
        # logo_data_uri reads .logo and .logo_type, which partners have as networks do
        partners=[(partner, logo_data_uri(partner)) for partner in partners],
        days=listing.by_day(found), organizers=listing.organizers(found), count=len(found),
        links=links, qr={event_id: _qr(url) for event_id, url in links.items()},
        pictures={event_id: (alt, f"data:{v.mime};base64,{base64.b64encode(v.data).decode('ascii')}")
                  for event_id, (alt, v) in smallest_variants(links).items()},
        programme_url=absolute_url("programmes.programme", slug=campaign.slug),
        entry_time=entry_time, short_description=short_description)


def pdf(document: str) -> bytes:
    return from_html(document)


def build(campaign: Campaign, preview: bool = False) -> bytes:
    return pdf(html(campaign, preview))


def filename(campaign: Campaign) -> str:
    """ASCII only, for Content-Disposition."""
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in campaign.slug)
    return f"{'-'.join(part for part in name.split('-') if part)[:80] or 'programme'}.pdf"
