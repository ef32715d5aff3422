"""Small helpers that create rows through the same services the app uses."""
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
