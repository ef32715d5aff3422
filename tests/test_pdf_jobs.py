"""PDFs laid out by the outbox worker (issue 19, app/mail/pdfs.py), on the report PDF: the
request renders the HTML only and answers "being prepared" (a full page, or the htmx poll's
fragment); one worker round lays it out; then it is served with its hash as the ETag. The same
report is one job; a changed figure is a new one; a layout that dies leaves nothing half
written; the access rules are the report's."""
from datetime import timedelta

import pytest
import weasyprint
from sqlalchemy import func, select, update

from app.core.extensions import db
from app.core.types import utcnow
from app.mail import outbox, pdfs
from app.mail.models import StoredPdf

from .concurrency import at_once, needs_postgres
from .factories import local
from .pdfs import PENDING
from .test_reports import _event, year  # noqa: F401  year: the hand-counted 2026 in Magdeburg

URL = "/n/magdeburg/reports.pdf?period=2026"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def layouts(monkeypatch):
    """Every WeasyPrint run anywhere (the real renderer runs; this only counts)."""
    made = []
    real = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):
        made.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    return made


def jobs() -> list[StoredPdf]:
    db.session.expire_all()
    return db.session.scalars(select(StoredPdf).order_by(StoredPdf.id)).all()


def test_first_request_is_a_waiting_page_and_the_worker_lays_it_out(app, year, coordinator_client, layouts):
    first = coordinator_client.get(URL)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and first.mimetype == "text/html" and layouts == []
    assert PENDING in html and "<html" in html and 'http-equiv="refresh"' in html  # works without JavaScript
    assert f'hx-get="{URL}"' in html and 'hx-trigger="every 2s"' in html and f'href="{URL}"' in html
    assert first.headers["Cache-Control"] == "private, no-store"
    [job] = jobs()
    assert job.kind == "report" and job.pdf is None and job.built_at is None and len(job.digest) == 64

    assert pdfs.build_next in outbox._each_round and pdfs.purge_old in outbox._periodic
    outbox.run_each_round()
    assert len(layouts) == 1
    [job] = jobs()
    assert job.pdf.startswith(b"%PDF") and job.html is None and job.lease_until is None

    served = coordinator_client.get(URL)
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data == job.pdf
    assert served.headers["ETag"] == f'"{job.digest}"'
    assert served.headers["Content-Disposition"] == 'attachment; filename="magdeburg-2026.pdf"'
    again = coordinator_client.get(URL, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert len(layouts) == 1 and pdfs.build_next() is False  # nothing waits: nothing laid out again


def test_the_poll_gets_the_fragment_and_then_the_download_link(app, year, coordinator_client, layouts):
    coordinator_client.get(URL)
    waiting = coordinator_client.get(URL, headers=HTMX).get_data(as_text=True)
    assert PENDING in waiting and "<html" not in waiting and 'hx-trigger="every 2s"' in waiting
    outbox.run_each_round()
    ready = coordinator_client.get(URL, headers=HTMX)
    html = ready.get_data(as_text=True)
    assert ready.mimetype == "text/html" and "<html" not in html and "hx-trigger" not in html  # the polling stops
    assert f'href="{URL}"' in html and "HX-Request" in ready.headers["Vary"]
    assert coordinator_client.get(URL).mimetype == "application/pdf"  # the link itself: the PDF


def test_the_same_report_is_one_job_and_a_changed_figure_a_new_one(app, year, coordinator_client, layouts):
    for _ in range(3):
        assert PENDING in coordinator_client.get(URL).get_data(as_text=True)
    assert len(jobs()) == 1
    outbox.run_each_round()
    first = coordinator_client.get(URL)
    assert first.mimetype == "application/pdf"

    _event(year, "Neues Treffen", local(2026, 6, 2, 10))  # one more event date held in 2026
    db.session.commit()
    assert PENDING in coordinator_client.get(URL).get_data(as_text=True)
    old, new = jobs()
    assert new.digest != old.digest and new.pdf is None
    outbox.run_each_round()
    fresh = coordinator_client.get(URL)
    assert fresh.mimetype == "application/pdf" and fresh.headers["ETag"] != first.headers["ETag"]
    assert coordinator_client.get(URL, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    assert len(layouts) == 2


def test_a_layout_that_dies_leaves_nothing_and_another_worker_takes_over(app, year, coordinator_client, monkeypatch):
    coordinator_client.get(URL)

    def dies(*_args, **_kwargs):
        raise RuntimeError("worker killed while laying out")

    monkeypatch.setattr(pdfs, "from_html", dies)
    outbox.run_each_round()  # the worker logs the failure and goes on
    [job] = jobs()
    assert job.pdf is None and job.built_at is None and job.html and job.lease_until > utcnow()
    assert PENDING in coordinator_client.get(URL).get_data(as_text=True)  # still being prepared
    monkeypatch.undo()
    assert pdfs.build_next() is False  # still leased to the worker that died

    db.session.execute(update(StoredPdf).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()  # the lease runs out
    assert pdfs.build_next() is True
    assert coordinator_client.get(URL).data.startswith(b"%PDF")


def test_access_is_the_reports_and_a_stored_pdf_is_not_served_to_others(app, year, client, make):
    sprache = next(g for g in year.working_groups if g.name == "Sprache")
    make.user("lead@example.org", leads=[sprache])
    make.user("other@example.org", coordinates=[make.network("halle")])
    db.session.commit()
    make.login(client, "coord@example.org")
    client.get(URL)
    outbox.run_each_round()
    assert client.get(URL).mimetype == "application/pdf"  # laid out and stored
    client.post("/logout")
    assert client.get(URL).status_code == 302  # to the login
    make.login(client, "lead@example.org")
    assert client.get(URL).status_code == 403  # not the whole network
    assert client.get(URL, headers=HTMX).status_code == 403
    own = f"{URL}&group={sprache.id}"
    assert PENDING in client.get(own).get_data(as_text=True)  # their group's report is their own job
    client.post("/logout")
    make.login(client, "other@example.org")
    assert client.get(URL).status_code == 403
    assert client.get("/n/magdeburg/reports.pdf?period=x").status_code == 403  # the check comes first
    assert db.session.scalar(select(func.count()).select_from(StoredPdf)) == 2


def test_old_pdfs_are_purged(app, year, coordinator_client):
    coordinator_client.get(URL)
    outbox.run_each_round()
    assert pdfs.purge_old() == 0
    assert pdfs.purge_old(now=utcnow() + pdfs.KEEP + timedelta(minutes=1)) == 1
    db.session.commit()  # as the worker does after each job
    assert jobs() == []
    assert PENDING in coordinator_client.get(URL).get_data(as_text=True)  # asked for anew


@needs_postgres
def test_two_workers_at_once_lay_it_out_once(app, year, coordinator_client, layouts):
    coordinator_client.get(URL)
    results = at_once(app, 2, lambda _index, _prepared: pdfs.build_next())
    assert sorted(results) == [False, True], results
    assert len(layouts) == 1 and jobs()[0].pdf.startswith(b"%PDF")


@needs_postgres
def test_requests_at_once_make_one_job(app, year, coordinator_client):
    results = at_once(app, 4, lambda _index, _prepared: coordinator_client.get(URL).status_code)
    assert results == [200] * 4 and len(jobs()) == 1
