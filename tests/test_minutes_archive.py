"""A group's archive of minutes: what each reader sees, paging, counts, full-text search over
agendas, minutes, decisions and action items (on SQLite and PostgreSQL alike), and a number
of queries that does not grow with the archive."""
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.events import recurrence
from app.minutes import service, workflow
from app.minutes.models import ActionItem, AgendaItem, Decision, Meeting
from tests.factories import local
from tests.test_minutes_workflow import SECRET, full_meeting


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def past_meetings(make, network, group, count, title="AG Arbeit", visibility="members", publish=False):
    """A monthly series of `count` past dates, each with minutes, two decisions, three action
    items (one done); published to everyone if `publish`."""
    start = local(2020, 1, 14, 17)
    event = make.meeting_event(network, group, title=title, start=start, repeat=count, visibility=visibility)
    meetings = []
    for number, occurrence in enumerate(recurrence.following(event, [], start - timedelta(seconds=1), count)):
        meeting = service.open_meeting(event, occurrence.original_start)
        item = AgendaItem(position=5, title=f"Bericht Nummer {number}",
                          notes=f"Ausbildungsmesse im Rathaus, Protokoll {number}. Sprachkurse laufen.")
        meeting.items.append(item)
        db.session.flush()
        for n in range(2):
            db.session.add(Decision(meeting_id=meeting.id, agenda_item_id=item.id, scope=service.scope_of(meeting),
                                    year=2020 + number // 12, number=meeting.id * 2 + n,
                                    text=f"Beschluss über Praktikumsbörse {number}-{n}"))
        for status in ("open", "in_progress", "done"):
            db.session.add(ActionItem(meeting_id=meeting.id, agenda_item_id=item.id, network_id=network.id,
                                      working_group_id=group.id if group else None, status=status,
                                      title=f"Einladung an Handwerkskammer {status}", owner_name="Ole Owner"))
        db.session.flush()
        service.reindex(meeting)
        if publish:
            meeting.event.status = "published"
            workflow.approve(meeting, None)
            workflow.publish(meeting, "public", send_mail=False)
        meetings.append(meeting)
    db.session.commit()
    return meetings


def _archive(client, group=None, **params):
    query = {"group": getattr(group, "id", group), **params}
    return client.get("/n/magdeburg/archive", query_string={k: v for k, v in query.items() if v is not None})


def test_the_coordinator_sees_every_past_meeting_newest_first_with_counts(coordinator_client, coordinator, make):
    network = coordinator.coordinated_networks[0]
    group = make.group(network, "Arbeit")
    meetings = past_meetings(make, network, group, 3)
    upcoming = make.meeting_event(network, group, title="Zukunft", start=local(2030, 1, 1, 10))
    service.open_meeting(upcoming, upcoming.starts_at)
    db.session.commit()

    body = _archive(coordinator_client, group).get_data(as_text=True)
    assert "3 past meetings, newest first." in body and "Zukunft" not in body
    positions = [body.index(f"/minutes/{m.id}\"") for m in meetings]
    assert positions == sorted(positions, reverse=True)  # newest first
    assert "14.01.2020" in body and "2 decisions" in body and "2 open action items" in body
    assert "Draft" in body


def test_anonymous_visitors_see_only_minutes_published_to_everyone(client, coordinator, make):
    network = coordinator.coordinated_networks[0]
    group = make.group(network, "Arbeit")
    published = past_meetings(make, network, group, 2, title="Offene AG", visibility="public", publish=True)
    members = full_meeting(make, network, group_name="Geschlossen")  # a draft of another group
    drafts = past_meetings(make, network, group, 1, title="Entwurf AG", visibility="public")
    workflow.approve(members, None)
    workflow.publish(members, "network", send_mail=False)
    db.session.commit()

    body = _archive(client, group).get_data(as_text=True)
    assert all(f"/minutes/{m.id}\"" in body for m in published)
    assert f"/minutes/{drafts[0].id}\"" not in body and "Entwurf AG" not in body
    assert f"/minutes/{members.id}\"" not in _archive(client, members.working_group).get_data(as_text=True)
    assert "/minutes/" not in _archive(client, members.working_group, q=SECRET).get_data(as_text=True)
    assert "/minutes/" not in _archive(client, group="all", q="Entwurf").get_data(as_text=True)
    assert "Offene AG" in _archive(client, group="all", q="Ausbildungsmesse").get_data(as_text=True)

    # A group of another network, or one that does not exist: 404.
    other = make.group(make.network("stendal"), "Fremd")
    db.session.commit()
    assert _archive(client, other).status_code == 404
    assert client.get("/n/magdeburg/archive?group=999999").status_code == 404
    assert client.get("/n/nirgendwo/archive").status_code == 404


def test_a_group_lead_sees_the_groups_drafts_but_not_other_groups(client, coordinator, make):
    network = coordinator.coordinated_networks[0]
    mine = make.group(network, "Arbeit")
    other = make.group(network, "Soziales")
    own = past_meetings(make, network, mine, 1, title="Meine AG")
    foreign = past_meetings(make, network, other, 1, title="Andere AG")
    make.user("lead@example.org", leads=[mine])
    db.session.commit()
    make.login(client, "lead@example.org")
    assert f"/minutes/{own[0].id}\"" in _archive(client, mine).get_data(as_text=True)
    assert "Andere AG" not in _archive(client, other).get_data(as_text=True)
    assert "Andere AG" not in _archive(client, group="all", q="Ausbildungsmesse").get_data(as_text=True)
    assert client.get(f"/minutes/{foreign[0].id}").status_code == 404


def test_pages_of_fifty(coordinator_client, coordinator, make):
    network = coordinator.coordinated_networks[0]
    group = make.group(network, "Arbeit")
    meetings = past_meetings(make, network, group, 55)
    first = _archive(coordinator_client, group).get_data(as_text=True)
    assert first.count('class="archive-row"') == 50 and "Page 1 of 2" in first
    assert f"/minutes/{meetings[-1].id}\"" in first and f"/minutes/{meetings[0].id}\"" not in first
    assert f'href="/n/magdeburg/archive?group={group.id}&amp;page=2"' in first
    second = _archive(coordinator_client, group, page=2).get_data(as_text=True)
    assert second.count('class="archive-row"') == 5 and f"/minutes/{meetings[0].id}\"" in second


def test_search_covers_agenda_minutes_decisions_and_action_items(coordinator_client, coordinator, make):
    network = coordinator.coordinated_networks[0]
    meeting = full_meeting(make, network)
    group = meeting.working_group
    # Agenda title, notes, decision (a word start), action item, decision label (not "2026/03":
    # PostgreSQL's parser keeps it as one word, SQLite's makes two).
    for query in ("Sprachkurse 2026", SECRET.lower(), "jobcent", "Flyer übersetzen", "Sprache 2026"):
        body = _archive(coordinator_client, group, q=query).get_data(as_text=True)
        assert f"/minutes/{meeting.id}\"" in body, query
        assert "<mark>" in body, query
    nothing = _archive(coordinator_client, group, q="Zeppelin").get_data(as_text=True)
    assert "No meeting found for “Zeppelin”." in nothing
    # Operators of either database's query language are just words here.
    for nasty in ['"', "a OR b", "NEAR(", "'", "a:*", "*", "-x", "&|!", "<script>"]:
        assert _archive(coordinator_client, group, q=nasty).status_code == 200


def test_htmx_search_swaps_the_results_and_the_page_works_without_it(coordinator_client, coordinator, make):
    meeting = full_meeting(make, coordinator.coordinated_networks[0])
    group = meeting.working_group
    page = _archive(coordinator_client, group).get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'hx-target="#archive-results"' in page and 'role="search"' in page
    fragment = coordinator_client.get(f"/n/magdeburg/archive?group={group.id}&q=Flyer",
                                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="archive-results">') and "<html" not in fragment
    assert "1 meeting found." in fragment


def test_queries_do_not_grow_with_the_archive(app, coordinator_client, coordinator, make, count_queries):
    network = coordinator.coordinated_networks[0]
    small, large = make.group(network, "Klein"), make.group(network, "Gross")
    past_meetings(make, network, small, 10, title="Kleine AG")
    past_meetings(make, network, large, 60, title="Grosse AG")
    counts = {}
    for name, group in (("small", small), ("large", large)):
        for label, params in (("list", {}), ("search", {"q": "Ausbildungsmesse"}), ("rare", {"q": "Protokoll 7"})):
            def get(group=group, params=params):
                response = _archive(coordinator_client, group, **params)
                assert response.status_code == 200 and "archive-row" in response.get_data(as_text=True)
            counts[(name, label)] = count_queries(get)
    for label in ("list", "search", "rare"):
        assert counts[("small", label)] == counts[("large", label)] <= 14, counts


def test_search_finds_the_same_on_both_databases(app, make):
    """Run with TEST_DATABASE_URL=postgresql+psycopg://… as well: same words, same meetings."""
    network = make.network("magdeburg")
    group = make.group(network, "Arbeit")
    meetings = past_meetings(make, network, group, 3)
    from app.minutes import search
    from sqlalchemy import select

    ids = select(Meeting.id).where(Meeting.network_id == network.id)
    assert {h.meeting_id for h in search.search("ausbildungs", ids)} == {m.id for m in meetings}
    assert [h.meeting_id for h in search.search("Protokoll 1", ids)][0] == meetings[1].id
    assert {h.meeting_id for h in search.search("Handwerkskammer praktikumsbörse", ids)} == {m.id for m in meetings}
    assert search.search("Ausbildungsmesse Zeppelin", ids) == []
