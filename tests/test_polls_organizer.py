"""The organizer's pages of date polls through HTTP: creating a poll with every kind of bad
input, who may see what, the results table, required people, inviting and reminding, the
dates changed, the CSV, deciding (the event), and query counts that stay flat."""
import csv
import io
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.core.types import utcnow
from app.directory.models import Person
from app.events.models import Event
from app.events.recurrence import to_local
from app.polls import service as polls
from app.polls.models import Poll, PollParticipant
from app.registrations.models import Invitation

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")

TZ = "Europe/Berlin"


def _today() -> date:
    return to_local(utcnow(), TZ).date()


def _form(**changes) -> dict:
    """A valid new poll: three days from in 30 days, two slots, a deadline a week before."""
    first = _today() + timedelta(days=30)
    data = {"title": "Austausch der Koordinator:innen", "working_group_id": "0",
            "venue_name": "Rathaus Stendal", "venue_address": "Markt 1, 39576 Stendal",
            "description": "Wir planen das **Jahrestreffen**.",
            "days-0": first.isoformat(), "days-1": (first + timedelta(days=1)).isoformat(),
            "days-2": (first + timedelta(days=7)).isoformat(), "days-3": "", "days-4": "", "days-5": "",
            "slots-0-start": "10:00", "slots-0-end": "12:00", "slots-1-start": "14:00", "slots-1-end": "16:00",
            "slots-2-start": "", "slots-2-end": "",
            "deadline_date": (first - timedelta(days=7)).isoformat(), "deadline_time": "18:00",
            "allow_maybe": "y", "open_link": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _poll(network, dates=3, people=0, group=None, answers=True) -> Poll:
    """A poll made through the service: `dates` two-hour slots on following days, `people`
    invited people who answered yes, if need be and no in turn."""
    first = _today() + timedelta(days=30)
    days = [first + timedelta(days=n) for n in range(dates // 2 + dates % 2)]
    found = polls.candidates(days, [(time(10), time(12)), (time(14), time(16))], TZ)[:dates]
    poll = polls.create(network, group, None, found, title="Jahrestreffen", deadline=utcnow() + timedelta(days=10),
                        open_link=True)
    db.session.flush()
    for n in range(people):
        participant = polls.new_participant(poll, f"Person {n:03d}", f"person{n}@example.org")
        db.session.flush()
        if answers:
            polls.save_answers(participant, {o.id: ("yes", "maybe", "no")[(n + i) % 3]
                                             for i, o in enumerate(poll.options)}, f"Person {n:03d}")
    db.session.commit()
    return poll


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en", domain="localhost")  # the msgids are stable text to look for


@pytest.fixture
def network(coordinator):
    return coordinator.coordinated_networks[0]


# --- Creating a poll -------------------------------------------------------------------

def test_create_a_poll_with_slots(coordinator_client, network):
    response = coordinator_client.post("/n/magdeburg/polls/new", data=_form())
    assert response.status_code == 303
    poll = db.session.scalar(select(Poll))
    assert response.headers["Location"].endswith(f"/polls/{poll.id}#invite")
    assert (poll.title, poll.venue_name, poll.allow_maybe, poll.hide_results, poll.open_link, poll.timezone) == (
        "Austausch der Koordinator:innen", "Rathaus Stendal", True, False, True, TZ)
    assert len(poll.options) == 6  # three days × two slots
    first = poll.options[0]
    assert to_local(first.starts_at, TZ).time() == time(10) and to_local(first.ends_at, TZ).time() == time(12)
    assert to_local(poll.deadline, TZ).time() == time(18)
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Austausch der Koordinator:innen" in page and "<strong>Jahrestreffen</strong>" in page
    assert polls.open_url(poll) in page


def test_whole_days_and_a_deadline_at_the_end_of_the_day(coordinator_client, network):
    response = coordinator_client.post("/n/magdeburg/polls/new", data=_form(
        **{"slots-0-start": "", "slots-0-end": "", "slots-1-start": "", "slots-1-end": "", "deadline_time": "",
           "allow_maybe": None}))
    assert response.status_code == 303
    poll = db.session.scalar(select(Poll))
    assert [o.all_day for o in poll.options] == [True, True, True]
    assert to_local(poll.deadline, TZ).time() == time(23, 59)
    assert poll.allow_maybe is False


@pytest.mark.parametrize("changes, message, field", [
    ({"days-0": (date.today() - timedelta(days=3)).isoformat()}, "A date is in the past", "days-error"),
    ({"days-3": "SAME"}, "A date is in the poll twice", "days-error"),
    ({"deadline_date": "FIRST"}, "The deadline must be before the first date", "deadline_date-error"),
    ({"days-0": "", "days-1": "", "days-2": ""}, "Please add at least one date.", "days-error"),
    ({"slots-0-end": "09:00"}, "A time slot must end after it starts", "slots-error"),
    ({"slots-1-end": ""}, "Please enter both times of this slot, or neither.", "slots-1-end-error"),
    ({"days-4": "31.12.2027"}, "Please enter a date, e.g. 2027-03-04.", "days-4-error"),
    ({"deadline_date": ""}, "Please enter the deadline.", "deadline_date-error"),
    ({"title": " "}, "Please enter a title.", "title-error"),
    ({"online_url": "meet.example.org"}, "Please enter a full address", "online_url-error"),
])
def test_bad_input_is_shown_beside_its_field_and_nothing_is_lost(coordinator_client, network, changes, message,
                                                                 field):
    data = _form()
    for key, value in changes.items():
        if value == "SAME":  # the first day again, in another row
            value = data["days-0"]
        if value == "FIRST":  # a deadline on the first day, after the first date
            value = data["days-0"]
        data[key] = value
    response = coordinator_client.post("/n/magdeburg/polls/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}">(.*?)</p>', page, re.S)
    assert error and message in error.group(1), page[page.find("error"):][:600]
    assert "Please correct the marked fields." in page
    assert 'value="Rathaus Stendal"' in page and data["days-2"] in page  # nothing lost
    assert db.session.scalar(select(Poll)) is None


def test_all_problems_at_once(coordinator_client, network):
    """A missing title does not hide that a date is in the past."""
    response = coordinator_client.post("/n/magdeburg/polls/new", data=_form(
        title="", **{"days-0": (date.today() - timedelta(days=3)).isoformat()}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter a title." in page and "A date is in the past" in page


def test_more_rows_without_javascript(coordinator_client, network):
    page = coordinator_client.get("/n/magdeburg/polls/new").get_data(as_text=True)
    assert page.count('type="date" ') >= 7 and page.count('type="time"') >= 6  # 6 days + deadline; 3 slots
    assert 'id="days-5"' in page and 'id="slots-2-end"' in page
    response = coordinator_client.post("/n/magdeburg/polls/new", data=_form(more="days"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="days-8"' in page and '<label for="days-8">Day 9</label>' in page
    assert f'value="{_form()["days-0"]}"' in page and 'class="error"' not in page
    assert db.session.scalar(select(Poll)) is None
    page = coordinator_client.post("/n/magdeburg/polls/new", data=_form(more="slots")).get_data(as_text=True)
    assert 'id="slots-5-start"' in page and "Slot 6: from" in page


def test_a_group_lead_makes_a_poll_of_their_group_only(client, make, network):
    group = make.group(network, "AG Sprache")
    other = make.group(network, "AG Arbeit")
    make.user("lead@example.org", leads=[group])
    db.session.commit()
    make.login(client, "lead@example.org")
    page = client.get("/n/magdeburg/polls/new").get_data(as_text=True)
    assert "AG Sprache" in page and "AG Arbeit" not in page and "the whole network" not in page
    response = client.post("/n/magdeburg/polls/new", data=_form(working_group_id=str(other.id)))
    assert response.status_code == 422 and db.session.scalar(select(Poll)) is None
    response = client.post("/n/magdeburg/polls/new", data=_form(working_group_id=str(group.id)))
    assert response.status_code == 303
    mine = db.session.scalar(select(Poll))
    assert mine.working_group_id == group.id
    network_poll = _poll(network)
    listing = client.get("/n/magdeburg/polls").get_data(as_text=True)
    assert f"/polls/{mine.id}" in listing and f"/polls/{network_poll.id}\"" not in listing
    page = client.get(f"/polls/{mine.id}").get_data(as_text=True)
    assert "AG Arbeit" not in page and 'value="network"' not in page  # only their own group to invite
    assert client.get(f"/polls/{network_poll.id}").status_code == 403
    # Inviting another group or the whole network would show the lead those addresses.
    assert client.post(f"/polls/{mine.id}/invite", data={"source": "group", "group_id": other.id}).status_code == 403
    assert client.post(f"/polls/{mine.id}/invite", data={"source": "network"}).status_code == 403
    assert client.post(f"/polls/{mine.id}/invite", data={"source": "group", "group_id": group.id}).status_code == 303


# --- Who may see it --------------------------------------------------------------------

def test_access(client, make, network):
    poll = _poll(network, people=2)
    option = poll.options[0]
    urls = ["/n/magdeburg/polls", "/n/magdeburg/polls/new", f"/polls/{poll.id}", f"/polls/{poll.id}/answers.csv",
            f"/polls/{poll.id}/decide?option={option.id}"]
    posts = [f"/polls/{poll.id}/close", f"/polls/{poll.id}/remind", f"/polls/{poll.id}/invite",
             f"/polls/{poll.id}/dates/{option.id}/remove", f"/polls/{poll.id}/decide?option={option.id}",
             f"/polls/{poll.id}/participants/{poll.participants[0].id}/required"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in posts:
        assert client.post(url).status_code == 302, url
    other = make.network("halle", "Netzwerk Halle")
    make.user("halle@example.org", coordinates=[other])
    db.session.commit()
    make.login(client, "halle@example.org")
    for url in urls:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url).status_code == 403, url
    assert db.session.get(Poll, poll.id).status == "open"
    assert client.get("/n/halle/polls").status_code == 200


def test_the_list_puts_open_polls_first(coordinator_client, network):
    closed = _poll(network, people=3)
    polls.close(closed)
    closed.title = "Ein geschlossener"
    open_ = _poll(network, people=2)
    db.session.commit()
    page = coordinator_client.get("/n/magdeburg/polls").get_data(as_text=True)
    assert page.index(f"/polls/{open_.id}\"") < page.index(f"/polls/{closed.id}\"")
    assert "3 of 3 answered" in page and "2 of 2 answered" in page
    assert 'aria-current="page">Date polls' in page
    assert "New date poll" in page


# --- The results -------------------------------------------------------------------------

def test_results_table_and_best_date(coordinator_client, network):
    poll = _poll(network, dates=3, people=3)
    anna = poll.participants[0]
    polls.save_answers(anna, {poll.options[0].id: "yes", poll.options[1].id: "yes", poll.options[2].id: "yes"},
                       "Anna Alt", comment="Nur vormittags")
    db.session.commit()
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    table = page[page.index("<table"):page.index("</table>")]
    assert "<caption" in table and "Europe/Berlin" in table
    assert table.count('<th scope="col"') == 3 + 2  # person, three dates, comment
    assert table.count('<th scope="row"') == 3 + 1  # three people and the counts
    assert "Anna Alt" in table and "Nur vormittags" in table
    # Answers in words (the icons are hidden from screen readers), and no answer said so.
    assert '<span aria-hidden="true">✓</span> yes' in table and "if need be" in table
    assert '<span aria-hidden="true">✗</span> no' in table
    footer = table[table.index("<tfoot"):]
    found = polls.results(poll)
    for row in found.dates:
        assert f"<td>{row.yes} / {row.maybe}</td>" in footer
    best = [row for row in found.dates if row.best]
    assert best and best[0].reason in page
    assert page.count("Best date") == len(best)
    assert page.index('class="poll-summary"') < page.index("<table")  # the summary first (phones)


def test_a_required_person_excludes_a_date(coordinator_client, network):
    poll = _poll(network, dates=2, people=0)
    first, second = poll.options
    names = ["Anna", "Bernd", "Cem"]
    people = {}
    for name in names:
        people[name] = polls.new_participant(poll, name, f"{name.lower()}@example.org")
    db.session.flush()
    polls.save_answers(people["Anna"], {first.id: "yes", second.id: "maybe"}, "Anna")
    polls.save_answers(people["Bernd"], {first.id: "yes", second.id: "yes"}, "Bernd")
    polls.save_answers(people["Cem"], {first.id: "no", second.id: "yes"}, "Cem")
    db.session.commit()
    found = polls.results(poll)
    assert [r.best for r in found.dates] == [False, True]  # 3 can on the second (2 yes)
    anna_id = people["Anna"].id
    response = coordinator_client.post(f"/polls/{poll.id}/participants/{people['Cem'].id}/required",
                                       data={"required": "1"}, headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<section id="results"')
    assert "all 1 required" not in fragment and "the required person can" in fragment
    assert fragment.count("Best date") == 1
    # Cem said no to the first date: still out; the second is best because Cem can.
    response = coordinator_client.post(f"/polls/{poll.id}/participants/{anna_id}/required", data={"required": "1"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#p{anna_id}")
    found = polls.results(db.session.get(Poll, poll.id))
    assert found.required == 2 and [r.best for r in found.dates] == [False, True]
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "all 2 required people can" in page and page.count(">required</span>") == 2
    assert "Not every required person can come." in page
    coordinator_client.post(f"/polls/{poll.id}/participants/{anna_id}/required", data={"required": "0"})
    assert db.session.get(PollParticipant, anna_id).required is False


def test_csv_of_the_answers(coordinator_client, network):
    poll = _poll(network, dates=2, people=2)
    participant = poll.participants[0]
    polls.save_answers(participant, {poll.options[0].id: "yes", poll.options[1].id: "maybe"}, "=Anna",
                       comment="+49 391 1234")
    db.session.commit()
    response = coordinator_client.get(f"/polls/{poll.id}/answers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Name", "E-mail", "Required", "Comment"] and len(rows[0]) == 6
    assert "10:00" in rows[0][4]
    assert ["'=Anna", "person0@example.org", "", "'+49 391 1234", "yes", "if need be"] in rows  # no formulas
    assert len(rows) == 3


# --- Inviting, reminding, closing, changing dates ------------------------------------------

def test_invite_pasted_addresses_as_required_and_bad_lines(coordinator_client, network):
    poll = _poll(network)
    response = coordinator_client.post(f"/polls/{poll.id}/invite", data={
        "source": "list", "required": "1",
        "addresses": "Anna Alt <anna@example.org>\nkein-at-zeichen\nbernd@example.org"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<code>kein-at-zeichen</code>" in page and ">kein-at-zeichen</textarea>" in page
    assert "2 invited; 0 had an invitation already." in page
    people = db.session.scalars(select(PollParticipant).order_by(PollParticipant.email)).all()
    assert [(p.email, p.required) for p in people] == [("anna@example.org", True), ("bernd@example.org", True)]
    response = coordinator_client.post(f"/polls/{poll.id}/invite", data={
        "source": "list", "addresses": "anna@example.org\ncem@example.org"}, follow_redirects=True)
    assert "1 invited; 1 had an invitation already." in response.get_data(as_text=True)
    cem = db.session.scalar(select(PollParticipant).filter_by(email="cem@example.org"))
    assert cem.required is False


def test_invite_a_group_and_remind(coordinator_client, network, make):
    group = make.group(network, "AG Sprache")
    organization = make.organization(network, "Stadt Stendal")
    people = [Person(organization=organization, name=name, email=f"{name.lower()}@example.org")
              for name in ("Anna", "Bernd")]
    db.session.add_all(people)
    group.people.extend(people)
    poll = _poll(network, group=group)
    response = coordinator_client.post(f"/polls/{poll.id}/invite", data={"source": "group", "group_id": group.id},
                                       follow_redirects=True)
    assert "2 invited; 0 had an invitation already." in response.get_data(as_text=True)
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Remind the 2 people who have not answered" in page
    response = coordinator_client.post(f"/polls/{poll.id}/remind", follow_redirects=True)
    assert "0 reminded." in response.get_data(as_text=True)  # the invitation went out just now
    for participant in db.session.get(Poll, poll.id).participants:  # a day later
        participant.created_at -= timedelta(hours=25)
    db.session.commit()
    response = coordinator_client.post(f"/polls/{poll.id}/remind", follow_redirects=True)
    assert "2 reminded." in response.get_data(as_text=True)
    response = coordinator_client.post(f"/polls/{poll.id}/remind", follow_redirects=True)
    assert "0 reminded." in response.get_data(as_text=True)  # not twice within 24 hours


def test_close_reopen_and_change_dates(coordinator_client, network):
    poll = _poll(network, dates=2, people=1)
    coordinator_client.post(f"/polls/{poll.id}/close")
    assert db.session.get(Poll, poll.id).status == "closed"
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Open the poll again" in page
    coordinator_client.post(f"/polls/{poll.id}/reopen")
    assert db.session.get(Poll, poll.id).status == "open"

    later = (_today() + timedelta(days=40)).isoformat()
    response = coordinator_client.post(f"/polls/{poll.id}/dates", data={
        "days-0": later, "slots-0-start": "09:00", "slots-0-end": "11:00"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#dates")
    assert len(db.session.get(Poll, poll.id).options) == 3
    response = coordinator_client.post(f"/polls/{poll.id}/dates", data={
        "days-0": later, "slots-0-start": "09:00", "slots-0-end": "11:00"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A date is in the poll twice" in page and "<details class=\"poll-add-dates\" open>" in page

    before_deadline = (_today() + timedelta(days=2)).isoformat()  # the deadline is in 10 days
    response = coordinator_client.post(f"/polls/{poll.id}/dates", data={"days-0": before_deadline})
    assert response.status_code == 422
    assert re.search(r'id="days-error">The deadline must be before the first date', response.get_data(as_text=True))

    options = db.session.get(Poll, poll.id).options
    for option in options[:-1]:
        assert coordinator_client.post(f"/polls/{poll.id}/dates/{option.id}/remove").status_code == 303
    response = coordinator_client.post(f"/polls/{poll.id}/dates/{options[-1].id}/remove", follow_redirects=True)
    assert "A poll needs at least one date." in response.get_data(as_text=True)
    assert len(db.session.get(Poll, poll.id).options) == 1


def test_change_the_details_and_a_later_deadline(coordinator_client, network):
    """A deadline that passed is moved: the poll takes answers again."""
    poll = _poll(network, dates=2)
    poll.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = coordinator_client.get(f"/polls/{poll.id}/edit").get_data(as_text=True)
    assert 'value="Jahrestreffen"' in page and 'id="working_group_id"' not in page
    first = to_local(poll.options[0].starts_at, TZ).date()
    data = {"title": "Jahrestreffen 2027", "venue_name": "Rathaus", "deadline_date": first.isoformat(),
            "deadline_time": "18:00", "allow_maybe": "y"}
    response = coordinator_client.post(f"/polls/{poll.id}/edit", data=data)
    assert response.status_code == 422
    assert re.search(r'id="deadline_date-error">The deadline must be before the first date', response.get_data(
        as_text=True))
    response = coordinator_client.post(f"/polls/{poll.id}/edit", data={
        **data, "deadline_date": (_today() - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "The deadline is in the past." in response.get_data(as_text=True)
    response = coordinator_client.post(f"/polls/{poll.id}/edit", data={
        **data, "deadline_date": (first - timedelta(days=3)).isoformat()})
    assert response.status_code == 303
    poll = db.session.get(Poll, poll.id)
    assert (poll.title, poll.venue_name, poll.open_link) == ("Jahrestreffen 2027", "Rathaus", False)
    assert polls.is_open(poll) and to_local(poll.deadline, TZ).time() == time(18)


# --- Deciding ---------------------------------------------------------------------------------

def test_decide_creates_the_event_and_closes_the_poll(coordinator_client, network):
    poll = _poll(network, dates=3, people=3)
    option = poll.options[0]
    # Person 0 said yes, Person 1 if need be, Person 2 no to the first date.
    page = coordinator_client.get(f"/polls/{poll.id}/decide?option={option.id}").get_data(as_text=True)
    assert "2 people who said yes or if need be get an invitation" in page
    assert "1 other person is told the result." in page
    assert 'value="members" checked' in page or 'checked value="members"' in page or \
        re.search(r'<input[^>]*checked[^>]*value="members"|<input[^>]*value="members"[^>]*checked', page)
    response = coordinator_client.post(f"/polls/{poll.id}/decide?option={option.id}",
                                       data={"visibility": "public", "capacity": "0"})
    assert response.status_code == 422 and db.session.get(Poll, poll.id).status == "open"
    response = coordinator_client.post(f"/polls/{poll.id}/decide?option={option.id}",
                                       data={"visibility": "public", "take_registrations": "y", "capacity": "25"})
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/events/{event.id}/manage")
    poll = db.session.get(Poll, poll.id)
    assert poll.status == "decided" and poll.event_id == event.id and poll.chosen.id == option.id
    assert (event.title, event.starts_at, event.visibility, event.status) == (
        "Jahrestreffen", option.starts_at, "public", "published")
    assert event.registration_settings.capacity == 25
    assert sorted(db.session.scalars(select(Invitation.email))) == ["person0@example.org", "person1@example.org"]
    page = coordinator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 invited to the event, 1 told the result." in page
    # Decided: no second event, and the page says where it went.
    response = coordinator_client.post(f"/polls/{poll.id}/decide?option={option.id}", data={"visibility": "members"})
    assert response.status_code == 303 and len(db.session.scalars(select(Event)).all()) == 1
    page = coordinator_client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Choose this date" not in page and f"/events/{event.id}/manage" in page
    for url in ("invite", "remind", "close", "dates", f"dates/{option.id}/remove", "edit"):
        assert coordinator_client.post(f"/polls/{poll.id}/{url}", data={"source": "network"}).status_code == 409, url


def test_decide_an_unknown_date_is_not_found(coordinator_client, network):
    poll = _poll(network)
    other = _poll(network)
    assert coordinator_client.get(f"/polls/{poll.id}/decide?option={other.options[0].id}").status_code == 404
    assert coordinator_client.get(f"/polls/{poll.id}/decide").status_code == 404


# --- Speed ------------------------------------------------------------------------------------

def test_query_counts_stay_flat(coordinator_client, network, count_queries):
    small = _poll(network, dates=3, people=5)
    big = _poll(network, dates=40, people=200)
    assert len(big.options) == 40

    def visit(url, counts, name):
        def get():
            response = coordinator_client.get(url)
            assert response.status_code == 200
            counts[name] = response.get_data(as_text=True).count('<td class="poll-results-answer')
        return get

    cells, counts = {}, {}
    for name, poll in (("small", small), ("big", big)):
        counts[name] = count_queries(visit(f"/polls/{poll.id}", cells, name))
    assert cells == {"small": 3 * 5, "big": 40 * 200}
    assert counts["small"] == counts["big"], counts
    listing = count_queries(visit("/n/magdeburg/polls", cells, "list"))
    _poll(network, people=30)
    assert count_queries(visit("/n/magdeburg/polls", cells, "list")) == listing
