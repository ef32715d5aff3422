"""Deny by default: every route outside an explicit public list refuses anonymous requests."""
import re

import pytest

# The only endpoints an anonymous visitor may use. Adding one here is a decision.
PUBLIC_ENDPOINTS = {
    "static",
    "core.index",
    "core.set_language",
    "core.health",
    # Operations (issue 19): probes for load balancers and monitoring have no login. /metrics
    # answers 404 unless METRICS_ENABLED and the caller's address is in METRICS_ALLOWED.
    "operations.healthz",
    "operations.readyz",
    "operations.metrics",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.reset_password",
    "events.upcoming",
    "events.archive",
    "events.show",
    "events.print_view",
    "events.qr",
    # An event's picture (issue 16): only where its event page may be seen (tests/test_event_pictures.py).
    "events.picture",
    # Registration by link, without an account (issue 4): the form, the confirmation, the
    # manage and invitation links (their secret token is the access), "send my link again".
    "registrations.register",
    "registrations.confirmation",
    "registrations.manage",
    "registrations.cancel",
    "registrations.register_again",
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
    # Agenda proposals through a participant's manage or invitation link (its token is the access).
    "minutes.propose_by_registration",
    "minutes.propose_by_invitation",
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
    # The public search (issue 16): only public events have documents (app/search/index.py).
    "search.search",
    # The network's page (issue 16): its public page for everyone else, the organizers'
    # overview only for those who may see the network (tests/test_public_pages.py).
    "directory.network",
    # Date polls (issue 17): the personal link, the open link and the holds feed (their token
    # is the access; the open link only while the poll has it switched on).
    "polls.answer",
    "polls.open_answer",
    "polls.holds",
    # Announcements (issue 18): those showing now, their attachments and the Atom feed (the
    # others answer 404; tests/test_announcements.py).
    "announcements.news",
    "announcements.entry",
    "announcements.document",
    "announcements.picture",
    "announcements.feed",
    # The weekly digest (issue 18): subscribing, and the confirm, manage and unsubscribe links
    # (their secret token is the access); the archive of digests sent.
    "digest.subscribe",
    "digest.subscribed",
    "digest.confirm",
    "digest.manage",
    "digest.unsubscribe",
    "digest.archive",
    "digest.archived",
    # The newsletter (issue 18): published issues, their archive and PDF (drafts answer 404).
    "newsletters.archive",
    "newsletters.issue",
    "newsletters.issue_pdf",
}


def _concrete_url(rule) -> str:
    """Fill every URL variable with a plausible value: ints for int converters, else text."""
    def fill(match):
        converter, arguments = match.group(1) or "", match.group(2) or ""
        if converter == "any":  # one of the listed words
            return arguments.split(",")[0].strip(" '\"")
        return "1" if converter.startswith("int") else "magdeburg"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", fill, rule.rule)


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


@pytest.mark.parametrize("url", ["/n/magdeburg/organizations", "/n/magdeburg/edit"])
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


# --- Every organizer route against another network's and another group's objects ------------

OUTSIDERS = {
    "coordinator of another network": "integration@landkreis-stendal.example",
    "lead of another group": "ag-sprache@magdeburg.example",
}
# What any organizer may use whatever network they belong to (each filters to the user's own).
ANY_ORGANIZER = {"auth.account", "directory.networks", "events.preview"}
# The administrators' pages: accounts and their roles.
ADMIN_ONLY = {"directory.users", "directory.edit_user"}
# The dev mailbox: coordinators read their own networks' mails (tests/test_security_findings.py).
COORDINATORS_ONLY = {"mail.mailbox"}
# What a group lead may use in their own network beyond their groups (the lead of Sprache is
# in Magdeburg): read the network's directory (with its logo), groups and calendar, and open
# the event form, which offers only the lead's groups (saving for another is refused:
# tests/test_events_organizer.py::test_group_lead_manages_the_events_of_their_groups_only); the
# same for date polls: the list shows only their groups' polls, the form offers only their groups
# (tests/test_polls_organizer.py).
LEAD_IN_OWN_NETWORK = {"directory.network", "directory.logo", "directory.organizations",
                       "directory.organization", "directory.group", "events.calendar", "events.new_event",
                       "poll_admin.polls", "poll_admin.new_poll"}


@pytest.fixture
def demo_objects(app):
    """The demo, and for every URL variable an object of Magdeburg that neither outsider
    manages: network-level events and those of other working groups than Sprache."""
    from sqlalchemy import select

    from app.announcements.models import Announcement
    from app.auth.models import User
    from app.core.extensions import db
    from tests.demo_snapshot import load_demo
    from app.directory.models import Membership, Network, Organization, Person
    from app.events.models import Event, EventKind, Tag
    from app.mail import outbox
    from app.mail.models import OutboxMail
    from app.minutes.models import ActionItem, AgendaItem, Decision, Meeting
    from app.newsletters.models import Newsletter, NewsletterBlock
    from app.events import pictures
    from app.polls.models import Poll, PollOption, PollParticipant
    from app.programmes.models import Campaign, Category, Partner, Submission
    from app.registrations.attendance import checkin_code
    from app.registrations.models import Registration
    from tests.test_event_pictures import jpeg

    load_demo()
    magdeburg = db.session.scalar(select(Network).where(Network.slug == "magdeburg"))
    event = db.session.scalar(select(Event).where(Event.title.like("Bürgerdialog%")))
    series = db.session.scalar(select(Event).where(Event.title == "Arbeitsgruppe Arbeit und Ausbildung"))
    meeting = db.session.scalar(select(Meeting).where(Meeting.event_id == series.id))
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    organization = db.session.scalar(select(Organization).join(Membership).where(
        Membership.network_id == magdeburg.id).where(Organization.contacts.any()).order_by(Organization.id))
    campaign = db.session.scalar(select(Campaign).where(Campaign.network_id == magdeburg.id))
    db.session.add(Partner(campaign_id=campaign.id, name="Stadtsparkasse"))  # the demo has none
    magdeburg.logo, magdeburg.logo_type = b"\x89PNG\r\n\x1a\n", "image/png"  # nor a logo
    entry = db.session.scalar(select(Submission).where(Submission.campaign_id == campaign.id).order_by(Submission.id))
    entry.picture_hash = pictures.store(jpeg(400, 300)).hash  # nor entries with a picture
    outbox.enqueue("ana@example.org", "Einladung", "…", ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                   event_id=event.id)  # nor a mail with a calendar part
    db.session.flush()

    def first(model, *where):
        found = db.session.scalar(select(model).where(*where).order_by(model.id))
        assert found is not None, model
        return found.id

    db.session.commit()
    return {
        "slug": "magdeburg",
        "event_id": event.id,
        "registration_id": registration.id,
        "token": checkin_code(registration),
        "group_id": series.working_group_id,
        "org_id": organization.id,
        "organization_id": organization.id,
        "person_id": first(Person, Person.organization_id == organization.id),
        "kind_id": first(EventKind, EventKind.network_id == magdeburg.id),
        "meeting_id": meeting.id,
        "item_id": first(AgendaItem, AgendaItem.meeting_id == meeting.id),
        "action_id": first(ActionItem, ActionItem.meeting_id == meeting.id),
        "decision_id": first(Decision, Decision.meeting_id == meeting.id),
        "campaign_id": campaign.id,
        "category_id": first(Category, Category.campaign_id == campaign.id),
        "partner_id": first(Partner, Partner.campaign_id == campaign.id),
        "submission_id": entry.id,
        "digest": entry.picture_hash,
        "width": 320,
        "mail_id": first(OutboxMail, OutboxMail.network_id == magdeburg.id, OutboxMail.ics.is_not(None)),
        "user_id": first(User),
        "tag": db.session.scalar(select(Tag.slug).where(Tag.network_id == magdeburg.id).order_by(Tag.id)),
        "fmt": "csv",
        "poll_id": first(Poll, Poll.network_id == magdeburg.id),
        "option_id": first(PollOption, PollOption.poll.has(Poll.network_id == magdeburg.id)),
        "participant_id": first(PollParticipant, PollParticipant.poll.has(Poll.network_id == magdeburg.id)),
        "action": "close",
        "announcement_id": first(Announcement, Announcement.network_id == magdeburg.id),
        "newsletter_id": first(Newsletter, Newsletter.network_id == magdeburg.id),
        "block_id": first(NewsletterBlock, NewsletterBlock.newsletter.has(Newsletter.network_id == magdeburg.id)),
        # Per endpoint: the series (its first date) for the routes of single dates.
        "series_id": series.id,
        "key": f"{series.starts_at:%Y%m%dT%H%M%SZ}",
    }


def _url_for_outsiders(rule, values) -> str:
    specific = {"events.occurrence": {"action": "cancel", "event_id": values["series_id"]},
                "events.following": {"event_id": values["series_id"]},
                "events.move": {"event_id": values["series_id"]},
                "registration_admin.change": {"action": "cancel"},
                "minutes.transition": {"step": "review"}}.get(rule.endpoint, {})
    filled = {**values, **specific}
    url = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: str(filled[m.group(2)]), rule.rule)
    return url + (f"?option={values['option_id']}" if rule.endpoint == "poll_admin.decide" else "")


def test_every_organizer_route_refuses_outsiders(app, make, demo_objects):
    """For every organizer route pointed at Magdeburg's objects: the Stendal coordinator and the
    lead of Magdeburg's Sprache group are refused (403/404), except for the pages any organizer
    has. Magdeburg's coordinator reaches the same GET addresses, so no 404 hides a missing check."""
    refused = []
    for who, email in OUTSIDERS.items():
        client = app.test_client()
        make.login(client, email, "treffpunkt-demo")
        for rule, method in _routes(app):
            if rule.endpoint in ("auth.logout", "core.set_language"):
                continue
            url = _url_for_outsiders(rule, demo_objects)
            status = client.open(url, method=method).status_code
            allowed = rule.endpoint in ANY_ORGANIZER or (
                rule.endpoint in COORDINATORS_ONLY and who.startswith("coordinator")) or (
                rule.endpoint in LEAD_IN_OWN_NETWORK and who.startswith("lead"))
            if status not in (403, 404) and not allowed:
                refused.append(f"{who}: {method} {url} answered {status}")
    assert refused == [], "\n".join(refused)

    owner, admin = app.test_client(), app.test_client()
    make.login(owner, "koordination@magdeburg.example", "treffpunkt-demo")
    make.login(admin, "admin@treffpunkt.example", "treffpunkt-demo")
    missing = []
    for rule, method in _routes(app):
        if method == "GET":
            url = _url_for_outsiders(rule, demo_objects)
            status = (admin if rule.endpoint in ADMIN_ONLY else owner).get(url).status_code
            if status in (403, 404):
                missing.append(f"{url} answered {status} to Magdeburg's coordinator")
    assert missing == [], "\n".join(missing)
