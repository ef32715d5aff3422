"""PDFs laid out off the request (issue 19): a request renders the document's HTML (cheap)
and WeasyPrint (seconds) runs in the outbox worker. Stored by the HTML's SHA-256, so the same
document is laid out once, however many ask for it.

    respond(...)   what a PDF route answers: the stored PDF (its hash as the ETag, 304 when the
                   reader has it), or else a job (insert-or-ignore on the hash: many requests,
                   one job) and a page "Your PDF is being prepared" that asks again by itself
                   (htmx every 2 s; without JavaScript a refresh) and then offers the download
    build_next     the worker's job every round: claim one job with a lease (core/leases.py),
                   lay it out, store the PDF in one UPDATE while still holding the lease
    purge_old      the hourly job: stored PDFs and jobs older than KEEP go

A worker killed while laying out wrote nothing; its lease runs out and another takes the job.
A stored PDF is found by its hash only inside the route that rendered the HTML, after that
route's access checks: the hash of a document a reader may not see is never computed for them.
"""
from datetime import datetime, timedelta

from flask import current_app, make_response, request
from sqlalchemy import delete, select, update

from ..core import leases
from ..core.extensions import db
from ..core.pdf import digest, from_html
from ..core.rendering import render, wants_fragment
from ..core.types import utcnow
from .models import StoredPdf
from .outbox import register_each_round

LEASE = timedelta(minutes=5)  # far longer than a layout takes (seconds)
KEEP = timedelta(days=7)  # then a request asks for the document anew
POLL_SECONDS = 2

_pdfs = StoredPdf.__table__


def respond(document: str, kind: str, filename: str, tagged: bool = False):
    """The answer of a PDF route whose access checks passed, for the HTML it rendered."""
    key = digest(document)
    built = db.session.execute(select(_pdfs.c.built_at).where(_pdfs.c.digest == key)).first()
    if built is None:
        db.session.execute(leases.insert_or_ignore(_pdfs).values(digest=key, kind=kind, html=document,
                                                                 tagged=tagged, created_at=utcnow()))
        db.session.commit()
    ready = built is not None and built.built_at is not None
    if not ready or wants_fragment():
        # The page and the poll share the PDF's address: the answer depends on HX-Request.
        url = request.full_path.rstrip("?")
        response = make_response(render("mail/pdf_pending.html", "mail/_pdf_pending.html", ready=ready, url=url,
                                        poll_seconds=POLL_SECONDS))
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("HX-Request")
        return response
    data = None if key in request.if_none_match else \
        db.session.scalar(select(_pdfs.c.pdf).where(_pdfs.c.digest == key))
    response = make_response(data or b"")  # no data: the reader has it, 304 below
    response.mimetype = "application/pdf"
    response.set_etag(key)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.vary.add("HX-Request")
    return response.make_conditional(request)


@register_each_round
def build_next() -> bool:
    """Lay out one waiting PDF no other worker holds; True when one was taken."""
    now = utcnow()
    row = leases.claim_next(_pdfs, (_pdfs.c.id, _pdfs.c.kind), (_pdfs.c.built_at.is_(None),), now, LEASE)
    if row is None:
        return False
    html, tagged = db.session.execute(select(_pdfs.c.html, _pdfs.c.tagged).where(_pdfs.c.id == row.id)).one()
    db.session.commit()  # no transaction open while WeasyPrint runs
    data = from_html(html, tagged=tagged)
    current_app.logger.info("pdf %s (%s): laid out, %d bytes", row.id, row.kind, len(data))
    db.session.execute(update(_pdfs).where(*leases.held(_pdfs, row.id, now + LEASE))
                       .values(pdf=data, built_at=utcnow(), lease_until=None, html=None))
    db.session.commit()
    return True


def purge_old(now: datetime | None = None) -> int:
    """The worker's hourly round: delete what was asked for more than KEEP ago, laid out or not
    (a job that keeps failing stops here too). Returns how many went."""
    return db.session.execute(delete(StoredPdf).where(StoredPdf.created_at < (now or utcnow()) - KEEP)).rowcount
