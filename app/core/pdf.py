"""The one WeasyPrint call of the documents the app makes from its own HTML (reports, booklet,
newsletter, minutes): the renderer may load data: URLs only (logos, pictures and QR codes are
inlined), so a document never fetches anything over the network or from the disk.
A laid-out PDF is stored by `digest` of its HTML (the booklet, the stored PDFs): the same HTML
is laid out once."""
import hashlib


def digest(document: str) -> str:
    """The content address of a document: the SHA-256 of its HTML (also its PDF's ETag)."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def from_html(document: str, tagged: bool = False) -> bytes:
    """The PDF of `document`; `tagged`: with the structure tags screen readers and PDF/UA
    checkers read (the newsletter)."""
    from weasyprint import HTML  # imported when used: loading WeasyPrint takes a while
    from weasyprint.urls import URLFetcher

    return HTML(string=document, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(pdf_tags=tagged)
