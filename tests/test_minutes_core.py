"""Opening a meeting for an event's date, the carry-over, and full-text search on both databases."""
from datetime import timedelta

from sqlalchemy import select

from app.core.extensions import db
from app.minutes import search, service
from app.minutes.models import ActionItem, Meeting


def test_opening_a_meeting_carries_over_open_action_items(app, make):
    network = make.network()
    group = make.group(network)
    event = make.meeting_event(network, group, repeat=6)
    first_start = event.starts_at
    first = service.open_meeting(event, first_start)
    assert [item.carries_action_items for item in first.items] == [True]
    db.session.add(ActionItem(meeting_id=first.id, network_id=network.id, working_group_id=group.id,
                              title="Flyer übersetzen"))
    db.session.commit()

    from app.events import recurrence
    second_start = recurrence.following(event, event.changes, first_start, 2)[1].original_start
    second = service.open_meeting(event, second_start)
    db.session.commit()
    assert second.id != first.id and service.open_meeting(event, second_start).id == second.id
    titles = [item.title for item in second.items]
    assert len(titles) == 2  # carry-over, then the approval of the first meeting's minutes
    assert [a.title for a in service.carried_action_items(second)] == ["Flyer übersetzen"]
    assert service.carried_action_items(first) == []


def test_search_finds_word_starts_and_needs_every_word(app, make):
    network = make.network()
    group = make.group(network)
    event = make.meeting_event(network, group)
    meeting = service.open_meeting(event, event.starts_at)
    search.index(meeting.id, network.id, group.id, "Sprachkurse für Geflüchtete; Kita-Plätze in Stadtfeld")
    db.session.commit()
    ids = select(Meeting.id).where(Meeting.network_id == network.id)
    assert [hit.meeting_id for hit in search.search("sprach", ids)] == [meeting.id]
    assert search.search("sprach zebra", ids) == []
    hit = search.search("Stadtfeld kita", ids)[0]
    assert "<mark>" in hit.snippet and "Stadtfeld" in hit.snippet
    # Query syntax of either database is just text here.
    for nasty in ['"', "a OR b", "NEAR(", "'", "a:*", "\\", "*", "-x", "&|!"]:
        search.search(nasty, ids)
    assert search.search("sprach", select(Meeting.id).where(Meeting.id == -1)) == []


def test_search_snippets_escape_stored_html(app, make):
    network = make.network()
    event = make.meeting_event(network)
    meeting = service.open_meeting(event, event.starts_at)
    search.index(meeting.id, network.id, None, "Termin <script>alert(1)</script> Protokoll")
    db.session.commit()
    hit = search.search("protokoll", select(Meeting.id))[0]
    assert "<script" not in hit.snippet and "Protokoll" in hit.snippet  # escaped, or dropped by ts_headline


def test_a_moved_single_event_keeps_its_meeting(app, make):
    from app.events import service as events

    network = make.network()
    event = make.meeting_event(network)
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()
    later = event.starts_at + timedelta(days=2)
    events.save(event, starts_at=later, ends_at=later + timedelta(hours=2))
    db.session.commit()
    assert service.meeting_for(event, later).id == meeting.id
    assert meeting.occurrence_start == later and service.local_start(meeting).day == 12


def test_proposers_are_in_the_export_and_forgotten_on_request(app, make):
    from app.minutes.models import AgendaItem

    network = make.network()
    event = make.meeting_event(network)
    meeting = service.open_meeting(event, event.starts_at)
    meeting.items.append(AgendaItem(position=5, title="Kita-Plätze", status="proposed",
                                    proposed_by_name="Amira Haddad", proposed_by_email="amira@example.org"))
    db.session.commit()
    data = service.personal_data(network.id, "Amira@Example.org")
    assert [p["title"] for p in data["agenda_proposals"]] == ["Kita-Plätze"]
    service.forget_proposers(event.id, "amira@example.org")
    db.session.commit()
    assert service.personal_data(network.id, "amira@example.org")["agenda_proposals"] == []
    assert meeting.items[-1].title == "Kita-Plätze"  # the item itself stays


def test_both_databases_split_words_alike(app, make):
    network = make.network()
    event = make.meeting_event(network)
    meeting = service.open_meeting(event, event.starts_at)
    search.index(meeting.id, network.id, None, "Beschluss Sprache 2026/03: Kosten < 500 Euro, Zuschuss > 300")
    db.session.commit()
    ids = select(Meeting.id)
    for query in ("2026/03", "Sprache 2026 03", "Euro Zuschuss", "Kosten 500"):
        assert [hit.meeting_id for hit in search.search(query, ids)] == [meeting.id], query


def test_the_event_page_links_minutes_only_for_their_readers(app, make, client):
    network = make.network()
    event = make.meeting_event(network, visibility="public")
    meeting = service.open_meeting(event, event.starts_at)
    db.session.commit()
    page = f"/events/{event.id}"
    assert f"/minutes/{meeting.id}" not in client.get(page).text  # a draft
    meeting.minutes_status, meeting.audience = "published", "network"
    db.session.commit()
    assert f"/minutes/{meeting.id}" not in client.get(page).text  # for the network's organizers only
    meeting.audience = "public"
    db.session.commit()
    assert f"/minutes/{meeting.id}" in client.get(page).text
    assert client.get(f"/minutes/{meeting.id}").status_code == 200
