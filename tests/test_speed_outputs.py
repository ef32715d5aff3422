"""Caches must never change an answer (issue 15): every public page and feed of the demo is the
same built cold, served from this process's caches, and from the shared store alone (as a
fresh worker would); and a feed patched together after an edit equals one built from nothing."""
import time_machine

from app.core.cache import store
from app.core.extensions import db
from app.core.types import utcnow
from tests.demo_snapshot import load_demo
from app.events import service
from app.directory.models import Network
from app.events.models import Event
from tests.demo_crawl import NOW, crawl, public_urls


def test_warm_and_cold_caches_give_the_same_pages_and_feeds(app):
    with time_machine.travel(NOW, tick=False):
        load_demo()
        db.session.commit()
        urls = public_urls()
        db.session.commit()
        client = app.test_client()
        store().clear()
        cold = crawl(client, urls, languages=("de",))
        warm = crawl(client, urls, languages=("de",))
        store().forget_local()
        shared = crawl(client, urls, languages=("de",))
    assert sum(1 for name in cold if ".ics" not in name and "feed" in name) > 20
    assert [name for name in cold if cold[name] != warm[name]] == []
    assert [name for name in cold if cold[name] != shared[name]] == []


def test_a_feed_after_an_edit_equals_one_built_from_nothing(app):
    with time_machine.travel(NOW, tick=False):
        load_demo()
        db.session.commit()
        client = app.test_client()
        url = "/feeds/n/magdeburg.ics"
        client.get(url)
        in_feed = db.select(Event).join(Network).where(
            Network.slug == "magdeburg", Event.visibility == "public", Event.status == "published",
            Event.last_ends_at > utcnow()).order_by(Event.id)
        series = db.session.scalar(in_feed.where(Event.repeat.is_not(None)))
        service.change_occurrence(series, service.series_dates(series, utcnow(), 3)[2].original_start,
                                  "cancelled", reason="Ferien")
        single = db.session.scalar(in_feed.where(Event.repeat.is_(None)))
        service.save(single, venue_room="Raum 3")
        service.set_tags(single, ["Neu"])
        db.session.commit()
        patched = client.get(url)
        store().clear()
        rebuilt = client.get(url)
    assert patched.headers["ETag"] == rebuilt.headers["ETag"]
    assert patched.data == rebuilt.data
    unfolded = patched.data.replace(b"\r\n ", b"")
    assert b"Raum 3" in unfolded and b"Ferien" in unfolded
