"""The mails of a date poll, each in the participant's language: the invitation (and its
reminder) with the personal link, and the notice of the chosen date for those who will not
come (who will gets the event's invitation, registrations.invitations)."""
from flask_babel import force_locale, gettext as _, ngettext

from ..core.formatting import local_date, local_time, when
from ..mail import outbox
from ..mail.letters import Letter
from ..registrations.admin_service import occurrence_of
from ..registrations.notifications import facts, greeting, language_of, title_of


def _place(poll) -> list[tuple[str, str]]:
    place = ", ".join(part for part in (poll.venue_name, poll.venue_address) if part)
    return ([(_("Where"), place)] if place else []) + ([(_("Online"), poll.online_url)] if poll.online_url else [])


def invitation(participant, answer_url: str, holds_url: str, reminder: bool = False) -> None:
    poll = participant.poll
    with force_locale(language_of(participant)):
        subject = (_("Reminder: which dates suit you? %(title)s", title=poll.title) if reminder
                   else _("Which dates suit you? %(title)s", title=poll.title))
        if reminder:
            text = _("we have not heard from you yet. Please tell us which dates suit you.")
        elif poll.allow_maybe:
            text = _("we are looking for a date. Please tell us which dates suit you: yes, if need be, or no. "
                     "You do not need an account, and you can change your answers later with the same link.")
        else:
            text = _("we are looking for a date. Please tell us which dates suit you: yes or no. "
                     "You do not need an account, and you can change your answers later with the same link.")
        dates = sorted(poll.options, key=lambda option: option.starts_at)
        letter = Letter(
            subject, greeting(participant.name), [text],
            [(_("Date poll"), poll.title), *_place(poll),
             (_("Dates to choose from"), ngettext("%(num)d date", "%(num)d dates", len(dates)) + (
                 ": " + "; ".join(when(o.starts_at, o.ends_at, poll.timezone, o.all_day) for o in dates[:5])
                 + (" …" if len(dates) > 5 else ""))),
             (_("Please answer by"), f"{local_date(poll.deadline, poll.timezone, 'full')}, "
                                     f"{local_time(poll.deadline, poll.timezone)}")],
            button=(_("Give your answers"), answer_url),
            links=[(_("Hold the dates in your calendar (a calendar subscription; they disappear once a date is "
                      "chosen)"), holds_url)])
        outbox.enqueue_letter(participant.email, letter, network_id=poll.network_id)


def decided(participant, event) -> None:
    """The chosen date, for someone who said no or did not answer: no calendar entry."""
    poll = participant.poll
    with force_locale(language_of(participant)):
        letter = Letter(
            _("Date chosen: %(title)s", title=title_of(event)), greeting(participant.name),
            [_("the date poll “%(title)s” is decided. This is the date:", title=poll.title)],
            facts(event, occurrence_of(event, event.starts_at)),
            after=[_("You said you cannot come on this date, or did not answer. If you can come after all, "
                     "please tell the organizers.")])
        outbox.enqueue_letter(participant.email, letter, event_id=event.id)
