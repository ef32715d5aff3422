"""Every page and feed of the demo, by a readable name, for comparing outputs: before and after a
change that must not change them (run this module on both commits and diff the directories),
and warm caches against cold ones (tests/test_speed_outputs.py).

Random parts (UIDs, tokens, CSRF values, CSP nonces) are replaced by placeholders, so two runs
at the same frozen instant give the same text.

    .venv/bin/python -m tests.demo_crawl /tmp/snap       # at 2026-12-02 10:00 UTC
"""
import re
import sys
from pathlib import Path

from sqlalchemy import select

LANGUAGES = ("de", "en", "ar")
ORGANIZER = "koordination@magdeburg.example"
NOW = "2026-12-02T10:00:00+00:00"
_RANDOM = [
    (re.compile(rb"[0-9a-f]{32}@[A-Za-z0-9.-]+"), b"UID"),
    (re.compile(rb"I[A-Za-z0-9_-]{30,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27}"), b"CSRF"),
    (re.compile(rb'nonce="[^"]*"'), b'nonce="NONCE"'),
    (re.compile(rb"/(r|i|s|a|feeds/me|feeds/private|submit|checkin)/[A-Za-z0-9_-]{20,}"), rb"/\1/TOKEN"),
]


def normalized(body: bytes) -> bytes:
    for pattern, replacement in _RANDOM:
        body = pattern.sub(replacement, body)
    return body


def public_urls() -> dict[str, str]:
    """Pages and feeds anyone may read, by name."""
    from app.core.extensions import db
    from app.directory.models import Network, Organization, WorkingGroup
    from app.events import recurrence
    from app.events.models import Event, EventKind, Tag
    from app.feeds import service as feeds
    from app.programmes.models import Campaign
    from app.registrations.models import Registration

    urls = {"home": "/", "list": "/events", "archive": "/events/archive", "list feed": "/feeds/events.ics",
            "archive page 2": "/events/archive?page=2"}
    for network in db.session.scalars(select(Network).order_by(Network.id)):
        urls[f"list {network.slug}"] = f"/events?network={network.slug}"
        urls[f"network feed {network.slug}"] = f"/feeds/n/{network.slug}.ics"
        for group in db.session.scalars(select(WorkingGroup).where(WorkingGroup.network_id == network.id)
                                        .order_by(WorkingGroup.id)):
            urls[f"list group {group.id}"] = f"/events?network={network.slug}&group={group.id}"
            urls[f"group feed {group.id}"] = f"/feeds/n/{network.slug}/groups/{group.id}.ics"
            urls[f"private group feed {group.id}"] = \
                f"/feeds/private/{feeds.token_of(feeds.secret_of('group', group) or feeds.rotate('group', group))}.ics"
        for kind in db.session.scalars(select(EventKind).where(EventKind.network_id == network.id)
                                       .order_by(EventKind.id)):
            urls[f"list kind {kind.id}"] = f"/events?kind={kind.id}"
            urls[f"kind feed {kind.id}"] = f"/feeds/n/{network.slug}/kinds/{kind.id}.ics"
        for tag in db.session.scalars(select(Tag).where(Tag.network_id == network.id).order_by(Tag.id)):
            urls[f"list tag {tag.id}"] = f"/events?tag={tag.slug}"
            urls[f"tag feed {tag.id}"] = f"/feeds/n/{network.slug}/tags/{tag.slug}.ics"
        organizers = db.session.scalars(select(Organization.id).join(Event, Event.organization_id == Organization.id)
                                        .where(Event.network_id == network.id).distinct().order_by(Organization.id))
        for organization_id in organizers:
            urls[f"organization feed {organization_id}"] = \
                f"/feeds/n/{network.slug}/organizations/{organization_id}.ics"
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        urls[f"programme {campaign.id}"] = f"/programmes/{campaign.slug}"
        urls[f"programme embed {campaign.id}"] = f"/programmes/{campaign.slug}/embed"
        urls[f"programme feed {campaign.id}"] = f"/feeds/programmes/{campaign.slug}.ics"
    email = db.session.scalar(select(Registration.email).order_by(Registration.id))
    if email:
        secret = feeds.secret_of("person", email=email) or feeds.rotate("person", email=email)
        urls["personal feed"] = f"/feeds/me/{feeds.token_of(secret)}.ics"
    urls["list, languages"] = "/events?spoken=ar"
    urls["list, dates"] = "/events?from=2027-01-01&to=2027-03-31"
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        urls[f"event {event.id}"] = f"/events/{event.id}"
        urls[f"event feed {event.id}"] = f"/events/{event.id}.ics"
        urls[f"event print {event.id}"] = f"/events/{event.id}/print"
        if event.is_series:
            for n, found in enumerate(recurrence.expand(event, event.changes, event.starts_at, event.last_ends_at)[:8]):
                urls[f"event {event.id} date {n}"] = f"/events/{event.id}?at={found.key}"
    db.session.commit()  # the feed secrets made above
    return urls


def organizer_urls() -> dict[str, str]:
    from app.core.extensions import db
    from app.events.models import Event

    urls = {}
    for view in ("month", "week", "agenda"):
        for day in ("2026-11-15", "2026-12-02", "2027-01-10", "2027-03-28", "2027-10-31"):
            urls[f"calendar {view} {day}"] = f"/n/magdeburg/calendar?view={view}&day={day}"
    for event in db.session.scalars(select(Event).where(Event.network_id == 1).order_by(Event.id)):
        urls[f"manage {event.id}"] = f"/events/{event.id}/manage"
        urls[f"registrations {event.id}"] = f"/events/{event.id}/registrations"
    return urls


def crawl(client, urls: dict[str, str], languages=LANGUAGES) -> dict[str, bytes]:
    """name -> normalized body (status first); pages in each language, feeds once."""
    found = {}
    for name, url in urls.items():
        for language in (("de",) if ".ics" in url else languages):
            separator = "&" if "?" in url else "?"
            response = client.get(f"{url}{separator}lang={language}" if language != "de" or "?" in url else url,
                                  headers={"Accept-Language": language})
            found[f"{name} [{language}]"] = f"{response.status_code}\n".encode() + normalized(response.data)
    return found


def main(out: str) -> None:
    import time_machine

    from app.demo import DEMO_PASSWORD, load_demo
    from tests.conftest import make_app

    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(NOW, tick=False):
        app = make_app(f"sqlite:///{target / 'demo.db'}", BASE_URL="http://localhost")
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_demo()
            pages = public_urls()
            organizer = organizer_urls()
        client = app.test_client()
        found = crawl(client, pages)
        client.post("/login", data={"email": ORGANIZER, "password": DEMO_PASSWORD})
        found.update(crawl(client, organizer, languages=("de",)))
    for name, body in found.items():
        (target / (re.sub(r"[^\w.-]+", "_", name) + ".txt")).write_bytes(body)
    (target / "demo.db").unlink()
    print(f"{len(found)} answers written to {target}")


if __name__ == "__main__":
    main(sys.argv[1])
