"""Server time and SQL queries of a network's year report (issue 18).

A network with five years of events up to today (2,000 published events in Europe/Berlin:
single events of several kinds, some in working groups, and monthly series), 60,000
registrations on their dates (confirmed, waiting, cancelled; most of the past confirmed ones
checked in; directory organizations of every kind, names typed in by hand, no organization;
several languages), and the oldest events purged by the retention purge (registrations/privacy.py)
a week at a time until about 8,000 anonymous counts stand in for their registrations. Beside it
a small network (20 events, 300 registrations) to show that the number of queries does not grow
with the data. Timed in-process through the WSGI app with Flask's test client (server time, no
network), median and 95th percentile, with the SQL statements of one request, for the last full
year:

  page   the report page, GET /n/<slug>/reports?period=YYYY (figures and charts)
  xlsx   its XLSX, GET /n/<slug>/reports.xlsx?period=YYYY
  pdf    its PDF, GET /n/<slug>/reports.pdf?period=YYYY: the request renders the HTML and,
         until the worker has laid it out (WeasyPrint, timed on its own), answers the waiting
         page; then it serves the stored PDF (app/mail/pdfs.py)
  and the page of the first full year, read mostly from the anonymous counts.

SQLite on a throwaway file by default; --postgres makes a throwaway database on that
PostgreSQL server and drops it afterwards (skipped, and says so, when the server is not there).

    .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --postgres                      # postgres@127.0.0.1:5432
    .venv/bin/python bench/reports.py --postgres postgresql+psycopg://user@host:5432/postgres
    .venv/bin/python bench/reports.py --repeat 5 --pdf-repeat 2       # fewer requests (also BENCH_QUICK=1)
"""
import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure, throwaway_postgres  # noqa: E402
from events_pages import TITLES, VENUES, QueryCounter  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.core.types import utcnow  # noqa: E402
from app.directory import service as directory  # noqa: E402
from app.directory.models import ORGANIZATION_KINDS  # noqa: E402
from app.events import occurrences, recurrence, service as events  # noqa: E402
from app.events.models import Event, StoredOccurrence  # noqa: E402
from app.core.pdf import from_html  # noqa: E402
from app.mail import pdfs  # noqa: E402
from app.mail.models import StoredPdf  # noqa: E402
from app.registrations import privacy  # noqa: E402
from app.registrations.models import AnonymousCount, Registration, RegistrationSettings  # noqa: E402
from app.reports import service as reports  # noqa: E402
from tests import factories  # noqa: E402

YEARS, EVENTS, REGISTRATIONS, COUNTS = 5, 2_000, 60_000, 8_000
SMALL_EVENTS, SMALL_REGISTRATIONS = 20, 300
SERIES_SHARE, SERIES_DATES = 0.05, 10  # monthly series among the events, and their dates
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TZ = "Europe/Berlin"
COORDINATOR = "bench@example.org"
KIND_WEIGHTS = {"network_meeting": 2, "working_group_meeting": 5, "training": 3, "exchange": 2,
                "public_event": 3, "other": 1}
LANGUAGES = [("de", 50), ("ar", 12), ("uk", 12), ("fa", 6), ("en", 5), ("ru", 5), ("tr", 3), ("ti", 1), (None, 6)]
HANDWRITTEN = ["Elternverein Stadtfeld", "Willkommensinitiative Nord", "Frauentreff Olvenstedt",
               "Sportverein Eintracht",
               "Kirchengemeinde St. Johannis", "Nachbarschaftshilfe Sudenburg", "Syrischer Kulturverein",
               "Ukrainische Gemeinde", "Privat", "Kita Sonnenschein", "Grundschule am Park", "Stadtteilbüro"]


def fill(network, rng: random.Random, first_day: date, last_day: date, count: int, registrations: int,
         organizations: int, mark: str) -> None:
    """`count` published events between the two local days and `registrations` registrations on
    their dates, bulk inserted (the derived fields computed here, not per row by save())."""
    kinds = events.kinds(network)
    weights = [KIND_WEIGHTS.get(kind.code, 1) for kind in kinds]
    groups = [factories.group(network, f"AG {name}") for name in ("Sprache", "Arbeit", "Interkultur", "Ehrenamt")]
    orgs = [directory.create_organization(network, f"{mark} Träger {n}", city="Magdeburg",
                                          kind=ORGANIZATION_KINDS[n % len(ORGANIZATION_KINDS)])
            for n in range(organizations)]
    db.session.flush()
    rows = []
    for n in range(count):
        day = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
        start = datetime.combine(day, datetime.min.time()).replace(hour=rng.randint(8, 19),
                                                                   minute=rng.choice((0, 15, 30)))
        end = start + timedelta(minutes=rng.choice((60, 90, 120, 180)))
        kind = rng.choices(kinds, weights)[0]
        group = rng.choice(groups) if kind.code == "working_group_meeting" or rng.random() < 0.2 else None
        venue = rng.choice(VENUES)
        row = dict(uid=events.new_uid(), network_id=network.id, kind_id=kind.id,
                   working_group_id=group.id if group else None, title=f"{rng.choice(TITLES)} {n}",
                   description="", timezone=TZ, venue_name=venue[0], venue_address=venue[1], venue_room=venue[2],
                   languages="de", visibility=rng.choice(("public", "public", "members")), status="published",
                   starts_at=recurrence.to_utc(start, TZ), ends_at=recurrence.to_utc(end, TZ), all_day=False,
                   repeat=None, repeat_interval=1, repeat_until=None, repeat_count=None)
        if rng.random() < SERIES_SHARE:
            row.update(repeat="monthly", repeat_count=SERIES_DATES)
        probe = Event(**{k: row[k] for k in ("starts_at", "ends_at", "timezone", "all_day", "repeat",
                                             "repeat_interval", "repeat_until", "repeat_count")})
        row["last_ends_at"] = recurrence.last_end(probe, [])
        rows.append(row)
    ids = db.session.scalars(insert(Event).returning(Event.id, sort_by_parameter_order=True), rows).all()
    occurrences.rebuild(db.session.connection(), ids)
    capacity = {event_id: rng.choice((None, 15, 20, 30, 40)) for event_id in ids}
    db.session.execute(insert(RegistrationSettings), [
        {"event_id": event_id, "capacity": capacity[event_id], "retention_days": 30} for event_id in ids])

    dates = db.session.execute(select(StoredOccurrence.event_id, StoredOccurrence.original_start)
                               .where(StoredOccurrence.event_id.in_(ids))
                               .order_by(StoredOccurrence.event_id, StoredOccurrence.original_start)).all()
    popularity = [rng.uniform(0.2, 2.0) for _ in dates]
    per_date: dict[tuple[int, datetime], int] = {}
    now, rows, serial = utcnow(), [], db.session.scalar(select(func.count()).select_from(Registration)) or 0
    languages, language_weights = zip(*LANGUAGES)
    for event_id, start in rng.choices(dates, popularity, k=registrations):
        serial += 1
        if rng.random() < 0.08:
            status = "cancelled"  # gives no place back in this data: the place was never taken
        else:
            taken = per_date.get((event_id, start), 0)
            per_date[(event_id, start)] = taken + 1
            status = "waiting" if capacity[event_id] is not None and taken >= capacity[event_id] else "confirmed"
        created = start - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
        roll = rng.random()
        organization = orgs[min(int(rng.paretovariate(1.2)) - 1, len(orgs) - 1)] if roll < 0.6 else None
        rows.append({
            "event_id": event_id, "occurrence_start": start, "name": f"Person {serial}",
            "email": f"person{serial}@example.org", "organization_id": organization.id if organization else None,
            "organization_name": rng.choice(HANDWRITTEN) if 0.6 <= roll < 0.85 else "", "answers": "{}",
            "status": status, "token_hash": f"{serial:064x}", "created_at": created, "updated_at": created,
            "cancelled_at": created + timedelta(days=1) if status == "cancelled" else None,
            "checked_in_at": start + timedelta(minutes=5) if status == "confirmed" and start < now
            and rng.random() < 0.75 else None,
            "language": rng.choices(languages, language_weights)[0]})
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Registration), rows[chunk:chunk + 5000])
    db.session.commit()


def purge_oldest(network, until: int) -> datetime:
    """The retention purge as the nightly job would have run it, a week at a time from the first
    event on, until the network has `until` anonymous counts; returns the last `now` used."""
    first = db.session.scalar(select(func.min(Event.starts_at)).where(Event.network_id == network.id))
    day = recurrence.to_local(first, TZ).date()
    while True:
        day += timedelta(days=7)
        now = recurrence.to_utc(datetime.combine(day, datetime.min.time()), TZ)
        privacy.purge_expired(now=now)
        db.session.commit()
        kept = db.session.scalar(select(func.count()).select_from(AnonymousCount).join(Event)
                                 .where(Event.network_id == network.id))
        if kept >= until:
            return now


def run(repeat: int, pdf_repeat: int) -> None:
    rng = random.Random(18)
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            today = recurrence.to_local(utcnow(), TZ).date()
            first_year, year = today.year - YEARS + 1, today.year - 1
            big = factories.network("magdeburg", "Netzwerk Magdeburg")
            small = factories.network("stendal", "Netzwerk Stendal")
            factories.user(COORDINATOR, coordinates=[big, small])
            fill(big, rng, date(first_year, 1, 1), today, EVENTS, REGISTRATIONS, 60, "MD")
            fill(small, rng, date(first_year, 1, 1), today, SMALL_EVENTS, SMALL_REGISTRATIONS, 5, "SDL")
            purged_until = purge_oldest(big, COUNTS)
            kept = db.session.scalar(select(func.count()).select_from(AnonymousCount).join(Event)
                                     .where(Event.network_id == big.id))
            live = db.session.scalar(select(func.count()).select_from(Registration).join(Event)
                                     .where(Event.network_id == big.id))
            figures = reports.figures(big, date(year, 1, 1), date(year, 12, 31), key=str(year))
            slugs, engine = (big.slug, small.slug), db.engine
        filled = time.perf_counter() - started
        print(f"year report: network with {EVENTS:,} events {first_year}–{today.year}, {live:,} registrations left "
              f"and {kept:,} anonymous counts (purged up to {recurrence.to_local(purged_until, TZ):%Y-%m-%d}); "
              f"filled in {filled:.1f} s; {engine.dialect.name}")
        print(f"  {year}: {figures.events} dates held, {figures.registrations:,} registrations, {figures.attended:,} "
              f"attended, {figures.waiting:,} waiting, {figures.organizations} organizations; queries of the small "
              f"network ({SMALL_EVENTS} events, {SMALL_REGISTRATIONS} registrations) in brackets")
        counter = QueryCounter(engine)
        client = app.test_client()
        factories.login(client, COORDINATOR)

        def get(path: str, mimetype: str):
            def request():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
                assert response.mimetype == mimetype, (path, response.mimetype)
            return request

        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

        def requests(slug: str):
            return [
                (f"page  GET /n/<slug>/reports?period={year}", get(f"/n/{slug}/reports?period={year}", "text/html"),
                 repeat),
                (f"xlsx  GET …/reports.xlsx?period={year}", get(f"/n/{slug}/reports.xlsx?period={year}", xlsx), repeat),
                (f"page of {first_year} (from the anonymous counts)",
                 get(f"/n/{slug}/reports?period={first_year}", "text/html"), repeat),
            ]

        for (label, fn, n), (_label, small_fn, _n) in zip(*map(requests, slugs)):
            queries, small_queries = counter.queries(fn), counter.queries(small_fn)
            measure(f"{label} [{queries} ({small_queries}) queries]", fn, n)

        def pdf(slug: str, mimetype: str):
            return get(f"/n/{slug}/reports.pdf?period={year}", mimetype)

        waiting, small_waiting = pdf(slugs[0], "text/html"), pdf(slugs[1], "text/html")
        queries, small_queries = counter.queries(waiting), counter.queries(small_waiting)
        measure(f"pdf  waiting page (HTML, hash, job) [{queries} ({small_queries}) queries]", waiting, repeat)
        with app.app_context():
            document = db.session.scalar(select(StoredPdf.html).order_by(StoredPdf.id).limit(1))  # the big one's
            measure("pdf  laid out in the worker (WeasyPrint)", lambda: from_html(document), pdf_repeat)
            while pdfs.build_next():
                pass
        stored, small_stored = pdf(slugs[0], "application/pdf"), pdf(slugs[1], "application/pdf")
        queries, small_queries = counter.queries(stored), counter.queries(small_stored)
        measure(f"pdf  stored, served [{queries} ({small_queries}) queries]", stored, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=PG_ADMIN, metavar="URL",
                        help="a PostgreSQL server's URL (its maintenance database) to make a throwaway database on")
    parser.add_argument("--repeat", type=int, default=5 if QUICK else 20, metavar="N",
                        help="requests timed for the page and the XLSX (default: %(default)s)")
    parser.add_argument("--pdf-repeat", type=int, default=2 if QUICK else 5, metavar="N",
                        help="requests timed for the PDF (default: %(default)s)")
    args = parser.parse_args()
    if args.postgres is None:
        os.environ.pop("BENCH_DATABASE_URL", None)
        run(args.repeat, args.pdf_repeat)
        return 0
    with throwaway_postgres(args.postgres, "tp_bench_reports") as url:
        if url is not None:
            os.environ["BENCH_DATABASE_URL"] = url
            run(args.repeat, args.pdf_repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
