"""Deny by default: every route outside an explicit public list refuses anonymous requests."""
import re

import pytest

# The only endpoints an anonymous visitor may use. Adding one here is a decision.
PUBLIC_ENDPOINTS = {
    "static",
    "core.index",
    "core.set_language",
    "core.health",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.reset_password",
    "events.upcoming",
    "events.archive",
    "events.show",
    "events.print_view",
    "events.qr",
    # Registration by link, without an account (issue 4): the form, the confirmation, the
    # manage and invitation links (their secret token is the access), "send my link again".
    "registrations.register",
    "registrations.confirmation",
    "registrations.manage",
    "registrations.invitation",
    "registrations.resend",
    # Calendar feeds (issue 5): public feeds, and private ones whose secret token is the access;
    # the personal feed's address is made from the manage page (its token is the access).
    "feeds.event",
    "feeds.events_feed",
    "feeds.network",
    "feeds.group",
    "feeds.kind",
    "feeds.tag",
    "feeds.organization",
    "feeds.group_private",
    "feeds.personal",
    "feeds.personal_link",
    # Minutes (issue 6): the read view, its PDF and the archive answer 404 / filter unless the
    # reader may see the minutes (tests/test_minutes_access.py); the "done" link of an action item
    # (its secret token is the access).
    "minutes.show",
    "minutes.pdf",
    "minutes.archive",
    "minutes.action_item",
    # The Intercultural Week (issue 7): the shared submission form (its random key is the
    # access), the submitter's status link (its secret token is the access), and the published
    # programme with its embed, booklet, partner logos and feed (unpublished ones answer 404).
    "programmes.submit",
    "programmes.status",
    "programmes.edit_entry",
    "programmes.withdraw",
    "programmes.programme",
    "programmes.embed",
    "programmes.booklet",
    "programmes.partner_logo",
    "feeds.programme",
}


def _concrete_url(rule) -> str:
    """Fill every URL variable with a plausible value: ints for int converters, else text."""
    def fill(match):
        converter = match.group(1) or ""
        return "1" if converter.startswith("int") else "magdeburg"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", fill, rule.rule)


def _routes(app):
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def test_public_list_names_real_endpoints(app):
    assert PUBLIC_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_other_route_refuses_anonymous_requests(app, client, make):
    # Data for the URLs to point at, so that a 404 cannot hide a missing check.
    network = make.network("magdeburg")
    organization = make.organization(network)
    make.group(network)
    from app.core.extensions import db
    from app.directory import service

    service.save_person(organization, None, name="Erika Muster", email="erika@example.org")
    make.user("someone@example.org")
    db.session.commit()

    routes = _routes(app)
    assert len(routes) > 20, "the app's routes were not found"
    for rule, method in routes:
        url = _concrete_url(rule)
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), f"{method} {url} answered {response.status_code}"
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), f"{method} {url}"


def test_htmx_requests_get_401_with_redirect_header(client, make):
    make.network("magdeburg")
    response = client.get("/n/magdeburg/organizations", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("url", ["/n/magdeburg", "/n/magdeburg/organizations", "/n/magdeburg/edit"])
def test_coordinator_of_another_network_is_refused(client, make, url):
    from app.core.extensions import db

    make.network("magdeburg")
    other = make.network("stendal")
    user = make.user("other@example.org", coordinates=[other])
    db.session.commit()
    make.login(client, user.email)
    assert client.get(url).status_code == 403


def test_group_lead_may_view_network_but_not_manage_it(client, make):
    from app.core.extensions import db

    network = make.network("magdeburg")
    group = make.group(network, "Sprache")
    other_group = make.group(network, "Arbeit und Ausbildung")
    lead = make.user("lead@example.org", leads=[group])
    db.session.commit()
    make.login(client, lead.email)
    assert client.get("/n/magdeburg").status_code == 200
    assert client.get("/n/magdeburg/edit").status_code == 403
    assert client.get(f"/n/magdeburg/groups/{group.id}/edit").status_code == 200
    assert client.get(f"/n/magdeburg/groups/{other_group.id}/edit").status_code == 403
    assert client.get("/n/magdeburg/organizations/new").status_code == 403
    assert client.get("/users").status_code == 403


def test_lead_of_a_group_manages_its_subgroups(client, make):
    from app.core.extensions import db

    network = make.network("magdeburg")
    group = make.group(network, "Sprache")
    sub = make.group(network, "Unter-AG Berufssprachkurse", parent=group)
    lead = make.user("lead@example.org", leads=[group])
    db.session.commit()
    make.login(client, lead.email)
    assert client.get(f"/n/magdeburg/groups/{sub.id}/edit").status_code == 200


def test_inactive_account_cannot_log_in(client, make):
    from app.core.extensions import db

    user = make.user("gone@example.org")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": make.PASSWORD})
    assert response.status_code == 200
    assert client.get("/networks").status_code == 302
