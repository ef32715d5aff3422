"""The published booklet built off the request (issue 19): stored per campaign and language,
marked stale by a change, built by the outbox worker once, served with its hash as ETag (the
stale copy too, with a note on the programme page), a build that dies leaves the old copy,
and two workers at once build it once."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core.extensions import db
from app.core.types import utcnow
from app.mail import outbox
from app.programmes import booklet, booklet_builds, review, service
from app.programmes.models import BookletBuild

from .concurrency import at_once, needs_postgres
from .test_programmes_public import entry, make_programme

NOTE = "A new version of the booklet is being prepared"


@pytest.fixture
def renders(monkeypatch):
    """Every PDF WeasyPrint lays out (the real renderer runs; this only counts)."""
    made = []
    real = booklet.pdf

    def counted(document):
        made.append(document)
        return real(document)

    monkeypatch.setattr(booklet, "pdf", counted)
    return made


@pytest.fixture
def programme(app):
    p = make_programme()
    p.cafe = entry(p, "Begegnungscafé", day=1, organization_name="Caritas")
    p.waiting = entry(p, "Noch in Prüfung", day=2, approve=False)
    review.publish(p.campaign)
    db.session.commit()
    return p


def build_row(campaign, language="de") -> BookletBuild:
    db.session.expire_all()
    return db.session.scalar(select(BookletBuild).where(BookletBuild.campaign_id == campaign.id,
                                                        BookletBuild.language == language))


def stale(campaign, language="de") -> bool:
    row = build_row(campaign, language)
    return row.wanted > row.built


def test_published_booklet_is_built_by_the_worker_once(app, programme, renders):
    assert booklet_builds.build_next in outbox._each_round
    row = build_row(programme.campaign)
    assert row.pdf is None and stale(programme.campaign)  # publishing asked for it; nothing rendered yet
    assert renders == []

    outbox.work(once=True, periodic=True)
    row = build_row(programme.campaign)
    assert row.pdf.startswith(b"%PDF") and len(row.html_hash) == 64 and row.built_at is not None
    assert not stale(programme.campaign) and row.lease_until is None and len(renders) == 1

    assert booklet_builds.build_next() is False  # nothing stale: nothing built again
    assert len(renders) == 1


def test_approve_edit_and_withdraw_make_it_stale_and_an_unchanged_html_skips_weasyprint(app, programme, renders):
    booklet_builds.build_next()
    first = build_row(programme.campaign)
    first_hash, first_at = first.html_hash, first.built_at

    late = entry(programme, "Spätes Konzert", day=3)  # approved into the published programme
    db.session.commit()
    assert stale(programme.campaign)
    assert booklet_builds.build_next() and not stale(programme.campaign)
    assert build_row(programme.campaign).html_hash != first_hash and len(renders) == 2

    review.edit_by_coordinator(late, programme.coordinator, venue_name="Rathaus")
    db.session.commit()
    assert stale(programme.campaign)
    booklet_builds.build_next()
    assert "Rathaus" in renders[-1] and len(renders) == 3

    # A change the booklet does not show (an entry still in review): stale, but the HTML is
    # the same, so WeasyPrint does not run and the stored copy stays as it was.
    before = build_row(programme.campaign)
    service.edit_by_submitter(programme.waiting, venue_name="Anderswo")
    db.session.commit()
    assert stale(programme.campaign)
    assert booklet_builds.build_next() and not stale(programme.campaign)
    after = build_row(programme.campaign)
    assert len(renders) == 3 and (after.html_hash, after.built_at) == (before.html_hash, before.built_at)
    assert first_at <= after.built_at

    service.withdraw(late)  # stays in the programme, marked cancelled
    db.session.commit()
    assert stale(programme.campaign)
    booklet_builds.build_next()
    assert "Spätes Konzert" in renders[-1] and len(renders) == 4 and not stale(programme.campaign)


def test_served_from_the_stored_copy_with_etag_and_304(app, client, programme, renders):
    booklet_builds.build_next()
    row = build_row(programme.campaign)
    url = f"/programmes/{programme.campaign.slug}/booklet.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == row.pdf and response.headers["ETag"] == f'"{row.html_hash}"'
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert len(renders) == 1  # the worker's build only: no request ran WeasyPrint


def test_stale_copy_is_served_and_the_programme_page_says_a_new_one_comes(app, client, programme, renders):
    english = {"Accept-Language": "en"}
    url = f"/programmes/{programme.campaign.slug}/booklet.pdf"
    page = f"/programmes/{programme.campaign.slug}"
    # No English copy yet: the first English reader's request builds it once and stores it.
    first = client.get(url, headers=english)
    assert first.status_code == 200 and len(renders) == 1
    assert build_row(programme.campaign, "en").html_hash == first.headers["ETag"].strip('"')
    assert NOTE not in client.get(page, headers=english).get_data(as_text=True)

    review.edit_by_coordinator(programme.cafe, programme.coordinator, venue_name="Rathaus")
    db.session.commit()
    assert stale(programme.campaign, "en") and stale(programme.campaign, "de")
    served = client.get(url, headers=english)
    assert served.data == first.data and served.headers["ETag"] == first.headers["ETag"]  # the old copy
    assert len(renders) == 1  # served without waiting for WeasyPrint
    assert NOTE in client.get(page, headers=english).get_data(as_text=True)

    while booklet_builds.build_next():  # the worker: German (asked for on publishing), English
        pass
    fresh = client.get(url, headers=english)
    assert fresh.headers["ETag"] != first.headers["ETag"] and fresh.data != first.data
    assert NOTE not in client.get(page, headers=english).get_data(as_text=True)


def test_a_build_that_dies_midway_leaves_the_old_copy_and_another_worker_takes_over(app, programme, monkeypatch):
    booklet_builds.build_next()
    old = build_row(programme.campaign)
    old_pdf, old_hash = old.pdf, old.html_hash
    review.edit_by_coordinator(programme.cafe, programme.coordinator, venue_name="Rathaus")
    db.session.commit()

    real = booklet.pdf

    def dies(_document):
        raise RuntimeError("worker killed while laying out")

    monkeypatch.setattr(booklet, "pdf", dies)
    assert outbox.run_each_round() == len(outbox._each_round)  # the worker logs the failure and goes on
    row = build_row(programme.campaign)
    assert (row.pdf, row.html_hash) == (old_pdf, old_hash) and stale(programme.campaign)
    assert row.lease_until > utcnow()
    monkeypatch.setattr(booklet, "pdf", real)
    assert booklet_builds.build_next() is False  # still leased to the worker that died

    db.session.execute(update(BookletBuild).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()  # the lease runs out
    assert booklet_builds.build_next() is True
    row = build_row(programme.campaign)
    assert row.html_hash != old_hash and row.pdf != old_pdf and not stale(programme.campaign)


@needs_postgres
def test_two_workers_at_once_build_it_once(app, programme, renders):
    results = at_once(app, 2, lambda _index, _prepared: booklet_builds.build_next())
    assert sorted(results) == [False, True], results
    assert len(renders) == 1 and not stale(programme.campaign)
