"""The programme booklet (issue 7): a PDF with the cover, every entry day by day with its QR
code, the index of organizers with page numbers; user text escaped and sanitized; nothing
fetched from outside. Its storage and the worker's builds: test_programmes_booklet_builds.py."""
import io
import re
import shutil
import subprocess

import pytest
from flask_babel import force_locale
from PIL import Image

from app.core.extensions import db
from app.directory import logo
from app.programmes import booklet, review
from app.programmes.models import Partner

from .test_programmes_public import ALL_SHOWN, assorted_programme, entry, make_programme


def squash(text: str) -> str:
    """Without any white space: the two ways of reading the text break lines differently."""
    return re.sub(r"\s+", "", text)


def pdf_text(app, campaign, data: bytes, language: str = "de") -> str:
    """The PDF's text (squashed) by poppler's pdftotext; where that is not installed, the text
    WeasyPrint laid out from the same HTML."""
    if shutil.which("pdftotext") is None:
        with app.test_request_context(), force_locale(language):
            return squash(layout_text(booklet.html(campaign)))
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return squash(result.stdout.decode())


def layout_text(document: str) -> str:
    """The text WeasyPrint laid out, page by page (without pdftotext): every text box."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    rendered = HTML(string=document, url_fetcher=URLFetcher(allowed_protocols=("data",))).render()
    pages = []
    for page in rendered.pages:
        texts = [box.text for box in page._page_box.descendants() if getattr(box, "text", None)]
        pages.append(" ".join(texts))
    return "\f".join(pages)


def png(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def assorted(app):
    return assorted_programme()


def test_booklet_is_a_pdf_with_the_cover_every_entry_and_the_index(app, client, assorted):
    campaign = assorted.campaign
    logo.set_logo(assorted.network, png("navy"))
    campaign.partners.append(Partner(name="Stadt Magdeburg", logo=png(), logo_type="image/png"))
    db.session.commit()
    response = client.get(f"/programmes/{campaign.slug}/booklet.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f'filename="{campaign.slug}.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(app, campaign, response.data, "en")
    for part in ["Interkulturelle Woche", "Neue Räume", "Netzwerk Magdeburg", *ALL_SHOWN,
                 "Cancelled: Die Band ist erkrankt.", "Spoken: German, Arabic", "5 €, ermäßigt 3 €",
                 "Step-free access", "Registration needed", f"http://localhost/events/{assorted.cafe.event_id}"]:
        assert squash(part) in text, part
    assert squash("Noch in Prüfung") not in text
    # The index of organizers lists each one's events with the page each is on (1 is the cover).
    index = text[text.index("Indexoforganizers"):]
    assert re.search(r"Caritas" + squash("Sprachcafé für Kinder") + r"\.+[2-9]" + squash("Konzert im Park")
                     + r"\.+[2-9]", index), index
    assert re.search(r"Volkshochschule" + r"Kalligrafie-Workshop\.+[2-9]", index), index


def test_booklet_text_as_weasyprint_lays_it_out(app, assorted):
    """The cover is a page of its own (read from WeasyPrint's layout, without poppler)."""
    with app.test_request_context(), force_locale("en"):
        document = booklet.html(assorted.campaign)
    text = layout_text(document)
    assert "Neue Räume" in text
    for title in ALL_SHOWN:
        assert title in text
    first_page = text.split("\f")[0]
    assert "Interkulturelle Woche" in first_page and "Ukrainian evening" not in first_page  # the cover


def test_booklet_has_the_logos_and_a_qr_code_per_entry_as_data(app, assorted):
    assorted.campaign.partners.append(Partner(name="Stadt Magdeburg", logo=png(), logo_type="image/png"))
    assorted.campaign.partners.append(Partner(name="Ohne Logo"))
    logo.set_logo(assorted.network, png("navy"))
    db.session.commit()
    with app.test_request_context():
        document = booklet.html(assorted.campaign)
    sources = re.findall(r'<img [^>]*src="([^"]*)"', document)
    assert sources and all(source.startswith("data:") for source in sources)
    assert len([s for s in sources if s.startswith("data:image/svg+xml")]) == len(ALL_SHOWN)  # QR codes
    assert len([s for s in sources if s.startswith("data:image/png")]) == 2  # network and partner
    assert '<span class="name">Ohne Logo</span>' in document


def test_booklet_escapes_and_sanitizes_user_text(client, app):
    p = make_programme()
    entry(p, "<script>alert(1)</script> Fest", organization_name="<b>Verein</b>",
          description='<img src="http://evil.example/x.png"> **fett** [Link](javascript:alert(1))\n\n<iframe src=x>')
    review.publish(p.campaign)
    db.session.commit()
    with app.test_request_context():
        document = booklet.html(p.campaign)
    assert "<script>" not in document and "<iframe" not in document and "<b>Verein" not in document
    assert "href=\"javascript" not in document and "<img src=\"http://evil" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Fest" in document and "<strong>fett</strong>" in document
    data = client.get(f"/programmes/{p.campaign.slug}/booklet.pdf").data
    text = pdf_text(app, p.campaign, data)
    assert squash("<script>alert(1)</script> Fest") in text  # shown as text, never run
    assert "<b>Verein</b>" in text


def test_the_renderer_fetches_nothing_from_outside(app):
    """Even if an address got into the HTML, the renderer would not load it."""
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    with pytest.raises(ValueError):
        fetcher("http://127.0.0.1:9/secret.png")


def test_long_descriptions_are_cut_after_a_paragraph():
    text = "\n\n".join(f"Absatz {n} " + "Wort " * 40 for n in range(6))
    short, cut = booklet.short_description(text)
    assert cut and "Absatz 0" in short and "Absatz 5" not in short
    whole, cut = booklet.short_description("Nur **ein** Absatz.")
    assert not cut and "<strong>ein</strong>" in whole
    first_long, cut = booklet.short_description("Lang " * 150 + "\n\nZweiter Absatz")
    assert cut and first_long.count("Lang") == 150 and "Zweiter" not in first_long
    far_too_long, cut = booklet.short_description("Wort " * 1000)
    assert cut and 150 < far_too_long.count("Wort") < 190  # after a word, at twice the limit
