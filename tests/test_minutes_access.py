"""Every minutes route, walked from the URL map: draft and members-only minutes are never
reachable anonymously or by another network's organizers, and forged action-item tokens
reveal nothing. New routes are covered without touching this file (unknown URL variables
make it fail, so that someone decides what to fill in)."""
import re

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.mail.models import OutboxMail
from app.minutes import workflow
from app.minutes.models import ActionItem, AgendaItem, Decision, Meeting
from tests.test_minutes_workflow import SECRET, full_meeting

FORGED_TOKENS = ["x" * 43, "A" * 101, "ünicode-tökén", "0", "../../etc/passwd"]


@pytest.fixture
def meeting(app, make):
    network = make.network("magdeburg", "Netzwerk Magdeburg")
    make.user("coord@example.org", coordinates=[network])
    make.user("fremd@example.org", coordinates=[make.network("stendal", "Netzwerk Stendal")])
    meeting = full_meeting(make, network)
    make.user("lead@example.org", leads=[make.group(network, "Andere Gruppe")])
    db.session.commit()
    return meeting


def _values(rule, meeting, token="x" * 43, step="review") -> dict:
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.position == 1))
    known = {
        "meeting_id": meeting.id, "event_id": meeting.event_id, "item_id": item.id, "slug": "magdeburg",
        "action_id": db.session.scalar(select(ActionItem.id).where(ActionItem.meeting_id == meeting.id)),
        "decision_id": db.session.scalar(select(Decision.id).where(Decision.meeting_id == meeting.id)),
        "token": token, "step": step,
    }
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.endpoint}: fill in a real value for {missing} in test_minutes_access.py"
    return {name: known[name] for name in rule.arguments}


def _rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("minutes.")]
    assert len(rules) >= 10, "the minutes routes were not found"
    return rules


def _requests(app, meeting):
    """(endpoint, method, url, is_public) for every minutes route and method."""
    for rule in _rules(app):
        url = app.url_map.bind("localhost").build(rule.endpoint, _values(rule, meeting))
        public = getattr(app.view_functions[rule.endpoint], "is_public", False)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url, public


def _call(client, method, url, **kwargs):
    return client.open(url, method=method, data={"text": "x", "title": "x", "audience": "public"}
                       if method == "POST" else None, **kwargs)


def _unchanged(meeting_id, status="draft"):
    assert db.session.get(Meeting, meeting_id).minutes_status == status
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def _publish(meeting, audience):
    workflow.approve(meeting, None)
    workflow.publish(meeting, audience, send_mail=False)
    db.session.commit()


@pytest.mark.parametrize("state", ["draft", "group", "network"])
def test_anonymous_requests_never_see_draft_or_members_only_minutes(app, client, meeting, state):
    if state != "draft":
        _publish(meeting, state)
    for endpoint, method, url, public in _requests(app, meeting):
        response = _call(client, method, url)
        body = response.get_data(as_text=True)
        if public:
            assert response.status_code in (200, 404), (endpoint, method, response.status_code)
            assert SECRET not in body and "Flyer übersetzen" not in body, (endpoint, method)
            assert f'href="/minutes/{meeting.id}"' not in body, (endpoint, method)
        else:
            assert response.status_code == 302 and "/login" in response.location, (endpoint, method)
        # htmx requests are told to log in, never given a fragment.
        if not public:
            assert _call(client, method, url, headers={"HX-Request": "true"}).status_code == 401
    assert client.get(f"/minutes/{meeting.id}").status_code == 404
    assert client.get(f"/minutes/{meeting.id}.pdf").status_code == 404
    _unchanged(meeting.id, "draft" if state == "draft" else "published")


def test_public_minutes_are_readable_by_everyone(app, client, make):
    network = make.network("magdeburg")
    meeting = full_meeting(make, network, visibility="public")
    meeting.event.status = "published"
    _publish(meeting, "public")
    assert SECRET in client.get(f"/minutes/{meeting.id}").get_data(as_text=True)
    assert client.get(f"/minutes/{meeting.id}.pdf").data.startswith(b"%PDF")
    assert f"/minutes/{meeting.id}\"" in client.get("/n/magdeburg/archive?group="
                                                    f"{meeting.working_group_id}").get_data(as_text=True)
    # Drafts of a public event stay hidden.
    workflow.withdraw(meeting)
    db.session.commit()
    assert client.get(f"/minutes/{meeting.id}").status_code == 404


@pytest.mark.parametrize("state", ["draft", "group", "network"])
def test_another_networks_coordinator_gets_nothing(app, client, make, meeting, state):
    if state != "draft":
        _publish(meeting, state)
    make.login(client, "fremd@example.org")
    for endpoint, method, url, public in _requests(app, meeting):
        response = _call(client, method, url)
        body = response.get_data(as_text=True)
        if endpoint == "minutes.archive":  # not about one meeting: answers, with nothing of this one
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404), (endpoint, method, response.status_code)
        assert SECRET not in body and "Flyer übersetzen" not in body, (endpoint, method)
        assert f'href="/minutes/{meeting.id}"' not in body, (endpoint, method)
    _unchanged(meeting.id, "draft" if state == "draft" else "published")


def test_a_lead_of_another_group_gets_nothing_of_a_draft(app, client, make, meeting):
    make.login(client, "lead@example.org")
    for endpoint, method, url, public in _requests(app, meeting):
        response = _call(client, method, url)
        if endpoint not in ("minutes.archive", "minutes.overdue"):
            assert response.status_code in (403, 404), (endpoint, method, response.status_code)
        assert SECRET not in response.get_data(as_text=True), (endpoint, method)
    _unchanged(meeting.id)


def test_forged_action_item_tokens_reveal_nothing(app, client, make, meeting):
    token_rules = [rule for rule in _rules(app) if "token" in rule.arguments]
    assert token_rules, "the action items' done links have no route"
    for logged_in in (False, True):
        if logged_in:
            make.login(client, "coord@example.org")  # even an organizer gets nothing for a forged link
        for rule in token_rules:
            for token in FORGED_TOKENS:
                url = app.url_map.bind("localhost").build(rule.endpoint, _values(rule, meeting, token=token))
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method, data={"status": "done"})
                    assert response.status_code == 404, (rule.endpoint, method, token)
                    assert "Flyer übersetzen" not in response.get_data(as_text=True)
    assert db.session.scalar(select(ActionItem.status)) == "open"


def test_the_coordinator_reaches_the_pages_that_these_tests_refuse(app, client, make, meeting):
    """The positive control: the same URLs work for the meeting's own coordinator, so that the
    refusals above are about rights, not about broken URLs."""
    make.login(client, "coord@example.org")
    for endpoint, method, url, public in _requests(app, meeting):
        if method != "GET" or "token" in url or re.search(r"/a/", url):
            continue
        response = client.get(url)
        assert response.status_code in (200, 302, 303), (endpoint, response.status_code)
    assert SECRET in client.get(f"/minutes/{meeting.id}").get_data(as_text=True)
