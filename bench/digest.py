"""Time and SQL queries of building and queueing a network's weekly digest (issue 18).

One network with about 200 public dates in the two weeks after a Monday 8:00 (single events of
every kind, in four working groups and one sub-group, with a dozen topics), and 5,000 confirmed
subscribers in seven languages with varied filters (most none; others a group, some kinds, a
few topics, or several of these). Timed in-process, median and 95th percentile:

  plan   service.plan: the dates loaded once, subscribers grouped by language and filters
  send   service.send_due_digests at that Monday 8:00: claim the week, build, render once per
         (language, filters), queue 5,000 mails in the outbox and commit

with the SQL statements of one run (reads and INSERTs apart: on SQLite the ORM inserts the
outbox's rows one by one, as it needs each new id back; on PostgreSQL they go in batches).

SQLite on a throwaway file by default; --postgres makes a throwaway database on that
PostgreSQL server and drops it afterwards (skipped, and says so, when the server is not there).

    .venv/bin/python bench/digest.py
    .venv/bin/python bench/digest.py --postgres                      # postgres@127.0.0.1:5432
    .venv/bin/python bench/digest.py --postgres postgresql+psycopg://user@host:5432/postgres
    .venv/bin/python bench/digest.py --repeat 2                      # fewer runs (also BENCH_QUICK=1)
"""
import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import QUICK, bench_app, measure, throwaway_postgres  # noqa: E402
from events_pages import TITLES, VENUES  # noqa: E402
from sqlalchemy import delete, event as sa_event, func, insert, select  # noqa: E402

from app.core.extensions import db  # noqa: E402
from app.core.types import utcnow  # noqa: E402
from app.digest import service as digest  # noqa: E402
from app.digest.models import Digest, DigestSetting  # noqa: E402
from app.directory.models import Network  # noqa: E402
from app.events import occurrences, recurrence, service as events  # noqa: E402
from app.events.models import Event, Tag, event_tags  # noqa: E402
from app.mail.models import OutboxMail  # noqa: E402
from tests import factories  # noqa: E402

EVENTS, SUBSCRIBERS = 200, 5_000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TZ = "Europe/Berlin"
LANGUAGES = [("de", 45), ("ar", 15), ("uk", 15), ("fa", 8), ("en", 7), ("ru", 5), ("tr", 5)]
TOPICS = ["Sprache", "Arbeit", "Ausbildung", "Familie", "Gesundheit", "Kultur", "Sport", "Ehrenamt",
          "Beratung", "Frauen", "Jugend", "Wohnen"]


def fill(rng: random.Random, monday: datetime):
    """The network, its events in the two weeks from `monday` and the subscribers."""
    network = factories.network("magdeburg", "Netzwerk Magdeburg")
    db.session.add(DigestSetting(network_id=network.id, enabled=True, weekday=0, hour=8,
                                 draft_intro="Liebe Netzwerkpartner:innen, **willkommen** zur Wochenübersicht."))
    groups = [factories.group(network, name) for name in ("Sprache", "Arbeit und Ausbildung", "Interkultur", "Ehrenamt")]
    groups.append(factories.group(network, "Unter-AG Interkulturelle Woche", parent=groups[2]))
    kinds = events.kinds(network)
    tags = [Tag(network_id=network.id, name=name, slug=events.slug_of(name)) for name in TOPICS]
    db.session.add_all(tags)
    db.session.flush()
    rows = []
    for n in range(EVENTS):
        start = monday + timedelta(days=rng.randint(0, 13), hours=rng.randint(1, 11), minutes=rng.choice((0, 30)))
        end = start + timedelta(minutes=rng.choice((60, 90, 120)))
        group = rng.choice(groups) if rng.random() < 0.5 else None
        venue = rng.choice(VENUES)
        row = dict(uid=events.new_uid(), network_id=network.id, kind_id=rng.choice(kinds).id,
                   working_group_id=group.id if group else None, title=f"{rng.choice(TITLES)} {n}", description="",
                   timezone=TZ, venue_name=venue[0], venue_address=venue[1], venue_room=venue[2], languages="de",
                   visibility="public", status=rng.choice(["published"] * 19 + ["cancelled"]),
                   starts_at=start, ends_at=end, last_ends_at=end, all_day=False, repeat=None, repeat_interval=1,
                   created_at=monday - timedelta(days=rng.randint(1, 30)))
        row["updated_at"] = row["created_at"]
        rows.append(row)
    ids = db.session.scalars(insert(Event).returning(Event.id, sort_by_parameter_order=True), rows).all()
    occurrences.rebuild(db.session.connection(), ids)
    db.session.execute(insert(event_tags), [{"event_id": event_id, "tag_id": tag.id}
                                            for event_id in ids for tag in rng.sample(tags, rng.randint(0, 2))])
    languages, weights = zip(*LANGUAGES)
    long_ago = monday - timedelta(days=90)
    for n in range(SUBSCRIBERS):
        roll = rng.random()
        chosen = dict(group_ids=[], kind_ids=[], tag_ids=[])
        if 0.55 <= roll < 0.75:
            chosen["group_ids"] = [rng.choice(groups).id]
        elif 0.75 <= roll < 0.85:
            chosen["kind_ids"] = sorted({rng.choice(kinds).id for _ in range(2)})
        elif 0.85 <= roll < 0.95:
            chosen["tag_ids"] = sorted({rng.choice(tags).id for _ in range(rng.randint(1, 3))})
        elif roll >= 0.95:
            chosen.update(group_ids=[rng.choice(groups).id], tag_ids=[rng.choice(tags).id])
        digest.add_subscriber(network, f"reader{n}@example.org", rng.choices(languages, weights)[0],
                              wants_newsletter=rng.random() < 0.4, created_at=long_ago, confirmed_at=long_ago,
                              **chosen)
    db.session.commit()
    return network.id


class Statements:
    """The SQL statements of one call, by their first word."""

    def __init__(self, engine):
        self.engine = engine

    def of(self, fn) -> Counter:
        seen: Counter = Counter()

        def record(conn, cursor, statement, *args):
            seen[statement.lstrip().split(None, 1)[0].upper()] += 1

        sa_event.listen(self.engine, "before_cursor_execute", record)
        try:
            fn()
        finally:
            sa_event.remove(self.engine, "before_cursor_execute", record)
        return seen


def run(repeat: int) -> None:
    rng = random.Random(18)
    with bench_app() as app:
        started = time.perf_counter()
        with app.app_context():
            today = recurrence.to_local(utcnow(), TZ).date()
            next_monday = today + timedelta(days=7 - today.weekday())
            monday = recurrence.to_utc(datetime.combine(next_monday, clock(8)), TZ)
            network_id = fill(rng, monday)
            engine = db.engine
        print(f"weekly digest: {EVENTS} public dates in two weeks, {SUBSCRIBERS:,} subscribers; filled in "
              f"{time.perf_counter() - started:.1f} s; {engine.dialect.name}")
        statements = Statements(engine)

        def plan():
            with app.app_context():
                digest.plan(db.session.get(Network, network_id), monday, "")
                db.session.remove()

        def send():
            with app.app_context():
                queued = digest.send_due_digests(monday)
                assert queued > 0.9 * SUBSCRIBERS, queued
                db.session.remove()

        def forget_the_week():
            with app.app_context():
                db.session.execute(delete(OutboxMail))
                db.session.execute(delete(Digest))
                db.session.commit()

        with app.app_context():
            built = digest.plan(db.session.get(Network, network_id), monday, "")
            print(f"  {built.recipients:,} recipients of {len(built.entries)} dates; {len(built.parts)} mails rendered "
                  f"(one per language and filter set), {SUBSCRIBERS - built.recipients} left out (nothing matched)")
        seen = statements.of(plan)
        measure(f"plan  (build, group) [{sum(seen.values())} queries]", plan, repeat)
        seen = statements.of(send)
        reads = sum(count for word, count in seen.items() if word != "INSERT")
        times = []
        for _ in range(max(1, repeat // 2)):
            forget_the_week()  # not timed: each run sends the same week again
            started = time.perf_counter()
            send()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        with app.app_context():
            size = db.session.scalar(select(func.avg(func.length(OutboxMail.body) + func.length(OutboxMail.html))))
        print(f"  {'send  (claim, build, render, queue, commit)':<46} median {statistics.median(times):7.2f} ms   "
              f"max {times[-1]:7.2f} ms   (n={len(times)})  [{reads} reads, {seen['INSERT']} inserts]; "
              f"a mail {size / 1000:.0f} kB (text and HTML)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=PG_ADMIN, metavar="URL",
                        help="a PostgreSQL server's URL (its maintenance database) to make a throwaway database on")
    parser.add_argument("--repeat", type=int, default=2 if QUICK else 6, metavar="N",
                        help="runs timed for the plan; half as many for the send (default: %(default)s)")
    args = parser.parse_args()
    if args.postgres is None:
        os.environ.pop("BENCH_DATABASE_URL", None)
        run(args.repeat)
        return 0
    with throwaway_postgres(args.postgres, "tp_bench_digest") as url:
        if url is not None:
            os.environ["BENCH_DATABASE_URL"] = url
            run(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
