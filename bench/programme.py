"""Server time and SQL queries of the public programme, and the time to build its PDF booklet.

One network with an Intercultural Week of 60 approved, published events from 20
organizations over seven days: mixed categories, districts, spoken languages and target
groups, a quarter taking registrations, descriptions of a few paragraphs, four partner logos
and the network's logo. Timed in-process through the WSGI app (server time without network),
with the number of SQL statements one request runs. The booklet: median build time of the PDF
(WeasyPrint), its size and pages, and the request for the copy the worker stored (and its 304).
BENCH_QUICK=1 times fewer requests and builds.

    .venv/bin/python bench/programme.py
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/programme.py
"""
import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure  # noqa: E402
from events_pages import QueryCounter  # noqa: E402
from PIL import Image  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.core.types import utcnow  # noqa: E402
from app.directory import logo  # noqa: E402
from app.events import recurrence  # noqa: E402
from app.programmes import booklet, booklet_builds, review, service  # noqa: E402
from app.programmes.models import Campaign, Partner  # noqa: E402
from sqlalchemy import select  # noqa: E402
from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402
from tests import factories  # noqa: E402

EVENTS = 60
REPEAT = 20 if QUICK else 200
BUILDS = 3 if QUICK else 7
TZ = "Europe/Berlin"
CATEGORIES = ("encounter", "workshop", "art", "talk", "counselling", "sports", "food", "other")
DISTRICTS = ("Altstadt", "Stadtfeld", "Buckau", "Sudenburg", "Neustädter Feld", "Olvenstedt")
LANGUAGES = ("de", "de,ar", "de,uk", "de,en", "de,fa,ar", "de,ru,uk", "de,tr", "dgs,de")
GROUPS = ("everyone", "families,children", "youth", "adults", "seniors", "women", "newcomers", "everyone")
TITLES = ("Begegnungscafé", "Kochen aus aller Welt", "Lesung: Ankommen", "Tanzworkshop", "Beratung zur Anerkennung",
          "Fußballturnier", "Stadtführung", "Filmabend", "Malwerkstatt für Kinder", "Frauenfrühstück",
          "Gesprächsrunde Demokratie", "Chorprobe offen für alle")
PARAGRAPH = ("Wir laden herzlich ein: bei Tee und Gebäck kommen Nachbarinnen und Nachbarn aus vielen Ländern "
             "ins Gespräch. **Kinder sind willkommen**, eine Spielecke ist da. ")


def png(color, size=(240, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def fill() -> tuple[str, int]:
    """The published campaign's slug and its "art" category's id."""
    rng = random.Random(7)
    network = factories.network("magdeburg", "Netzwerk für Integrations- und Ausländerarbeit Magdeburg")
    logo.set_logo(network, png("navy"))
    coordinator = factories.user("bench@example.org", coordinates=[network])
    year = recurrence.to_local(utcnow(), TZ).year + 1
    first = date(year, 9, 20)
    campaign = service.create_campaign(
        network, title="Interkulturelle Woche", year=year, starts_on=first, ends_on=first + timedelta(days=6),
        submissions_from=date(year, 5, 1), submissions_until=date(year, 8, 15), motto="Neue Räume",
        intro="Eine Woche der Begegnung mit **60 Veranstaltungen** von Vereinen, Initiativen und Einrichtungen.")
    for n, color in enumerate(("red", "green", "orange", "purple")):
        campaign.partners.append(Partner(name=f"Partner {n + 1}", website="https://example.org",
                                         logo=png(color), logo_type="image/png", position=n))
    db.session.flush()
    categories = {c.code: c.id for c in campaign.categories}
    for n in range(EVENTS):
        day = first + timedelta(days=n % 7)
        start = factories.local(day.year, day.month, day.day, 9 + (n * 5) % 11)
        submission = service.start(
            campaign, title=f"{TITLES[n % len(TITLES)]} {n + 1}",
            description="\n\n".join([PARAGRAPH] * rng.randint(1, 4)), text_language="en" if n % 9 == 0 else "de",
            category_id=categories[CATEGORIES[n % len(CATEGORIES)]], starts_at=start,
            ends_at=start + timedelta(hours=rng.choice((1, 2, 3))), venue_name=f"Treffpunkt {n % 12 + 1}",
            venue_address=f"Breiter Weg {n + 1}, 39104 Magdeburg", district=DISTRICTS[n % len(DISTRICTS)],
            accessibility="Aufzug vorhanden" if n % 3 == 0 else "", step_free=n % 2 == 0,
            languages=LANGUAGES[n % len(LANGUAGES)], target_groups=GROUPS[n % len(GROUPS)], is_free=n % 4 != 1,
            fee="" if n % 4 != 1 else "5 €, ermäßigt 3 €", registration_required=n % 4 == 0,
            capacity=20 if n % 4 == 0 else None, organization_name=f"Verein {n % 20 + 1}",
            contact_name="Erika Muster", contact_email=f"verein{n % 20 + 1}@example.org")
        db.session.flush()
        review.approve(submission, coordinator)
    review.publish(campaign)
    db.session.commit()
    return campaign.slug, categories["art"]


def main():
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            slug, art = fill()
            engine = db.engine
        filled = time.perf_counter() - started
        counter = QueryCounter(engine)
        client = app.test_client()
        print(f"programme: one network, {EVENTS} published events over 7 days from 20 organizations, "
              f"4 partner logos (filled in {filled:.1f} s; {engine.dialect.name})")
        pages = [
            ("programme page, unfiltered", f"/programmes/{slug}", {}),
            ("programme page, 3 filters", f"/programmes/{slug}?category={art}&lang=uk&step_free=1", {}),
            ("programme list, htmx fragment (district)", f"/programmes/{slug}?district=Buckau",
             {"HX-Request": "true"}),
            ("embed", f"/programmes/{slug}/embed", {}),
            ("programme feed (.ics, ready bytes)", f"/feeds/programmes/{slug}.ics", {}),
        ]
        for label, url, headers in pages:
            def get(url=url, headers=headers):
                response = client.get(url, headers=headers)
                assert response.status_code == 200, url

            queries = counter.queries(get)
            measure(f"{label} [{queries} queries]", get, REPEAT)

        with app.test_request_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            queries = counter.queries(lambda: booklet.html(campaign))
            measure(f"booklet HTML (entries, logos, QR codes) [{queries} queries]", lambda: booklet.html(campaign),
                    REPEAT // 4)
            document = booklet.html(campaign)
            build = booklet.pdf
            times, cpu, data = [], [], b""
            for _ in range(BUILDS):
                start, start_cpu = time.perf_counter(), time.process_time()
                data = build(document)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            pages = len(HTML(string=document, url_fetcher=URLFetcher(allowed_protocols=("data",))).render().pages)
            # CPU time too: wall time grows with whatever else the machine runs.
            print(f"  booklet PDF build (WeasyPrint), {EVENTS} events: median {statistics.median(times):.2f} s "
                  f"(CPU {statistics.median(cpu):.2f} s), max {max(times):.2f} s (n={BUILDS}); "
                  f"{len(data) / 1024:.0f} KiB, {pages} pages")

        with app.app_context():
            while booklet_builds.build_next():  # what the outbox worker does after publishing
                pass
        etag = client.get(f"/programmes/{slug}/booklet.pdf").headers["ETag"]

        def stored():
            response = client.get(f"/programmes/{slug}/booklet.pdf")
            assert response.status_code == 200 and response.data.startswith(b"%PDF")

        def not_modified():
            assert client.get(f"/programmes/{slug}/booklet.pdf", headers={"If-None-Match": etag}).status_code == 304

        queries = counter.queries(stored)
        measure(f"booklet.pdf request, the stored copy [{queries} queries]", stored, REPEAT // 4)
        queries = counter.queries(not_modified)
        measure(f"booklet.pdf request, If-None-Match: 304 [{queries} queries]", not_modified, REPEAT // 4)


if __name__ == "__main__":
    main()
