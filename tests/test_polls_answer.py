"""A date poll's participant pages through HTTP: answering by the personal link and changing
it, the counts beside each date (or none while the organizers hide them), a closed or decided
poll read-only, joining through the open link, the holds feed, forged links, bad answers, and
the answer page's queries flat in the size of the poll."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.polls import service
from app.polls.models import PollAnswer, PollParticipant
from tests.factories import local

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


@pytest.fixture
def network(app, make):
    return make.network("stendal", "Netzwerk Integration Stendal")


def make_poll(network, dates=3, people=0, **values):
    """A poll with `dates` two-hour slots on days from 1 March 2027 and `people` invited."""
    starts = [local(2027, 3, 1 + i % 28, 10 + i // 28 * 3) for i in range(dates)]
    slots = [service.Candidate(start, start + timedelta(hours=2)) for start in starts]
    values = {"title": "Austausch der Koordinierenden", "venue_name": "Rathaus Stendal",
              "venue_address": "Markt 1, 39576 Stendal", "description": "Wir treffen uns **im Oktober**.",
              "deadline": local(2027, 2, 20, 18), **values}
    poll = service.create(network, None, None, slots, **values)
    for i in range(people):
        service.new_participant(poll, f"Person {i:03d}", f"person{i}@example.org")
    db.session.commit()
    return poll


def invite(poll, name="Erika Muster", email="erika@example.org"):
    participant = service.new_participant(poll, name, email)
    db.session.commit()
    return participant, service.answer_token(participant)


def form_for(poll, answers, name="Erika Muster", comment=""):
    data = {"name": name, "comment": comment}
    data.update({f"answer-{poll.options[i].id}": answer for i, answer in answers.items()})
    return data


def saved(participant):
    return {option_id: answer for option_id, answer in db.session.execute(
        select(PollAnswer.option_id, PollAnswer.answer).where(PollAnswer.participant_id == participant.id))}


def test_answer_by_the_personal_link_and_change_it(client, network):
    poll = make_poll(network)
    participant, token = invite(poll)

    page = client.get(f"/p/{token}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Austausch der Koordinierenden" in html and "<strong>im Oktober</strong>" in html
    assert 'value="Erika Muster"' in html  # the name is pre-filled
    assert html.count("<fieldset") == 3 and html.count('type="radio"') == 9
    assert "Netzwerk Integration Stendal" in html and "Europe/Berlin" in html
    assert "Saturday, February 20, 2027" in html  # the deadline, in the poll's zone
    assert page.headers["X-Robots-Tag"] == "noindex"

    response = client.post(f"/p/{token}", data=form_for(poll, {0: "yes", 1: "maybe", 2: "no"}, comment="Gern!"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/{token}?done=saved")
    ids = [o.id for o in poll.options]
    assert saved(participant) == {ids[0]: "yes", ids[1]: "maybe", ids[2]: "no"}
    assert participant.comment == "Gern!" and participant.answered_at is not None

    html = client.get(f"/p/{token}?done=saved", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Saved. You can change your answers with this link until Saturday, February 20, 2027" in html
    assert re.search(rf'name="answer-{ids[1]}" value="maybe" checked', html)

    # Changed: one answer per date, a date left open is unanswered.
    client.post(f"/p/{token}", data=form_for(poll, {0: "no", 2: "yes"}, name="Erika  Muster-Lang"))
    assert saved(participant) == {ids[0]: "no", ids[2]: "yes"}
    assert participant.name == "Erika Muster-Lang"


def test_counts_beside_each_date_and_who_answered(client, network):
    poll = make_poll(network)
    first, first_token = invite(poll, "Anna", "anna@example.org")
    _second, second_token = invite(poll, "Bernd", "bernd@example.org")
    client.post(f"/p/{first_token}", data=form_for(poll, {0: "yes", 1: "maybe"}, name="Anna"))
    client.post(f"/p/{second_token}", data=form_for(poll, {0: "yes", 1: "no"}, name="Bernd"))

    html = client.get(f"/p/{first_token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    counts = re.findall(r'<p class="poll-counts">(.*?)</p>', html)
    assert counts[0].startswith("2 yes · 0 if need be") and "most can so far" in counts[0]
    assert counts[1] == "0 yes · 1 if need be"
    table = html[html.index('<table class="poll-table">'):html.index("</table>")]
    assert '<th scope="row">Anna <span class="secondary-text">(you)</span></th>' in table
    assert '<th scope="row">Bernd' in table
    assert table.count('<th scope="col">') == 4
    assert "2 of 2 people have answered." in html
    assert "anna@example.org" not in html and "bernd@example.org" not in html  # addresses stay private


def test_hidden_results_show_only_my_answers(client, network):
    poll = make_poll(network, hide_results=True)
    _other, other_token = invite(poll, "Anna", "anna@example.org")
    _me, token = invite(poll)
    client.post(f"/p/{other_token}", data=form_for(poll, {0: "yes"}, name="Anna"))
    client.post(f"/p/{token}", data=form_for(poll, {1: "yes"}))

    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "poll-counts" not in html and "poll-table" not in html and "Anna" not in html
    assert re.search(rf'name="answer-{poll.options[1].id}" value="yes" checked', html)


def test_without_maybe_only_yes_and_no(client, network):
    poll = make_poll(network, allow_maybe=False)
    participant, token = invite(poll)
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert 'value="maybe"' not in html and html.count('type="radio"') == 6
    response = client.post(f"/p/{token}", data=form_for(poll, {0: "maybe"}))
    assert response.status_code == 422
    assert "Please answer each date with one of the choices." in response.get_data(as_text=True)
    assert saved(participant) == {}


def test_closed_and_decided_polls_are_read_only(client, network, monkeypatch):
    poll = make_poll(network)
    participant, token = invite(poll)
    client.post(f"/p/{token}", data=form_for(poll, {0: "yes", 1: "no"}))
    service.close(poll)
    db.session.commit()

    html = client.get(f"/p/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="name"' not in html and 'type="radio"' not in html  # only "delete my data" stays a form
    assert "This poll is closed." in html and "Your answers" in html
    assert "1 yes" in html  # results are visible once closed
    response = client.post(f"/p/{token}", data=form_for(poll, {0: "no"}))
    assert response.status_code == 422
    assert saved(participant)[poll.options[0].id] == "yes"

    # Past the deadline counts as closed as well.
    service.reopen(poll)
    db.session.commit()
    monkeypatch.setattr(service, "utcnow", lambda: poll.deadline + timedelta(minutes=1))
    assert 'type="radio"' not in client.get(f"/p/{token}").get_data(as_text=True)


def test_errors_beside_the_field_and_nothing_lost(client, network):
    poll = make_poll(network)
    participant, token = invite(poll)
    response = client.post(f"/p/{token}", data=form_for(poll, {0: "yes", 2: "maybe"}, name=" ", comment="Ab 10 Uhr"),
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="name-error">Please enter your name.</p>', html)
    assert re.search(rf'name="answer-{poll.options[0].id}" value="yes" checked', html)
    assert re.search(rf'name="answer-{poll.options[2].id}" value="maybe" checked', html)
    assert "Ab 10 Uhr</textarea>" in html
    assert saved(participant) == {}


@pytest.mark.parametrize("field, value", [
    ("answer-999999", "yes"),  # no date of this poll
    ("answer-abc", "yes"),
    ("answer-{first}", "perhaps"),
])
def test_unknown_dates_and_answers_are_refused(client, network, field, value):
    poll = make_poll(network)
    other = make_poll(network, title="Another poll")  # its dates are no dates of this poll
    participant, token = invite(poll)
    data = form_for(poll, {1: "yes"})
    data[field.format(first=poll.options[0].id)] = value
    response = client.post(f"/p/{token}", data=data)
    assert response.status_code == 422
    assert "Please answer each date with one of the choices." in response.get_data(as_text=True)
    data = form_for(poll, {})
    data[f"answer-{other.options[0].id}"] = "yes"
    assert client.post(f"/p/{token}", data=data).status_code == 422
    assert saved(participant) == {}


def test_join_through_the_open_link(client, network):
    poll = make_poll(network, open_link=True)
    token = service.open_token(poll)
    html = client.get(f"/p/open/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="name"' in html and 'value=""' in html and 'id="email"' not in html  # nobody types addresses

    response = client.post(f"/p/open/{token}", data={**form_for(poll, {0: "yes", 1: "maybe"}, name="Olena")})
    assert response.status_code == 303
    participant = db.session.scalars(select(PollParticipant).where(PollParticipant.name == "Olena")).one()
    assert participant.invited is False and participant.email == ""
    personal = service.answer_token(participant)
    assert response.headers["Location"].endswith(f"/p/{personal}?done=joined")
    assert saved(participant) == {poll.options[0].id: "yes", poll.options[1].id: "maybe"}
    html = client.get(f"/p/{personal}?done=joined", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Please bookmark this page" in html and service.answer_url(participant) in html

    # A bot filling the hidden field gets a success and adds nobody.
    response = client.post(f"/p/open/{token}", data={**form_for(poll, {0: "no"}, name="Bot"),
                                                     "homepage": "http://spam.example"})
    assert response.status_code == 303 and db.session.scalar(select(db.func.count(PollParticipant.id))) == 1

    # Without a name nobody is added, and what was ticked stays.
    response = client.post(f"/p/open/{token}", data={**form_for(poll, {2: "yes"}, name="")})
    assert response.status_code == 422
    assert re.search(rf'name="answer-{poll.options[2].id}" value="yes" checked', response.get_data(as_text=True))
    assert db.session.scalar(select(db.func.count(PollParticipant.id))) == 1


def test_open_link_switched_off_or_closed(client, network):
    poll = make_poll(network, open_link=False)
    assert client.get(f"/p/open/{service.open_token(poll)}").status_code == 404
    poll.open_link = True
    service.close(poll)
    db.session.commit()
    response = client.post(f"/p/open/{service.open_token(poll)}", data=form_for(poll, {0: "yes"}, name="Late"))
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count(PollParticipant.id))) == 0


def test_holds_feed(client, network):
    poll = make_poll(network)
    participant, token = invite(poll)
    html = client.get(f"/p/{token}").get_data(as_text=True)
    holds_token = service.holds_token(participant)
    assert f"webcal://localhost/p/holds/{holds_token}.ics" in html
    response = client.get(f"/p/holds/{holds_token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.data.startswith(b"BEGIN:VCALENDAR") and b"STATUS:TENTATIVE" in response.data


@pytest.mark.parametrize("url", [
    "/p/{fake}", "/p/open/{fake}", "/p/holds/{fake}.ics",
    "/p/{holds}", "/p/holds/{answer}.ics", "/p/open/{answer}",  # one link's token in another's place
    "/p/" + "x" * 200, "/p/%C3%A4%C3%B6%C3%BC",
])
def test_forged_links_get_the_invalid_page(client, network, url):
    poll = make_poll(network, open_link=True)
    participant, token = invite(poll)
    url = url.format(fake="A" * 43, holds=service.holds_token(participant), answer=token)
    for response in (client.get(url, headers={"Accept-Language": "en"}),
                     client.post(url, data=form_for(poll, {0: "yes"}), headers={"Accept-Language": "en"})):
        if url.endswith(".ics") and response.request.method == "POST":
            assert response.status_code == 405
            continue
        assert response.status_code == 404
        assert "This link is not valid." in response.get_data(as_text=True)
    assert saved(participant) == {}


def test_answer_page_queries_stay_flat(client, network, count_queries):
    def queries(dates, people):
        poll = make_poll(network, dates=dates, people=people)
        for participant in poll.participants:
            service.save_answers(participant, {o.id: "yes" for o in poll.options}, participant.name)
        participant, token = invite(poll)
        db.session.commit()
        return count_queries(lambda: client.get(f"/p/{token}")), count_queries(
            lambda: client.post(f"/p/{token}", data=form_for(poll, {0: "yes"})))

    small, big = queries(3, 5), queries(40, 200)
    assert small == big, (small, big)
    assert small[0] <= 8, small  # participant, poll, network, options, my answers, results (2), session


def test_decided_poll_shows_the_chosen_date_and_the_event(client, network):
    poll = make_poll(network)
    participant, token = invite(poll)
    client.post(f"/p/{token}", data=form_for(poll, {0: "no", 1: "yes"}))
    event = service.decide(poll, poll.options[1], take_registrations=False)  # for members only
    db.session.commit()

    html = client.get(f"/p/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'type="radio"' not in html
    assert "The date is chosen:</strong> Tuesday, March 2, 2027," in html
    assert f'href="/events/{event.id}"' not in html  # its page would be closed to a visitor
    event.visibility = "public"
    db.session.commit()
    html = client.get(f"/p/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'href="/events/{event.id}"' in html
    chosen = html[html.index('class="poll-date is-chosen"'):]
    assert chosen.index("chosen</strong>") < chosen.index("</li>") and "✓</span> Yes" in chosen[:chosen.index("</li>")]
    assert "Hold these dates" not in html  # holds are for open polls only


def test_a_tap_saves_and_brings_back_that_dates_counts(client, network):
    """htmx posts the form when a radio changes, aimed at the date's counts: saved, and the
    fragment (not a redirect) carries the new counts; a tap that cannot be saved shows the form."""
    poll = make_poll(network)
    participant, token = invite(poll)
    first = poll.options[0].id
    htmx = {"HX-Request": "true", "HX-Target": f"counts-{first}", "Accept-Language": "en"}
    response = client.post(f"/p/{token}", data=form_for(poll, {0: "yes"}), headers=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert re.search(rf'<div id="counts-{first}" role="status"><p class="poll-counts">1 yes · 0 if need be · '
                     r'<strong class="poll-best">most can so far</strong> · <span class="poll-saved">', html)
    assert saved(participant) == {first: "yes"}

    response = client.post(f"/p/{token}", data=form_for(poll, {0: "no"}, name=""), headers=htmx)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#poll-answer" and 'id="name-error"' in response.get_data(as_text=True)
    assert saved(participant) == {first: "yes"}


@pytest.mark.config(RATELIMIT_ENABLED=True, BABEL_DEFAULT_LOCALE="en")
def test_rate_limits(client, network):
    """The open link adds people, so it is held back sooner than the personal link."""
    poll = make_poll(network, open_link=True)
    open_url = f"/p/open/{service.open_token(poll)}"
    codes = [client.post(open_url, data=form_for(poll, {0: "yes"}, name=f"Gast {i}")).status_code for i in range(6)]
    assert codes == [303] * 5 + [429]
    assert client.get(open_url).status_code == 200  # reading stays possible
    # A personal link takes a tap per date (60 a minute), whoever else shares the address.
    _participant, token = invite(poll)
    codes = [client.post(f"/p/{token}", data=form_for(poll, {0: "yes"})).status_code for _ in range(61)]
    assert codes == [303] * 60 + [429]
    _other, other_token = invite(poll, "Olena", "olena@example.org")
    assert client.post(f"/p/{other_token}", data=form_for(poll, {0: "no"})).status_code == 303
