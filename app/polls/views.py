"""The participant's pages of a date poll, without an account: the personal link, the open
link, and the holds feed.

As registrations/views.py: every POST is rate-limited per IP (the open link, where anyone with
the link adds a person, more strictly); every wrong token, whatever was wrong with it, gets
the same plain "link not valid" page.
"""
from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from ..core.extensions import db, limiter
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import public
from ..core.tokens import hash_token
from ..events.public import is_public
from ..feeds.views import subscribe_links
from ..registrations.forms import HONEYPOT, HoneypotForm
from . import holds, privacy, service
from .models import ANSWERS

bp = Blueprint("polls", __name__)

IP_LIMIT = "120 per minute;1000 per hour"  # loose: an office behind one address answers together
# Per personal link: each tap on a date saves (htmx), so a 40-date poll takes 40 saves.
LINK_LIMIT = "60 per minute;300 per hour"
OPEN_LIMIT = "5 per minute;30 per hour"
ANSWER_FIELD = "answer-"  # + the option's id: one radio group per date


class AnswerForm(FlaskForm):
    # Required-ness and the real checks are the service's (PollError.field); these are limits.
    name = StringField(_l("Your name"), validators=[Length(max=200)])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=2000)])


class OpenAnswerForm(HoneypotForm, AnswerForm):
    """No address: anyone with the link could otherwise make us mail strangers. Who joins keeps
    their personal link (shown once, to bookmark) and sees the chosen date there."""


def _invalid():
    return render_template("registrations/link_invalid.html"), 404


def _typed_answers(form) -> tuple[dict[int, str], bool]:
    """(option id -> answer from the radio groups, whether every answer field made sense); a
    date left open is not in it. save_answers checks the ids against the poll."""
    answers, sound = {}, True
    for key, value in form.items():
        if not key.startswith(ANSWER_FIELD) or not value:
            continue
        option_id = key.removeprefix(ANSWER_FIELD)
        if option_id.isdigit() and len(option_id) <= 12 and value in ANSWERS:
            answers[int(option_id)] = value
        else:
            sound = False
    return answers, sound


def _checked(form) -> dict[int, str]:
    """The form's own limits and the answers' shape; raises PollError as the service does."""
    answers, sound = _typed_answers(request.form)
    if not form.validate():
        raise service.PollError("")  # the limits' messages are beside their fields already
    if not sound:
        raise service.PollError(_("Please answer each date with one of the choices."), field="answers")
    return answers


def _show_error(form, error: service.PollError) -> str:
    """Put a service error beside its field; the message for the top of the form otherwise."""
    if error.field in form:
        form[error.field].errors = [str(error)]
        return ""
    return str(error)


# Shape and word together, never colour alone.
ANSWER_MARKS = {"yes": "✓", "maybe": "(✓)", "no": "✗"}


def _answer_labels() -> dict[str, str]:
    return {"yes": _("Yes"), "maybe": _("If need be"), "no": _("No")}


def _page(poll, form, participant=None, mine=None, message="", status=200, **context):
    """The answer page (or, for htmx, its form): the poll, my answers (`mine`: the saved ones,
    or the typed ones after an error), the counts and who else answered when visible."""
    visible = service.results_visible(poll)
    found = service.results(poll) if visible else None
    if mine is None:
        mine = service.answers_of(participant) if participant is not None else {}
    holds_links = (subscribe_links(service.holds_url(participant), poll.title)
                   if participant is not None and service.is_open(poll) else None)
    return render("polls/answer.html", "polls/_answer.html", poll=poll, participant=participant, form=form,
                  mine=mine, choices=service.answer_choices(poll), is_open=service.is_open(poll),
                  results=found, counts={row.option.id: row for row in found.dates} if found else {},
                  message=message, holds_links=holds_links, answer_marks=ANSWER_MARKS,
                  answer_labels=_answer_labels(),
                  # The event's page only where a visitor may open it; the invitation mail has the rest.
                  event_is_public=poll.event is not None and is_public(poll.event), **context), status


COUNTS_TARGET = "counts-"  # + the option's id: where htmx puts a date's counts after a tap


def _tapped_option() -> int | None:
    """The date whose radio htmx saved on its own (hx-target names its counts), or None."""
    target = request.headers.get("HX-Target", "") if wants_fragment() else ""
    option_id = target.removeprefix(COUNTS_TARGET)
    return int(option_id) if target.startswith(COUNTS_TARGET) and option_id.isdigit() else None


# A tap that could not be saved (e.g. the name emptied): htmx shows the whole form with the
# error beside its field, not only the date's counts.
WHOLE_FORM = {"HX-Retarget": "#poll-answer", "HX-Reselect": "#poll-answer", "HX-Reswap": "outerHTML"}


def _closed_message() -> str:
    return _("This poll no longer takes answers.")


def _link_key() -> str:
    return "poll-link:" + hash_token(request.view_args.get("token", ""))


@bp.route("/p/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
@limiter.limit(LINK_LIMIT, key_func=_link_key, methods=["POST"])
def answer(token: str):
    participant = service.participant_by_token(token)
    if participant is None:
        return _invalid()
    poll = participant.poll
    done = request.args.get("done", "")[:10]
    # Who joined through the open link has only this address to come back by: shown to copy.
    context = {"action": url_for("polls.answer", token=token), "done": done,
               "personal_url": service.answer_url(participant) if done == "joined" else None}
    if request.method == "GET":
        return _page(poll, AnswerForm(formdata=None, name=participant.name, comment=participant.comment),
                     participant, **context)
    if request.form.get("action") == "delete":  # DSGVO: the person's own way to be forgotten
        if not request.form.get("confirm_delete"):
            return _page(poll, AnswerForm(formdata=None, name=participant.name, comment=participant.comment),
                         participant, status=422, delete_error=_(
                             "Please tick the box to confirm that your data should be deleted."), **context)
        title = poll.title
        privacy.delete_participant(participant)
        db.session.commit()
        return render_template("polls/deleted.html", title=title)
    form = AnswerForm()
    if not service.is_open(poll):  # closed while the form was open: nothing saved
        html, status = _page(poll, form, participant, message=_closed_message(), status=422, **context)
        return html, status, WHOLE_FORM if _tapped_option() is not None else {}
    try:
        typed = _checked(form)
        service.save_answers(participant, typed, form.name.data or "", form.comment.data or "",
                             language=str(get_locale()))
    except service.PollError as error:
        db.session.rollback()
        html, status = _page(poll, form, participant, mine=_typed_answers(request.form)[0],
                             message=_show_error(form, error), status=422, **context)
        return html, status, WHOLE_FORM if _tapped_option() is not None else {}
    db.session.commit()
    if _tapped_option() is not None:
        return _page(poll, form, participant, saved_option=_tapped_option(), **context)
    return see_other(url_for("polls.answer", token=token, done="saved"))


@bp.route("/p/open/<token>", methods=["GET", "POST"])
@public
@limiter.limit(OPEN_LIMIT, methods=["POST"])
def open_answer(token: str):
    poll = service.poll_by_open_token(token)
    if poll is None:
        return _invalid()
    action = url_for("polls.open_answer", token=token)
    if request.method == "GET":
        return _page(poll, OpenAnswerForm(formdata=None), action=action)
    if request.form.get(HONEYPOT):  # a bot: a success it cannot tell from a real one, nothing saved
        return see_other(action)
    form = OpenAnswerForm()
    if not service.is_open(poll):
        return _page(poll, form, action=action, message=_closed_message(), status=422)
    try:
        typed = _checked(form)
    except service.PollError as error:
        return _page(poll, form, mine=_typed_answers(request.form)[0], action=action,
                     message=_show_error(form, error), status=422)
    try:
        participant = service.join(poll, form.name.data or "", language=str(get_locale()))
        service.save_answers(participant, typed, participant.name, form.comment.data or "",
                             language=str(get_locale()))
    except service.PollError as error:
        db.session.rollback()  # nobody half-added
        return _page(poll, form, mine=typed, action=action, message=_show_error(form, error), status=422)
    db.session.commit()
    return see_other(url_for("polls.answer", token=service.answer_token(participant), done="joined"))


@bp.get("/p/holds/<token>.ics", endpoint="holds")
@public
def holds_feed(token: str):
    participant = service.participant_by_holds_token(token)
    if participant is None:
        return _invalid()
    return Response(holds.calendar(participant), content_type="text/calendar; charset=utf-8")
