"""Capacity holds under concurrency: 30 people register at the same moment for 10 places,
each in its own thread, app context, database session and connection. Exactly 10 get a
place, the other 20 are on the waiting list in a gap-free order, nobody gets an error.

Needs PostgreSQL (several connections really running at once, row locks): set
TEST_DATABASE_URL=postgresql+psycopg://…  On SQLite it is skipped; SQLite serializes writers
anyway (see service.lock_event), which test_registrations covers with a smaller run."""
import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.events.models import Event
from app.registrations import service
from app.registrations.models import Registration
from tests.concurrency import at_once, needs_postgres
from tests.test_registrations import frozen_now, make_event, network  # noqa: F401  (fixtures)

pytestmark = [
    needs_postgres,
    # One connection per thread, so that all 30 really run at once.
    pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0, "pool_pre_ping": True}),
]

PEOPLE, PLACES = 30, 10


def register_at_once(app, event_id: int, people: int) -> list:
    """Every thread loads the event, waits at the barrier, then registers; the outcomes or errors."""
    def register(index, event):
        _registration, _token, outcome = service.register(
            event, event.starts_at, f"Person {index}", f"person{index}@example.org", None, "", {})
        return outcome

    return at_once(app, people, register, prepare=lambda _index: db.session.get(Event, event_id))


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

    # The first five threads cancel an early registration, the other ten register.
    def prepare(index):
        return db.session.get(Registration, early_ids[index]) if index < 5 else db.session.get(Event, event_id)

    def act(index, row):
        if index < 5:
            return service.cancel(row)
        return service.register(row, starts_at, f"Late {index}", f"late{index}@example.org", None, "", {})

    results = at_once(app, 15, act, prepare=prepare)
    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = service.counts(db.session.get(Event, event_id), starts_at)
    # 15 + 10 registered, 5 cancelled: the 10 places are all taken, the other 10 wait.
    assert numbers == {"confirmed": PLACES, "waiting": 10, "pending": 0, "cancelled": 5}
