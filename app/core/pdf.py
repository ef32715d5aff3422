"""The one WeasyPrint call of the documents the app makes from its own HTML (reports, booklet,
newsletter, minutes): the renderer may load data: URLs only (logos, pictures and QR codes are
inlined), so a document never fetches anything over the network or from the disk."""


def from_html(document: str, tagged: bool = False) -> bytes:
    """The PDF of `document`; `tagged`: with the structure tags screen readers and PDF/UA
    checkers read (the newsletter)."""
    from weasyprint import HTML  # imported when used: loading WeasyPrint takes a while
    from weasyprint.urls import URLFetcher

    return HTML(string=document, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(pdf_tags=tagged)
