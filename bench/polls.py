"""Server time and SQL queries of a large date poll (issue 17).

A poll with 40 dates (20 days, two time slots each) and 200 participants who all answered
(8,000 answers), three of them required; beside it a small poll (3 dates, 5 people) to show
that the number of queries does not grow with the poll. Timed in-process through the WSGI app
with Flask's test client (server time, no network), median and 95th percentile over N
requests, with the SQL statements of one request:

  results   the organizer's page of the poll, /polls/<id> (the people × dates table)
  csv       the organizer's CSV export of the answers
  form      the answer form of a personal link, GET /p/<token>
  save      a saved answer, POST /p/<token> with all 40 dates (replaces the person's answers)

SQLite on a throwaway file by default; --postgres makes a throwaway database on that
PostgreSQL server and drops it afterwards (skipped, and says so, when the server is not there).

    .venv/bin/python bench/polls.py
    .venv/bin/python bench/polls.py --postgres                      # postgres@127.0.0.1:5432
    .venv/bin/python bench/polls.py --postgres postgresql+psycopg://user@host:5432/postgres
    BENCH_QUICK=1 .venv/bin/python bench/polls.py                   # fewer requests
"""
import argparse
import os
import sys
import time
from datetime import time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure, throwaway_postgres  # noqa: E402
from events_pages import QueryCounter  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.core.types import utcnow  # noqa: E402
from app.events import recurrence  # noqa: E402
from app.polls import service  # noqa: E402
from app.polls.models import ANSWERS, Poll, PollAnswer, PollParticipant  # noqa: E402
from tests import factories  # noqa: E402

DAYS, PEOPLE, REQUIRED = 20, 200, 3  # two slots a day: 40 dates
REPEAT = 20 if QUICK else 100
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TZ = "Europe/Berlin"
COORDINATOR = "bench@example.org"


def make_poll(network, days: int, people: int, required: int, title: str) -> tuple[int, str]:
    """A poll whose every participant answered every date; returns its id and one personal token."""
    first = recurrence.to_local(utcnow(), TZ).date() + timedelta(days=30)
    dates = service.candidates([first + timedelta(days=n) for n in range(days)],
                               [(clock(9), clock(12)), (clock(14), clock(16))], TZ)
    poll = service.create(network, None, None, dates, title=title, venue_name="Altes Rathaus",
                          venue_address="Alter Markt 6, 39104 Magdeburg", deadline=utcnow() + timedelta(days=20))
    db.session.flush()
    participants = [service.new_participant(poll, f"Person {n:03d}", f"person{n:03d}@example.org",
                                            required=n < required, language="de") for n in range(people)]
    db.session.flush()
    answers = [{"participant_id": p.id, "option_id": o.id, "poll_id": poll.id,
                "answer": ANSWERS[(n * 7 + k * 3 + n * k) % 3]}
               for n, p in enumerate(participants) for k, o in enumerate(poll.options)]
    for start in range(0, len(answers), 2000):
        db.session.execute(insert(PollAnswer), answers[start:start + 2000])
    db.session.execute(update(PollParticipant).where(PollParticipant.poll_id == poll.id)
                       .values(answered_at=utcnow(), comment="Vormittags besser."))
    db.session.commit()
    return poll.id, service.answer_token(participants[-1])


def run() -> None:
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            network = factories.network("magdeburg", "Netzwerk Magdeburg")
            factories.user(COORDINATOR, coordinates=[network])
            big = make_poll(network, DAYS, PEOPLE, REQUIRED, "Austausch der Koordinator:innen")
            small = make_poll(network, 2, 5, 1, "Kleine Umfrage")
            option_ids = {poll_id: [o.id for o in db.session.get(Poll, poll_id).options]
                          for poll_id, _token in (big, small)}
            engine = db.engine
        filled = time.perf_counter() - started
        counter = QueryCounter(engine)
        organizer = app.test_client()
        factories.login(organizer, COORDINATOR)
        participant = app.test_client()
        print(f"date poll: {DAYS * 2} dates × {PEOPLE} participants, all answered ({DAYS * 2 * PEOPLE:,} answers), "
              f"{REQUIRED} required (filled in {filled:.1f} s; {engine.dialect.name}); "
              f"queries of the small poll (4 dates × 5 people) in brackets")

        def requests(poll_id: int, token: str):
            form = {"name": "Person 199", "comment": "Geht auch online."}
            form.update({f"answer-{option_id}": ANSWERS[k % 3] for k, option_id in enumerate(option_ids[poll_id])})

            def results():
                response = organizer.get(f"/polls/{poll_id}")
                assert response.status_code == 200, response.status_code

            def csv():
                response = organizer.get(f"/polls/{poll_id}/answers.csv")
                assert response.status_code == 200, response.status_code

            def answer_form():
                response = participant.get(f"/p/{token}")
                assert response.status_code == 200, response.status_code

            def save():
                response = participant.post(f"/p/{token}", data=form)
                assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:300])

            return [("results  GET /polls/<id>", results), ("csv  GET /polls/<id>/answers.csv", csv),
                    ("form  GET /p/<token>", answer_form), ("save  POST /p/<token>", save)]

        for (label, fn), (_label, small_fn) in zip(requests(*big), requests(*small)):
            queries, small_queries = counter.queries(fn), counter.queries(small_fn)
            measure(f"{label} [{queries} ({small_queries}) queries]", fn, REPEAT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=PG_ADMIN, metavar="URL",
                        help="a PostgreSQL server's URL (its maintenance database) to make a throwaway database on")
    args = parser.parse_args()
    if args.postgres is None:
        os.environ.pop("BENCH_DATABASE_URL", None)
        run()
        return 0
    with throwaway_postgres(args.postgres, "tp_bench_polls") as url:
        if url is not None:
            os.environ["BENCH_DATABASE_URL"] = url
            run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
