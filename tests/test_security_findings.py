"""What probing the landed app found (issue 12), one test per finding, each written to fail
before its fix: a registration's redirect handing out the manage link (and with it the
person's calendar across networks), the dev mailbox showing every mail to every organizer,
sessions that outlive logout, 500s from far-future dates and huge ids, and secret-link pages
that search engines may index."""
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.types import utcnow
from app.events import service as events
from app.events.models import Event
from app.feeds import service as feeds
from app.mail.models import OutboxMail
from app.registrations import service as registrations
from app.registrations.models import RegistrationSettings

EN = {"Accept-Language": "en"}
# Anything that looks like a secret link: manage, invitation, personal feed.
SECRET_LINK = re.compile(r"/(?:r|i)/[A-Za-z0-9_\-]{20,}|/feeds/me/")


def public_event(network, title="Sprachcafé", days=20, visibility="public", **fields):
    kind = next(k for k in events.kinds(network) if k.code == "training")
    event = Event(network_id=network.id, kind_id=kind.id, title=title, status="published",
                  visibility=visibility, timezone="Europe/Berlin", languages="de")
    start = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    events.save(event, starts_at=start, ends_at=start + timedelta(hours=2), **fields)
    db.session.flush()
    db.session.add(RegistrationSettings(event_id=event.id))
    db.session.commit()
    return event


def follow(client, response, seen: list) -> None:
    """Collect every answer the browser gets after a POST, redirects included."""
    seen.append(response.headers.get("Location", "") + response.headers.get("HX-Redirect", ""))
    seen.append(response.get_data(as_text=True))
    target = response.headers.get("Location") or response.headers.get("HX-Redirect")
    if target:
        follow(client, client.get(target, headers=EN), seen)


# --- 1. Proof of mailbox ------------------------------------------------------------------

def test_registering_with_someone_elses_address_opens_nothing_of_theirs(client, make):
    """Ana is registered for an invited-only meeting of another network and subscribes to her
    personal feed. Someone registers for a public event with her address: no answer to that
    browser holds a manage link or a feed address, and Ana's subscription keeps working."""
    magdeburg, stendal = make.network("magdeburg"), make.network("stendal")
    private = public_event(stendal, "Arbeitstisch (nur Eingeladene)", visibility="invited")
    registrations.register(private, private.starts_at, "Ana", "ana@example.org", None, "", {})
    secret = feeds.rotate("person", email="ana@example.org")
    owners_feed = f"/feeds/me/{feeds.token_of(secret)}.ics"
    cafe = public_event(magdeburg)
    db.session.commit()
    assert b"Arbeitstisch" in client.get(owners_feed).data

    seen: list = []
    response = client.post(f"/events/{cafe.id}/register", headers=EN,
                           data={"name": "Mallory", "email": "ana@example.org", "organization_id": "0"})
    follow(client, response, seen)
    assert "You are registered" in seen[-1]  # the confirmation page shows what was just made
    confirmation = response.headers["Location"]
    assert client.application.test_client().get(confirmation).status_code == 404  # only in that browser
    leaked = [m.group(0) for text in seen for m in SECRET_LINK.finditer(text)]
    assert leaked == [], leaked
    assert b"Arbeitstisch" in client.get(owners_feed).data


def test_the_checkin_code_is_not_the_manage_link(client, make):
    """The QR code an organizer scans at the door must not hand the organizer the participant's
    manage link (and so the person's calendar across networks)."""
    from app.registrations.attendance import checkin_code

    network = make.network("magdeburg")
    make.user("coord@example.org", coordinates=[network])
    event = public_event(network)
    registration, token, _outcome = registrations.register(event, event.starts_at, "Ana", "ana@example.org",
                                                           None, "", {})
    db.session.commit()
    code = checkin_code(registration)
    assert token not in code and registrations.proven_mailbox(code) is None
    make.login(client, "coord@example.org")
    assert "Ana" in client.get(f"/events/{event.id}/checkin/{code}").get_data(as_text=True)
    assert client.get(f"/events/{event.id}/checkin/{token}").status_code == 404
    assert client.get(f"/events/{event.id}/checkin/{registration.id}.{'A' * 43}").status_code == 404


# --- 2. The dev mailbox -------------------------------------------------------------------

@pytest.fixture
def two_networks_mail(app, make):
    """A reset mail for the administrator, and one registration mail in each of two networks."""
    magdeburg, stendal = make.network("magdeburg"), make.network("stendal")
    group = make.group(magdeburg, "Sprache")
    people = {
        "admin": make.user("admin@example.org", admin=True),
        "coordinator": make.user("coord@example.org", coordinates=[magdeburg]),
        "other": make.user("other@example.org", coordinates=[stendal]),
        "lead": make.user("lead@example.org", leads=[group]),
    }
    for network in (magdeburg, stendal):
        event = public_event(network, f"Treffen {network.slug}")
        registrations.register(event, event.starts_at, "Ana", f"ana.{network.slug}@example.org", None, "", {})
    db.session.commit()
    return people


def _mail_to(address: str) -> OutboxMail:
    return db.session.scalar(select(OutboxMail).where(OutboxMail.recipient == address))


def test_only_administrators_read_account_mails(client, make, two_networks_mail):
    client.post("/password/forgot", data={"email": "admin@example.org"})
    reset = _mail_to("admin@example.org")
    assert reset is not None
    make.login(client, "coord@example.org")
    assert "admin@example.org" not in client.get("/dev/mailbox").get_data(as_text=True)
    assert client.get(f"/dev/mailbox/{reset.id}").status_code == 404
    client.post("/logout")
    make.login(client, "admin@example.org")
    assert client.get(f"/dev/mailbox/{reset.id}").status_code == 200


def test_coordinators_read_only_their_networks_mails(client, make, two_networks_mail):
    mine, theirs = _mail_to("ana.magdeburg@example.org"), _mail_to("ana.stendal@example.org")
    make.login(client, "coord@example.org")
    listing = client.get("/dev/mailbox").get_data(as_text=True)
    assert "ana.magdeburg@example.org" in listing and "ana.stendal@example.org" not in listing
    assert client.get(f"/dev/mailbox/{mine.id}").status_code == 200
    assert client.get(f"/dev/mailbox/{theirs.id}").status_code == 404
    assert client.get(f"/dev/mailbox/{theirs.id}/invite.ics").status_code == 404


def test_group_leads_get_no_mailbox(client, make, two_networks_mail):
    mine = _mail_to("ana.magdeburg@example.org")
    make.login(client, "lead@example.org")
    for url in ("/dev/mailbox", f"/dev/mailbox/{mine.id}", f"/dev/mailbox/{mine.id}/invite.ics"):
        assert client.get(url).status_code == 403, url


# --- 3. Sessions that end ---------------------------------------------------------------

def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _logged_in_with(app, name: str, value: str) -> bool:
    other = app.test_client()
    other.set_cookie(name, value)
    return other.get("/account").status_code == 200


def test_a_copied_session_cookie_dies_with_logout(app, client, make):
    make.user("coord@example.org")
    db.session.commit()
    make.login(client, "coord@example.org")
    copied = _cookie(client, "session")
    assert _logged_in_with(app, "session", copied)
    client.post("/logout")
    assert not _logged_in_with(app, "session", copied)


def test_a_copied_remember_cookie_dies_with_logout_and_lives_at_most_30_days(app, client, make):
    make.user("coord@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "coord@example.org", "password": make.PASSWORD,
                                           "remember": "y"})
    remember = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    assert expires <= datetime.now(timezone.utc) + timedelta(days=30, minutes=1)
    copied = _cookie(client, "remember_token")
    assert _logged_in_with(app, "remember_token", copied)
    client.post("/logout")
    assert not _logged_in_with(app, "remember_token", copied)


def test_a_password_reset_ends_every_session(app, client, make):
    from app.auth import service as accounts

    user = make.user("coord@example.org")
    db.session.commit()
    make.login(client, "coord@example.org")
    copied = _cookie(client, "session")
    token = accounts.create_reset_token(user)
    db.session.commit()
    app.test_client().post(f"/password/reset/{token}", data={"password": "a new long password",
                                                             "confirm": "a new long password"})
    assert client.get("/account").status_code == 302
    assert not _logged_in_with(app, "session", copied)


def test_log_out_on_all_devices(app, client, make):
    make.user("coord@example.org")
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    make.login(laptop, "coord@example.org")
    make.login(phone, "coord@example.org")
    page = laptop.get("/account", headers=EN).get_data(as_text=True)
    assert "Log out on all devices" in page
    laptop.post("/logout")
    assert phone.get("/account").status_code == 302


def test_logging_in_starts_a_new_session(app, client, make):
    """Whatever a visitor's session held before logging in (e.g. planted by someone else) is
    not carried into the logged-in session."""
    make.user("coord@example.org")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    make.login(client, "coord@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


# --- 4. and 5. No 500 from dates or ids out of range ---------------------------------------

@pytest.fixture
def series(app, make):
    network = make.network("magdeburg")
    event = public_event(network, "Ehrenamtscafé", repeat="weekly", repeat_count=10)
    return event


@pytest.mark.parametrize("at", ["99991231T235959Z", "00010101T000000Z", "18991231T230000Z"])
def test_far_away_dates_name_no_date(client, series, at):
    """A date outside 1900–2200 in a link is treated as any date that is not part of the
    series: the pages show the series with a note (as for a mangled link), registering 404."""
    for url in (f"/events/{series.id}?at={at}", f"/events/{series.id}/print?at={at}"):
        response = client.get(url, headers=EN)
        assert response.status_code == 200, url
        assert "The date in your link is not part of this series" in response.get_data(as_text=True)
    assert client.get(f"/events/{series.id}/register?at={at}").status_code == 404


def test_huge_ids_are_not_found(client, make):
    admin = make.user("admin@example.org", admin=True)
    db.session.commit()
    huge = 10 ** 20
    assert client.get(f"/events/{huge}").status_code == 404
    assert client.get(f"/events/{2 ** 63}.ics").status_code == 404
    make.login(client, admin.email)
    for url in (f"/events/{huge}/manage", f"/dev/mailbox/{huge}", f"/users/{huge}", f"/meetings/{2 ** 31}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/dev/mailbox?page={huge}").status_code == 200


# --- 6. Secret-link pages are private ------------------------------------------------------

def test_the_manage_page_is_private(client, make):
    network = make.network("magdeburg")
    event = public_event(network)
    _registration, token, _outcome = registrations.register(event, event.starts_at, "Ana", "ana@example.org",
                                                            None, "", {})
    db.session.commit()
    response = client.get(f"/r/{token}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"


# Path variables that carry no secret. A secret in a path is always named `token`: the app
# keeps every answer to such a route private (core.security.keep_secret_links_private).
# `digest`: a picture's content hash, public like the event page that shows it.
NOT_SECRET = {"slug", "tag", "fmt", "action", "step", "key", "digest"}
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def test_every_secret_link_answers_privately(app, client, make):
    """Walks the URL map: every route with a secret in its path answers, whatever the method
    and whether the token is good, with noindex and no-referrer; no other variable may hide one."""
    make.network("magdeburg")
    db.session.commit()
    secret_routes = []
    for rule in app.url_map.iter_rules():
        names = {name for converter, name in VARIABLE.findall(rule.rule) if converter != "int"}
        assert names <= NOT_SECRET | {"token", "filename"}, f"{rule.rule}: name a secret `token`"
        if "token" in names:
            secret_routes.append(rule)
    assert len(secret_routes) >= 10
    for rule in secret_routes:
        url = VARIABLE.sub(lambda m: "1" if m.group(1) == "int" else ("A" * 43 if m.group(2) == "token"
                                                                         else "magdeburg"), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code < 500, (method, url)
            assert response.headers.get("X-Robots-Tag") == "noindex", (method, url)
            assert response.headers.get("Referrer-Policy") == "no-referrer", (method, url)
