"""Small helpers that create rows through the same services the app uses."""
from datetime import timedelta

from app.auth import service as accounts
from app.core.extensions import db
from app.directory import service as directory

PASSWORD = "correct horse battery"


def user(email, password=PASSWORD, admin=False, coordinates=(), leads=()):
    account = accounts.create_user(email, email.split("@")[0].title(), password, is_admin=admin)
    account.coordinated_networks.extend(coordinates)
    account.led_groups.extend(leads)
    db.session.flush()
    return account


def network(slug="magdeburg", name=None):
    created = directory.create_network(name or slug.title(), slug)
    db.session.flush()
    return created


def organization(in_network, name="Volkshochschule Magdeburg", **fields):
    return directory.create_organization(in_network, name, **fields)


def group(in_network, name="Sprache", parent=None, kind="working_group"):
    created = directory.save_group(in_network, None, name, kind, parent.id if parent else None)
    db.session.flush()
    return created


def login(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


def local(y, m, d, hh=0, mm=0, tz="Europe/Berlin"):
    """A wall-clock time in Berlin as the UTC instant the app stores."""
    from datetime import datetime

    from app.events.recurrence import to_utc

    return to_utc(datetime(y, m, d, hh, mm), tz)


def meeting_event(network, group=None, title="AG Sprache", start=None, repeat=None, visibility="members"):
    """A published members-only working-group meeting (a monthly series of `repeat` dates)."""
    from app.events import service as events
    from app.events.models import Event

    kind = next(k for k in events.kinds(network) if k.code == "working_group_meeting")
    start = start or local(2026, 3, 10, 14)
    event = Event(network=network, network_id=network.id, working_group=group,
                  working_group_id=group.id if group else None, kind=kind, kind_id=kind.id, title=title,
                  starts_at=start, ends_at=start + timedelta(hours=2), status="published",
                  visibility=visibility, timezone="Europe/Berlin", repeat_interval=1, languages="de")
    fields = {}
    if repeat:
        fields = {"repeat": "monthly", "repeat_count": repeat}
    events.save(event, **fields)
    db.session.flush()
    return event


def event_form(kind, **overrides):
    """What the event form posts for a public café on 4 March 2027, 15:00–17:00 (`overrides` change fields)."""
    data = {
        "title": "Ehrenamtscafé", "kind_id": kind.id, "working_group_id": 0, "organization_id": 0,
        "contact_person_id": 0, "description": "Kaffee, Kuchen und Gespräche.",
        "start_date": "2027-03-04", "start_time": "15:00", "end_date": "", "end_time": "17:00",
        "repeat": "none", "repeat_until": "", "repeat_count": "",
        "venue_name": "Einewelthaus", "venue_address": "Schellingstraße 3-4, 39104 Magdeburg",
        "languages": ["de", "ar"], "visibility": "public", "tags": "Café, Ehrenamt",
    }
    data.update(overrides)
    return data
