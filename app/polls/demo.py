"""Demo date polls (called by `flask demo`). People are fictional, addresses end in .example.

- Landkreis Stendal: an OPEN poll for the coordinators' exchange in October in Stendal, hosted
  by the district's coordination office: six dates in the next October that is still ahead
  (deadline in September), eight coordinators from eight municipalities, six of whom have
  answered; the host is required.
- Magdeburg: a DECIDED poll that became the yearly network meeting (the demo event
  "Netzwerktreffen <year>"): four Wednesdays in October, the event's one chosen. It is linked
  to that existing event by hand (service.decide would make a second event, and refuses a
  date that is past), so it is built here without create()'s check for past dates.

Idempotent: a poll whose title is there already in its network is left alone. Does not commit.
"""
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..core.extensions import db
from ..core.tokens import hash_token
from ..core.types import utcnow
from ..directory import service as directory
from ..directory.models import Membership, Network, Person
from ..events import recurrence
from ..events.models import Event, EventKind
from . import service
from .models import Poll, PollOption

OPEN_TITLE = "Austausch der Koordinator:innen im Oktober in Stendal"
OPEN_DESCRIPTION = (
    "Einmal im Jahr treffen sich die Integrationskoordinator:innen der Landkreise und kreisfreien Städte "
    "Sachsen-Anhalts zum Austausch – diesmal im Kreishaus in Stendal.\n\n"
    "Geplant: Berichte aus den Kommunen, Erfahrungen mit digitalen Terminumfragen und Einladungen, "
    "gemeinsame Fortbildungen im nächsten Jahr. Mittagessen im Haus.\n\n"
    "Bitte kreuzen Sie alle Tage an, an denen Sie können.")
# (name, e-mail, organization in the demo directory or "", answers for the six dates or None)
COORDINATORS = [
    ("Jan Wernecke", "j.wernecke@landkreis-stendal.example", "Landkreis Stendal – Koordinierungsstelle Integration",
     ["yes", "yes", "maybe", "yes", "no", "yes"]),
    ("Lena Brandt", "lena.brandt@magdeburg.example", "Landeshauptstadt Magdeburg – Koordinierungsstelle Integration",
     ["no", "yes", "yes", "yes", "maybe", "no"]),
    ("Insa Lüders", "i.lueders@altmarkkreis.example", "Altmarkkreis Salzwedel – Koordinierungsstelle für Integration",
     ["yes", "maybe", "no", "yes", "yes", "maybe"]),
    ("Katrin Vogt", "k.vogt@halle.example", "", ["maybe", "yes", "no", "yes", "no", "yes"]),
    ("Mehmet Aydın", "m.aydin@dessau-rosslau.example", "", ["yes", "no", "yes", "maybe", "yes", "no"]),
    ("Susanne Pohl", "s.pohl@boerde.example", "", ["no", "yes", "yes", "yes", "no", "maybe"]),
    ("Tobias Reinhardt", "t.reinhardt@jerichower-land.example", "", None),
    ("Anja Schubert", "a.schubert@salzlandkreis.example", "", None),
]
COMMENTS = {
    "Lena Brandt": "Am 1. Termin bin ich auf der Landesfachtagung.",
    "Mehmet Aydın": "Ich komme mit dem Zug aus Dessau, also frühestens um 10:30.",
}
MEETING_ANSWERS = ["no", "yes", "maybe", "no", "yes", "no", "maybe"]  # per Wednesday and person, in turn
MEETING_COMMENTS = {
    "Sabine Krüger": "Am 7. Oktober ist bei uns Teamtag.",
    "Ali Demir": "Wir bringen gern wieder den Stand zum Jugendmigrationsdienst mit.",
}


def load_demo_polls(today: date | None = None) -> int:
    """Returns how many polls were added."""
    added = 0
    stendal = db.session.scalar(select(Network).where(Network.slug == "landkreis-stendal"))
    if stendal is not None and not _exists(stendal, OPEN_TITLE):
        _open_poll(stendal, today or datetime.now(recurrence.zone(stendal.timezone)).date())
        added += 1
    magdeburg = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    meeting = _network_meeting(magdeburg) if magdeburg is not None else None
    if meeting is not None and not _exists(magdeburg, meeting.title):
        _decided_poll(magdeburg, meeting)
        added += 1
    db.session.flush()
    return added


def _exists(network, title: str) -> bool:
    return db.session.scalar(select(Poll.id).where(Poll.network_id == network.id, Poll.title == title)) is not None


def _user(email: str):
    return db.session.scalar(select(User).where(User.email == email))


def _october_days(year: int) -> list[date]:
    """Tuesdays to Thursdays of the second to fourth week of October: six candidates."""
    first = date(year, 10, 1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    return [tuesday, tuesday + timedelta(days=1), tuesday + timedelta(days=2), tuesday + timedelta(days=8),
            tuesday + timedelta(days=14), tuesday + timedelta(days=16)]


def _open_poll(network, today: date) -> Poll:
    # The next October with a month before it for the deadline: it stays in the future.
    year = today.year if today < date(today.year, 9, 1) else today.year + 1
    tz = network.timezone
    dates = service.candidates(_october_days(year), [(time(10), time(15))], tz)
    now = utcnow()
    poll = service.create(network, None, _user("integration@landkreis-stendal.example"), dates,
                          title=OPEN_TITLE, description=OPEN_DESCRIPTION, venue_name="Kreishaus Landkreis Stendal",
                          venue_address="Hospitalstraße 1-2, 39576 Stendal",
                          deadline=recurrence.to_utc(datetime(year, 9, 15, 12), tz), retention_days=90)
    poll.created_at = now - timedelta(days=8)
    db.session.flush()
    for n, (name, email, organization, answers) in enumerate(COORDINATORS):
        found = directory.find_organization(organization) if organization else None
        participant = service.new_participant(poll, name, email, organization_id=found.id if found else None,
                                              required=n == 0, invited=True, language="de")
        participant.created_at = poll.created_at
        db.session.flush()
        if answers is None:
            continue
        service.save_answers(participant, {o.id: a for o, a in zip(poll.options, answers)}, name,
                             COMMENTS.get(name, ""), language="de")
        participant.answered_at = now - timedelta(days=7 - n, hours=n * 3)
    return poll


def _network_meeting(network) -> Event | None:
    """The demo's yearly network meeting nearest to today."""
    now = utcnow()
    found = db.session.scalars(select(Event).join(EventKind, EventKind.id == Event.kind_id).where(
        Event.network_id == network.id, EventKind.code == "network_meeting", Event.repeat.is_(None),
        Event.title.startswith("Netzwerktreffen"))).all()
    return min(found, key=lambda event: abs(event.starts_at - now), default=None)


def _decided_poll(network, meeting: Event) -> Poll:
    tz = meeting.timezone
    start, end = recurrence.to_local(meeting.starts_at, tz), recurrence.to_local(meeting.ends_at, tz)
    first = date(start.year, 10, 1)
    wednesdays = {first + timedelta(days=(2 - first.weekday()) % 7 + 7 * k) for k in range(4)}
    deadline = recurrence.to_utc(datetime.combine(start.date() - timedelta(weeks=10), time(12)), tz)
    now = utcnow()
    closed_at = min(deadline + timedelta(days=1), now)
    coordinator = _user("koordination@magdeburg.example")
    poll = Poll(network_id=network.id, title=meeting.title, timezone=tz, status="decided", event_id=meeting.id,
                description="Bitte tragen Sie ein, an welchen Mittwochen im Oktober Sie können: wir wählen den "
                            "Termin, an dem die meisten Arbeitsgruppen vertreten sind.",
                venue_name=meeting.venue_name, venue_address=meeting.venue_address, deadline=deadline,
                created_by_id=coordinator.id if coordinator is not None else None,
                created_at=deadline - timedelta(weeks=3), closed_at=closed_at,
                # A year, so that the worker's purge leaves the demo's answers for a while.
                retention_days=365, salt=secrets.token_hex(16))
    poll.open_token_hash = hash_token(service.open_token(poll))
    for day in sorted(wednesdays | {start.date()}):
        chosen = day == start.date()
        poll.options.append(PollOption(
            starts_at=meeting.starts_at if chosen else recurrence.to_utc(datetime.combine(day, start.time()), tz),
            ends_at=meeting.ends_at if chosen else recurrence.to_utc(datetime.combine(day, end.time()), tz),
            chosen=chosen))
    db.session.add(poll)
    db.session.flush()
    people = db.session.scalars(
        select(Person).join(Membership, Membership.organization_id == Person.organization_id)
        .where(Membership.network_id == network.id, Person.email != "").order_by(Person.id)).all()
    chosen_index = next(k for k, o in enumerate(poll.options) if o.chosen)
    for n, person in enumerate(people):
        participant = service.new_participant(poll, person.name, person.email, organization_id=person.organization_id,
                                              invited=True, language="de", required=person.name == "Lena Brandt")
        participant.created_at = poll.created_at
        db.session.flush()
        answers = {o.id: MEETING_ANSWERS[(k * 3 + n) % len(MEETING_ANSWERS)] for k, o in enumerate(poll.options)}
        answers[poll.options[chosen_index].id] = "maybe" if n % 5 == 4 else "yes"
        service.save_answers(participant, answers, person.name, MEETING_COMMENTS.get(person.name, ""),
                             language="de")
        participant.answered_at = poll.created_at + timedelta(days=1 + n % 10, hours=n)
    return poll
