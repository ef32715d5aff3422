"""The programme as readers see it: the entries of a campaign (approved submissions with their
events), the filters of the programme page, grouped by day. Shared by the programme page, the
embed, the PDF booklet, the export and the bench.

Queries: one for the entries with their events and registration settings (the categories
come with the campaign); the filters run over the loaded entries, so the page costs the same
whatever is chosen, and the filter choices always list what the programme has.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from ..core.extensions import db
from ..events import recurrence
from ..events.labels import LANGUAGE_LABELS
from ..events.models import Event
from .labels import TARGET_GROUP_LABELS
from .models import Campaign, Submission


@dataclass
class Filters:
    day: date | None = None
    category_id: int | None = None
    language: str | None = None
    district: str | None = None
    target_group: str | None = None
    step_free: bool = False
    free: bool = False

    @property
    def active(self) -> bool:
        return any((self.day, self.category_id, self.language, self.district, self.target_group,
                    self.step_free, self.free))


@dataclass
class Entry:
    submission: Submission
    event: Event
    starts: datetime  # local
    ends: datetime  # local

    @property
    def cancelled(self) -> bool:
        return self.event.status == "cancelled"

    @property
    def occurrence(self) -> recurrence.Occurrence:
        """The event's one date (a programme entry is never a series)."""
        return recurrence.Occurrence(self.event, self.event.starts_at, self.event.starts_at, self.event.ends_at)


@dataclass
class Choices:
    """What the filters offer: only values the programme has."""

    days: list[date] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)


def entries(campaign: Campaign, preview: bool = False) -> list[Entry]:
    """Every entry of the programme in time order: approved ones, and once-published ones that
    were cancelled (marked as such). `preview` (the coordinator's) also shows unpublished events."""
    statuses = ("published", "cancelled", "draft") if preview else ("published", "cancelled")
    rows = db.session.scalars(
        select(Submission).join(Event, Submission.event_id == Event.id)
        # The registration settings in the same query (a second one took a third of the time on
        # PostgreSQL); not the network and kind every event query joins, which entries never show.
        .options(contains_eager(Submission.event).joinedload(Event.registration_settings),
                 contains_eager(Submission.event).lazyload(Event.network),
                 contains_eager(Submission.event).lazyload(Event.kind))
        # Whatever the submission's status: an approved entry changed since stays in the
        # programme as approved (its event unchanged) while the change is reviewed.
        # Only the campaign in SQL, the event's visibility and status below: given a condition
        # on events, PostgreSQL without fresh statistics (after a bulk load) scanned every
        # public event once per submission (0.35 s) instead of looking each one up by its key.
        .where(Submission.campaign_id == campaign.id)
        .order_by(Event.starts_at, Event.title, Event.id)).all()
    tz = campaign.network.timezone
    categories = {c.id: c for c in campaign.categories}
    result = []
    for submission in rows:
        if submission.event.visibility != "public" or submission.event.status not in statuses:
            continue
        if submission.category_id in categories:
            # No query per row for the category; set as loaded, not assigned: an assignment
            # loads the old value and leaves the row dirty for the next query's autoflush.
            set_committed_value(submission, "category", categories[submission.category_id])
        event = submission.event
        result.append(Entry(submission, event, recurrence.to_local(event.starts_at, tz),
                            recurrence.to_local(event.ends_at, tz)))
    return result


def choices(found: list[Entry]) -> Choices:
    languages = {code for e in found for code in e.submission.language_codes}
    groups = {code for e in found for code in e.submission.target_group_codes}
    return Choices(
        days=sorted({e.starts.date() for e in found}),
        languages=[code for code in LANGUAGE_LABELS if code in languages],
        districts=sorted({e.submission.district for e in found if e.submission.district}, key=str.casefold),
        target_groups=[code for code in TARGET_GROUP_LABELS if code in groups],
    )


def matches(entry: Entry, filters: Filters) -> bool:
    s = entry.submission
    return ((filters.day is None or entry.starts.date() == filters.day)
            and (filters.category_id is None or s.category_id == filters.category_id)
            and (filters.language is None or filters.language in s.language_codes)
            and (filters.district is None or s.district == filters.district)
            # "everyone" is for every group: it is found under any group chosen
            and (filters.target_group is None or filters.target_group in s.target_group_codes
                 or "everyone" in s.target_group_codes)
            and (not filters.step_free or s.step_free)
            and (not filters.free or s.is_free))


def by_day(found: list[Entry]) -> list[tuple[date, list[Entry]]]:
    days: dict[date, list[Entry]] = {}
    for entry in found:
        days.setdefault(entry.starts.date(), []).append(entry)
    return list(days.items())


def organizers(found: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """The index of organizers: each organization with its entries, by name."""
    index: dict[str, list[Entry]] = {}
    for entry in found:
        index.setdefault(entry.submission.organization_name or "—", []).append(entry)
    return sorted(index.items(), key=lambda item: item[0].casefold())
