"""The weekly digest's logic, shared by the pages, the worker's periodic job, the demo and the
tests.

Transactions as elsewhere: functions change rows and queue mails in the caller's transaction;
the caller commits — except `send_due_digests`, which commits each network on its own: the
INSERT of the week's Digest row (the claim: unique per network and week) and the queued mails
go in one transaction, so a week is either sent and claimed or neither. A second worker's
INSERT of the same week waits for the first one's commit on PostgreSQL (SQLite's write lock
serializes them), then fails and skips the network; a network whose send fails is rolled back,
logged, and tried again at the next hourly run, and the other networks go on.

Links: a subscription's confirm, manage and unsubscribe links are HMACs of its stored salt
(core.tokens.keyed_token), so every digest can carry the same links; only their SHA-256 is
stored and looked up.

The weekly send: the network's public dates of the next two weeks are loaded once; subscribers
with the same filters get the same list, and each (language, filters) is rendered once, with
placeholders for the personal links filled in per subscriber. So the queries do not grow with
the number of subscribers.
"""
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, get_locale, gettext as _
from markupsafe import Markup
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..core.extensions import db
from ..core.formatting import format_date, to_local
from ..core.markdown import to_html, to_text
from ..core.tokens import hash_token, keyed_token, plausible_token
from ..core.types import utcnow
from ..core.urls import absolute_url, url_context
from ..directory.models import Network, WorkingGroup
from ..events import service as events
from ..events.models import Tag
from ..events.public import group_by_day, occurrence_url, time_range
from ..mail import outbox
from ..registrations.signals import personal_data_requested
from ..mail.letters import Letter
from .models import Digest, DigestSetting, Subscription

PURPOSES = ("confirm", "manage", "unsubscribe")
PENDING_DAYS = 7  # an unconfirmed subscription (and its confirm link) lives this long
HORIZON = timedelta(days=14)  # the digest lists the dates of the next two weeks
MAIL_PAUSE = timedelta(minutes=15)  # at most one subscribe mail per address in this time
# A week whose sending time is longer past is skipped (the digest enabled mid-week, a worker
# down for days): it would arrive out of rhythm, and again at the next week's time.
LATE = timedelta(days=1)
WEEK_KEY = re.compile(r"\d{4}-W\d{2}")
# Stand-ins for the personal links in a mail rendered once for many subscribers.
_MANAGE = "https://digest.invalid/manage"
_UNSUBSCRIBE = "https://digest.invalid/unsubscribe"


class SubscriptionError(ValueError):
    """Bad input: no list chosen (the only check the forms cannot make)."""


# --- Links --------------------------------------------------------------------------

def token(subscription: Subscription, purpose: str) -> str:
    return keyed_token(f"digest-{purpose}:{subscription.salt}")


def _salted(subscription: Subscription) -> None:
    subscription.salt = secrets.token_hex(16)  # 128 bits from `secrets`
    for purpose in PURPOSES:
        setattr(subscription, f"{purpose}_hash", hash_token(token(subscription, purpose)))


def by_token(purpose: str, value: str | None, now: datetime | None = None) -> Subscription | None:
    """The subscription a link belongs to; None for anything forged, old or unsubscribed (and a
    confirm link once its week is over)."""
    if not plausible_token(value):
        return None
    column = getattr(Subscription, f"{purpose}_hash")
    found = db.session.scalar(select(Subscription).where(column == hash_token(value)))
    if found is not None and purpose == "confirm" and found.confirmed_at is None and \
            found.created_at < (now or utcnow()) - timedelta(days=PENDING_DAYS):
        return None
    return found


def _url(endpoint: str, subscription: Subscription, purpose: str) -> str:
    with url_context():
        return absolute_url(endpoint, slug=subscription.network.slug, token=token(subscription, purpose))


def confirm_url(subscription: Subscription) -> str:
    return _url("digest.confirm", subscription, "confirm")


def manage_url(subscription: Subscription) -> str:
    return _url("digest.manage", subscription, "manage")


def unsubscribe_url(subscription: Subscription) -> str:
    """The one-click link (RFC 8058): a POST to it unsubscribes, a GET shows a button."""
    return _url("digest.unsubscribe", subscription, "unsubscribe")


def list_headers(subscription: Subscription) -> dict[str, str]:
    """The header fields of every list mail (digest, newsletter) to this subscriber: mail
    programs show an "unsubscribe" button that POSTs to the link (RFC 8058, which allows the
    one-click POST to https links only; a plain http link stays a link to the page)."""
    url = unsubscribe_url(subscription)
    if not url.startswith("https://"):
        _warn_no_one_click()
        return {"List-Unsubscribe": f"<{url}>"}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@cache
def _warn_no_one_click() -> None:
    """Once per process: every list mail would say it."""
    current_app.logger.warning("BASE_URL is not https: list mails go out without one-click unsubscribe (RFC 8058)")


# --- Subscribing --------------------------------------------------------------------

@dataclass
class Choices:
    """What a network's subscribers may choose from (the form's checkboxes)."""

    groups: list
    kinds: list
    tags: list

    @classmethod
    def load(cls, network: Network) -> "Choices":
        return cls(
            db.session.scalars(select(WorkingGroup).where(WorkingGroup.network_id == network.id)
                               .order_by(WorkingGroup.name)).all(),
            events.kinds(network),
            db.session.scalars(select(Tag).where(Tag.network_id == network.id).order_by(Tag.name)).all())


def _known(ids, items) -> list[int]:
    """The chosen ids that belong to the network (anything else is dropped, not stored)."""
    allowed = {item.id for item in items}
    return sorted({int(i) for i in ids if str(i).isdigit() and int(i) in allowed})


def subscribe(network: Network, email: str, language: str, wants_digest: bool, wants_newsletter: bool,
              group_ids=(), kind_ids=(), tag_ids=(), choices: Choices | None = None,
              now: datetime | None = None) -> None:
    """Double opt-in, and the same answer for every address: a new or pending address gets the
    confirmation link, a confirmed one a mail with its manage link (nothing changed). An address
    gets at most one of these mails per MAIL_PAUSE, however often it is typed in (the per-IP
    limit does not stop many IPs flooding one inbox); a request in the pause changes nothing."""
    if not (wants_digest or wants_newsletter):
        raise SubscriptionError(_("Please choose the weekly digest, the newsletter or both."))
    now = now or utcnow()
    choices = choices or Choices.load(network)
    email = email.strip().lower()
    subscription = db.session.scalar(select(Subscription).where(
        Subscription.network_id == network.id, Subscription.email == email))
    if subscription is not None and subscription.mailed_at is not None and \
            subscription.mailed_at > now - MAIL_PAUSE:
        return
    if subscription is not None and subscription.confirmed_at is not None:
        _already_subscribed_mail(subscription)
        subscription.mailed_at = now
        return
    if subscription is None:
        subscription = add_subscriber(network, email)
    subscription.created_at = now  # the week to confirm in counts from the newest mail
    subscription.mailed_at = now
    subscription.language = language
    subscription.wants_digest, subscription.wants_newsletter = wants_digest, wants_newsletter
    subscription.group_ids = _known(group_ids, choices.groups)
    subscription.kind_ids = _known(kind_ids, choices.kinds)
    subscription.tag_ids = _known(tag_ids, choices.tags)
    _confirmation_mail(subscription)


def add_subscriber(network: Network, email: str, language: str = "de", wants_digest: bool = True,
                   wants_newsletter: bool = False, group_ids=(), kind_ids=(), tag_ids=(),
                   created_at: datetime | None = None, confirmed_at: datetime | None = None) -> Subscription:
    """A subscription row with its links, no mail (the demo and the bench; `subscribe` mails)."""
    subscription = Subscription(network=network, email=email.strip().lower(), language=language,
                                wants_digest=wants_digest, wants_newsletter=wants_newsletter,
                                group_ids=list(group_ids), kind_ids=list(kind_ids), tag_ids=list(tag_ids),
                                created_at=created_at or utcnow(), confirmed_at=confirmed_at)
    _salted(subscription)
    db.session.add(subscription)
    return subscription


def confirm(subscription: Subscription, now: datetime | None = None) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or utcnow()


def update(subscription: Subscription, language: str, wants_digest: bool, wants_newsletter: bool,
           group_ids=(), kind_ids=(), tag_ids=(), choices: Choices | None = None) -> None:
    """The manage page's save; choosing nothing at all is unsubscribing, which has its own button."""
    if not (wants_digest or wants_newsletter):
        raise SubscriptionError(_("Please choose the weekly digest, the newsletter or both – or unsubscribe."))
    choices = choices or Choices.load(subscription.network)
    subscription.language = language
    subscription.wants_digest, subscription.wants_newsletter = wants_digest, wants_newsletter
    subscription.group_ids = _known(group_ids, choices.groups)
    subscription.kind_ids = _known(kind_ids, choices.kinds)
    subscription.tag_ids = _known(tag_ids, choices.tags)


def unsubscribe(subscription: Subscription) -> None:
    """Deletes the row: nothing is kept of a person who left (GDPR)."""
    db.session.delete(subscription)


def purge_pending(now: datetime | None = None) -> int:
    """Subscriptions never confirmed are deleted after a week."""
    cutoff = (now or utcnow()) - timedelta(days=PENDING_DAYS)
    return db.session.execute(delete(Subscription).where(
        Subscription.confirmed_at.is_(None), Subscription.created_at < cutoff)).rowcount


def _confirmation_mail(subscription: Subscription) -> None:
    network = subscription.network
    with force_locale(subscription.language):
        letter = Letter(
            _("Please confirm your subscription: %(network)s", network=network.name), _("Hello,"),
            [_("someone – probably you – asked to receive mails of %(network)s at this address. Please confirm "
               "with the button below. If it was not you, do nothing: without confirmation the address is "
               "deleted in a week.", network=network.name)],
            button=(_("Confirm my subscription"), confirm_url(subscription)))
        outbox.enqueue_letter(subscription.email, letter, network_id=network.id)


def _already_subscribed_mail(subscription: Subscription) -> None:
    network = subscription.network
    with force_locale(subscription.language):
        letter = Letter(
            _("You are already subscribed: %(network)s", network=network.name), _("Hello,"),
            [_("someone – probably you – asked to receive mails of %(network)s at this address. It is subscribed "
               "already, nothing was changed. You can change what you receive, or unsubscribe, here:",
               network=network.name)],
            button=(_("Manage my subscription"), manage_url(subscription)))
        outbox.enqueue_letter(subscription.email, letter, network_id=network.id)


# --- Subscribers --------------------------------------------------------------------

def _recipients(network: Network, column) -> list[Subscription]:
    """The confirmed subscribers who asked for this list (`column`: its wants_… flag)."""
    return list(db.session.scalars(
        select(Subscription)
        .where(Subscription.network_id == network.id, Subscription.confirmed_at.is_not(None), column.is_(True))
        .order_by(Subscription.id)))


def newsletter_recipients(network: Network) -> list[Subscription]:
    return _recipients(network, Subscription.wants_newsletter)


def digest_recipients(network: Network) -> list[Subscription]:
    return _recipients(network, Subscription.wants_digest)


# Connected here: this module is loaded with the app (the worker's periodic job), and the
# export is a subscriber's business like the rest of this section.
@personal_data_requested.connect
def personal_data(network_id: int, email: str, **_) -> dict:
    """The address's subscription in the network, for the organizer's export (DSGVO Art. 15)."""
    found = db.session.scalar(select(Subscription).where(
        Subscription.network_id == network_id, Subscription.email == email.strip().lower()))
    if found is None:
        return {}
    return {"digest_subscription": {
        "email": found.email, "language": found.language, "weekly_digest": found.wants_digest,
        "newsletter": found.wants_newsletter, "working_group_ids": found.group_ids, "event_kind_ids": found.kind_ids,
        "tag_ids": found.tag_ids, "subscribed_at": found.created_at.isoformat(),
        "confirmed_at": found.confirmed_at.isoformat() if found.confirmed_at else None}}


def subscriber_counts(network: Network) -> list[tuple[str, int, int]]:
    """(language, confirmed, pending) for the settings page, by language."""
    rows = db.session.execute(
        select(Subscription.language, Subscription.confirmed_at.is_not(None), func.count())
        .where(Subscription.network_id == network.id)
        .group_by(Subscription.language, Subscription.confirmed_at.is_not(None))).all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for language, confirmed, count in rows:
        counts[language][0 if confirmed else 1] += count
    return sorted((language, confirmed, pending) for language, (confirmed, pending) in counts.items())


# --- Settings -----------------------------------------------------------------------

def settings_of(network: Network) -> DigestSetting:
    """The network's settings row (a new, unsaved one with the defaults if there is none)."""
    setting = db.session.get(DigestSetting, network.id)
    if setting is None:
        setting = DigestSetting(network_id=network.id, enabled=False, weekday=0, hour=8, draft_intro="")
        db.session.add(setting)
    return setting


def week_key(moment: datetime, tz: str) -> str:
    """The ISO week of the local day, e.g. "2026-W49"."""
    year, week, _day = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def due_at(setting: DigestSetting, now: datetime, tz: str) -> datetime:
    """This week's sending time (UTC) of the network's local day and hour: the wall-clock hour
    holds across the clock changes."""
    local = now.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    wall = datetime.combine(monday + timedelta(days=setting.weekday), datetime.min.time()).replace(
        hour=setting.hour, tzinfo=ZoneInfo(tz))
    return wall.astimezone(timezone.utc)


# --- What a digest lists ------------------------------------------------------------

@dataclass
class Entry:
    """One date in a digest and how it stands since the last digest."""

    occurrence: object
    new: bool = False  # announced since the last digest
    changed: bool = False  # time, place or text changed since then
    cancelled: bool = False

    @property
    def event(self):
        return self.occurrence.event


def coming(network: Network, now: datetime, last: Digest | None) -> list[Entry]:
    """The network's public dates of the next two weeks (series expanded by the events package,
    cancelled dates included), each marked against the last digest."""
    since = last.sent_at if last is not None else None

    def between(moment: datetime) -> bool:  # after the last digest, up to this one
        return since is not None and since < moment <= now

    found = events.window(events.Filters(network_id=network.id), now, now + HORIZON)
    entries = []
    for occurrence in found:
        if occurrence.starts_at < now:
            continue  # running already: no news for a week ahead
        event, change = occurrence.event, occurrence.change
        new = between(event.created_at)
        changed = not new and (between(event.updated_at) or (change is not None and between(change.updated_at)))
        entries.append(Entry(occurrence, new=new, changed=changed, cancelled=occurrence.cancelled))
    return entries


def _subgroups(network: Network) -> dict[int, set[int]]:
    """Each group's id with its sub-groups' at any depth: a group's events include theirs."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for group in db.session.scalars(select(WorkingGroup).where(WorkingGroup.network_id == network.id)):
        children[group.parent_id].append(group.id)
    tree: dict[int, set[int]] = {}

    def below(group_id: int) -> set[int]:
        if group_id not in tree:
            tree[group_id] = {group_id}.union(*(below(child) for child in children[group_id]))
        return tree[group_id]

    for ids in list(children.values()):
        for group_id in ids:
            below(group_id)
    return tree


def _matches(entry: Entry, key: tuple, subgroups: dict[int, set[int]]) -> bool:
    """Each kind of filter narrows (groups and kinds and tags); within one, any chosen one counts."""
    group_ids, kind_ids, tag_ids = key
    event = entry.event
    if group_ids and not any(event.working_group_id in subgroups.get(g, {g}) for g in group_ids):
        return False
    if kind_ids and event.kind_id not in kind_ids:
        return False
    if tag_ids and not any(tag.id in tag_ids for tag in event.tags):
        return False
    return True


@dataclass
class Part:
    """Subscribers who get the same mail: one language, one filter set."""

    language: str
    entries: list
    subscribers: list = field(default_factory=list)


@dataclass
class Plan:
    """The coming digest of a network, as it would go out now."""

    network: Network
    week: str
    intro: str
    entries: list  # every public date, for the archive
    parts: list  # with their own lists; parts with an empty list are left out

    @property
    def recipients(self) -> int:
        return sum(len(part.subscribers) for part in self.parts)

    def by_language(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for part in self.parts:
            counts[part.language] += len(part.subscribers)
        return sorted(counts.items())


def last_digest(network: Network, before_week: str | None = None) -> Digest | None:
    """The latest digest that went to someone (a claimed week without mails does not count)."""
    query = select(Digest).where(Digest.network_id == network.id, Digest.recipient_count > 0)
    if before_week:
        query = query.where(Digest.week < before_week)
    return db.session.scalar(query.order_by(Digest.sent_at.desc()).limit(1))


def plan(network: Network, now: datetime, intro: str) -> Plan:
    """What would be sent at `now`, to whom; in a fixed number of queries."""
    week = week_key(now, network.timezone)
    entries = coming(network, now, last_digest(network, before_week=week))
    subgroups = _subgroups(network)
    parts: dict[tuple, Part] = {}
    lists: dict[tuple, list] = {}
    for subscription in digest_recipients(network):
        key = subscription.filter_key
        if key not in lists:
            lists[key] = [entry for entry in entries if _matches(entry, key, subgroups)]
        if not lists[key]:
            continue  # never an empty digest
        part = parts.setdefault((subscription.language, key), Part(subscription.language, lists[key]))
        part.subscribers.append(subscription)
    return Plan(network, week, intro, entries, list(parts.values()))


# --- Rendering ----------------------------------------------------------------------

def _language() -> dict:
    locale = get_locale()
    return {"lang": str(locale).replace("_", "-"),
            "dir": "rtl" if locale.character_order == "right-to-left" else "ltr"}


def _subject(network: Network) -> str:
    return _("What's on in the next two weeks: %(network)s", network=network.name)


class Renderer:
    """Renders a digest in each language, with stand-ins for the personal links (`_personal`
    fills them in). Each date's line is rendered once per language, however many parts (filter
    sets) list it. The HTML is the mail's, or (mail=False) the list alone with classes instead of
    inline styles, which the site's CSP forbids: for the archive and the preview."""

    def __init__(self, network: Network, intro: str, mail: bool = True):
        self.network, self.mail = network, mail
        self.intro_html, self.intro_text = (to_html(intro), to_text(intro)) if intro else ("", "")
        self._lines: dict[str, dict[int, tuple[Markup, str]]] = {}
        # Straight from Jinja: the lines need none of the page context (thousands of them per send).
        self._entry_html = current_app.jinja_env.get_template("digest/_entry.html")
        self._entry_text = current_app.jinja_env.get_template("digest/_entry.txt")

    def _line(self, entry: Entry, language: str) -> tuple[Markup, str]:
        lines = self._lines.setdefault(language, {})
        if id(entry) not in lines:
            occurrence = entry.occurrence
            day = format_date(to_local(occurrence.starts_at, occurrence.event.timezone).date(), "full")
            context = dict(entry=entry, mail=self.mail, url=occurrence_url(occurrence, external=True), time=time_range(occurrence),
                           day=day if entry.new else "", title=entry.event.text("title"))
            lines[id(entry)] = (Markup(self._entry_html.render(**context)), self._entry_text.render(**context))
        return lines[id(entry)]

    def render(self, entries: list, language: str) -> dict:
        """Subject, plain text and HTML of the digest of these dates in `language`."""
        with force_locale(language), url_context():
            new = [entry for entry in entries if entry.new]
            by_occurrence = {id(entry.occurrence): entry for entry in entries}
            days = [(format_date(day, "full"), [by_occurrence[id(o)] for o in dated])
                    for day, dated in group_by_day([entry.occurrence for entry in entries if not entry.new])]
            context = dict(network=self.network, new=new, days=days, subject=_subject(self.network), mail=self.mail,
                           manage_url=_MANAGE, unsubscribe_url=_UNSUBSCRIBE, **_language())
            html = render_template("digest/mail.html" if self.mail else "digest/_content.html", intro=self.intro_html,
                                   line=lambda entry: self._line(entry, language)[0], **context)
            text = render_template("digest/mail.txt", intro=self.intro_text,
                                   line=lambda entry: self._line(entry, language)[1], **context)
            return {"subject": context["subject"], "text": text, "html": html}


def _personal(rendered: dict, subscription: Subscription) -> tuple[dict, dict[str, str]]:
    """One subscriber's mail: the stand-ins replaced by their links; and its list header fields."""
    headers = list_headers(subscription)
    links = {_MANAGE: manage_url(subscription), _UNSUBSCRIBE: headers["List-Unsubscribe"].strip("<>")}
    text, html = rendered["text"], rendered["html"]
    for stand_in, url in links.items():
        text, html = text.replace(stand_in, url), html.replace(stand_in, url)
    return {"subject": rendered["subject"], "text": text, "html": html}, headers


def next_send_at(network: Network, setting: DigestSetting, now: datetime) -> datetime:
    """When the coming digest goes out: this week's time, or next week's once this week's is
    claimed or too late (see LATE)."""
    this_week = due_at(setting, now, network.timezone)
    claimed = db.session.scalar(select(Digest.id).where(
        Digest.network_id == network.id, Digest.week == week_key(now, network.timezone)))
    if claimed is None and now - this_week <= LATE:
        return max(this_week, now)
    return due_at(setting, now + timedelta(days=7), network.timezone)


def preview(network: Network, now: datetime | None = None) -> tuple[Plan, list[tuple[Part, dict]], datetime]:
    """The coming digest as it will go out: each part rendered (for the page: without the mail's
    inline styles), personal links as stand-ins; the dates are those of the two weeks from its
    sending time, which comes third."""
    setting = settings_of(network)
    send_at = next_send_at(network, setting, now or utcnow())
    coming_plan = plan(network, send_at, setting.draft_intro)
    renderer = Renderer(network, coming_plan.intro, mail=False)
    return coming_plan, [(part, renderer.render(part.entries, part.language)) for part in coming_plan.parts], send_at


# --- Sending ------------------------------------------------------------------------

def send(coming_plan: Plan, digest: Digest) -> None:
    """Enqueue each subscriber's mail and keep the archive's copy in `digest`."""
    network = coming_plan.network
    renderer = Renderer(network, coming_plan.intro)
    with url_context():  # one for all the links (a request context per link would cost more than the mail)
        for part in coming_plan.parts:
            rendered = renderer.render(part.entries, part.language)
            for subscription in part.subscribers:
                mail, headers = _personal(rendered, subscription)
                outbox.enqueue(subscription.email, mail["subject"], mail["text"], html=mail["html"],
                               network_id=network.id, headers=headers)
    record(coming_plan, digest)


def record(coming_plan: Plan, digest: Digest) -> None:
    """What the archive keeps of a digest: the intro, the counts and the list in the network's
    language, without anything personal."""
    network = coming_plan.network
    digest.intro = coming_plan.intro
    digest.event_count = len(coming_plan.entries)
    digest.recipient_count = coming_plan.recipients
    if coming_plan.recipients:
        archived = Renderer(network, coming_plan.intro, mail=False).render(
            coming_plan.entries, current_app.config["BABEL_DEFAULT_LOCALE"])
        digest.content = archived["html"]


def _send_week(network: Network, setting: DigestSetting, week: str, now: datetime) -> int:
    """INSERT the week's digest (the claim), queue its mails, commit: all or nothing. Returns
    the mails queued; raises IntegrityError when another worker has the week."""
    digest = Digest(network_id=network.id, week=week, sent_at=now, intro="", content="")
    db.session.add(digest)
    db.session.flush()  # the claim first: a second worker waits here, not after rendering
    coming_plan = plan(network, now, setting.draft_intro)
    send(coming_plan, digest)
    if coming_plan.recipients:
        setting.draft_intro = ""  # the intro was for this week's digest
    db.session.commit()
    return coming_plan.recipients


def send_due_digests(now: datetime | None = None) -> int:
    """The worker's periodic job: send each network's digest when its day and hour have come
    this week, once (see the module's docstring), and not when that time is more than LATE
    past. A week with nothing to list is claimed too, without mails: a digest that turns up
    mid-week because one event was added later would break the rhythm, and the intro stays for
    the next week. Pending subscriptions older than a week go too. Returns the number of mails
    queued."""
    now = now or utcnow()
    purge_pending(now)
    db.session.commit()
    queued = 0
    due = db.session.execute(
        select(Network, DigestSetting).join(DigestSetting, DigestSetting.network_id == Network.id)
        .where(DigestSetting.enabled.is_(True))).all()
    for network, setting in due:
        network_id, week = network.id, week_key(now, network.timezone)
        if not timedelta(0) <= now - due_at(setting, now, network.timezone) <= LATE or db.session.scalar(
                select(Digest.id).where(Digest.network_id == network_id, Digest.week == week)):
            continue
        try:
            queued += _send_week(network, setting, week, now)
        except IntegrityError:
            db.session.rollback()  # another worker has this week
        except Exception:  # noqa: BLE001 - one network's failure must not stop the others'
            db.session.rollback()
            current_app.logger.exception("The digest of network %s for %s failed; retried next hour", network_id, week)
    return queued


# --- The archive --------------------------------------------------------------------

def archive(network: Network) -> list[Digest]:
    """The digests that went out, newest first (content deferred: only the list is shown)."""
    return list(db.session.scalars(
        select(Digest).where(Digest.network_id == network.id, Digest.recipient_count > 0)
        .order_by(Digest.sent_at.desc())))
