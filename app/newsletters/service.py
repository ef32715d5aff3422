"""Composing, publishing, rendering and sending newsletters; views, the demo and tests call these."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..announcements import service as announcements
from ..announcements.models import Announcement
from ..core.extensions import db
from ..core.leases import set_once
from ..core.pdf import from_html
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..digest import service as digest
from ..directory.logo import logo_data_uri
from ..directory.models import Membership, Network, Organization
from ..events.models import Event, StoredOccurrence
from ..events.recurrence import to_utc
from ..mail import outbox
from ..mail.letters import Letter
from ..reports import service as reports
from .models import KINDS, Newsletter, NewsletterBlock

CHOICES = 100  # announcements and events offered to pick from
ANNOUNCEMENTS_SINCE, ANNOUNCEMENTS_UNTIL = timedelta(days=183), timedelta(days=366)
LOOK_BACK_EVENTS = 40  # events named in a look back (the figures count them all)
NUMBER_TRIES = 5  # coordinators creating issues at the same moment: each gets the next free number


class NewsletterError(ValueError):
    """Something that cannot be done; the message is shown next to `field`."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- Issues -------------------------------------------------------------------------------

def issues(network: Network) -> list[Newsletter]:
    """All of a network's issues for its coordinators, the newest first."""
    return db.session.scalars(select(Newsletter).where(Newsletter.network_id == network.id)
                              .order_by(Newsletter.number.desc())).all()


def _published_newest_first(network: Network):
    return (select(Newsletter).where(Newsletter.network_id == network.id, Newsletter.status == "published")
            .order_by(Newsletter.published_at.desc(), Newsletter.number.desc()))


def published(network: Network) -> list[Newsletter]:
    """The archive: published issues, the newest first."""
    return db.session.scalars(_published_newest_first(network)).all()


def latest(network: Network) -> Newsletter | None:
    """The newest published issue."""
    return db.session.scalar(_published_newest_first(network).limit(1))


def published_issue(network: Network, number: int) -> Newsletter | None:
    return db.session.scalar(select(Newsletter).where(Newsletter.network_id == network.id,
                                                      Newsletter.number == number,
                                                      Newsletter.status == "published"))


def suggested_title(network: Network, today: date) -> str:
    """"Newsletter Integration 3/2026": this year's issues so far, plus one."""
    start = to_utc(datetime(today.year, 1, 1), network.timezone)
    count = db.session.scalar(select(func.count()).select_from(Newsletter).where(
        Newsletter.network_id == network.id, Newsletter.created_at >= start)) or 0
    return _("Newsletter Integration %(number)d/%(year)d", number=count + 1, year=today.year)


def create(network: Network, title: str) -> Newsletter:
    """The next number; when another coordinator's new issue took it meanwhile (the unique
    constraint says so), the savepoint keeps the rest of the transaction and the one after is tried."""
    number = (db.session.scalar(select(func.max(Newsletter.number)).where(Newsletter.network_id == network.id))
              or 0) + 1
    for attempt in range(NUMBER_TRIES):
        newsletter = Newsletter(network_id=network.id, number=number + attempt, title=title.strip(), status="draft")
        try:
            with db.session.begin_nested():
                db.session.add(newsletter)
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise
            continue
        return newsletter


def publish(newsletter: Newsletter, at: datetime | None = None) -> None:
    if not newsletter.blocks:
        raise NewsletterError(_("Add at least one block before publishing."), field="publish")
    newsletter.status = "published"
    newsletter.published_at = newsletter.published_at or at or utcnow()


# --- Blocks -------------------------------------------------------------------------------

def add_block(newsletter: Newsletter, kind: str, **data) -> NewsletterBlock:
    if kind not in KINDS:
        raise NewsletterError(_("Please choose a kind of block."), field="kind")
    last = max((block.position for block in newsletter.blocks), default=0)
    block = NewsletterBlock(kind=kind, position=last + 1, item_ids=[])
    newsletter.blocks.append(block)
    update_block(block, **data)
    return block


def update_block(block: NewsletterBlock, title: str = "", text: str = "", organization_id: int | None = None,
                 item_ids: list[int] | None = None, period_start: date | None = None,
                 period_end: date | None = None) -> None:
    """The form has checked the fields its kind needs; the others stay empty."""
    block.title, block.text = (title or "").strip(), text or ""
    block.organization_id = organization_id if block.kind == "portrait" else None
    block.item_ids = list(item_ids or []) if block.kind in ("announcements", "coming") else []
    block.period_start, block.period_end = ((period_start, period_end) if block.kind == "look_back"
                                            else (None, None))


def move(block: NewsletterBlock, step: int) -> None:
    """One place up (-1) or down (+1); the first stays first, the last last."""
    blocks = list(block.newsletter.blocks)  # a copy: reordering the relationship itself would orphan rows
    index = blocks.index(block)
    other = index + step
    if 0 <= other < len(blocks):
        blocks[index], blocks[other] = blocks[other], blocks[index]
        for position, each in enumerate(blocks, 1):
            each.position = position
        block.newsletter.blocks.sort(key=lambda each: each.position)


def delete_block(block: NewsletterBlock) -> None:
    block.newsletter.blocks.remove(block)


# --- What the blocks show -----------------------------------------------------------------

@dataclass
class ComingDate:
    event: Event
    starts_at: datetime
    ends_at: datetime

    @property
    def link(self) -> str:
        """The event's public page (BASE_URL behind a proxy): in the PDF and its QR code too."""
        return absolute_url("events.show", event_id=self.event.id)


@dataclass
class LookBack:
    report: reports.Report
    events: list[tuple[Event, datetime]]  # public events held, with their date


@dataclass
class Content:
    """Everything the blocks of an issue show, loaded in a fixed number of queries (plus those of
    the reports' figures per look back)."""
    announcements: dict[int, Announcement] = field(default_factory=dict)
    coming: dict[int, ComingDate] = field(default_factory=dict)
    look_backs: dict[int, LookBack] = field(default_factory=dict)  # by block id

    def announcements_of(self, block: NewsletterBlock) -> list[Announcement]:
        return [self.announcements[i] for i in block.item_ids if i in self.announcements]

    def coming_of(self, block: NewsletterBlock) -> list[ComingDate]:
        return sorted((self.coming[i] for i in block.item_ids if i in self.coming), key=lambda c: c.starts_at)


def last_quarter(today: date) -> tuple[date, date]:
    """The quarter before the one `today` is in: what a look back usually covers."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first_of_this - timedelta(days=1)
    return date(last.year, last.month - 2, 1), last


def held(network: Network, start: date, end: date, limit: int = LOOK_BACK_EVENTS) -> list[tuple[Event, datetime]]:
    """The public events held on the local days start to end, with their dates, in order."""
    tz = network.timezone
    begin = to_utc(datetime.combine(start, datetime.min.time()), tz)
    after = to_utc(datetime.combine(date.fromordinal(end.toordinal() + 1), datetime.min.time()), tz)
    rows = db.session.execute(
        select(Event, StoredOccurrence.starts_at).join(StoredOccurrence, StoredOccurrence.event_id == Event.id)
        .where(Event.network_id == network.id, Event.status == "published", Event.visibility == "public",
               StoredOccurrence.state.notin_(("skipped", "cancelled")),
               StoredOccurrence.starts_at >= begin, StoredOccurrence.starts_at < after)
        .order_by(StoredOccurrence.starts_at).limit(limit)).all()
    return [(event, starts_at) for event, starts_at in rows]


def coming_dates(event_ids: list[int], after: datetime) -> dict[int, ComingDate]:
    """Each chosen event's next date after `after` (a series: its next one; none left: its last)."""
    if not event_ids:
        return {}
    events = {event.id: event for event in db.session.scalars(select(Event).where(
        Event.id.in_(event_ids), Event.status == "published", Event.visibility == "public"))}
    upcoming: dict[int, ComingDate] = {}
    last: dict[int, ComingDate] = {}
    for event_id, starts_at, ends_at in db.session.execute(
            select(StoredOccurrence.event_id, StoredOccurrence.starts_at, StoredOccurrence.ends_at)
            .where(StoredOccurrence.event_id.in_(list(events)),
                   StoredOccurrence.state.notin_(("skipped", "cancelled")))
            .order_by(StoredOccurrence.starts_at)):
        last[event_id] = ComingDate(events[event_id], starts_at, ends_at)
        if starts_at >= after and event_id not in upcoming:
            upcoming[event_id] = last[event_id]
    return {**last, **upcoming}


def content(newsletter: Newsletter) -> Content:
    """As of its publication (a draft's preview: as of now, what the public would see). Announcements
    not started by then stay out: publishing or sending would reveal a scheduled one early."""
    blocks = newsletter.blocks
    wanted = {kind: [i for b in blocks if b.kind == kind for i in b.item_ids] for kind in ("announcements", "coming")}
    as_of = newsletter.published_at or utcnow()
    found = Content()
    if wanted["announcements"]:
        found.announcements = {a.id: a for a in db.session.scalars(select(Announcement).where(
            Announcement.id.in_(wanted["announcements"]), Announcement.network_id == newsletter.network_id,
            Announcement.shows_from <= as_of))}
    found.coming = coming_dates(wanted["coming"], as_of)
    for block in blocks:
        if block.kind == "look_back" and block.period_start and block.period_end:
            found.look_backs[block.id] = LookBack(
                reports.figures(newsletter.network, block.period_start, block.period_end),
                held(newsletter.network, block.period_start, block.period_end))
    return found


def load(newsletter_id: int) -> Newsletter | None:
    """An issue with its blocks and their partners, for showing."""
    return db.session.scalar(select(Newsletter).where(Newsletter.id == newsletter_id).options(
        selectinload(Newsletter.blocks).selectinload(NewsletterBlock.organization)))


# --- What a coordinator picks from ----------------------------------------------------------

def organizations(network: Network) -> list[Organization]:
    return db.session.scalars(select(Organization).join(Membership, Membership.organization_id == Organization.id)
                              .where(Membership.network_id == network.id).order_by(Organization.name)).all()


def announcement_choices(network: Network, now: datetime | None = None) -> list[Announcement]:
    """Those shown in the last half year or from now on, the newest first."""
    now = now or utcnow()
    return announcements.recent(network, now - ANNOUNCEMENTS_SINCE, now + ANNOUNCEMENTS_UNTIL)[:CHOICES]


def event_choices(network: Network, now: datetime | None = None) -> list[Event]:
    """Public events not over yet, the soonest first."""
    return db.session.scalars(select(Event).where(
        Event.network_id == network.id, Event.status == "published", Event.visibility == "public",
        Event.last_ends_at >= (now or utcnow())).order_by(Event.starts_at).limit(CHOICES)).all()


# --- The PDF and the mail -------------------------------------------------------------------

def pdf_html(newsletter: Newsletter) -> str:
    """The PDF's HTML: A4 with the network's logo and page numbers; the logo and the QR codes
    are data: URLs. Laid out tagged (a structure tree for screen readers and PDF/UA checkers)."""
    return render_template("newsletters/pdf.html", newsletter=newsletter, network=newsletter.network,
                           content=content(newsletter), logo=logo_data_uri(newsletter.network), pdf=True)


def pdf(newsletter: Newsletter) -> bytes:
    return from_html(pdf_html(newsletter), tagged=True)


def recipient_count(network: Network) -> int:
    return len(digest.newsletter_recipients(network))


def send(newsletter: Newsletter) -> int:
    """One mail per subscriber who asked for the newsletter, in their language, with the links to
    the web page and the PDF (linked rather than attached: a few kilobytes per mail instead of
    a few hundred, and the print version stays where it can be corrected). Claimed first by a
    conditional UPDATE, so a double click or a second tab sends nothing more."""
    if not newsletter.is_published:
        raise NewsletterError(_("Publish the newsletter before sending it."), field="send")
    if not set_once(Newsletter.sent_at, newsletter.id, utcnow()):
        raise NewsletterError(_("This newsletter has been sent already."), field="send")
    network = newsletter.network
    page = absolute_url("newsletters.issue", slug=network.slug, number=newsletter.number)
    document = absolute_url("newsletters.issue_pdf", slug=network.slug, number=newsletter.number)
    recipients = digest.newsletter_recipients(network)
    for subscription in recipients:
        with force_locale(subscription.language):
            letter = Letter(newsletter.title, _("Hello,"),
                            [_("the new issue of the newsletter of %(network)s is out: %(title)s.",
                               network=network.name, title=newsletter.title)],
                            button=(_("Read the newsletter"), page),
                            links=[(_("The newsletter as a PDF (A4, for printing)"), document),
                                   (_("Unsubscribe"), digest.unsubscribe_url(subscription))],
                            after=[_("You get this mail because you asked for the newsletter of %(network)s.",
                                     network=network.name)])
            outbox.enqueue_letter(subscription.email, letter, network_id=network.id,
                                  headers=digest.list_headers(subscription))
    # The claim above wrote sent_at past the session; the object learns it here.
    newsletter.sent_at, newsletter.sent_count = utcnow(), len(recipients)
    return len(recipients)
