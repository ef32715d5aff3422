"""Date polls, shared by the organizer's pages, the participant's pages, the worker's jobs,
the demo and the tests.

Transactions as in registrations: functions add and change rows and queue mails in the
caller's transaction; the caller commits.

Links: a participant's link (answer) and holds feed, and a poll's open link, are HMACs of a
stored salt (core.tokens.keyed_token), so the same link can be mailed again in a reminder;
only their SHA-256 is stored and looked up.
"""
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, select, text, update as sql_update

from ..core.extensions import db
from ..core.leases import set_once
from ..core.formatting import when
from ..core.tokens import hash_token, keyed_token, plausible_token
from ..core.types import utcnow
from ..core.urls import absolute_url, url_context
from ..events import recurrence, service as events
from ..events.models import Event
from ..registrations import invitations
from ..registrations.admin_service import save_settings
from ..registrations.invitations import Invitee, InviteResult
from . import mails
from .models import ANSWERS, Poll, PollAnswer, PollOption, PollParticipant

MAX_OPTIONS = 100
MAX_PARTICIPANTS = 1000


class PollError(ValueError):
    """Bad input, with the form field it belongs to."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --- Links --------------------------------------------------------------------------

def _new_salt() -> str:
    return secrets.token_hex(16)  # 128 bits from `secrets`


def answer_token(participant: PollParticipant) -> str:
    return keyed_token(f"poll:{participant.salt}")


def holds_token(participant: PollParticipant) -> str:
    return keyed_token(f"poll-holds:{participant.salt}")


def open_token(poll: Poll) -> str:
    return keyed_token(f"poll-open:{poll.salt}")


def answer_url(participant: PollParticipant) -> str:
    return absolute_url("polls.answer", token=answer_token(participant))


def holds_url(participant: PollParticipant) -> str:
    return absolute_url("polls.holds", token=holds_token(participant))


def open_url(poll: Poll) -> str:
    return absolute_url("polls.open_answer", token=open_token(poll))


def _salted(row) -> None:
    """Give a new participant its salt and the hashes its links are found by."""
    row.salt = _new_salt()
    row.token_hash = hash_token(answer_token(row))
    row.holds_hash = hash_token(holds_token(row))


def new_participant(poll: Poll, name: str = "", email: str = "", **values) -> PollParticipant:
    participant = PollParticipant(poll=poll, name=name, email=email, **values)
    _salted(participant)
    db.session.add(participant)
    return participant


def participant_by_token(token: str | None) -> PollParticipant | None:
    """The participant a personal link belongs to; None for anything forged, old or purged."""
    if not plausible_token(token):
        return None
    return db.session.scalar(select(PollParticipant).where(PollParticipant.token_hash == hash_token(token)))


def participant_by_holds_token(token: str | None) -> PollParticipant | None:
    if not plausible_token(token):
        return None
    return db.session.scalar(select(PollParticipant).where(PollParticipant.holds_hash == hash_token(token)))


def poll_by_open_token(token: str | None) -> Poll | None:
    """The poll of an open link, only while the poll has its open link switched on."""
    if not plausible_token(token):
        return None
    poll = db.session.scalar(select(Poll).where(Poll.open_token_hash == hash_token(token)))
    return poll if poll is not None and poll.open_link else None


# --- Candidate dates ----------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    starts_at: datetime  # UTC
    ends_at: datetime
    all_day: bool = False


def candidates(days: list[date], slots: list[tuple[time, time]], tz: str) -> list[Candidate]:
    """"The same times on these days": each day with each slot (local times in `tz`), or each
    day as a whole day when there are no slots. Raises PollError for a slot that ends before it
    starts or a time the clock change skips or repeats."""
    found = []
    for start, end in slots:
        if end <= start:
            raise PollError(_("A time slot must end after it starts (%(start)s–%(end)s).",
                              start=start.strftime("%H:%M"), end=end.strftime("%H:%M")), field="slots")
    for day in sorted(days):  # a day given twice stays twice: check_dates says so
        if not slots:
            found.append(Candidate(recurrence.to_utc(datetime.combine(day, time()), tz),
                                   recurrence.to_utc(datetime.combine(day + timedelta(days=1), time()), tz), True))
            continue
        for start, end in slots:
            try:  # the events' check: no time in the hour the clock change skips or repeats
                found.append(Candidate(*(events.to_utc_checked(datetime.combine(day, wall), tz, "slots")
                                         for wall in (start, end))))
            except events.EventError as error:
                raise PollError(str(error), field="slots") from None
    return found


def check_dates(new: list[Candidate], deadline: datetime | None, existing: list[PollOption] = (),
                now: datetime | None = None) -> None:
    """Refuse an empty poll, dates in the past, a date twice, and a deadline that is past or
    after the first date. Raises PollError with the field to show it at."""
    now = now or utcnow()
    dates = [(c.starts_at, c.ends_at) for c in new]
    if not dates and not existing:
        raise PollError(_("Please add at least one date."), field="days")
    if any(c.ends_at <= now if c.all_day else c.starts_at < now for c in new):  # today is a whole day still
        raise PollError(_("A date is in the past. Please choose dates from today on."), field="days")
    taken = {(o.starts_at, o.ends_at) for o in existing}
    if len(set(dates)) != len(dates) or taken & set(dates):
        raise PollError(_("A date is in the poll twice. Please give each date once."), field="days")
    if len(dates) + len(taken) > MAX_OPTIONS:
        raise PollError(_("A poll can have %(num)d dates at most.", num=MAX_OPTIONS), field="days")
    if deadline is not None:
        first = min([start for start, _end in dates] + [start for start, _end in taken])
        if deadline <= now:
            raise PollError(_("The deadline is in the past."), field="deadline")
        if deadline > first:
            raise PollError(_("The deadline must be before the first date, so that there is time to decide."),
                            field="deadline")


POLL_FIELDS = ("title", "description", "venue_name", "venue_address", "online_url", "deadline", "allow_maybe",
               "hide_results", "open_link", "retention_days")


def create(network, group, user, dates: list[Candidate], **values) -> Poll:
    check_dates(dates, values.get("deadline"))
    salt = _new_salt()
    poll = Poll(network_id=network.id, working_group_id=group.id if group is not None else None,
                timezone=network.timezone, created_by_id=user.id if user is not None else None, salt=salt,
                status="open", **{name: values[name] for name in POLL_FIELDS if name in values})
    poll.open_token_hash = hash_token(open_token(poll))
    poll.options = [PollOption(starts_at=c.starts_at, ends_at=c.ends_at, all_day=c.all_day) for c in dates]
    db.session.add(poll)
    return poll


def update(poll: Poll, **values) -> None:
    if poll.purged_at is not None:  # its people are gone; a new poll starts afresh
        raise PollError(_("This poll's answers were deleted after its retention period. Please start a new poll."),
                        field="title")
    if "deadline" in values and values["deadline"] != poll.deadline:
        check_dates([], values["deadline"], poll.options)
        poll.deadline_reminded_at = None  # a new deadline, a new reminder the day before
    for name in POLL_FIELDS:
        if name in values:
            setattr(poll, name, values[name])


def add_dates(poll: Poll, dates: list[Candidate]) -> None:
    check_dates(dates, poll.deadline, poll.options)
    for c in dates:
        poll.options.append(PollOption(starts_at=c.starts_at, ends_at=c.ends_at, all_day=c.all_day))


def remove_date(poll: Poll, option: PollOption) -> None:
    if len(poll.options) <= 1:
        raise PollError(_("A poll needs at least one date."), field="days")
    # Explicitly: SQLite does not enforce ON DELETE CASCADE here, and a later date could get
    # this one's id (and its answers).
    db.session.execute(delete(PollAnswer).where(PollAnswer.option_id == option.id))
    poll.options.remove(option)


# --- State --------------------------------------------------------------------------

def is_open(poll: Poll, now: datetime | None = None) -> bool:
    """Takes answers: open and before its deadline."""
    return poll.status == "open" and (now or utcnow()) < poll.deadline


def results_visible(poll: Poll, now: datetime | None = None) -> bool:
    """To participants: unless the organizers hide them until the poll is closed."""
    return not poll.hide_results or not is_open(poll, now)


def close(poll: Poll) -> None:
    if poll.status == "open":
        poll.status, poll.closed_at = "closed", utcnow()


def reopen(poll: Poll) -> None:
    if poll.status == "closed":
        poll.status, poll.closed_at = "open", None


# --- Answers ------------------------------------------------------------------------

def lock_participant(participant_id: int) -> None:
    """Serialize saves of one participant's answers until the transaction ends, as
    registrations.service.lock_event does for places: the row on PostgreSQL, SQLite's write
    lock as the transaction's first statement. Then delete-and-insert leaves one set."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(PollParticipant.id).where(PollParticipant.id == participant_id).with_for_update())
    else:
        db.session.execute(text("UPDATE poll_participants SET id = id WHERE id = :id"), {"id": participant_id})


def answer_choices(poll: Poll) -> tuple[str, ...]:
    return ANSWERS if poll.allow_maybe else ("yes", "no")


def save_answers(participant: PollParticipant, answers: dict[int, str], name: str, comment: str = "",
                 language: str | None = None) -> None:
    """Replace the participant's answers. `answers`: option id -> yes / maybe / no; dates not
    in it stay unanswered. Raises PollError for a name missing or an answer that is not offered."""
    poll = participant.poll
    name = " ".join(name.split())[:200]
    if not name:
        raise PollError(_("Please enter your name."), field="name")
    choices = answer_choices(poll)
    option_ids = {option.id for option in poll.options}
    if any(option_id not in option_ids or answer not in choices for option_id, answer in answers.items()):
        raise PollError(_("Please answer each date with one of the choices."), field="answers")
    lock_participant(participant.id)
    db.session.execute(PollAnswer.__table__.delete().where(PollAnswer.participant_id == participant.id))
    if answers:
        db.session.execute(PollAnswer.__table__.insert(), [
            {"participant_id": participant.id, "option_id": option_id, "poll_id": poll.id, "answer": answer}
            for option_id, answer in answers.items()])
    participant.name, participant.comment = name, comment.strip()[:2000]
    participant.answered_at = utcnow()
    if language:
        participant.language = language
    db.session.expire(participant, ["answers"])


def answers_of(participant: PollParticipant) -> dict[int, str]:
    return dict(db.session.execute(select(PollAnswer.option_id, PollAnswer.answer)
                                   .where(PollAnswer.participant_id == participant.id)).all())


# --- Results ------------------------------------------------------------------------

@dataclass
class DateResult:
    option: PollOption
    yes: int = 0
    maybe: int = 0
    no: int = 0
    required_can: bool = True  # every required participant said yes or if need be
    best: bool = False
    reason: str = ""


@dataclass
class Results:
    dates: list[DateResult]
    participants: list[PollParticipant]
    answers: dict[tuple[int, int], str] = field(default_factory=dict)  # (participant id, option id) -> answer
    answered: int = 0
    required: int = 0

    @property
    def best(self) -> list[DateResult]:
        return [row for row in self.dates if row.best]


def results(poll: Poll) -> Results:
    """People × dates, counts per date and the best dates with the reason: a fixed number of
    queries (options, participants, answers) whatever the size of the poll."""
    participants = db.session.scalars(select(PollParticipant).where(PollParticipant.poll_id == poll.id)
                                      .order_by(PollParticipant.name, PollParticipant.id)).all()
    answers = {(pid, oid): answer for pid, oid, answer in db.session.execute(
        select(PollAnswer.participant_id, PollAnswer.option_id, PollAnswer.answer)
        .where(PollAnswer.poll_id == poll.id))}
    required = [p for p in participants if p.required]
    counts = Counter((oid, answer) for (_pid, oid), answer in answers.items())  # one pass over the answers
    dates = []
    for option in poll.options:
        row = DateResult(option, counts[option.id, "yes"], counts[option.id, "maybe"], counts[option.id, "no"])
        row.required_can = all(answers.get((p.id, option.id)) in ("yes", "maybe") for p in required)
        dates.append(row)
    candidates_ = [row for row in dates if row.required_can and row.yes + row.maybe > 0]
    if candidates_:
        top = max((row.yes + row.maybe, row.yes) for row in candidates_)
        for row in candidates_:
            if (row.yes + row.maybe, row.yes) == top:
                row.best = True
                row.reason = _reason(row, len(required))
    answered = len({pid for pid, _oid in answers} | {p.id for p in participants if p.answered_at})
    return Results(dates, participants, answers, answered, len(required))


def _reason(row: DateResult, required: int) -> str:
    # The separators are the translators' too (Arabic writes "،" and "؛").
    text_ = ngettext("%(num)d yes", "%(num)d yes", row.yes)
    if row.maybe:
        text_ = _("%(yes)s, %(maybe)s", yes=text_,
                  maybe=ngettext("%(num)d if need be", "%(num)d if need be", row.maybe))
    if required:
        text_ = _("%(counts)s; %(who)s", counts=text_,
                  who=ngettext("the required person can", "all %(num)d required people can", required))
    return text_


def set_required(participant: PollParticipant, required: bool) -> None:
    participant.required = required


# --- Inviting and reminding ---------------------------------------------------------

REMIND_AGAIN_AFTER = timedelta(hours=24)


def invite(poll: Poll, invitees: list[Invitee], required: bool = False) -> InviteResult:
    """Each address once per poll: a participant and a mail with the personal link, in the
    invitee's language where known. `required`: these people must be able to come."""
    result = InviteResult()
    known = {email for email in db.session.scalars(select(PollParticipant.email).where(
        PollParticipant.poll_id == poll.id, PollParticipant.email != ""))}
    if len(known) + len(invitees) > MAX_PARTICIPANTS:
        raise PollError(_("A poll can have %(num)d participants at most.", num=MAX_PARTICIPANTS), field="addresses")
    for invitee in invitees:
        if invitee.email in known:
            result.already += 1
            continue
        known.add(invitee.email)
        participant = new_participant(poll, invitee.name, invitee.email, organization_id=invitee.organization_id,
                                      required=required, invited=True, language=invitee.language)
        mails.invitation(participant, answer_url(participant), holds_url(participant))
        result.invited += 1
    return result


def remind(poll: Poll, now: datetime | None = None) -> int:
    """Mail the invited who have not answered; nobody twice within 24 hours. The number reminded."""
    now = now or utcnow()
    if not is_open(poll, now):
        return 0
    reminded = 0
    for participant in poll.participants:
        last_mail = participant.reminded_at or participant.created_at  # the invitation counts
        if participant.answered_at is not None or not participant.email or now - last_mail < REMIND_AGAIN_AFTER:
            continue
        participant.reminded_at = now
        mails.invitation(participant, answer_url(participant), holds_url(participant), reminder=True)
        reminded += 1
    return reminded


def deadline_reminder_job(now: datetime | None = None) -> int:
    """The worker's hourly round: a day before a poll's deadline, remind who has not answered
    (once per poll; `remind` keeps the 24 hours for each person). Outside a request the mails'
    links need url_context."""
    with url_context():
        return _remind_before_deadlines(now or utcnow())


def _remind_before_deadlines(now: datetime) -> int:
    due = db.session.scalars(select(Poll).where(
        Poll.status == "open", Poll.deadline_reminded_at.is_(None),
        Poll.deadline > now, Poll.deadline <= now + timedelta(days=1))
        .order_by(Poll.id)).all()  # every worker claims in the same order: no deadlock
    reminded = 0
    for poll in due:
        if set_once(Poll.deadline_reminded_at, poll.id, now):  # of two workers at once only one reminds
            reminded += remind(poll, now)
    return reminded


def join(poll: Poll, name: str, language: str | None = None) -> PollParticipant:
    """Someone answers through the open link: a new participant without an address (an address
    typed by anyone would let anyone make us mail strangers)."""
    name = " ".join(name.split())[:200]
    if not name:
        raise PollError(_("Please enter your name."), field="name")
    if len(poll.participants) >= MAX_PARTICIPANTS:
        raise PollError(_("A poll can have %(num)d participants at most.", num=MAX_PARTICIPANTS), field="name")
    participant = new_participant(poll, name, invited=False, language=language)
    db.session.flush()
    return participant


# --- Deciding -----------------------------------------------------------------------

def decide(poll: Poll, option: PollOption, *, visibility: str = "members", take_registrations: bool = True,
           capacity: int | None = None) -> Event:
    """The organizer picks a date: the event is created from the poll (published, in the poll's
    network and group), the poll is decided; who said yes or if need be gets an invitation with
    the calendar's REQUEST (and, where the event takes registrations, the way to register);
    everyone else with an address a plain notice."""
    if option.poll_id != poll.id:
        raise PollError(_("Please choose one of the poll's dates."), field="option")
    if (option.ends_at if option.all_day else option.starts_at) <= utcnow():
        raise PollError(_("This date is in the past. Please choose another one."), field="option")
    if capacity is not None and capacity < 1:
        raise PollError(_("Please enter a number of places of at least 1, or leave it empty."), field="capacity")
    # The first write, conditional: of two decisions at once (a double click, two tabs) one
    # changes the row and goes on, the other waits for it and finds nothing left to change.
    claimed = db.session.execute(sql_update(Poll).where(Poll.id == poll.id, Poll.status != "decided")
                                 .values(status="decided", closed_at=utcnow()).execution_options(
                                     synchronize_session=False)).rowcount
    if not claimed:
        raise PollError(_("This poll is decided already."), field="option")
    kind_code = "working_group_meeting" if poll.working_group_id else "network_meeting"
    kind = next((k for k in events.kinds(poll.network) if k.code == kind_code), None) or events.kinds(poll.network)[0]
    event = Event(network_id=poll.network_id, working_group_id=poll.working_group_id, kind_id=kind.id,
                  title=poll.title, description=poll.description, venue_name=poll.venue_name,
                  venue_address=poll.venue_address, online_url=poll.online_url, starts_at=option.starts_at,
                  ends_at=option.ends_at, all_day=option.all_day, timezone=poll.timezone, visibility=visibility,
                  status="published")
    events.save(event)
    db.session.flush()
    if take_registrations:
        save_settings(event, is_open=True, capacity=capacity, waiting_list=True)
    option.chosen = True
    poll.status, poll.closed_at, poll.event = "decided", utcnow(), event  # as written above, and the event
    answers = {pid: answer for pid, answer in db.session.execute(
        select(PollAnswer.participant_id, PollAnswer.answer).where(PollAnswer.option_id == option.id))}
    coming = [p for p in poll.participants if p.email and answers.get(p.id) in ("yes", "maybe")]
    invitations.invite(event, event.starts_at, [
        Invitee(p.name, p.email, p.organization_id, p.language) for p in coming],
        intro=lambda: _("The date poll “%(title)s” has chosen this date. Thank you for answering!",
                        title=poll.title))
    for participant in poll.participants:
        if participant.email and participant not in coming:
            mails.decided(participant, event)
    return event


def csv_rows(poll: Poll) -> tuple[list[str], list[list[str]]]:
    """The answers as a table: one row per person, one column per date (local time)."""
    found = results(poll)
    words = {"yes": _("yes"), "maybe": _("if need be"), "no": _("no")}
    header = [_("Name"), _("E-mail"), _("Required"), _("Comment")] + [
        when(row.option.starts_at, row.option.ends_at, poll.timezone, row.option.all_day) for row in found.dates]
    rows = [[p.name, p.email, _("yes") if p.required else "", p.comment] + [
        words.get(found.answers.get((p.id, row.option.id)), "") for row in found.dates] for p in found.participants]
    return header, rows
