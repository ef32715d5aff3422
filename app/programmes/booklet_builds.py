"""The published booklet, built off the request and stored (issue 19): one BookletBuild per
campaign and language (the booklet speaks the reader's language), in the database so every
server serves the same copy.

    mark stale   every flush that changes what a booklet shows (an entry, its event and
                 picture, the campaign, a category, a partner, the network's name or logo)
                 counts one more wanted change on that campaign's rows: one UPDATE, no rendering
    build_next   the outbox worker's job every round: claim one stale booklet with a lease,
                 render its HTML; only when the HTML's SHA-256 differs from the stored one run
                 WeasyPrint (logged: "booklet <id>: laid out"); store PDF, hash and the built
                 count in one UPDATE
    copy_for     what the booklet URL serves (the stale copy too, while the new one builds);
                 when no copy exists yet, build_now builds it once in the request and stores it

A worker killed while building wrote nothing (the old copy stays); its lease runs out and
another worker takes the booklet. The claim (core/leases.py) is the outbox's: FOR UPDATE SKIP
LOCKED on PostgreSQL, and on both databases a conditional UPDATE on the lease, so two workers
never build the same booklet at once. A change while a booklet builds leaves it stale (wanted
rose past the count the worker claimed), so it is built again.

Stored booklets are always rendered for BASE_URL (else http://localhost), never for the
Host of the request that happened to build one: that copy is served to everyone.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event as sa_event, exists, or_, select, update
from sqlalchemy.orm import Session, with_expression

from ..core import leases
from ..core.extensions import db
from ..core.pdf import digest
from ..core.types import utcnow
from ..directory.models import Network
from ..events.models import Event, EventPicture
from ..mail.outbox import register_each_round
from . import booklet
from .models import BookletBuild, Campaign, Category, Partner, Submission

LEASE = timedelta(minutes=5)  # far longer than a build takes (about 3 s for 60 entries)

_builds = BookletBuild.__table__


def want(campaign_id: int, language: str) -> None:
    """Ask for the booklet in this language (no-op when it is asked for already)."""
    db.session.execute(leases.insert_or_ignore(_builds).values(campaign_id=campaign_id, language=language,
                                                               wanted=1, built=0))


def copy_for(campaign: Campaign, language: str, known) -> tuple[bytes | None, str]:
    """What the booklet URL serves: the stored copy, stale or not, and its hash (the ETag);
    None for the bytes when the reader's copy (`known`: their If-None-Match) is that one.
    Built here only when there is no copy yet."""
    where = (_builds.c.campaign_id == campaign.id, _builds.c.language == language)
    html_hash = db.session.scalar(select(_builds.c.html_hash).where(*where, _builds.c.html_hash.is_not(None)))
    if html_hash is None:
        return build_now(campaign, language)
    if html_hash in known:
        return None, html_hash
    return db.session.scalar(select(_builds.c.pdf).where(*where)), html_hash


def with_stale(language: str):
    """Loads Campaign.booklet_stale in the campaign's own query, for the programme page's note:
    a copy exists and a newer one is being built."""
    return with_expression(Campaign.booklet_stale, exists().where(
        _builds.c.campaign_id == Campaign.id, _builds.c.language == language,
        _builds.c.html_hash.is_not(None), _builds.c.wanted > _builds.c.built))


def _render(campaign: Campaign, language: str) -> str:
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or "http://localhost"), \
            force_locale(language):
        return booklet.html(campaign)


def _store(build_id: int, wanted: int, lease_until, document: str, old_hash: str | None) -> bytes | None:
    """Render the PDF (unless the HTML is unchanged: then None) and store it with its hash and
    the built count in one UPDATE, only while this process still holds the lease."""
    html_hash, data = digest(document), None
    values = {"built": wanted, "lease_until": None}
    if html_hash != old_hash:
        data = booklet.pdf(document)
        # One line per WeasyPrint run, before the copy is visible: how often booklets are built
        # (and by which process) is countable in the logs.
        current_app.logger.info("booklet %s: laid out, %d bytes", build_id, len(data))
        values.update(pdf=data, html_hash=html_hash, built_at=utcnow())
    db.session.execute(update(_builds).where(*leases.held(_builds, build_id, lease_until)).values(**values))
    db.session.commit()
    return data


@register_each_round
def build_next() -> bool:
    """Build one stale booklet, if there is one no other worker holds; True when one was taken."""
    now = utcnow()
    row = leases.claim_next(_builds, (_builds.c.id, _builds.c.campaign_id, _builds.c.language, _builds.c.wanted,
                                      _builds.c.html_hash), (_builds.c.wanted > _builds.c.built,), now, LEASE)
    if row is None:
        return False
    campaign = db.session.get(Campaign, row.campaign_id)
    if campaign is None or campaign.status != "published":  # nobody can fetch it: nothing to build
        db.session.execute(update(_builds).where(_builds.c.id == row.id).values(built=row.wanted, lease_until=None))
        db.session.commit()
        return True
    _store(row.id, row.wanted, now + LEASE, _render(campaign, row.language), row.html_hash)
    return True


def build_now(campaign: Campaign, language: str) -> tuple[bytes, str]:
    """No copy yet (the first reader in this language): build it in this request, and store
    it unless a worker is building it right now. Returns the PDF and its hash."""
    want(campaign.id, language)
    now = utcnow()
    row = db.session.execute(select(_builds.c.id, _builds.c.wanted).where(
        _builds.c.campaign_id == campaign.id, _builds.c.language == language)).one()
    taken = leases.take(_builds, row.id, now, LEASE)
    db.session.commit()
    document = _render(campaign, language)
    data = _store(row.id, row.wanted, now + LEASE, document, None) if taken else booklet.pdf(document)
    return data, digest(document)


# --- What makes a booklet stale ------------------------------------------------------

@sa_event.listens_for(Session, "after_flush")
def _mark_stale(session: Session, _context) -> None:
    campaigns, events, networks = set(), set(), set()
    for obj in (*session.new, *session.deleted, *session.dirty):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Campaign):
            campaigns.add(obj.id)
        elif isinstance(obj, (Submission, Category, Partner)):
            campaigns.add(obj.campaign_id)
        elif isinstance(obj, Event):
            events.add(obj.id)
        elif isinstance(obj, EventPicture):
            events.add(obj.event_id)
        elif isinstance(obj, Network):
            networks.add(obj.id)
    campaigns.discard(None)
    events.discard(None)
    conditions = []
    if campaigns:
        conditions.append(_builds.c.campaign_id.in_(campaigns))
    if events:
        conditions.append(_builds.c.campaign_id.in_(
            select(Submission.campaign_id).where(Submission.event_id.in_(events))))
    if networks:
        conditions.append(_builds.c.campaign_id.in_(select(Campaign.id).where(Campaign.network_id.in_(networks))))
    if conditions:
        session.connection().execute(update(_builds).where(or_(*conditions)).values(wanted=_builds.c.wanted + 1))
