"""A date poll from the invitation to the event, with mails through a real SMTP server:
invite a working group, answers, the best date, decide → the event, its invitations with the
calendar's REQUEST (checked with ics-check --itip --strict) and a plain notice for the others."""
from datetime import date, time, timedelta

import pytest

from app.core.extensions import db
from app.core.types import utcnow
from app.directory.models import Person
from app.events.models import Event
from app.mail import outbox
from app.polls import service as polls
from app.polls.models import PollParticipant
from app.registrations import invitations
from app.registrations.models import Invitation

from .mails import calendar_of, itip_check


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


def test_invite_answer_decide_with_real_mails(app, coordinator, group_of_three, smtp_server):
    _port, inbox = smtp_server
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    result = polls.invite(poll, invitations.group_invitees(group))
    db.session.commit()
    assert result.invited == 3
    assert outbox.work(once=True)["sent"] == 3
    assert sorted(m["To"] for m in inbox.messages) == ["anna@example.org", "bernd@example.org", "cem@example.org"]
    invitation_mail = inbox.messages[0]
    body = invitation_mail.get_body(("plain",)).get_content()
    person = db.session.scalar(db.select(PollParticipant).filter_by(email=invitation_mail["To"]))
    assert polls.answer_url(person) in body and polls.holds_url(person) in body

    anna, bernd, cem = sorted(poll.participants, key=lambda p: p.name)
    first, second, third = poll.options
    polls.save_answers(anna, {first.id: "yes", second.id: "yes", third.id: "no"}, "Anna Alt")
    polls.save_answers(bernd, {first.id: "no", second.id: "maybe", third.id: "yes"}, "Bernd Brandt")
    polls.save_answers(cem, {first.id: "yes", second.id: "no", third.id: "yes"}, "Cem Çelik")
    db.session.commit()
    found = polls.results(poll)
    # Every date has two who can come; the first and third have two yes.
    assert [(r.yes, r.maybe, r.no) for r in found.dates] == [(2, 0, 1), (1, 1, 1), (2, 0, 1)]
    assert [r.best for r in found.dates] == [True, False, True]
    assert found.dates[0].reason == "2 yes"

    polls.set_required(bernd, True)  # Bernd must be there: the first date is out
    db.session.commit()
    found = polls.results(poll)
    assert [r.best for r in found.dates] == [False, False, True]
    assert found.dates[2].reason == "2 yes; the required person can"

    inbox.messages.clear()
    event = polls.decide(poll, third, visibility="members", take_registrations=True, capacity=20)
    db.session.commit()
    assert (event.title, event.status, event.starts_at, event.venue_name) == (
        "Austausch der Koordinator:innen", "published", third.starts_at, "Rathaus Stendal")
    assert event.working_group_id == group.id and event.registration_settings.capacity == 20
    assert poll.status == "decided" and poll.event_id == event.id and poll.chosen == third
    assert not polls.is_open(poll)
    invited = db.session.scalars(db.select(Invitation).filter_by(event_id=event.id)).all()
    assert sorted(i.email for i in invited) == ["bernd@example.org", "cem@example.org"]

    assert outbox.work(once=True)["sent"] == 3
    by_recipient = {m["To"]: m for m in inbox.messages}
    for address in ("bernd@example.org", "cem@example.org"):
        mail = by_recipient[address]
        report = itip_check(mail, address)
        assert report["ok"]
        assert calendar_of(mail)["METHOD"] == "REQUEST"
        assert "has chosen this date" in mail.get_body(("plain",)).get_content()
    notice = by_recipient["anna@example.org"]
    assert not [part for part in notice.walk() if part.get_content_type() == "text/calendar"]
    assert "is decided" in notice.get_body(("plain",)).get_content()


def test_reminders_never_twice_within_a_day_and_the_day_before_the_deadline(app, coordinator, group_of_three):
    network, group = group_of_three
    poll = _new_poll(network, group, coordinator)
    polls.invite(poll, invitations.group_invitees(group))
    anna = min(poll.participants, key=lambda p: p.name)
    polls.save_answers(anna, {poll.options[0].id: "yes"}, "Anna")
    db.session.commit()
    now = utcnow()
    assert polls.remind(poll, now) == 2
    assert polls.remind(poll, now + timedelta(hours=23)) == 0
    assert polls.remind(poll, now + timedelta(hours=25)) == 2
    # A day before the deadline the worker reminds once, keeping the 24 hours per person.
    day_before = poll.deadline - timedelta(hours=12)
    assert polls.deadline_reminder_job(poll.deadline - timedelta(days=3)) == 0
    assert polls.deadline_reminder_job(day_before) == 2
    assert polls.deadline_reminder_job(day_before + timedelta(hours=1)) == 0


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
    with pytest.raises(polls.PollError, match="clock change"):
        polls.candidates([date(2027, 3, 28)], [(time(2, 30), time(4))], network.timezone)
    with pytest.raises(polls.PollError, match="clock change"):
        polls.candidates([date(2027, 10, 31)], [(time(2, 30), time(4))], network.timezone)


def test_whole_days_across_both_clock_changes(app, coordinator):
    network = coordinator.coordinated_networks[0]
    days = polls.candidates([date(2027, 3, 28), date(2027, 10, 31)], [], network.timezone)
    assert [c.all_day for c in days] == [True, True]
    # Local midnight to midnight: 23 hours in March, 25 in October.
    assert [c.ends_at - c.starts_at for c in days] == [timedelta(hours=23), timedelta(hours=25)]
    timed = polls.candidates([date(2027, 3, 29), date(2027, 11, 1)], [(time(18), time(20))], network.timezone)
    assert [c.starts_at.hour for c in timed] == [16, 17]  # 18:00 in summer (UTC+2) and winter (UTC+1)
