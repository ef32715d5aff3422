"""The minutes editor: autosaved drafts, saving with the "changed meanwhile" check (also with
two saves at the same moment on PostgreSQL), versions and diffs, harmless Markdown, and a
bounded number of queries."""
import os
import re
import threading

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.directory import service as directory
from app.minutes import notes, service
from app.minutes.models import AgendaItem, NotesDraft, NotesRevision, SearchDocument

NASTY = ('<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))\n\n'
         '<a href="javascript:alert(2)">raw</a> <!-- comment --> <iframe src="https://evil.example"></iframe>')


@pytest.fixture
def english(coordinator_client):
    coordinator_client.set_cookie("lang", "en", domain="localhost")
    return coordinator_client


@pytest.fixture
def setting(app, coordinator, make):
    """A working group with a lead, a monthly meeting series, its first meeting with one more item."""
    network = directory.network_or_404("magdeburg")
    group = make.group(network, "AG Sprache")
    lead = make.user("lead@example.org", leads=[group])
    event = make.meeting_event(network, group, repeat=6)
    meeting = service.open_meeting(event, event.starts_at)
    meeting.items.append(AgendaItem(position=5, title="Sprachkurse 2027"))
    db.session.commit()
    item = meeting.items[-1]
    return {"network": network, "group": group, "lead": lead, "coordinator": coordinator, "event": event,
            "meeting": meeting, "item": item}


def lead_client(app, make, lead):
    client = app.test_client()
    client.set_cookie("lang", "en", domain="localhost")
    make.login(client, lead.email)
    return client


def urls(setting):
    meeting, item = setting["meeting"], setting["item"]
    base = f"/meetings/{meeting.id}"
    return {"page": f"{base}/minutes", "save": f"{base}/items/{item.id}/notes",
            "draft": f"{base}/items/{item.id}/draft", "discard": f"{base}/items/{item.id}/draft/discard",
            "preview": f"{base}/preview", "versions": f"{base}/versions"}


HTMX = {"HX-Request": "true"}


def test_autosave_keeps_a_draft_and_the_reopened_editor_shows_it(english, setting):
    url = urls(setting)
    response = english.post(url["draft"], data={"notes": "Frau K. berichtet: 3 neue Kurse", "base_revision": 0},
                            headers=HTMX)
    assert response.status_code == 200
    assert "Draft saved at" in response.get_data(as_text=True)
    draft = db.session.scalar(select(NotesDraft))
    assert draft.text == "Frau K. berichtet: 3 neue Kurse" and draft.base_revision == 0
    assert db.session.scalar(select(func.count()).select_from(NotesRevision)) == 0  # a draft, never a version
    english.post(url["draft"], data={"notes": "Frau K. berichtet: 4 neue Kurse", "base_revision": 0}, headers=HTMX)
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 1  # one per writer and item

    # The laptop closed; the editor opens again with the draft in the textarea.
    page = english.get(url["page"]).get_data(as_text=True)
    textarea = re.search(rf'<textarea id="notes-text-{setting["item"].id}"[^>]*>([^<]*)</textarea>', page)
    assert textarea.group(1) == "Frau K. berichtet: 4 neue Kurse"
    assert "which was not saved yet" in page
    assert 'aria-live="polite"' in page

    # Discarding it shows the saved (empty) text again.
    response = english.post(url["discard"])
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0
    page = english.get(url["page"]).get_data(as_text=True)
    assert "4 neue Kurse" not in page


def test_typing_back_to_the_saved_text_leaves_no_draft(english, setting):
    url = urls(setting)
    english.post(url["draft"], data={"notes": "x", "base_revision": 0}, headers=HTMX)
    response = english.post(url["draft"], data={"notes": "", "base_revision": 0}, headers=HTMX)
    assert "No unsaved changes" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0


def test_saving_keeps_every_version_with_author_and_time(english, setting, app, make):
    url = urls(setting)
    english.post(url["draft"], data={"notes": "Entwurf", "base_revision": 0}, headers=HTMX)
    response = english.post(url["save"], data={"notes": "Erste Fassung", "base_revision": 0})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{setting['item'].id}")
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0  # saved: the draft goes

    lead = lead_client(app, make, setting["lead"])
    response = lead.post(url["save"], data={"notes": "Erste Fassung\nZweite Zeile", "base_revision": 1},
                         headers=HTMX)
    assert response.status_code == 200
    assert "Saved as version 2." in response.get_data(as_text=True)

    item = db.session.get(AgendaItem, setting["item"].id)
    assert (item.notes, item.notes_revision) == ("Erste Fassung\nZweite Zeile", 2)
    revisions = db.session.scalars(select(NotesRevision).order_by(NotesRevision.number)).all()
    assert [(r.number, r.author.email) for r in revisions] == [(1, "coord@example.org"), (2, "lead@example.org")]
    assert all(r.created_at is not None for r in revisions)
    # The search document follows the saved text.
    assert "Zweite Zeile" in db.session.get(SearchDocument, setting["meeting"].id).document

    page = english.get(url["versions"]).get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page and "Lead" in page and "Coord" in page
    assert "<ins>Zweite Zeile</ins>" in page  # version 2 against version 1
    page = english.get(url["versions"] + f"?item={item.id}&from=0&to=2").get_data(as_text=True)
    assert "Changes from version 0 to version 2" in page
    assert "<ins>Erste Fassung</ins>" in page and "<ins>Zweite Zeile</ins>" in page
    # The editor says who saved last.
    assert "Version 2, saved by Lead" in english.get(url["page"]).get_data(as_text=True)


def test_the_second_save_from_the_same_version_is_refused_with_both_texts(english, setting, app, make):
    url = urls(setting)
    assert english.post(url["save"], data={"notes": "Stand: Kurse A", "base_revision": 0}).status_code == 303
    lead = lead_client(app, make, setting["lead"])
    # Both have version 1 open. The lead saves first.
    assert lead.post(url["save"], data={"notes": "Stand: Kurse A und B", "base_revision": 1}).status_code == 303

    response = english.post(url["save"], data={"notes": "Stand: Kurse A, C folgt", "base_revision": 1})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert re.search(r"Changed meanwhile by Lead at \d{1,2}:\d\d", page)
    assert "Their text (version 2)" in page
    assert "Stand: Kurse A und B" in page  # theirs, rendered and as typed
    assert re.search(r'<textarea id="notes-text-\d+"[^>]*>Stand: Kurse A, C folgt</textarea>', page)  # yours
    assert '<input type="hidden" name="base_revision" value="2">' in page  # a second save is deliberate
    item = db.session.get(AgendaItem, setting["item"].id)
    assert (item.notes, item.notes_revision) == ("Stand: Kurse A und B", 2)  # nothing overwritten
    assert db.session.scalar(select(func.count()).select_from(NotesRevision)) == 2
    draft = db.session.scalar(select(NotesDraft))  # the refused text is kept as the writer's draft
    assert (draft.text, draft.author_id, draft.base_revision) == ("Stand: Kurse A, C folgt",
                                                                  setting["coordinator"].id, 1)

    # htmx gets the same answer as a swappable 422.
    response = english.post(url["save"], data={"notes": "Stand: Kurse A, C folgt", "base_revision": 1}, headers=HTMX)
    assert response.status_code == 422 and "Changed meanwhile by Lead" in response.get_data(as_text=True)

    # After merging, saving on version 2 goes through.
    response = english.post(url["save"], data={"notes": "Stand: Kurse A und B, C folgt", "base_revision": 2})
    assert response.status_code == 303
    item = db.session.get(AgendaItem, setting["item"].id)
    assert (item.notes, item.notes_revision) == ("Stand: Kurse A und B, C folgt", 3)
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == 0


def test_a_draft_based_on_an_old_version_says_so_and_cannot_overwrite(english, setting, app, make):
    url = urls(setting)
    english.post(url["draft"], data={"notes": "Meine Notizen", "base_revision": 0}, headers=HTMX)
    lead = lead_client(app, make, setting["lead"])
    lead.post(url["save"], data={"notes": "Notizen der Leitung", "base_revision": 0})
    page = english.get(url["page"]).get_data(as_text=True)
    assert "Someone saved a newer version since" in page
    assert '<input type="hidden" name="base_revision" value="0">' in page
    response = english.post(url["save"], data={"notes": "Meine Notizen", "base_revision": 0})
    assert response.status_code == 409
    assert db.session.get(AgendaItem, setting["item"].id).notes == "Notizen der Leitung"


def test_notes_have_a_length_limit(english, setting):
    url = urls(setting)
    response = english.post(url["save"], data={"notes": "x" * (notes.MAX_NOTES + 1), "base_revision": 0})
    assert response.status_code == 422
    assert "at most 50000 characters" in response.get_data(as_text=True)
    assert db.session.get(AgendaItem, setting["item"].id).notes_revision == 0


def test_markdown_comes_out_harmless_in_preview_page_and_versions(english, setting):
    url = urls(setting)
    before = db.session.scalar(select(func.count()).select_from(NotesDraft))
    preview = english.post(url["preview"], data={"notes": NASTY}, headers=HTMX).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NotesDraft)) == before  # the preview changes nothing
    english.post(url["save"], data={"notes": NASTY, "base_revision": 0})
    page = english.get(url["page"]).get_data(as_text=True)
    versions = english.get(url["versions"]).get_data(as_text=True)
    for html in (preview, page, versions):
        assert "<script>alert" not in html
        assert "<img" not in html and "<iframe" not in html
        assert not re.search(r"<[^>]+\sonerror=", html)
        assert not re.search(r"<a\s[^>]*href=\"?javascript:", html, re.IGNORECASE)
        assert "<!-- comment -->" not in html
    assert "&lt;script&gt;" in preview  # raw HTML is shown as text


def test_the_diff_escapes_what_it_shows(english, setting):
    lines = notes.diff("eins\nzwei", "eins\n<b onmouseover=x>drei</b>")
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "eins"), ("del", "zwei"), ("ins", "<b onmouseover=x>drei</b>")]
    url = urls(setting)
    english.post(url["save"], data={"notes": "eins\nzwei", "base_revision": 0})
    english.post(url["save"], data={"notes": "eins\n<b onmouseover=x>drei</b>", "base_revision": 1})
    page = english.get(url["versions"]).get_data(as_text=True)
    assert "<ins>&lt;b onmouseover=x&gt;drei&lt;/b&gt;</ins>" in page
    assert "<del>zwei</del>" in page
    assert "<b onmouseover" not in page


def test_other_networks_organizers_cannot_read_or_write(app, setting, make):
    other = make.network("stendal", "Netzwerk Stendal")
    make.user("other@example.org", coordinates=[other])
    db.session.commit()
    client = app.test_client()
    make.login(client, "other@example.org")
    url = urls(setting)
    assert client.get(url["page"]).status_code == 403
    assert client.get(url["versions"]).status_code == 403
    assert client.post(url["save"], data={"notes": "x", "base_revision": 0}).status_code == 403
    assert client.post(url["draft"], data={"notes": "x", "base_revision": 0}).status_code == 403
    assert client.post(url["preview"], data={"notes": "x"}).status_code == 403
    assert db.session.get(AgendaItem, setting["item"].id).notes == ""


def test_minutes_page_queries_do_not_grow_with_the_minutes(english, setting, make, count_queries):
    from app.minutes import records

    meeting, network, group = setting["meeting"], setting["network"], setting["group"]
    url = urls(setting)

    def fill(count):
        organization = make.organization(network, f"Träger {count}")
        for index in range(count):
            item = AgendaItem(position=10 + index, title=f"Punkt {index}", notes="Text", notes_revision=0)
            meeting.items.append(item)
            db.session.flush()
            notes.save(item, setting["lead"], f"Notiz {index}", 0)
            records.add_decision(meeting, item, f"Beschluss {index}")
            person = directory.save_person(organization, None, name=f"Person {index}", email=f"p{index}@example.org")
            db.session.flush()
            group.people.append(person)
            records.save_action(meeting, item, None, title=f"Aufgabe {index}", owner=f"person:{person.id}",
                                owner_name="", owner_email="", due_on=None, status="open")
            records.add_attendee(meeting, f"Gast {index}", organization.id, "")
        db.session.commit()

    fill(1)
    few = count_queries(lambda: english.get(url["page"]))
    versions_few = count_queries(lambda: english.get(url["versions"]))
    fill(12)
    many = count_queries(lambda: english.get(url["page"]))
    assert many == few, f"{few} queries with 2 items, {many} with 14"
    assert count_queries(lambda: english.get(url["versions"])) == versions_few


# --- Two saves at the same moment (PostgreSQL) -----------------------------------------------

@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…")
@pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
def test_two_saves_from_the_same_version_at_once_exactly_one_wins(app, setting):
    from app.auth.models import User

    item_id = setting["item"].id
    writers = [setting["lead"].id, setting["coordinator"].id]
    db.session.commit()
    db.session.remove()
    for round_ in range(5):  # several rounds: the race is real each time
        barrier = threading.Barrier(len(writers))
        results: list = [None] * len(writers)

        def one(index: int) -> None:
            with app.app_context():
                try:
                    item = db.session.get(AgendaItem, item_id)
                    user = db.session.get(User, writers[index])
                    base = item.notes_revision
                    barrier.wait(timeout=30)
                    notes.save(item, user, f"Text {round_}/{index}", base)
                    db.session.commit()
                    results[index] = "saved"
                except notes.NotesConflict:
                    db.session.commit()  # the loser's text kept as a draft
                    results[index] = "conflict"
                except Exception as error:  # noqa: BLE001 - the test reports every error
                    db.session.rollback()
                    results[index] = error
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(writers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(map(str, results)) == ["conflict", "saved"], results
        item = db.session.get(AgendaItem, item_id)
        assert item.notes_revision == round_ + 1
        winner = results.index("saved")
        assert item.notes == f"Text {round_}/{winner}"
        db.session.remove()
    numbers = db.session.scalars(select(NotesRevision.number).where(NotesRevision.agenda_item_id == item_id)
                                 .order_by(NotesRevision.number)).all()
    assert numbers == [1, 2, 3, 4, 5]
