"""A date poll from the invitation to the event, with mails through a real SMTP server:
invite a working group, answers, the best date, decide → the event, its invitations with the
calendar's REQUEST (checked with ics-check --itip --strict) and a plain notice for the others."""
import re
import threading
from datetime import date, time, timedelta

import pytest

from app.core.extensions import db
from app.core.types import utcnow
from app.directory.models import Person
from app.events.models import Event
from app.mail import outbox
from app.mail.models import OutboxMail
from app.polls import service as polls
from app.polls.models import Poll, PollParticipant
from app.registrations import invitations
from app.registrations.models import Invitation

from . import factories
from .mails import calendar_of, itip_check

# The texts compared below are the English source; German is the installation's default.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def group_of_three(coordinator, make):
    network = coordinator.coordinated_networks[0]
    group = make.group(network, "AG Sprache")
    organization = make.organization(network, "Stadt Stendal")
    people = [Person(organization=organization, name=name, email=f"{name.split()[0].lower()}@example.org")
              for name in ("Anna Alt", "Bernd Brandt", "Cem Çelik")]
    db.session.add_all(people)
    group.people.extend(people)
    db.session.commit()
    return network, group


def _new_poll(network, group, user, days=3):
    first = (utcnow() + timedelta(days=30)).date()
    dates = polls.candidates([first + timedelta(days=n) for n in range(days)], [(time(10), time(12))],
                             network.timezone)
    poll = polls.create(network, group, user, dates, title="Austausch der Koordinator:innen",
                        venue_name="Rathaus Stendal", deadline=utcnow() + timedelta(days=10))
    db.session.flush()
    return poll


def _link(mail, pattern: str) -> str:
    """The path of the first link in the mail's plain text that matches `pattern`."""
    found = re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", mail.get_body(("plain",)).get_content())
    assert found, mail.get_body(("plain",)).get_content()
    return found.group(1)


def test_from_the_poll_to_the_event_without_typing_anything_twice(app, client, coordinator, group_of_three,
                                                                   smtp_server):
    """The issue's "Done when" through HTTP: the coordinator creates a poll for the working group
    and invites it; each member answers from the link in their mail; the coordinator picks the
    best date; the event exists with its invitations, whose calendar parts pass ics-check."""
    _port, inbox = smtp_server
    network, group = group_of_three
    factories.login(client, coordinator.email)
    first = (utcnow() + timedelta(days=40)).date()
    response = client.post(f"/n/{network.slug}/polls/new", data={
        "title": "Austausch der Koordinator:innen", "working_group_id": str(group.id),
        "venue_name": "Rathaus Stendal", "description": "Wir planen das Jahrestreffen.",
        **{f"days-{n}": (first + timedelta(days=n)).isoformat() for n in range(3)},
        "slots-0-start": "10:00", "slots-0-end": "12:00",
        "deadline_date": (first - timedelta(days=7)).isoformat(), "deadline_time": "18:00", "allow_maybe": "y"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    poll = db.session.scalar(db.select(Poll))
    assert [o.all_day for o in poll.options] == [False] * 3
    response = client.post(f"/polls/{poll.id}/invite", data={"source": "group", "group_id": group.id})
    assert response.status_code in (302, 303)
    assert outbox.work(once=True)["sent"] == 3
    mails = {m["To"]: m for m in inbox.messages}
    assert sorted(mails) == ["anna@example.org", "bernd@example.org", "cem@example.org"]

    # Each member answers from the link in their mail, without an account.
    participant = client.__class__(app, app.response_class)  # a second browser, not logged in
    ids = [o.id for o in poll.options]
    answers = {"anna@example.org": ("yes", "yes", "no"), "bernd@example.org": ("no", "maybe", "yes"),
               "cem@example.org": ("yes", "no", "yes")}
    for address, said in answers.items():
        link = _link(mails[address], "/p/")
        page = participant.get(link).get_data(as_text=True)
        name = db.session.scalar(db.select(PollParticipant.name).filter_by(email=address))
        assert f'value="{name}"' in page  # the name is filled in from the invitation
        response = participant.post(link, data={"name": name, **{f"answer-{i}": a for i, a in zip(ids, said)}})
        assert response.status_code in (302, 303)
    holds_link = _link(mails["anna@example.org"], "/p/holds/")
    assert participant.get(holds_link).get_data(as_text=True).count("STATUS:TENTATIVE") == 2  # not her "no"
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "2 yes" in page  # the first and the third date: two can come, both for sure

    inbox.messages.clear()
    third = poll.options[2]
    response = client.post(f"/polls/{poll.id}/decide?option={third.id}",
                           data={"visibility": "members", "take_registrations": "y", "capacity": "20"})
    assert response.status_code == 303
    event = db.session.scalar(db.select(Event))
    assert (event.title, event.status, event.starts_at, event.venue_name, event.working_group_id) == (
        "Austausch der Koordinator:innen", "published", third.starts_at, "Rathaus Stendal", group.id)
    assert event.description == "Wir planen das Jahrestreffen." and event.registration_settings.capacity == 20
    poll = db.session.get(Poll, poll.id)
    assert poll.status == "decided" and poll.event_id == event.id and poll.chosen.id == third.id
    invited = db.session.scalars(db.select(Invitation).filter_by(event_id=event.id)).all()
    assert sorted(i.email for i in invited) == ["bernd@example.org", "cem@example.org"]

    assert outbox.work(once=True)["sent"] == 3
    mails = {m["To"]: m for m in inbox.messages}
    for address in ("bernd@example.org", "cem@example.org"):
        report = itip_check(mails[address], address)
        assert report["ok"] and calendar_of(mails[address])["METHOD"] == "REQUEST"
        assert "has chosen this date" in mails[address].get_body(("plain",)).get_content()
        # Their invitation's link registers them for the event in one step.
        link = _link(mails[address], "/i/")
        assert participant.get(link).status_code == 200
    notice = mails["anna@example.org"]
    assert not [part for part in notice.walk() if part.get_content_type() == "text/calendar"]
    assert "is decided" in notice.get_body(("plain",)).get_content()
    # The holds feed that Anna subscribed to from her invitation now takes the dates out again.
    holds = participant.get(holds_link).get_data(as_text=True)
    assert "STATUS:CANCELLED" in holds and "STATUS:TENTATIVE" not in holds


def test_service_results_best_dates_and_required_people(app, coordinator, group_of_three):
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    polls.invite(poll, invitations.group_invitees(group))
    anna, bernd, cem = sorted(poll.participants, key=lambda p: p.name)
    first, second, third = poll.options
    polls.save_answers(anna, {first.id: "yes", second.id: "yes", third.id: "no"}, "Anna Alt")
    polls.save_answers(bernd, {first.id: "no", second.id: "maybe", third.id: "yes"}, "Bernd Brandt")
    polls.save_answers(cem, {first.id: "yes", second.id: "no", third.id: "yes"}, "Cem Çelik")
    db.session.commit()
    found = polls.results(poll)
    assert [(r.yes, r.maybe, r.no) for r in found.dates] == [(2, 0, 1), (1, 1, 1), (2, 0, 1)]
    assert [r.best for r in found.dates] == [True, False, True]
    assert found.dates[0].reason == "2 yes"
    polls.set_required(bernd, True)  # Bernd must be there: the first date is out
    found = polls.results(poll)
    assert [r.best for r in found.dates] == [False, False, True]
    assert found.dates[2].reason == "2 yes; the required person can"


def test_reminders_never_twice_within_a_day_and_the_day_before_the_deadline(app, coordinator, group_of_three):
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    polls.invite(poll, invitations.group_invitees(group))
    anna = min(poll.participants, key=lambda p: p.name)
    polls.save_answers(anna, {poll.options[0].id: "yes"}, "Anna")
    db.session.commit()
    now = utcnow()
    assert polls.remind(poll, now) == 0  # the invitation went out just now
    assert polls.remind(poll, now + timedelta(hours=25)) == 2
    assert polls.remind(poll, now + timedelta(hours=48)) == 0  # not twice within 24 hours
    assert polls.remind(poll, now + timedelta(hours=50)) == 2
    # A day before the deadline the worker reminds once, keeping the 24 hours per person.
    day_before = poll.deadline - timedelta(hours=12)
    assert polls.deadline_reminder_job(poll.deadline - timedelta(days=3)) == 0
    assert polls.deadline_reminder_job(day_before) == 2
    assert polls.deadline_reminder_job(day_before + timedelta(hours=1)) == 0


@pytest.mark.config(SERVER_NAME=None, BASE_URL="https://treffpunkt.example", BABEL_DEFAULT_LOCALE="en")
def test_the_workers_reminder_builds_its_links_outside_a_request(app, coordinator, group_of_three):
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    with app.test_request_context():
        polls.invite(poll, invitations.group_invitees(group))
    db.session.commit()
    assert polls.deadline_reminder_job(poll.deadline - timedelta(hours=12)) == 3
    db.session.commit()
    reminder = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert "https://treffpunkt.example/p/" in reminder.body


def test_two_decisions_at_once_make_one_event(app, coordinator, group_of_three):
    """A double click or two tabs: both requests read the poll as open, then decide at the same
    moment, each in its own thread, session and connection. One event, one set of mails."""
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    polls.invite(poll, invitations.group_invitees(group))
    db.session.commit()
    poll_id, option_ids = poll.id, [o.id for o in poll.options]
    db.session.remove()
    barrier, outcomes = threading.Barrier(2), [None, None]

    def decide(index: int) -> None:
        with app.app_context(), app.test_request_context():
            try:
                stale = db.session.get(Poll, poll_id)
                option = next(o for o in stale.options if o.id == option_ids[index])
                assert stale.status == "open"
                barrier.wait(timeout=30)
                polls.decide(stale, option)
                db.session.commit()
                outcomes[index] = "decided"
            except polls.PollError as error:
                db.session.rollback()
                outcomes[index] = str(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["This poll is decided already.", "decided"], outcomes
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 1
    assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 3 + 3  # invitations, then the result


def test_bad_dates_get_clear_messages(app, coordinator):
    network = coordinator.coordinated_networks[0]
    soon = (utcnow() + timedelta(days=20)).date()
    with pytest.raises(polls.PollError, match="at least one date") as error:
        polls.create(network, None, coordinator, [], title="x", deadline=utcnow() + timedelta(days=1))
    assert error.value.field == "days"
    with pytest.raises(polls.PollError, match="in the past"):
        polls.create(network, None, coordinator, polls.candidates([date(2020, 1, 1)], [], network.timezone),
                     title="x", deadline=utcnow() + timedelta(days=1))
    dates = polls.candidates([soon], [(time(10), time(12))], network.timezone)
    with pytest.raises(polls.PollError, match="twice"):
        polls.create(network, None, coordinator, dates + dates, title="x", deadline=utcnow() + timedelta(days=1))
    with pytest.raises(polls.PollError, match="before the first date") as error:
        polls.create(network, None, coordinator, dates, title="x", deadline=utcnow() + timedelta(days=30))
    assert error.value.field == "deadline"
    with pytest.raises(polls.PollError, match="end after"):
        polls.candidates([soon], [(time(12), time(10))], network.timezone)
    # 02:30 does not exist on the last Sunday of March in Berlin; 02:30 happens twice in October.
    for day in (date(2027, 3, 28), date(2027, 10, 31)):
        with pytest.raises(polls.PollError, match="02:30") as error:
            polls.candidates([day], [(time(2, 30), time(4))], network.timezone)
        assert error.value.field == "slots"


def test_whole_days_across_both_clock_changes(app, coordinator):
    network = coordinator.coordinated_networks[0]
    days = polls.candidates([date(2027, 3, 28), date(2027, 10, 31)], [], network.timezone)
    assert [c.all_day for c in days] == [True, True]
    # Local midnight to midnight: 23 hours in March, 25 in October.
    assert [c.ends_at - c.starts_at for c in days] == [timedelta(hours=23), timedelta(hours=25)]
    timed = polls.candidates([date(2027, 3, 29), date(2027, 11, 1)], [(time(18), time(20))], network.timezone)
    assert [c.starts_at.hour for c in timed] == [16, 17]  # 18:00 in summer (UTC+2) and winter (UTC+1)
