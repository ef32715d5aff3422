"""The feeds' shared cache (issue 15): the content version changes with everything a feed
shows and with nothing else, made-up parameters cannot fill the cache, and what one worker
built another serves, with the diskcache of one machine and with Redis."""
from datetime import timedelta

import pytest

from app.core.cache import LocalLRU, store
from app.core.extensions import db
from app.directory import service as directory
from app.events import service
from app.feeds import service as feeds, versions
from app.registrations import admin_service as admin, service as registrations
from tests.conftest import make_app
from tests.factories import local
from tests.test_feeds import add, fresh_cache, network  # noqa: F401  (fixtures)
from tests.test_shared_state import REDIS_URL, _redis_or_skip

URL = "/feeds/n/magdeburg.ics"


def _changes(write) -> bool:
    db.session.commit()
    before = versions.current()
    write()
    db.session.commit()
    return versions.current() != before


def test_the_version_changes_with_what_feeds_show_and_not_with_sign_ups(app, network):
    event = add(network, "Sprachcafé", local(2027, 3, 2, 15), local(2027, 3, 2, 17))
    db.session.commit()
    made = []
    assert _changes(lambda: made.append(directory.create_organization(network, "Caritas", city="Magdeburg")))
    organization = made[0]
    assert _changes(lambda: setattr(event, "venue_name", "Rathaus"))
    assert _changes(lambda: setattr(organization, "name", "Caritas Magdeburg"))
    assert _changes(lambda: setattr(network, "name", "Netzwerk Magdeburg-Mitte"))
    assert _changes(lambda: service.set_tags(event, ["Sprache"]))
    assert _changes(lambda: admin.save_settings(event, is_open=True))  # takes registrations now
    assert _changes(lambda: db.session.delete(event))
    assert not _changes(lambda: None)

    other = add(network, "Frauencafé", local(2027, 3, 3, 15), local(2027, 3, 3, 17))
    settings = admin.save_settings(other, is_open=True, capacity=20)
    db.session.commit()
    assert not _changes(lambda: setattr(settings, "capacity", 12))  # feeds do not print it
    assert not _changes(lambda: registrations.register(other, other.starts_at, "Amal", "amal@example.org", None,
                                                       "", {}, notify=False))


def test_made_up_parameters_share_one_cache_entry(app, client, network):
    add(network, "Sprachcafé", local(2027, 3, 2, 15), local(2027, 3, 2, 17))
    db.session.commit()
    first = client.get(URL)
    used = store().local.used
    answers = [client.get(f"{URL}?utm_source={n}&x={'y' * n}") for n in range(40)]
    assert {a.data for a in answers} == {first.data}
    assert store().local.used == used


def test_the_local_copies_are_bounded_by_bytes():
    lru = LocalLRU(1000)
    for n in range(50):
        lru.put(str(n), bytes(200))
    assert lru.used <= 1000 and len(lru.data) == 5
    lru.put("huge", bytes(600))  # over a quarter of the room: not kept
    assert lru.get("huge") is None and lru.get("49") is not None


@pytest.mark.parametrize("backend", ["disk", "redis"])
def test_what_one_worker_built_the_next_serves(app, client, network, database_url, tmp_path, backend):
    settings = {"CACHE_DIR": str(tmp_path)}
    if backend == "redis":
        _redis_or_skip()
        settings = {"REDIS_URL": REDIS_URL}
    for n in range(5):
        event = add(network, f"Reihe {n}", local(2027, 3, 2 + n, 15), local(2027, 3, 2 + n, 17),
                    repeat="weekly", repeat_count=20)
        service.change_occurrence(event, event.starts_at + timedelta(days=14), "cancelled")
    db.session.commit()

    first, second = make_app(database_url, **settings), make_app(database_url, **settings)
    with first.app_context():
        store().clear()
        built = feeds.built_pieces
        made = first.test_client().get(URL)
        assert feeds.built_pieces == built + 5
    with second.app_context():
        served = second.test_client().get(URL)
        assert feeds.built_pieces == built + 5  # nothing built again
        assert served.data == made.data
        assert served.headers["ETag"] == made.headers["ETag"]
        assert served.headers["Last-Modified"] == made.headers["Last-Modified"]
        store().clear()
