"""Whether a date still has places, for every list that shows dates: the upcoming list, the
programme, search results and the home page. The event page says the same in its form.

Two queries for a whole list, however many dates it shows: the registration settings of the
listed events (skipped when the list loaded them already) and the confirmed registrations
counted per event and date.
"""
import math
from dataclasses import dataclass

from sqlalchemy import func, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from ..core.extensions import db
from ..core.types import utcnow
from .models import Registration, RegistrationSettings
from .service import registration_state

# "Few places left" from this share of the capacity down (but at least this many places).
FEW_SHARE, FEW_AT_LEAST = 0.2, 3


@dataclass(frozen=True)
class Availability:
    """What a list shows of one date: "few", "full", "waiting" (full, waiting list open),
    "not_yet" (registration opens later, at `opens_at`) or "open"; `left` when limited."""

    state: str
    left: int | None = None
    opens_at: object = None


def _load_settings(events) -> None:
    missing = [e for e in events if "registration_settings" in inspect(e).unloaded]
    if not missing:
        return
    found = {s.event_id: s for s in db.session.scalars(
        select(RegistrationSettings).where(RegistrationSettings.event_id.in_([e.id for e in missing])))}
    for event in missing:
        set_committed_value(event, "registration_settings", found.get(event.id))


def _confirmed(events) -> dict:
    """{(event id, date start or None for single events): confirmed registrations}."""
    limited = [e for e in events if e.registration_settings.capacity is not None]
    if not limited:
        return {}
    series = {e.id for e in limited if e.is_series}
    # A single event's registrations all count, even those made before its start moved.
    totals: dict = {}
    for event_id, start, number in db.session.execute(
            select(Registration.event_id, Registration.occurrence_start, func.count())
            .where(Registration.event_id.in_([e.id for e in limited]), Registration.status == "confirmed")
            .group_by(Registration.event_id, Registration.occurrence_start)):
        key = (event_id, start if event_id in series else None)
        totals[key] = totals.get(key, 0) + number
    return totals


def of(occurrences) -> dict:
    """{(event id, original start): Availability} of the dates that take registrations now or
    soon; dates without registration (or closed, over, cancelled) are not in it."""
    events = list({o.event.id: o.event for o in occurrences}.values())
    _load_settings(events)
    events = [e for e in events if e.registration_settings is not None]
    if not events:
        return {}
    confirmed = _confirmed(events)
    now = utcnow()
    found = {}
    for o in occurrences:
        settings = o.event.registration_settings
        if settings is None:
            continue
        state = registration_state(o.event, o, settings, now)
        if state == "not_yet":
            result = Availability("not_yet", opens_at=settings.opens_at)
        elif state != "open":
            continue
        elif settings.capacity is None:
            result = Availability("open")
        else:
            taken = confirmed.get((o.event.id, o.original_start if o.event.is_series else None), 0)
            left = max(0, settings.capacity - taken)
            if left == 0:
                result = Availability("waiting" if settings.waiting_list else "full", 0)
            elif left <= max(FEW_AT_LEAST, math.ceil(settings.capacity * FEW_SHARE)):
                result = Availability("few", left)
            else:
                result = Availability("open", left)
        found[(o.event.id, o.original_start)] = result
    return found
