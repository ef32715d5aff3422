"""Calendar feeds: ETag and Last-Modified cover what a feed holds and what it prints.

When an event leaves a feed (its person unregisters, it becomes members-only, it is deleted)
or a name the feed prints changes (the organization's name or address, the contact's address,
the network's or group's name in the feed's title, a kind in CATEGORIES), every client sees
it: one that revalidates by ETag, one that sends only the Last-Modified it got before, and a
plain GET (the caches of whole feeds and of pieces must not hand out the old bytes)."""
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from werkzeug.http import http_date, parse_date

from app.core.cache import store
from app.core.extensions import db
from app.core.types import utcnow
from app.directory import service as directory
from app.events import service
from app.feeds import service as feeds
from app.registrations import service as registrations
from app.registrations.models import Registration
from tests.factories import local
from tests.test_feeds import _register, add, fresh_cache, network  # noqa: F401  (fixtures)


@pytest.fixture
def tick(monkeypatch):
    """Moves the feeds' clock on by a minute: Last-Modified has whole seconds, and a test
    changes things faster than that."""
    now = [utcnow().replace(microsecond=0)]
    monkeypatch.setattr(feeds, "utcnow", lambda: now[0])

    def forward():
        now[0] += timedelta(minutes=1)

    return forward


def vevents(data: bytes) -> dict:
    return {str(c["SUMMARY"]): c for c in Calendar.from_ical(data).walk("VEVENT")}


def revalidate(client, url: str, change, tick) -> tuple[bytes, bytes]:
    """The feed before and after `change`, checked the way calendar clients ask for it."""
    before = client.get(url)
    assert before.status_code == 200
    etag, modified = before.headers["ETag"], before.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    tick()
    change()
    db.session.commit()
    by_etag = client.get(url, headers={"If-None-Match": etag})
    by_date = client.get(url, headers={"If-Modified-Since": modified})
    plain = client.get(url)
    for response in (by_etag, by_date, plain):
        assert response.status_code == 200
        assert response.data == plain.data != before.data
        assert response.headers["ETag"] == plain.headers["ETag"] != etag
        assert parse_date(response.headers["Last-Modified"]) > parse_date(modified)
    # The new validators answer 304 again.
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": plain.headers["Last-Modified"]}).status_code == 304
    return before.data, plain.data


def meeting(network, title="Sprachcafé", **fields):
    return add(network, title, local(2027, 6, 1, 10), local(2027, 6, 1, 12), **fields)


# --- Events that leave a feed -------------------------------------------------------------

def test_unregistering_takes_the_event_out_of_the_personal_feed(client, network, tick):
    event, other = meeting(network), meeting(network, "Stammtisch")
    _register(event, "ana@example.org")
    _register(other, "ana@example.org")
    url = f"/feeds/me/{feeds.token_of(feeds.rotate('person', email='ana@example.org'))}.ics"
    db.session.commit()

    def unregister():
        registrations.cancel(db.session.scalar(select(Registration).where(Registration.event_id == event.id)),
                             notify=False)

    before, after = revalidate(client, url, unregister, tick)
    assert set(vevents(before)) == {"Sprachcafé", "Stammtisch"} and set(vevents(after)) == {"Stammtisch"}


def test_an_event_made_members_only_leaves_the_public_feeds(client, network, tick):
    event = meeting(network)
    meeting(network, "Stammtisch")
    db.session.commit()
    _before, after = revalidate(client, "/feeds/n/magdeburg.ics",
                                lambda: service.save(event, visibility="members"), tick)
    assert set(vevents(after)) == {"Stammtisch"}


def test_a_deleted_event_leaves_the_feed(client, network, tick):
    event = meeting(network)
    meeting(network, "Stammtisch")
    db.session.commit()
    _before, after = revalidate(client, "/feeds/n/magdeburg.ics", lambda: db.session.delete(event), tick)
    assert set(vevents(after)) == {"Stammtisch"}


# --- Names the feed prints ----------------------------------------------------------------

@pytest.fixture
def organization(network, make):
    return make.organization(network, "VHS", email="info@vhs.example.org")


def organizer(data: bytes):
    found = vevents(data)["Sprachcafé"]["ORGANIZER"]
    return str(found), str(found.params["CN"])


def test_renaming_the_organization_reaches_organizer(client, network, organization, tick):
    meeting(network, organization_id=organization.id)
    db.session.commit()
    before, after = revalidate(client, "/feeds/n/magdeburg.ics",
                               lambda: directory.update_organization(organization, "Volkshochschule"), tick)
    assert organizer(before) == ("mailto:info@vhs.example.org", "VHS")
    assert organizer(after) == ("mailto:info@vhs.example.org", "Volkshochschule")


def test_a_new_address_of_the_organization_reaches_organizer(client, network, organization, tick):
    meeting(network, organization_id=organization.id)
    db.session.commit()
    _before, after = revalidate(client, "/feeds/n/magdeburg.ics",
                                lambda: directory.update_organization(organization, "VHS", email="kurse@vhs.example.org"),
                                tick)
    assert organizer(after) == ("mailto:kurse@vhs.example.org", "VHS")


def test_a_new_address_of_the_contact_reaches_organizer(client, network, organization, tick):
    contact = directory.save_person(organization, None, name="Ana Beispiel", email="ana@vhs.example.org")
    db.session.flush()
    meeting(network, organization_id=organization.id, contact_person_id=contact.id)
    db.session.commit()
    _before, after = revalidate(client, "/feeds/n/magdeburg.ics",
                                lambda: directory.save_person(organization, contact, email="ana.b@vhs.example.org"),
                                tick)
    assert organizer(after) == ("mailto:ana.b@vhs.example.org", "VHS")


def calendar_name(data: bytes) -> tuple[str, str]:
    calendar = Calendar.from_ical(data)
    return str(calendar["X-WR-CALNAME"]), str(calendar["NAME"])


def test_renaming_the_network_reaches_its_feeds(client, network, tick):
    meeting(network)
    db.session.commit()

    def rename():
        network.name = "Netzwerk Halle"

    _before, after = revalidate(client, "/feeds/n/magdeburg.ics", rename, tick)
    assert calendar_name(after) == ("Netzwerk Halle", "Netzwerk Halle")


def test_renaming_the_network_reaches_an_empty_feed(client, network, tick):
    db.session.commit()

    def rename():
        network.name = "Netzwerk Halle"

    _before, after = revalidate(client, "/feeds/n/magdeburg.ics", rename, tick)
    assert calendar_name(after) == ("Netzwerk Halle", "Netzwerk Halle")


def test_renaming_the_group_reaches_its_feeds(client, network, make, tick):
    group = make.group(network, "Sprache")
    meeting(network, working_group_id=group.id)
    feeds.rotate("group", group)
    db.session.commit()
    urls = [f"/feeds/n/magdeburg/groups/{group.id}.ics", f"/feeds/events.ics?network=magdeburg&group={group.id}",
            f"/feeds/private/{feeds.token_of(feeds.secret_of('group', group))}.ics"]

    def rename():
        directory.save_group(network, group, "Sprache und Arbeit", group.kind, None)

    for url in urls:
        _before, after = revalidate(client, url, rename, tick)
        assert "Netzwerk Magdeburg – Sprache und Arbeit" in calendar_name(after)[0]
        group.name = "Sprache"
        db.session.commit()


def test_renaming_a_kind_reaches_categories(client, network, tick):
    kind = service.add_kind(network, "Stammtisch")
    db.session.flush()
    meeting(network, kind_id=kind.id)
    db.session.commit()
    _before, after = revalidate(client, "/feeds/n/magdeburg.ics", lambda: service.rename_kind(kind, "Kneipenabend"),
                                tick)
    assert "Kneipenabend" in vevents(after)["Sprachcafé"]["CATEGORIES"].to_ical().decode()


def test_if_modified_since_counts_only_for_the_date_given_out(client, network, tick):
    """The date an ETag was first served is kept in the shared store (service.fingerprint), so
    every worker and a restarted one give the same; another date may stand for other content,
    so it gets the feed; should the store forget, the feed is dated afresh, later."""
    meeting(network)
    db.session.commit()
    url = "/feeds/n/magdeburg.ics"
    first = client.get(url)
    modified = first.headers["Last-Modified"]
    tick()
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    later = http_date(parse_date(modified) + timedelta(seconds=30))
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 200
    store().forget_local()  # as after a restart
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    store().clear()  # the store forgot
    again = client.get(url, headers={"If-Modified-Since": modified})
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert parse_date(again.headers["Last-Modified"]) > parse_date(modified)
