"""Capacity holds under concurrency: 30 people register at the same moment for 10 places,
each in its own thread, app context, database session and connection. Exactly 10 get a
place, the other 20 are on the waiting list in a gap-free order, nobody gets an error.

Needs PostgreSQL (several connections really running at once, row locks): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway (see service.lock_event), which test_registrations covers with a smaller run."""
import os
import threading

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.events.models import Event
from app.registrations import service
from app.registrations.models import Registration
from tests.test_registrations import frozen_now, make_event, network  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="the concurrency test needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…"),
    # One connection per thread, so that all 30 really run at once.
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0, "pool_pre_ping": True}),
]

PEOPLE, PLACES = 30, 10


def register_at_once(app, event_id: int, people: int) -> list:
    """Every thread waits at the barrier, then registers; returns the outcomes or errors."""
    barrier = threading.Barrier(people)
    results: list = [None] * people

    def one(index: int) -> None:
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                barrier.wait(timeout=30)
                _registration, _token, outcome = service.register(
                    event, event.starts_at, f"Person {index}", f"person{index}@example.org", None, "", {})
                db.session.commit()
                results[index] = outcome
            except Exception as error:  # noqa: BLE001 - the test reports every error
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_thirty_at_once_for_ten_places(app, network):  # noqa: F811
    event = make_event(network, capacity=PLACES)
    event_id, starts_at = event.id, event.starts_at
    db.session.commit()
    db.session.remove()  # the test's own connection holds nothing

    results = register_at_once(app, event_id, PEOPLE)

    errors = [r for r in results if not isinstance(r, str)]
    assert errors == []
    assert results.count("confirmed") == PLACES
    assert results.count("waiting") == PEOPLE - PLACES
    event = db.session.get(Event, event_id)
    assert service.counts(event, starts_at) == {"confirmed": PLACES, "waiting": PEOPLE - PLACES,
                                                "pending": 0, "cancelled": 0}
    waiting = db.session.scalars(select(Registration).where(Registration.status == "waiting")).all()
    assert sorted(service.waiting_list_position(r) for r in waiting) == list(range(1, PEOPLE - PLACES + 1))


def test_cancellations_and_registrations_at_once_never_overbook(app, network):  # noqa: F811
    """People cancel (and the waiting list moves up) while others register: still never more
    than the capacity confirmed."""
    event = make_event(network, capacity=PLACES)
    event_id, starts_at = event.id, event.starts_at
    for index in range(PLACES + 5):
        service.register(event, starts_at, f"Early {index}", f"early{index}@example.org", None, "", {})
    db.session.commit()
    early_ids = db.session.scalars(select(Registration.id).where(Registration.status == "confirmed")).all()[:5]
    db.session.remove()

    barrier = threading.Barrier(15)
    errors = []

    def cancel_one(registration_id: int) -> None:
        with app.app_context():
            try:
                registration = db.session.get(Registration, registration_id)
                barrier.wait(timeout=30)
                service.cancel(registration)
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    def register_one(index: int) -> None:
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                barrier.wait(timeout=30)
                service.register(event, starts_at, f"Late {index}", f"late{index}@example.org", None, "", {})
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cancel_one, args=(i,)) for i in early_ids]
    threads += [threading.Thread(target=register_one, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    numbers = service.counts(db.session.get(Event, event_id), starts_at)
    # 15 + 10 registered, 5 cancelled: the 10 places are all taken, the other 10 wait.
    assert numbers == {"confirmed": PLACES, "waiting": 10, "pending": 0, "cancelled": 5}
