"""Server time and SQL queries of a working group's minutes archive and its full-text search.

One group with 200 past meetings (a monthly series), each with six agenda items whose notes
run to a few hundred words, two decisions and three action items; half of the minutes are
published to everyone. Timed in-process through the WSGI app (server time without network),
with the number of SQL statements one request runs. BENCH_QUICK=1 times fewer requests.

    .venv/bin/python bench/minutes_archive.py
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/minutes_archive.py
"""
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure  # noqa: E402
from events_pages import QueryCounter  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.events import recurrence  # noqa: E402
from app.minutes import service  # noqa: E402
from app.minutes.models import ActionItem, AgendaItem, Decision, Meeting  # noqa: E402
from tests import factories  # noqa: E402

MEETINGS = 200
REPEAT = 15 if QUICK else 100
COMMON, RARE = "Sprachkurs", "Zeppelinwerft"  # the rare word is in one meeting only
WORDS = ("Ausbildung Jobcenter Beratung Integrationskurs Anerkennung Praktikum Ehrenamt Kita Schule Wohnung "
         "Arbeitsmarkt Bewerbung Dolmetscher Netzwerk Kooperation Förderung Antrag Projekt Elterncafé "
         "Berufsschule Migrationsberatung Willkommen Begegnung Fachkräfte Qualifizierung Stadtteil Verein "
         "Bericht Termin Austausch Planung Rückmeldung Angebot Bedarf Teilnehmende Gruppe Kurs").split()
TOPICS = ["Berichte aus den Organisationen", "Sprachkurse und Warteliste", "Ausbildungsmesse im Rathaus",
          "Interkulturelle Woche", "Verschiedenes"]


def notes(rng, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return f"**Bericht:** {text}. Der {COMMON} ist voll.\n\n- {rng.choice(WORDS)}\n- {rng.choice(WORDS)}"


def fill():
    rng = random.Random(6)
    network = factories.network("magdeburg", "Netzwerk Magdeburg")
    group = factories.group(network, "Sprache")
    factories.user("bench@example.org", coordinates=[network])
    start = factories.local(2008, 1, 8, 14)
    event = factories.meeting_event(network, group, title="AG Sprache", start=start, repeat=MEETINGS,
                                    visibility="public")
    dates = recurrence.following(event, [], start - timedelta(seconds=1), MEETINGS)
    ids = db.session.scalars(insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True), [
        dict(event_id=event.id, occurrence_start=o.original_start, network_id=network.id,
             working_group_id=group.id, agenda_status="published", minutes_status="published" if n % 2 else "approved",
             audience="public", next_meeting_note="") for n, o in enumerate(dates)]).all()
    items = []
    for n, meeting_id in enumerate(ids):
        items.append(dict(meeting_id=meeting_id, position=0, title="Offene Aufgaben aus früheren Sitzungen",
                          carries_action_items=True, notes=notes(rng, 60)))
        for position, topic in enumerate(TOPICS, start=1):
            text = notes(rng, rng.randint(200, 400))
            if n == MEETINGS // 2 and position == 3:
                text += f" Besuch der {RARE} geplant."
            items.append(dict(meeting_id=meeting_id, position=position, title=topic, notes=text))
    item_ids = db.session.scalars(insert(AgendaItem).returning(AgendaItem.id, sort_by_parameter_order=True),
                                  items).all()
    decisions, actions = [], []
    for n, meeting_id in enumerate(ids):
        first_item = item_ids[n * 6 + 1]
        year = recurrence.to_local(dates[n].original_start, "Europe/Berlin").year
        for k in range(2):
            decisions.append(dict(meeting_id=meeting_id, agenda_item_id=first_item, scope=f"group:{group.id}",
                                  year=year, number=(n % 12) * 2 + k + 1,
                                  text=f"Die AG beschließt: {rng.choice(WORDS)} und {rng.choice(WORDS)}."))
        for status in ("open", "in_progress", "done"):
            actions.append(dict(meeting_id=meeting_id, agenda_item_id=first_item, network_id=network.id,
                                working_group_id=group.id, title=f"{rng.choice(WORDS)} vorbereiten",
                                owner_name="Erika Muster", status=status,
                                due_on=date(2008, 1, 1) + timedelta(days=30 * n + 20)))
    db.session.execute(insert(Decision), decisions)
    db.session.execute(insert(ActionItem), actions)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.id.in_(ids))):
        service.reindex(meeting)
    db.session.commit()
    return group.id


def main():
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            group_id = fill()
            engine = db.engine
        filled = time.perf_counter() - started
        counter = QueryCounter(engine)
        coordinator = app.test_client()
        factories.login(coordinator, "bench@example.org")
        anonymous = app.test_client()
        print(f"minutes archive: one group, {MEETINGS} past meetings with 6 agenda items of 200–400 words each, "
              f"2 decisions, 3 action items (filled in {filled:.1f} s; {engine.dialect.name})")
        base = f"/n/magdeburg/archive?group={group_id}"
        pages = [
            ("archive, first page (coordinator)", coordinator, base, {}),
            ("archive, page 3 (coordinator)", coordinator, base + "&page=3", {}),
            ("archive, first page (anonymous, public only)", anonymous, base, {}),
            (f"search, common word '{COMMON}' (coordinator)", coordinator, base + f"&q={COMMON}", {}),
            (f"search, rare word '{RARE}' (coordinator)", coordinator, base + f"&q={RARE}", {}),
            ("search, two words, word start (htmx fragment)", coordinator, base + "&q=ausbild+rathaus",
             {"HX-Request": "true"}),
            ("search, common word (anonymous)", anonymous, base + f"&q={COMMON}", {}),
        ]
        for label, who, url, headers in pages:
            def get(who=who, url=url, headers=headers):
                response = who.get(url, headers=headers)
                assert response.status_code == 200 and "archive-row" in response.get_data(as_text=True), url

            queries = counter.queries(get)
            measure(f"{label} [{queries} queries]", get, REPEAT)


if __name__ == "__main__":
    main()
