"""The demo's last year in Magdeburg (called by `flask demo`), so that the coordinator's first
look at "last year's report" shows a year of work: the quarterly network meetings, the working
groups' monthly meetings, trainings with waiting lists and two public events, with
registrations from the network's organizations and who came. The retention purge has run over
the first eight months as it would have in the nightly job, so most of that year is read from
the anonymous counts, as it will be in real life.

Idempotent: nothing is added when last year's first network meeting exists. Does not commit.
"""
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from ..core.extensions import db
from ..core.types import utcnow
from ..directory.models import Membership, Network, Organization, WorkingGroup
from ..events import recurrence, service as events
from ..events.demo import nth_weekday
from ..events.models import Event
from ..registrations import privacy
from ..registrations.models import Registration, RegistrationSettings

MON, TUE, WED, THU = 0, 1, 2, 3
# Typed in by people whose organization is not (yet) in the directory.
TYPED = ["Elternverein Stadtfeld", "Frauentreff Olvenstedt", "Syrischer Kulturverein Magdeburg",
         "Nachbarschaftshilfe Sudenburg", "Kita Sonnenschein"]
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")  # the demo's texts are German, whatever the server's locale
DESCRIPTIONS = {
    "network_meeting": "Berichte aus den Arbeitsgruppen, Neues aus Verwaltung und Beratung, Austausch der "
                       "Netzwerkpartner.",
    "working_group_meeting": "Sitzung der Arbeitsgruppe: Stand der Vorhaben, Absprachen, nächste Schritte.",
    "training": "Fortbildung für Mitarbeitende und Ehrenamtliche der Netzwerkpartner.",
    "public_event": "Offen für alle: Musik, Essen, Informationsstände der Vereine und Beratungsstellen.",
}
VENUES = {  # (name, address) by kind
    "network_meeting": ("Altes Rathaus, Ratssaal", "Alter Markt 6, 39104 Magdeburg"),
    "working_group_meeting": ("Einewelthaus", "Schellingstraße 3–4, 39104 Magdeburg"),
    "training": ("Volkshochschule Magdeburg", "Leibnizstraße 23, 39104 Magdeburg"),
    "public_event": ("Domplatz", "Domplatz, 39104 Magdeburg"),
}
LANGUAGES = (("de", 60), ("ar", 12), ("uk", 12), ("fa", 6), ("ru", 4), ("tr", 3), ("en", 3))


@dataclass
class Held:
    title: str
    kind: str  # an event kind's code
    group: str | None  # a working group's name
    starts: datetime  # local
    hours: float
    capacity: int | None
    registered: int  # confirmed up to the capacity, then waiting
    public: bool = False


def _year(year: int, groups: list[WorkingGroup]) -> list[Held]:
    held = [Held(f"Netzwerktreffen {quarter}/{year}", "network_meeting", None,
                 datetime.combine(nth_weekday(year, month, WED, 2), datetime.min.time()).replace(hour=14),
                 2.5, 60, 34 + 3 * quarter) for quarter, month in enumerate((3, 6, 9, 12), 1)]
    for offset, group in enumerate(groups[:3]):
        for month in (1, 2, 3, 4, 5, 6, 9, 10, 11):  # no meetings in the summer holidays and December
            day = nth_weekday(year, month, (TUE, THU, MON)[offset], 1 + offset)
            held.append(Held(f"{group.name}: Sitzung im {MONTHS[month - 1]} {year}", "working_group_meeting", group.name,
                             datetime.combine(day, datetime.min.time()).replace(hour=10 + 3 * offset), 2, None,
                             8 + (month + 3 * offset) % 6))
    for month, title, registered in ((2, "Schulung: Interkulturelle Kompetenz in der Beratung", 26),
                                     (5, "Fortbildung: Aufenthaltsrecht kompakt", 31),
                                     (10, "Workshop: Texte in Leichter Sprache", 22)):
        day = nth_weekday(year, month, THU, 3)
        held.append(Held(title, "training", None, datetime.combine(day, datetime.min.time()).replace(hour=9),
                         6, 20, registered))
    held.append(Held(f"Fest der Kulturen {year}", "public_event", None,
                     datetime.combine(nth_weekday(year, 6, 5, 3), datetime.min.time()).replace(hour=14), 5, 120,
                     84, public=True))
    held.append(Held(f"Eröffnung der Interkulturellen Woche {year}", "public_event", None,
                     datetime.combine(nth_weekday(year, 9, 6, 4), datetime.min.time()).replace(hour=11), 3, 80,
                     71, public=True))
    return held


def load_demo_report_history(today: date | None = None) -> int:
    """Adds last year's held events and their registrations; returns how many events."""
    network = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    if network is None:
        return 0
    tz = network.timezone
    year = (today or recurrence.to_local(utcnow(), tz).date()).year - 1
    if db.session.scalar(select(Event.id).where(Event.network_id == network.id,
                                                Event.title == f"Netzwerktreffen 1/{year}")):
        return 0
    groups = {group.name: group for group in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.network_id == network.id, WorkingGroup.parent_id.is_(None))
        .order_by(WorkingGroup.id))}
    organizations = db.session.scalars(select(Organization).join(Membership).where(
        Membership.network_id == network.id).order_by(Organization.name)).all()
    kinds = {kind.code: kind for kind in events.kinds(network)}
    rng = random.Random(year)  # the same demo on every machine
    languages, weights = zip(*LANGUAGES)
    plans = _year(year, list(groups.values()))
    serial = 0
    for plan in plans:
        group = groups.get(plan.group) if plan.group else None
        starts = recurrence.to_utc(plan.starts, tz)
        event = Event(network=network, network_id=network.id, kind=kinds[plan.kind], kind_id=kinds[plan.kind].id,
                      working_group=group, working_group_id=group.id if group else None, title=plan.title,
                      starts_at=starts, ends_at=starts + timedelta(hours=plan.hours), timezone=tz,
                      description=DESCRIPTIONS[plan.kind], status="published", visibility="public" if plan.public else "members", languages="de",
                      venue_name=VENUES[plan.kind][0], venue_address=VENUES[plan.kind][1])
        events.save(event)
        db.session.add(RegistrationSettings(event=event, capacity=plan.capacity, retention_days=30))
        db.session.flush()
        rows = []
        for n in range(plan.registered):
            serial += 1
            confirmed = plan.capacity is None or n < plan.capacity
            roll = rng.random()
            organization = rng.choice(organizations) if roll < 0.75 and organizations else None
            rows.append({
                "event_id": event.id, "occurrence_start": starts, "name": f"Teilnehmende {serial}",
                "email": f"teilnehmende{serial}.{year}@demo.example",
                "organization_id": organization.id if organization else None,
                "organization_name": rng.choice(TYPED) if 0.75 <= roll < 0.9 else "", "answers": "{}",
                "status": "confirmed" if confirmed else "waiting", "token_hash": f"{year:04d}{serial:060x}",
                "created_at": starts - timedelta(days=rng.randint(2, 30)),
                "checked_in_at": starts + timedelta(minutes=rng.randint(0, 20))
                if confirmed and rng.random() < 0.8 else None,
                "language": rng.choices(languages, weights)[0]})
        db.session.execute(insert(Registration), rows)
    # The nightly purge, as it had run by the end of September: the personal data of the events up
    # to August is gone, their counts are kept.
    privacy.purge_expired(now=recurrence.to_utc(datetime(year, 10, 1), tz))
    db.session.flush()
    return len(plans)
