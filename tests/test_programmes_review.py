"""The coordinator's review queue: who may use it, approving (the submission becomes an event of
the network: a draft while the programme is unpublished), asking for changes and declining with
a message that is mailed, stale clicks, incomplete entries, overlaps of time and place, the
coordinator's edit, approving several at once, htmx fragments and plain pages, bounded queries."""
import os
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.extensions import db
from app.events.models import Event
from app.mail.models import OutboxMail
from app.programmes import review, service
from app.programmes.models import ReviewStep, Submission

from . import factories

HTMX = {"HX-Request": "true"}


@pytest.fixture
def campaign(app, coordinator):
    """The Intercultural Week 2027 of the coordinator's network, taking submissions."""
    created = service.create_campaign(
        coordinator.coordinated_networks[0], title="Interkulturelle Woche", year=2027, starts_on=date(2027, 9, 19),
        ends_on=date(2027, 9, 26), submissions_from=date(2020, 1, 1), submissions_until=date(2027, 9, 1),
        motto="Neue Räume", contact_email="ikw@magdeburg.example")
    db.session.commit()
    return created


def entry(campaign, title="Begegnungsfest", day=21, start=18, end=20, venue="Einewelthaus", **fields) -> Submission:
    """A complete submission (waiting for review) unless fields say otherwise."""
    values = {"title": title, "category_id": campaign.categories[0].id,
              "starts_at": factories.local(2027, 9, day, start), "ends_at": factories.local(2027, 9, day, end),
              "venue_name": venue, "venue_address": "", "district": "Altstadt",
              "organization_name": "Einewelthaus Magdeburg", "contact_name": "Aylin Demir",
              "contact_email": "aylin@example.org", "languages": "de,tr"}
    values.update(fields)
    submission = service.start(campaign, **values)
    db.session.commit()
    return submission


def page(response) -> str:
    return response.get_data(as_text=True)


def mails_to(address: str) -> list[OutboxMail]:
    return db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == address).order_by(OutboxMail.id)).all()


# --- Deny by default ----------------------------------------------------------------------

def _routes(campaign_id: int, submission_id: int) -> list[tuple[str, str]]:
    return [("get", f"/campaigns/{campaign_id}/submissions"), ("get", f"/submissions/{submission_id}"),
            ("get", f"/submissions/{submission_id}/edit"), ("post", f"/submissions/{submission_id}/edit"),
            ("post", f"/submissions/{submission_id}/approve"), ("post", f"/submissions/{submission_id}/changes"),
            ("post", f"/submissions/{submission_id}/decline"),
            ("post", f"/campaigns/{campaign_id}/submissions/approve")]


def test_every_route_needs_the_networks_coordinator(app, client, campaign):
    submission = entry(campaign)
    other = factories.network("halle", "Netzwerk Halle")
    factories.user("koordination@halle.example", coordinates=[other])
    db.session.commit()
    for method, url in _routes(campaign.id, submission.id):
        response = getattr(client, method)(url, data={"message": "x"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    factories.login(client, "koordination@halle.example")
    for method, url in _routes(campaign.id, submission.id):
        assert getattr(client, method)(url, data={"message": "x", "ids": [submission.id]}).status_code == 403, url
    assert db.session.get(Submission, submission.id).status == "submitted"


def test_unknown_ids_answer_404(coordinator_client, campaign):
    for method, url in _routes(campaign.id + 99, 999):
        assert getattr(coordinator_client, method)(url).status_code == 404, url


# --- The queue ------------------------------------------------------------------------

def test_the_queue_lists_waiting_entries_by_time_with_counts(coordinator_client, campaign):
    entry(campaign, "Späte Lesung", day=23)
    entry(campaign, "Frühes Frühstück", day=20, start=9, end=11, venue="Café Central")
    draft = entry(campaign, "Halbfertig", venue="")
    html = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions", headers={"Accept-Language": "en"}))
    assert html.index("Frühes Frühstück") < html.index("Späte Lesung")
    assert "Halbfertig" not in html  # a draft waits in its own tab
    assert 'aria-current="page">Waiting for review <span class="tab-count">2</span>' in html
    assert 'Draft, not complete yet <span class="tab-count">1</span>' in html
    assert "Encounter" in html and "Café Central, Altstadt" in html and "German, Turkish" in html
    assert 'lang="de"' in html
    drafts = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions?status=draft",
                                         headers={"Accept-Language": "en"}))
    assert "Halbfertig" in drafts and "Missing: Venue" in drafts
    assert f'action="/submissions/{draft.id}/approve"' not in drafts  # nothing to approve yet
    everything = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions?status=all"))
    assert all(title in everything for title in ("Späte Lesung", "Frühes Frühstück", "Halbfertig"))


def test_htmx_gets_fragments_and_plain_requests_full_pages(coordinator_client, campaign):
    submission = entry(campaign)
    url = f"/campaigns/{campaign.id}/submissions"
    full = page(coordinator_client.get(url))
    assert "<html" in full and 'id="review"' in full
    fragment = page(coordinator_client.get(url + "?status=approved", headers=HTMX))
    assert "<html" not in fragment and fragment.lstrip().startswith("<div id=\"review\">")
    row = coordinator_client.post(f"/submissions/{submission.id}/approve", data={"status": "submitted"},
                                  headers=HTMX)
    assert row.status_code == 200
    assert "<html" not in page(row) and page(row).lstrip().startswith(f'<li id="submission-{submission.id}"')
    plain = coordinator_client.post(f"/submissions/{submission.id}/changes", data={"status": "approved",
                                                                                   "message": "Bitte Raum"})
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/campaigns/{campaign.id}/submissions?status=approved"
                                              f"#submission-{submission.id}")


def test_titles_are_escaped(coordinator_client, campaign):
    submission = entry(campaign, title='<script>alert(1)</script><b>Fest</b>',
                       description="<script>alert(2)</script>**fett**")
    entry(campaign, title="<img src=x onerror=alert(3)>", start=19, end=21)  # overlaps: its title is shown
    for url in (f"/campaigns/{campaign.id}/submissions", f"/submissions/{submission.id}",
                f"/submissions/{submission.id}/edit"):
        html = page(coordinator_client.get(url))
        assert "<script>alert" not in html and "<b>Fest" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)" in html, url
    html = page(coordinator_client.get(f"/submissions/{submission.id}"))
    assert "<strong>fett</strong>" in html  # Markdown, sanitized: the script shows as text


def test_queue_queries_do_not_grow_with_the_submissions(app, coordinator_client, campaign, count_queries):
    counts = {}
    for total in (5, 50):
        for number in range(total - len(db.session.scalars(select(Submission)).all())):
            entry(campaign, f"Veranstaltung {number}", day=19 + number % 7, start=8 + number % 12,
                  end=9 + number % 12, venue=f"Ort {number % 9}", category_id=campaign.categories[number % 8].id)
        for label, url in (("queue", f"/campaigns/{campaign.id}/submissions?status=all"),
                           ("tab", f"/campaigns/{campaign.id}/submissions")):
            def get(url=url):
                response = coordinator_client.get(url)
                assert response.status_code == 200

            counts[(total, label)] = count_queries(get)
    assert counts[(5, "queue")] == counts[(50, "queue")] <= 10, counts
    assert counts[(5, "tab")] == counts[(50, "tab")], counts


def test_the_row_after_an_action_costs_the_same_queries(app, coordinator_client, campaign, count_queries):
    warm_up = entry(campaign, "Erste Freigabe")  # the first approval also makes the campaign's tag
    coordinator_client.post(f"/submissions/{warm_up.id}/approve", headers=HTMX)
    counts = []
    for total in (5, 40):
        for number in range(total - len(db.session.scalars(select(Submission)).all())):
            entry(campaign, f"Veranstaltung {number}", day=19 + number % 7, venue=f"Ort {number}")
        waiting = db.session.scalars(select(Submission).where(Submission.status == "submitted")).first()

        def approve(submission_id=waiting.id):
            assert coordinator_client.post(f"/submissions/{submission_id}/approve", headers=HTMX).status_code == 200

        counts.append(count_queries(approve))
    assert counts[0] == counts[1], counts


# --- Approving -----------------------------------------------------------------------

def test_approving_makes_a_draft_event_while_the_programme_is_unpublished(coordinator_client, campaign):
    submission = entry(campaign, registration_required=True, capacity=30)
    response = coordinator_client.post(f"/submissions/{submission.id}/approve", data={"status": "submitted"},
                                       headers={**HTMX, "Accept-Language": "en"})
    html = page(response)
    assert "Approved" in html and "is approved" in html
    assert 'hx-swap-oob="true"' in html and 'Approved <span class="tab-count">1</span>' in html
    assert '<p id="review-news" hx-swap-oob="innerHTML">' in html
    submission = db.session.get(Submission, submission.id)
    assert submission.status == "approved"
    event = submission.event
    assert event.status == "draft" and event.visibility == "public" and event.title == "Begegnungsfest"
    assert event.registration_settings.is_open and event.registration_settings.capacity == 30
    # The mail speaks the language the entry is written in (German here), not the coordinator's.
    assert "ist Teil des Programms" in mails_to("aylin@example.org")[-1].body


def test_approving_in_a_published_programme_publishes_the_event(coordinator_client, campaign):
    review.publish(campaign)
    db.session.commit()
    submission = entry(campaign)
    assert coordinator_client.post(f"/submissions/{submission.id}/approve").status_code == 303
    assert db.session.get(Submission, submission.id).event.status == "published"


def test_a_stale_second_approve_is_refused_and_nothing_doubles(coordinator_client, campaign):
    submission = entry(campaign)
    seen = submission.updated_at.isoformat()
    first = coordinator_client.post(f"/submissions/{submission.id}/approve", data={"seen": seen}, headers=HTMX)
    assert first.status_code == 200
    for data in ({"seen": seen}, {}):  # the old row's button; or no version at all
        again = coordinator_client.post(f"/submissions/{submission.id}/approve", data=data,
                                        headers={**HTMX, "Accept-Language": "en"})
        assert again.status_code == 422
        assert "changed meanwhile" in page(again) and "autofocus" in page(again)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewStep).where(ReviewStep.action == "approved")) == 1
    assert len([m for m in mails_to("aylin@example.org") if "Freigegeben" in m.subject]) == 1  # German entry


def test_an_entry_changed_by_its_organizer_meanwhile_is_not_approved_unseen(coordinator_client, campaign):
    submission = entry(campaign)
    seen = submission.updated_at.isoformat()
    service.edit_by_submitter(submission, title="Begegnungsfest mit Musik")
    db.session.commit()
    response = coordinator_client.post(f"/submissions/{submission.id}/approve",
                                       data={"seen": seen, "status": "submitted"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "<html" in page(response)  # without JavaScript: the whole queue
    assert "changed meanwhile" in page(response) and "Begegnungsfest mit Musik" in page(response)
    assert db.session.get(Submission, submission.id).status == "submitted"


def test_an_incomplete_entry_cannot_be_approved(coordinator_client, campaign):
    draft = entry(campaign, venue="")
    assert draft.status == "draft"
    response = coordinator_client.post(f"/submissions/{draft.id}/approve", data={"status": "draft"},
                                       headers={**HTMX, "Accept-Language": "en"})
    assert response.status_code == 422 and "changed meanwhile" in page(response)  # drafts are not for approving
    changes = entry(campaign, "Zweiter Versuch")
    review.request_changes(changes, None, "Bitte den Ort angeben")
    service.edit_by_submitter(changes, venue_name="")
    db.session.commit()
    assert changes.status == "changes_requested"
    response = coordinator_client.post(f"/submissions/{changes.id}/approve", headers={**HTMX, "Accept-Language": "en"})
    assert response.status_code == 422 and "not complete yet" in page(response)
    assert db.session.get(Submission, changes.id).event_id is None


# --- Asking for changes, declining ------------------------------------------------------------

def test_asking_for_changes_needs_a_message_and_mails_it(coordinator_client, campaign):
    submission = entry(campaign)
    before = len(mails_to("aylin@example.org"))
    empty = coordinator_client.post(f"/submissions/{submission.id}/changes", data={"message": "  "},
                                    headers={**HTMX, "Accept-Language": "en"})
    html = page(empty)
    assert empty.status_code == 422 and "Please write what should change" in html
    assert f'id="s{submission.id}-changes-error"' in html and 'aria-invalid="true"' in html
    assert '<details class="review-more review-changes" open>' in html
    assert len(mails_to("aylin@example.org")) == before
    too_long = coordinator_client.post(f"/submissions/{submission.id}/changes", data={"message": "x" * 2001})
    assert too_long.status_code == 422 and "<html" in page(too_long)
    done = coordinator_client.post(f"/submissions/{submission.id}/changes",
                                   data={"message": "Bitte nennt die Adresse des Hofs.", "status": "submitted"},
                                   headers=HTMX)
    assert done.status_code == 200
    assert db.session.get(Submission, submission.id).status == "changes_requested"
    mail = mails_to("aylin@example.org")[-1]
    assert "Bitte nennt die Adresse des Hofs." in mail.body and "/s/" in mail.body


def test_declining_needs_a_reason(coordinator_client, campaign):
    submission = entry(campaign)
    response = coordinator_client.post(f"/submissions/{submission.id}/decline", data={"message": ""},
                                       headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "Please give a reason" in page(response)
    from_page = page(coordinator_client.post(f"/submissions/{submission.id}/decline",
                                             data={"message": "", "back": "submission"},
                                             headers={"Accept-Language": "en"}))
    assert "<h2 id=\"history-heading\">History</h2>" in from_page  # the submission's page again
    assert f'id="s{submission.id}-decline-error"' in from_page and "Please give a reason" in from_page
    assert db.session.get(Submission, submission.id).status == "submitted"


def test_declining_a_published_entry_cancels_its_event_which_stays_in_feeds(client, coordinator_client, campaign):
    review.publish(campaign)
    db.session.commit()
    submission = entry(campaign)
    coordinator_client.post(f"/submissions/{submission.id}/approve")
    event_id = db.session.get(Submission, submission.id).event_id
    response = coordinator_client.post(f"/submissions/{submission.id}/decline",
                                       data={"message": "Der Raum ist doch belegt.", "back": "submission"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/submissions/{submission.id}")
    event = db.session.get(Event, event_id)
    assert event.status == "cancelled" and event.cancel_reason == "Der Raum ist doch belegt."
    feed = page(client.get(f"/feeds/n/{campaign.network.slug}.ics"))
    assert "Begegnungsfest" in feed and "STATUS:CANCELLED" in feed
    assert "Der Raum ist doch belegt." in mails_to("aylin@example.org")[-1].body


def test_declining_an_unpublished_approved_entry_removes_its_draft_event(coordinator_client, campaign):
    submission = entry(campaign)
    coordinator_client.post(f"/submissions/{submission.id}/approve")
    coordinator_client.post(f"/submissions/{submission.id}/decline", data={"message": "Doppelt eingereicht."})
    assert db.session.get(Submission, submission.id).status == "declined"
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


# --- Approving several at once ------------------------------------------------------------

def test_approving_the_selected_reports_those_that_could_not_be(coordinator_client, campaign):
    first, second = entry(campaign, "Erstes"), entry(campaign, "Zweites", day=22)
    draft = entry(campaign, "Entwurf", venue="")
    stale = entry(campaign, "Veraltet", day=23)
    stale_seen = stale.updated_at.isoformat()
    service.edit_by_submitter(stale, title="Veraltet, neu")
    db.session.commit()
    data = {"ids": [first.id, second.id, draft.id, stale.id], "status": "submitted",
            f"seen-{first.id}": first.updated_at.isoformat(), f"seen-{stale.id}": stale_seen}
    response = coordinator_client.post(f"/campaigns/{campaign.id}/submissions/approve", data=data,
                                       headers={"Accept-Language": "en"})  # the messages are made here
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/submissions?status=submitted")
    statuses = {s.title: s.status for s in db.session.scalars(select(Submission))}
    assert statuses == {"Erstes": "approved", "Zweites": "approved", "Entwurf": "draft", "Veraltet, neu": "submitted"}
    html = page(coordinator_client.get(response.headers["Location"], headers={"Accept-Language": "en"}))
    assert "2 submissions approved." in html
    assert "Not approved: “Entwurf”" in html and "Not approved: “Veraltet, neu”: This submission was changed" in html


def test_only_complete_waiting_entries_can_be_selected(coordinator_client, campaign):
    waiting = entry(campaign)
    draft = entry(campaign, "Entwurf", venue="")
    html = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions?status=all"))
    assert f'id="select-{waiting.id}"' in html and f'id="select-{draft.id}"' not in html
    nothing = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions?status=draft"))
    assert 'id="bulk-approve"' not in nothing


# --- Overlaps -----------------------------------------------------------------------------

def test_overlaps_of_time_and_place_are_shown(coordinator_client, campaign):
    fest = entry(campaign, "Begegnungsfest", start=18, end=20, venue="Einewelthaus")
    entry(campaign, "Kochabend", start=19, end=21, venue="einewelthaus ")  # same place, typed differently
    entry(campaign, "Lesung", start=18, end=20, venue="Stadtbibliothek")  # other place
    entry(campaign, "Frühstück", start=9, end=11, venue="Einewelthaus")  # same place, other time
    html = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions", headers={"Accept-Language": "en"}))
    rows = {title: html.split(f">{title}</a></h2>")[1].split("</li>\n")[0] for title in
            ("Begegnungsfest", "Kochabend", "Lesung", "Frühstück")}
    assert "Same place, overlapping time" in rows["Begegnungsfest"] and "Kochabend" in rows["Begegnungsfest"]
    assert "Same place, overlapping time" in rows["Kochabend"] and "Begegnungsfest" in rows["Kochabend"]
    assert "Same place" not in rows["Lesung"] and "Same place" not in rows["Frühstück"]
    assert f'href="/submissions/{fest.id}"' in rows["Kochabend"]
    one = page(coordinator_client.get(f"/submissions/{fest.id}", headers={"Accept-Language": "en"}))
    assert "Same place, overlapping time" in one and "Kochabend" in one


def test_an_overlapping_event_of_the_network_links_to_it(coordinator_client, campaign):
    network = campaign.network
    meeting = factories.meeting_event(network, title="Netzwerktreffen", start=factories.local(2027, 9, 21, 17),
                                      visibility="public")
    meeting.venue_name = "Einewelthaus"
    db.session.commit()
    entry(campaign)
    html = page(coordinator_client.get(f"/campaigns/{campaign.id}/submissions", headers={"Accept-Language": "en"}))
    assert f'href="/events/{meeting.id}/manage">Netzwerktreffen</a>' in html


# --- One submission, and the coordinator's edit ------------------------------------------

def test_the_submission_page_shows_the_entry_and_its_history(coordinator_client, coordinator, campaign):
    submission = entry(campaign, description="Mit **Musik** und Tanz", text_language="en", contact_phone="0391 123",
                       step_free=True, is_free=False, fee="5 €", registration_required=True, capacity=30)
    coordinator_client.post(f"/submissions/{submission.id}/changes", data={"message": "Bitte Zeit prüfen"})
    html = page(coordinator_client.get(f"/submissions/{submission.id}", headers={"Accept-Language": "en"}))
    assert '<h1 lang="en">Begegnungsfest</h1>' in html
    assert '<div class="markdown" lang="en"><p>Mit <strong>Musik</strong> und Tanz</p>' in html
    assert "aylin@example.org" in html and "0391 123" in html and "5 €" in html and "Step-free access" in html
    assert "Required, 30 places" in html
    assert "Submitted" in html and "Changes requested" in html and coordinator.name in html
    assert "Bitte Zeit prüfen" in html
    assert f'href="/submissions/{submission.id}/edit"' in html
    assert f'href="/campaigns/{campaign.id}"' in html  # back to the campaign


def test_approving_from_the_submission_page_with_a_note(coordinator_client, campaign):
    submission = entry(campaign)
    response = coordinator_client.post(f"/submissions/{submission.id}/approve",
                                       data={"back": "submission", "message": "Schön, dass ihr dabei seid!"})
    assert response.headers["Location"].endswith(f"/submissions/{submission.id}")
    assert "Schön, dass ihr dabei seid!" in mails_to("aylin@example.org")[-1].body
    html = page(coordinator_client.get(f"/submissions/{submission.id}"))
    assert f'href="/events/{db.session.get(Submission, submission.id).event_id}/manage"' in html


def _form(submission: Submission, **changes) -> dict:
    values = {"title": submission.title, "text_language": submission.text_language,
              "category_id": str(submission.category_id), "start_date": "2027-09-21", "start_time": "18:00",
              "end_time": "20:00", "venue_name": submission.venue_name, "district": submission.district,
              "languages": submission.language_codes, "target_groups": submission.target_group_codes,
              "is_free": "free", "organization_name": submission.organization_name,
              "contact_name": submission.contact_name, "contact_email": submission.contact_email}
    values.update(changes)
    return values


def test_the_coordinators_edit_of_an_approved_entry_moves_its_event(coordinator_client, campaign):
    submission = entry(campaign)
    coordinator_client.post(f"/submissions/{submission.id}/approve")
    event = db.session.get(Submission, submission.id).event
    sequence = event.sequence
    form = page(coordinator_client.get(f"/submissions/{submission.id}/edit"))
    assert 'value="Begegnungsfest"' in form and 'name="homepage"' not in form
    response = coordinator_client.post(f"/submissions/{submission.id}/edit",
                                       data=_form(submission, start_time="19:00", end_time="21:30",
                                                  venue_name="Altes Theater"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/submissions/{submission.id}")
    event = db.session.get(Event, event.id)
    assert event.starts_at == factories.local(2027, 9, 21, 19) and event.venue_name == "Altes Theater"
    assert event.sequence > sequence
    steps = [step.action for step in db.session.get(Submission, submission.id).history]
    assert steps[-1] == "edited"


def test_the_coordinators_edit_refuses_what_cannot_be_kept(coordinator_client, campaign):
    submission = entry(campaign)
    coordinator_client.post(f"/submissions/{submission.id}/approve")
    emptied = coordinator_client.post(f"/submissions/{submission.id}/edit", data=_form(submission, venue_name=""),
                                      headers={"Accept-Language": "en"})
    assert emptied.status_code == 422 and "Please fill in every required field." in page(emptied)
    assert 'autofocus' in page(emptied)
    backwards = coordinator_client.post(f"/submissions/{submission.id}/edit",
                                        data=_form(submission, start_time="20:00", end_time="19:00"),
                                        headers={"Accept-Language": "en"})
    assert backwards.status_code == 422 and "The end must be after the start." in page(backwards)
    assert db.session.get(Submission, submission.id).venue_name == "Einewelthaus"


def test_the_coordinators_edit_completes_a_draft(coordinator_client, campaign):
    draft = entry(campaign, venue="")
    response = coordinator_client.post(f"/submissions/{draft.id}/edit", data=_form(draft, venue_name="Hof"))
    assert response.status_code == 303
    assert db.session.get(Submission, draft.id).status == "submitted"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="clicks at the same moment need PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…")
@pytest.mark.config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0, "pool_pre_ping": True})
def test_approving_at_the_same_moment_makes_one_event(app, coordinator, campaign):
    """Five clicks on Approve at once (a double click without JavaScript, two coordinators):
    one approves, the others are told it changed meanwhile."""
    submission_id, email = entry(campaign).id, coordinator.email
    db.session.remove()  # the test's own connection holds nothing
    clients = []
    for _ in range(5):
        clients.append(app.test_client())
        factories.login(clients[-1], email)
    barrier, statuses = threading.Barrier(len(clients)), []

    def click(client) -> None:
        barrier.wait(timeout=30)
        statuses.append(client.post(f"/submissions/{submission_id}/approve", headers=HTMX).status_code)

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 422, 422, 422, 422]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewStep).where(ReviewStep.action == "approved")) == 1


def test_approving_a_declined_entry_again_brings_its_cancelled_event_back(coordinator_client, campaign):
    review.publish(campaign)
    db.session.commit()
    submission = entry(campaign)
    coordinator_client.post(f"/submissions/{submission.id}/approve")
    coordinator_client.post(f"/submissions/{submission.id}/decline", data={"message": "Der Raum ist belegt."})
    event = db.session.get(Submission, submission.id).event
    assert event.status == "cancelled"
    assert coordinator_client.post(f"/submissions/{submission.id}/approve").status_code == 303
    event = db.session.get(Event, event.id)
    assert event.status == "published" and event.cancel_reason == ""
