"""Server time and SQL queries of the event pages for a large installation.

5 networks, 10,000 single events and 500 weekly series (a tenth with BENCH_QUICK=1),
spread over two years around today: mixed kinds, groups, languages and tags, mostly
public and published, some drafts, members-only and cancelled ones; every series runs
for a year with some skipped, cancelled and moved dates. Timed in-process through the
WSGI app, so the figures are server time without network; next to each page the
number of SQL statements one request runs.

    .venv/bin/python bench/events_pages.py
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/events_pages.py
"""
import html
import random
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure  # noqa: E402
from sqlalchemy import event as sa_event, insert, select  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.directory import service as directory  # noqa: E402
from app.events import occurrences, recurrence, service  # noqa: E402
from app.events.models import Event, OccurrenceChange, Tag, event_tags  # noqa: E402
from tests import factories  # noqa: E402

SINGLES = 1_000 if QUICK else 10_000
SERIES = 50 if QUICK else 500
REPEAT = 20 if QUICK else 200
TZ = "Europe/Berlin"

TITLES = [
    "Arbeitsgruppe Sprache", "Arbeitsgruppe Arbeit und Ausbildung", "Arbeitsgruppe Interkultur & Soziales",
    "Netzwerktreffen", "Weiterbildung für Integrationslotsen", "Trainerqualifizierung", "Bürgerdialog",
    "Einbürgerungsfeier", "Ideenwerkstatt", "Sprechstunde Anerkennungsberatung", "Elterncafé",
    "Bewerbungstraining", "Infoabend Ausbildung", "Interkulturelles Kochen", "Lesung und Gespräch",
    "Austausch der Bildungskoordinator:innen", "Arbeitstisch Integration", "Runder Tisch Ehrenamt",
]
SERIES_TITLES = ["Ehrenamtscafé", "Sprachcafé", "Hausaufgabenhilfe", "Frauentreff", "Offene Beratung",
                 "Deutsch-Stammtisch", "Nähcafé", "Fahrradwerkstatt"]
VENUES = [
    ("Altes Rathaus", "Alter Markt 6, 39104 Magdeburg", "Adelheidfoyer"),
    ("Volkshochschule", "Leibnizstraße 23, 39104 Magdeburg", "Raum 2.14"),
    ("Einewelthaus", "Schellingstraße 3-4, 39104 Magdeburg", "Seminarraum"),
    ("Stadtbibliothek", "Breiter Weg 109, 39104 Magdeburg", "Veranstaltungssaal"),
    ("Kreishaus", "Karl-Marx-Straße 32, 29410 Salzwedel", "Sitzungssaal"),
    ("Begegnungszentrum Stadtsee", "Adolph-Menzel-Straße 5, 39576 Stendal", "Café-Raum"),
    ("Gemeindehaus St. Marien", "Holzmarkt 2, 39638 Gardelegen", ""),
    ("Jobcenter", "Otto-von-Guericke-Straße 12, 39104 Magdeburg", "Beratungsraum 1.05"),
]
LANGUAGES = ["de"] * 10 + ["de,ar"] * 4 + ["de,uk"] * 3 + ["de,en"] * 2 + ["de,ar,uk,en", "de,fa,ar", "de,ru,uk"]
TAGS = ["Ehrenamt", "Sprache", "Arbeitsmarkt", "Ausbildung", "Weiterbildung", "Interkulturelle Woche",
        "Beteiligung", "Anerkennung"]
DESCRIPTION = (
    "Treffen im Netzwerk, offen für alle Interessierten.\n\n"
    "- Berichte aus den Arbeitsgruppen und Organisationen\n"
    "- Aktuelles zu Sprachkursen, Ausbildung und Beratung\n"
    "- Verabredungen für die nächsten Wochen\n\n"
    "Die Räume sind **barrierefrei**. Bei Bedarf dolmetschen wir ins Arabische und Ukrainische; "
    "bitte melden Sie sich dafür eine Woche vorher bei der Koordinierungsstelle."
)


def _pick_status(rng):
    roll = rng.random()
    if roll < 0.86:
        return "public", "published"
    if roll < 0.91:
        return "members", "published"
    if roll < 0.93:
        return "invited", "published"
    if roll < 0.97:
        return "public", "draft"
    return "public", "cancelled"


def _common(rng, network, kinds, groups, people):
    venue = rng.choice(VENUES)
    visibility, status = _pick_status(rng)
    person = rng.choice(people)
    return dict(
        uid=service.new_uid(), network_id=network.id, kind_id=rng.choice(kinds).id,
        working_group_id=rng.choice(groups).id if rng.random() < 0.5 else None,
        description=DESCRIPTION, organization_id=person.organization_id, contact_person_id=person.id,
        timezone=TZ, venue_name=venue[0], venue_address=venue[1], venue_room=venue[2],
        accessibility="Stufenloser Zugang, barrierefreies WC.",
        online_url="https://meet.example.org/netzwerk" if rng.random() < 0.15 else "",
        languages=rng.choice(LANGUAGES), visibility=visibility, status=status,
        cancel_reason="Die Referentin ist erkrankt." if status == "cancelled" else "",
        all_day=False, repeat=None, repeat_interval=1, repeat_until=None, repeat_count=None,
    )



def make_series_changes(rng, row: dict, actions, later_hours=(0,)) -> list[dict]:
    """Rows of OccurrenceChange for a weekly series row: the given actions on random dates
    after its first (a moved one goes a day later); sets the row's last_ends_at."""
    probe = Event(**{k: row[k] for k in ("starts_at", "ends_at", "timezone", "all_day", "repeat",
                                         "repeat_interval", "repeat_until", "repeat_count")})
    starts = recurrence.Rule.of(probe).starts()
    changes = []
    for wall, action in zip(rng.sample(starts[1:], len(actions)), actions):
        change = dict(original_start=recurrence.to_utc(wall, TZ), action=action, starts_at=None, ends_at=None,
                      reason="Raum belegt" if action == "moved" else "Feiertag")
        if action == "moved":
            moved = wall + timedelta(days=1, hours=rng.choice(later_hours))
            change.update(starts_at=recurrence.to_utc(moved, TZ),
                          ends_at=recurrence.to_utc(moved + timedelta(hours=2), TZ))
        changes.append(change)
    row["last_ends_at"] = recurrence.last_end(probe, [OccurrenceChange(**c) for c in changes])
    return changes


def insert_events(singles: list[dict], series: list[dict], changes_per_series: list[list[dict]]) -> list[int]:
    """Bulk insert of the rows and their stored dates (bulk inserts pass by the ORM's flush
    that keeps them); returns the new ids, singles first."""
    ids = db.session.scalars(insert(Event).returning(Event.id, sort_by_parameter_order=True),
                             singles + series).all()
    db.session.execute(insert(OccurrenceChange), [
        dict(change, event_id=event_id)
        for event_id, changes in zip(ids[len(singles):], changes_per_series) for change in changes])
    occurrences.rebuild(db.session.connection(), ids)
    return ids


def fill():
    """Bulk inserts with the derived fields (uid, last_ends_at) computed here, not per row by save()."""
    rng = random.Random(3)
    today = recurrence.to_local(datetime.now().astimezone(), TZ).date()
    networks = [factories.network(f"netz-{n}", f"Netzwerk {n}") for n in range(5)]
    setup = []
    for network in networks:
        kinds = service.kinds(network)
        groups = [factories.group(network, f"AG {g}") for g in range(6)]
        people = []
        for o in range(10):
            organization = directory.create_organization(network, f"{network.slug} Träger {o}", city="Magdeburg")
            people.append(directory.save_person(organization, None, name=f"Person {o}", email=f"p{o}@example.org"))
        tags = [Tag(network_id=network.id, name=name, slug=service.slug_of(name)) for name in TAGS]
        db.session.add_all(tags)
        setup.append((network, kinds, groups, people, tags))
    factories.user("bench@example.org", coordinates=networks)
    db.session.flush()

    singles = []
    for i in range(SINGLES):
        network, kinds, groups, people, _tags = setup[i % 5]
        row = _common(rng, network, kinds, groups, people)
        day = today + timedelta(days=rng.randint(-365, 365))
        roll = rng.random()
        if roll < 0.03:  # all day, sometimes several days
            start = datetime.combine(day, datetime.min.time())
            end = start + timedelta(days=rng.choice((1, 1, 2, 3)))
            row["all_day"] = True
        elif roll < 0.05:  # over two days
            start = datetime.combine(day, datetime.min.time()).replace(hour=10)
            end = start + timedelta(days=1, hours=3)
        else:
            start = datetime.combine(day, datetime.min.time()).replace(hour=rng.randint(8, 19),
                                                                     minute=rng.choice((0, 0, 15, 30)))
            end = start + timedelta(minutes=rng.choice((60, 90, 120, 120, 180)))
        row.update(title=f"{rng.choice(TITLES)} {i}", starts_at=recurrence.to_utc(start, TZ),
                   ends_at=recurrence.to_utc(end, TZ))
        row["last_ends_at"] = row["ends_at"]
        singles.append(row)

    series, series_changes = [], []
    for i in range(SERIES):
        network, kinds, groups, people, _tags = setup[i % 5]
        row = _common(rng, network, kinds, groups, people)
        first = today + timedelta(days=rng.randint(-300, 150))
        start = datetime.combine(first, datetime.min.time()).replace(hour=rng.randint(9, 18))
        row.update(title=f"{rng.choice(SERIES_TITLES)} {i}", starts_at=recurrence.to_utc(start, TZ),
                   ends_at=recurrence.to_utc(start + timedelta(hours=2), TZ), repeat="weekly",
                   repeat_interval=2 if rng.random() < 0.2 else 1, repeat_until=first + timedelta(days=364))
        changes = make_series_changes(rng, row, [rng.choice(("skipped", "cancelled", "moved")) for _ in range(3)])
        series.append(row)
        series_changes.append(changes)

    ids = insert_events(singles, series, series_changes)
    tag_rows = []
    for n, event_id in enumerate(ids):
        tags = setup[n % 5][4] if n < len(singles) else setup[(n - len(singles)) % 5][4]
        for tag in rng.sample(tags, rng.choice((0, 1, 1, 2))):
            tag_rows.append({"event_id": event_id, "tag_id": tag.id})
    db.session.execute(event_tags.insert(), tag_rows)
    db.session.commit()
    return networks[0]


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *args):
        self.count += 1

    def queries(self, fn) -> int:
        before = self.count
        fn()
        return self.count - before


def _next_link(body: str) -> str | None:
    found = re.search(r'href="([^"]+)"[^>]*rel="next"', body) or re.search(r'rel="next"[^>]*href="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


def main():
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            network = fill()
            slug, kind_id = network.slug, service.kinds(network)[0].id
            single = db.session.scalar(select(Event.id).where(
                Event.repeat.is_(None), Event.visibility == "public", Event.status == "published",
                Event.starts_at > datetime.now().astimezone()).order_by(Event.starts_at).limit(1))
            series = db.session.scalar(select(Event).where(
                Event.repeat.is_not(None), Event.visibility == "public", Event.status == "published",
                Event.last_ends_at > datetime.now().astimezone()).order_by(Event.id).limit(1))
            upcoming = recurrence.following(series, series.changes, datetime.now().astimezone(), 1)
            occurrence_key = upcoming[0].key
            series_id = series.id
            engine = db.engine
        filled = time.perf_counter() - started
        counter = QueryCounter(engine)
        client = app.test_client()
        factories.login(client, "bench@example.org")
        anonymous = app.test_client()
        endpoints = set(app.view_functions)
        print(f"event pages: 5 networks, {SINGLES:,} events, {SERIES} weekly series "
              f"(filled in {filled:.1f} s)")

        def page_two():
            first = anonymous.get("/events")
            return _next_link(first.get_data(as_text=True)) if first.status_code == 200 else None

        pages = [
            ("upcoming list", "events.upcoming", anonymous, "/events", {}),
            ("upcoming list, filtered", "events.upcoming", anonymous,
             f"/events?network={slug}&kind={kind_id}&spoken=ar", {}),
            ("upcoming list, filtered (htmx fragment)", "events.upcoming", anonymous,
             f"/events?network={slug}&spoken=uk", {"HX-Request": "true"}),
            ("upcoming list, second page", "events.upcoming", anonymous, page_two, {}),
            ("event page (single event)", "events.show", anonymous, f"/events/{single}", {}),
            ("event page (series occurrence)", "events.show", anonymous,
             f"/events/{series_id}?at={occurrence_key}", {}),
            ("archive", "events.archive", anonymous, "/events/archive", {}),
            ("organizer calendar, month (coordinator)", "events.calendar", client,
             f"/n/{slug}/calendar?view=month", {}),
        ]
        failed = []
        for label, endpoint, who, url, headers in pages:
            if endpoint not in endpoints:
                print(f"  skipped: {endpoint} not available ({label})")
                continue
            if callable(url):
                url = url()
                if url is None:
                    print(f"  skipped: no link to the next page ({label})")
                    continue

            status = who.get(url, headers=headers).status_code
            if status != 200:
                print(f"  failed: {url} answered {status} ({label})")
                failed.append(url)
                continue

            def get(who=who, url=url, headers=headers):
                response = who.get(url, headers=headers)
                assert response.status_code == 200, (url, response.status_code)

            queries = counter.queries(get)
            measure(f"{label} [{queries} queries]", get, REPEAT)
        if failed:
            sys.exit(f"{len(failed)} page(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
