"""A network's figures for a period of local days, for funders' reports (Sachbericht).

Everything is aggregated in SQL with a fixed number of queries, whatever the data size. A date
of an event counts once it is held: the event published, the date neither skipped nor cancelled
(events.models.StoredOccurrence has one row per date). Registrations are read live for events
whose personal data is still there, and from the anonymous counts the retention purge keeps
(registrations/privacy.py) for the others, so last year's report survives the purge.

Reports sit above the Intercultural Week's programmes (they count its entries by district) and
keep one thing of their own: the coordinator's intro text of a report (models.ReportIntro).
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union_all

from ..core.extensions import db
from ..directory.forms import ORGANIZATION_KIND_LABELS
from ..directory.models import Network, Organization, WorkingGroup
from ..events.labels import LANGUAGE_LABELS, kind_label
from ..events.models import Event, EventKind, StoredOccurrence
from ..events.recurrence import to_local, to_utc
from ..programmes.models import Campaign, Submission
from ..registrations.models import AnonymousCount, Registration, RegistrationSettings
from .models import ReportIntro

MAX_DAYS = 366 * 5  # one report covers at most five years


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is shown next to the field."""


@dataclass
class Period:
    start: date  # first local day
    end: date  # last local day, included
    key: str  # as the form had it: "2026", "2026-Q1" or ""

    @property
    def intro_key(self) -> str:
        """The period as the intro of its report is stored: "2026", "2026-Q1", "2026-03-01..2026-06-30"."""
        return self.key or f"{self.start.isoformat()}..{self.end.isoformat()}"

    def months(self) -> list[date]:
        first, months = self.start.replace(day=1), []
        while first <= self.end:
            months.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return months


def parse_period(period: str | None, start: str | None, end: str | None) -> Period:
    """`2026`, `2026-Q1`, or a from/to pair of ISO days; PeriodError with the reason otherwise."""
    from flask_babel import gettext as _

    period = (period or "").strip()
    if period:
        match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", period, re.IGNORECASE)
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise PeriodError(_("Enter a year such as 2026 or a quarter such as 2026-Q1."))
        year = int(match[1])
        if not match[2]:
            return Period(date(year, 1, 1), date(year, 12, 31), str(year))
        quarter = int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return Period(first, after - timedelta(days=1), f"{year}-Q{quarter}")
    if not start and not end:
        raise PeriodError(_("Choose a year, a quarter or two dates."))
    try:
        first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
    except ValueError:
        raise PeriodError(_("Enter both dates as day, month and year.")) from None
    if last < first:
        raise PeriodError(_("The last day comes before the first."))
    if (last - first).days >= MAX_DAYS:
        raise PeriodError(_("A report covers at most five years."))
    return Period(first, last, "")


@dataclass
class Month:
    month: date
    events: int = 0
    registrations: int = 0
    attended: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # dates held by kind label


@dataclass
class Report:
    network: Network
    period: Period
    group: WorkingGroup | None
    months: list[Month]
    kinds: list[tuple[str, int]]  # (label, dates held), most first
    groups: list[tuple[str, int]]  # (group name or "", dates held)
    registrations: int
    attended: int
    waiting: int
    languages: list[tuple[str, int]]  # (label, registrations)
    organizations: int
    organization_kinds: list[tuple[str, int]]  # (label, distinct organizations)
    new_organizations: int
    returning_organizations: int
    purged_events: int  # events read from anonymous counts
    organization_names: list[str] = field(default_factory=list)
    # Intercultural Week entries held in the period, by district (the whole network's report only).
    districts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(month.events for month in self.months)

    @property
    def show_up_rate(self) -> float | None:
        return self.attended / self.registrations if self.registrations else None

    @property
    def is_empty(self) -> bool:
        return self.events == 0


def _group_ids(network: Network, group: WorkingGroup) -> list[int]:
    """The group and its sub-groups (a lead manages both)."""
    children: dict[int | None, list[int]] = {}
    for group_id, parent_id in db.session.execute(
            select(WorkingGroup.id, WorkingGroup.parent_id).where(WorkingGroup.network_id == network.id)):
        children.setdefault(parent_id, []).append(group_id)
    found, todo = [], [group.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def figures(network: Network, start_day: date, end_day: date, group: WorkingGroup | None = None,
            key: str = "") -> Report:
    """The figures of the local days start_day to end_day (included); `key` names the period
    ("2026", "2026-Q1") where it is one."""
    period = Period(start_day, end_day, key)
    tz = network.timezone
    months = period.months()
    # Local midnights, as UTC instants: where each month (and the period) begins and ends.
    bounds = [to_utc(datetime.combine(max(month, start_day), datetime.min.time()), tz) for month in months]
    period_start = bounds[0]
    period_end = to_utc(datetime.combine(end_day + timedelta(days=1), datetime.min.time()), tz)
    # The month of a date as its index in `months`, by comparing with the boundaries in SQL,
    # which counts months in local time on every database.
    # (A period within one month still needs a branch: CASE without WHEN is no SQL.)
    branches = [(StoredOccurrence.starts_at < bound, index) for index, bound in enumerate(bounds[1:])]
    month_of = case(*(branches or [(StoredOccurrence.starts_at >= period_start, 0)]), else_=len(bounds) - 1)
    in_scope = [Event.network_id == network.id, Event.status == "published"]
    if group is not None:
        in_scope.append(Event.working_group_id.in_(_group_ids(network, group)))
    held = and_(*in_scope, StoredOccurrence.state.notin_(("skipped", "cancelled")),
                StoredOccurrence.starts_at >= period_start, StoredOccurrence.starts_at < period_end)
    purged = RegistrationSettings.purged_at.is_not(None)

    report_months = [Month(month) for month in months]
    kinds: dict[str, int] = {}
    groups: dict[str, int] = {}
    for index, code, name, group_name, count in db.session.execute(
            select(month_of, EventKind.code, EventKind.name, WorkingGroup.name, func.count())
            .select_from(StoredOccurrence).join(Event, Event.id == StoredOccurrence.event_id)
            .join(EventKind, EventKind.id == Event.kind_id)
            .outerjoin(WorkingGroup, WorkingGroup.id == Event.working_group_id)
            .where(held).group_by(month_of, EventKind.code, EventKind.name, WorkingGroup.name)):
        report_months[index].events += count
        label = kind_label(EventKind(code=code, name=name))
        report_months[index].kinds[label] = report_months[index].kinds.get(label, 0) + count
        kinds[label] = kinds.get(label, 0) + count
        groups[group_name or ""] = groups.get(group_name or "", 0) + count

    def held_dates(query, start_column):
        return (query.join(StoredOccurrence, and_(StoredOccurrence.event_id == Event.id,
                                                  StoredOccurrence.original_start == start_column))
                .outerjoin(RegistrationSettings, RegistrationSettings.event_id == Event.id).where(held))

    # Live registrations, for events whose personal data is still kept.
    checked = case((Registration.checked_in_at.is_not(None), 1), else_=0)
    live = db.session.execute(held_dates(
        select(month_of, Registration.status, checked, Registration.language, func.count())
        .select_from(Registration).join(Event, Event.id == Registration.event_id), Registration.occurrence_start)
        .where(~purged, Registration.status.in_(("confirmed", "waiting")))
        .group_by(month_of, Registration.status, checked, Registration.language)).all()
    # The anonymous counts of purged events (keys as registrations/privacy.py writes them).
    kept = db.session.execute(held_dates(
        select(month_of, AnonymousCount.key, func.sum(AnonymousCount.count))
        .select_from(AnonymousCount).join(Event, Event.id == AnonymousCount.event_id), AnonymousCount.occurrence_start)
        .where(purged, or_(AnonymousCount.key.in_(("status:confirmed", "status:waiting", "checked_in")),
                           AnonymousCount.key.like("language:%")))
        .group_by(month_of, AnonymousCount.key)).all()
    purged_events = db.session.scalar(
        select(func.count(func.distinct(Event.id))).select_from(StoredOccurrence)
        .join(Event, Event.id == StoredOccurrence.event_id)
        .join(RegistrationSettings, RegistrationSettings.event_id == Event.id).where(held, purged)) or 0

    waiting = 0
    languages: dict[str, int] = {}
    for index, status, was_checked, language, count in live:
        if status == "waiting":
            waiting += count
            continue
        report_months[index].registrations += count
        report_months[index].attended += count if was_checked else 0
        if language:
            languages[language] = languages.get(language, 0) + count
    for index, key, count in kept:
        count = int(count or 0)
        if key == "status:confirmed":
            report_months[index].registrations += count
        elif key == "checked_in":
            report_months[index].attended += count
        elif key == "status:waiting":
            waiting += count
        else:
            language = key.removeprefix("language:")
            languages[language] = languages.get(language, 0) + count

    organizations = _organizations(network, in_scope, period_start, period_end, purged)
    in_period = [(name, kind) for name, kind, first, seen in organizations if seen]
    new = sum(1 for _name, _kind, first, seen in organizations if seen and first >= period_start)
    org_kinds: dict[str, int] = {}
    for _name, kind in in_period:
        label = str(ORGANIZATION_KIND_LABELS.get(kind, "")) if kind else ""
        org_kinds[label] = org_kinds.get(label, 0) + 1

    def ranked(counts: dict) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    return Report(
        network=network, period=period, group=group, months=report_months, kinds=ranked(kinds),
        groups=ranked(groups), registrations=sum(m.registrations for m in report_months),
        attended=sum(m.attended for m in report_months), waiting=waiting,
        languages=ranked({str(LANGUAGE_LABELS.get(code, code)): count for code, count in languages.items()}),
        organizations=len(in_period), organization_kinds=ranked(org_kinds), new_organizations=new,
        returning_organizations=len(in_period) - new, purged_events=purged_events,
        organization_names=sorted(name for name, _kind in in_period),
        districts=[] if group is not None else _districts(network, period_start, period_end))


def _districts(network: Network, period_start: datetime, period_end: datetime) -> list[tuple[str, int]]:
    """(district, entries) of the network's Intercultural Week programmes: approved entries that
    begin in the period, most first ("" for entries that name no district)."""
    rows = db.session.execute(
        select(func.trim(Submission.district), func.count()).join(Campaign, Campaign.id == Submission.campaign_id)
        .where(Campaign.network_id == network.id, Submission.status == "approved",
               Submission.starts_at >= period_start, Submission.starts_at < period_end)
        .group_by(func.trim(Submission.district))).all()
    return sorted(((district or "", count) for district, count in rows), key=lambda item: (-item[1], item[0]))


def intro(network: Network, group: WorkingGroup | None, period: Period) -> str:
    """The coordinator's intro of this report (Markdown), or ""."""
    return db.session.scalar(select(ReportIntro.text).where(*_intro_of(network, group, period))) or ""


def save_intro(network: Network, group: WorkingGroup | None, period: Period, text: str) -> None:
    """Keep the intro of this report (an empty text removes it); the caller commits."""
    row = db.session.scalar(select(ReportIntro).where(*_intro_of(network, group, period)))
    text = text.strip()
    if not text:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = ReportIntro(network_id=network.id, working_group_id=group.id if group else None,
                          period=period.intro_key)
        db.session.add(row)
    row.text = text


def _intro_of(network, group, period) -> tuple:
    return (ReportIntro.network_id == network.id, ReportIntro.period == period.intro_key,
            ReportIntro.working_group_id == group.id if group else ReportIntro.working_group_id.is_(None))


def _organizations(network, in_scope, period_start, period_end, purged):
    """(name, directory kind or None, first date ever, registered in the period) of every organization
    with a confirmed registration up to the period's end: live rows and purged counts together."""
    live_name = func.coalesce(Organization.name, Registration.organization_name)
    counts = case((and_(*in_scope, StoredOccurrence.state.notin_(("skipped", "cancelled"))), 1), else_=0)
    live = (select(live_name.label("name"), StoredOccurrence.starts_at.label("at"), counts.label("counts"))
            .select_from(Registration).join(Event, Event.id == Registration.event_id)
            .join(StoredOccurrence, and_(StoredOccurrence.event_id == Event.id,
                                         StoredOccurrence.original_start == Registration.occurrence_start))
            .outerjoin(Organization, Organization.id == Registration.organization_id)
            .where(Event.network_id == network.id, Registration.status == "confirmed"))
    kept_name = func.substr(AnonymousCount.key, len("organization:") + 1)
    kept = (select(kept_name.label("name"), StoredOccurrence.starts_at.label("at"), counts.label("counts"))
            .select_from(AnonymousCount).join(Event, Event.id == AnonymousCount.event_id)
            .join(StoredOccurrence, and_(StoredOccurrence.event_id == Event.id,
                                         StoredOccurrence.original_start == AnonymousCount.occurrence_start))
            .join(RegistrationSettings, RegistrationSettings.event_id == Event.id)
            .where(Event.network_id == network.id, purged, AnonymousCount.key.like("organization:%"),
                   AnonymousCount.count > 0))
    both = union_all(live, kept).subquery()
    # Only the period's held dates of events in scope make an organization a participant;
    # any earlier registration in the network makes it a returning one.
    seen = func.max(case((and_(both.c.counts == 1, both.c.at >= period_start), 1), else_=0))
    # Aggregated by name first, then each name looked up once in the directory (for its kind).
    per_name = (select(both.c.name, func.min(both.c.at).label("first"), seen.label("seen"))
                .where(both.c.at < period_end, both.c.name.notin_(("", "-"))).group_by(both.c.name).subquery())
    rows = db.session.execute(
        select(per_name.c.name, Organization.kind, per_name.c.first, per_name.c.seen)
        .outerjoin(Organization, Organization.name == per_name.c.name)).all()
    return [(name, kind, first, bool(flag)) for name, kind, first, flag in rows]


def registrations_over_time(event: Event, occurrence_start: datetime | None = None) -> list[tuple[date, int]]:
    """(local day, registrations so far) for each day someone registered for the event (or one of
    its dates), counting those who still hold a place or wait for one. Empty once the personal
    data is purged: the anonymous counts keep no dates."""
    query = (select(Registration.created_at).where(Registration.event_id == event.id,
                                                   Registration.status.in_(("confirmed", "waiting", "pending")))
             .order_by(Registration.created_at))
    if occurrence_start is not None:
        query = query.where(Registration.occurrence_start == occurrence_start)
    days: dict[date, int] = {}
    for created_at in db.session.scalars(query):
        day = to_local(created_at, event.timezone).date()
        days[day] = days.get(day, 0) + 1
    points, total = [], 0
    for day, count in days.items():  # in order: the query sorted them
        total += count
        points.append((day, total))
    return points
