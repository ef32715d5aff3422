"""Every feed of the demo, checked with tools/ics-check --feed --strict (issue 13): each network,
group, kind, tag and organization feed, the public list's feed, the programme's, a personal and
a private group feed, and every event's own feed, one of them titled with , ; \\ and a line
break. The lint runs on all of them; the four parsers compare the ones that hold the others'
events."""
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from tests.demo_snapshot import load_demo
from app.directory.models import Network, Organization, WorkingGroup
from app.events import service as events
from app.events.models import Event, EventKind, Tag
from app.feeds import service as feeds
from app.programmes.models import Campaign
from app.registrations.models import Registration
from tests.mails import HAVE_ICS_CHECK, ICS_CHECK

pytestmark = pytest.mark.skipif(not HAVE_ICS_CHECK, reason="ics-check needs Node.js and shared/tools/ics-check")


def _check(path, lint_only: bool) -> dict:
    command = [str(ICS_CHECK), str(path), "--feed", "--strict", "--json", "-"]
    result = subprocess.run(command + (["--lint-only"] if lint_only else []), capture_output=True, text=True,
                            timeout=600)
    return json.loads(result.stdout)


def _feeds() -> dict[str, str]:
    """Every feed address of the demo, by a readable name."""
    urls = {"public list": "/feeds/events.ics"}
    for network in db.session.scalars(select(Network)):
        urls[f"network {network.slug}"] = f"/feeds/n/{network.slug}.ics"
        for group in db.session.scalars(select(WorkingGroup).where(WorkingGroup.network_id == network.id)):
            urls[f"group {group.name}"] = f"/feeds/n/{network.slug}/groups/{group.id}.ics"
            urls[f"private group {group.name}"] = f"/feeds/private/{feeds.token_of(feeds.rotate('group', group))}.ics"
        for kind in db.session.scalars(select(EventKind).where(EventKind.network_id == network.id)):
            urls[f"kind {network.slug} {kind.id}"] = f"/feeds/n/{network.slug}/kinds/{kind.id}.ics"
        for tag in db.session.scalars(select(Tag).where(Tag.network_id == network.id)):
            urls[f"tag {network.slug} {tag.slug}"] = f"/feeds/n/{network.slug}/tags/{tag.slug}.ics"
        organizers = db.session.scalars(select(Organization.id).join(Event, Event.organization_id == Organization.id)
                                        .where(Event.network_id == network.id).distinct())
        for organization_id in organizers:
            urls[f"organization {network.slug} {organization_id}"] = \
                f"/feeds/n/{network.slug}/organizations/{organization_id}.ics"
    for campaign in db.session.scalars(select(Campaign)):
        urls[f"programme {campaign.slug}"] = f"/feeds/programmes/{campaign.slug}.ics"
    email = db.session.scalar(select(Registration.email).order_by(Registration.id))
    urls["personal"] = f"/feeds/me/{feeds.token_of(feeds.rotate('person', email=email))}.ics"
    for event_id in db.session.scalars(select(Event.id)):
        urls[f"event {event_id}"] = f"/events/{event_id}.ics"
    return urls


def test_every_feed_of_the_demo_passes_ics_check(app, client, tmp_path):
    load_demo()
    tricky = db.session.scalar(select(Event).where(Event.status == "published", Event.visibility == "public"))
    start = tricky.starts_at
    events.save(tricky, title="Café, Sprache; Arbeit \\ neu\nmit Zeilenumbruch", starts_at=start,
                ends_at=start + timedelta(hours=2))
    urls = _feeds()
    db.session.commit()
    files = {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code == 404 and name.startswith("event "):
            continue  # drafts and members-only events have no public feed
        assert response.status_code == 200, (name, url, response.status_code)
        files[name] = tmp_path / f"{len(files)}.ics"
        files[name].write_bytes(response.data)
    assert len(files) > 90 and "event %d" % tricky.id in files
    # The parsers compare the feeds that hold the others' events (each event, group, kind, tag and
    # organization feed is a subset of its network's, built from the same cached pieces).
    compare = {name for name in files if name.startswith(("public list", "network ", "programme ", "personal"))}
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = dict(zip(files, pool.map(lambda name: _check(files[name], name not in compare), files)))
    failed = {name: (report["reasons"], [f for f in report["lint"] if f["severity"] != "info"])
              for name, report in reports.items() if not report["ok"]}
    assert failed == {}
    assert all(reports[name]["agree"] for name in compare)
