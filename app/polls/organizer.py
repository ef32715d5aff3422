"""The organizer's pages of date polls: the network's polls, a new poll, the results with
inviting, reminding, closing and changing dates, the CSV of the answers, and deciding on a
date (which makes the event). Logic lives in service."""
from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.formatting import format_skeleton, local_time, to_local
from ..core.params import db_int
from ..core.rendering import see_other, wants_fragment
from ..core.security import require
from ..core.spreadsheet import excel_csv
from ..core.types import utcnow
from ..directory import access
from ..directory import service as directory
from ..directory.models import WorkingGroup
from ..events import service as events
from ..registrations import invitations as inviting
from . import service
from .forms import DatesForm, DecideForm, DetailsForm, PollForm
from .models import Poll, PollAnswer, PollOption, PollParticipant
from .service import PollError

bp = Blueprint("poll_admin", __name__)

STATUS_LABELS = {"open": _l("Open"), "closed": _l("Closed"), "decided": _l("Decided")}


@bp.context_processor
def _labels():
    return {"column_day": column_day, "today": today, "poll_status_labels": STATUS_LABELS}


def column_day(option: PollOption, tz: str) -> tuple[str, str]:
    """A date as a column heading: "Thu, 8 Oct" and "10:00–12:00" (or "all day")."""
    day = format_skeleton("MMMEd", to_local(option.starts_at, tz).date())
    if option.all_day:
        return day, _("all day")
    return day, f"{local_time(option.starts_at, tz)}–{local_time(option.ends_at, tz)}"


def today(tz: str) -> str:
    """The first day a date field offers (its min), as the phone's calendar picker reads it."""
    return to_local(utcnow(), tz).date().isoformat()


# --- Helpers ---------------------------------------------------------------------------

def _poll(poll_id: int) -> Poll:
    poll = db.get_or_404(Poll, poll_id)
    require(can_manage_poll(poll))
    return poll


def can_manage_poll(poll: Poll) -> bool:
    """A group's poll: its leads (and the network's coordinators); the network's: its coordinators."""
    if poll.working_group_id is not None:
        group = db.session.get(WorkingGroup, poll.working_group_id)
        if group is not None:
            return access.can_manage_group(current_user, group)
    return access.can_manage_network(current_user, poll.network)


def _undecided(poll: Poll) -> Poll:
    """Invitations, reminders and dates change nothing once the poll became an event."""
    if poll.status == "decided":
        abort(409)
    return poll


def _option(poll: Poll, option_id) -> PollOption:
    option = db.session.get(PollOption, option_id or 0)
    if option is None or option.poll_id != poll.id:
        abort(404)
    return option


def _poll_url(poll: Poll, anchor: str | None = None) -> str:
    return url_for("poll_admin.poll", poll_id=poll.id, _anchor=anchor)


def _show_error(form, error: PollError) -> None:
    """The service's message beside its field: the date and slot rows share one message."""
    if error.field in ("days", "slots"):
        form.dates_error = (error.field, str(error))
        return
    field = getattr(form, {"deadline": "deadline_date"}.get(error.field, error.field), None) or form.title
    field.errors = [*field.errors, str(error)]


def _more_rows(form) -> bool:
    """ "Add a row": the form again with more empty rows, nothing checked or saved."""
    which = request.form.get("more")
    if which:
        form.add_rows(which)
    return bool(which)


# --- The network's polls ----------------------------------------------------------------

@bp.get("/n/<slug>/polls")
def polls(slug: str):
    network = directory.network_or_404(slug)
    require(access.can_view_network(current_user, network))
    groups = events.manageable_group_ids(current_user, network)
    query = select(Poll).where(Poll.network_id == network.id).options(selectinload(Poll.working_group))
    if groups is not None:  # a group lead: the polls of the groups they lead
        query = query.where(Poll.working_group_id.in_(groups))
    found = db.session.scalars(query.order_by(case((Poll.status == "open", 0), else_=1), Poll.deadline.desc())).all()
    counts = {poll_id: (total, answered) for poll_id, total, answered in db.session.execute(
        select(PollParticipant.poll_id, func.count(), func.count(PollParticipant.answered_at))
        .where(PollParticipant.poll_id.in_([p.id for p in found])).group_by(PollParticipant.poll_id))}
    return render_template("polls/organizer_list.html", network=network, polls=found, counts=counts,
                           can_manage=access.can_manage_network(current_user, network),
                           can_create=groups is None or bool(groups))


@bp.route("/n/<slug>/polls/new", methods=["GET", "POST"])
def new_poll(slug: str):
    network = directory.network_or_404(slug)
    manageable = events.manageable_group_ids(current_user, network)
    require(manageable is None or bool(manageable))
    form = PollForm()
    form.set_groups([g for g in network.working_groups if manageable is None or g.id in manageable],
                    group_required=manageable is not None)
    if request.method == "GET" and (group_id := request.args.get("group", type=db_int)) is not None:
        form.working_group_id.data = group_id
    status = 200
    if request.method == "POST" and not _more_rows(form):
        valid = form.validate_on_submit()
        try:
            dates = form.candidates(network.timezone)
            if not valid:  # the dates' own problems too, all at once
                service.check_dates(dates, None)
            else:
                group = db.session.get(WorkingGroup, form.working_group_id.data) if form.working_group_id.data \
                    else None
                poll = service.create(network, group, current_user, dates, **form.values(network.timezone))
        except PollError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if valid:
                db.session.commit()
                flash(_("The poll is created. Now invite people to answer."), "success")
                return see_other(_poll_url(poll, "invite"))
        status = 422
    return render_template("polls/organizer_new.html", network=network, form=form), status


# --- One poll -----------------------------------------------------------------------------

def _page(poll: Poll, status: int = 200, dates_form: DatesForm | None = None, dates_open: bool = False,
          pasted: str = "", bad_lines=()):
    """The poll's page, with what a failed form sent (pasted lines, dates) kept."""
    can_network = access.can_manage_network(current_user, poll.network)
    return render_template("polls/organizer_poll.html", poll=poll, network=poll.network,
                           results=service.results(poll), can_invite_network=can_network,
                           # Only groups the user may manage: inviting shows their addresses.
                           groups=[g for g in poll.network.working_groups
                                   if can_network or access.can_manage_group(current_user, g)],
                           open_url=service.open_url(poll) if poll.open_link else None,
                           is_open=service.is_open(poll), dates_form=dates_form or DatesForm(formdata=None),
                           dates_open=dates_open, pasted=pasted, bad_lines=bad_lines), status


@bp.get("/polls/<int:poll_id>")
def poll(poll_id: int):
    return _page(_poll(poll_id))


@bp.route("/polls/<int:poll_id>/edit", methods=["GET", "POST"])
def edit(poll_id: int):
    """Title, place, description, deadline and options (the dates are changed on the poll's page)."""
    poll = _undecided(_poll(poll_id))
    form = DetailsForm()
    if request.method == "GET":
        form.fill(poll)
    elif form.validate_on_submit():
        try:
            service.update(poll, **form.values(poll.timezone))
        except PollError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(_poll_url(poll))
    return render_template("polls/organizer_edit.html", poll=poll, network=poll.network, form=form), \
        422 if form.errors else 200


@bp.post("/polls/<int:poll_id>/invite")
def invite(poll_id: int):
    poll = _undecided(_poll(poll_id))
    invitees, bad_lines, pasted = inviting.invitees_from_form(request.form, poll.network, current_user)
    try:
        result = service.invite(poll, invitees, required=request.form.get("source", "list") == "list"
                                and bool(request.form.get("required")))
    except PollError as error:
        db.session.rollback()
        return _page(poll, 422, pasted=pasted, bad_lines=[("", str(error))])
    db.session.commit()
    flash(_("%(num)d invited; %(already)d had an invitation already.", num=result.invited,
            already=result.already), "success")
    if bad_lines:
        return _page(poll, 422, pasted="\n".join(line for line, _why in bad_lines), bad_lines=bad_lines)
    return see_other(_poll_url(poll, "invite"))


@bp.post("/polls/<int:poll_id>/participants/<int:participant_id>/required")
def required(poll_id: int, participant_id: int):
    """Mark a person as required (a date without them is never best), or not; htmx swaps the results."""
    poll = _poll(poll_id)
    participant = db.session.get(PollParticipant, participant_id)
    if participant is None or participant.poll_id != poll.id:
        abort(404)
    service.set_required(participant, request.form.get("required") == "1")
    db.session.commit()
    if wants_fragment():
        return render_template("polls/_results.html", poll=poll, results=service.results(poll))
    return see_other(_poll_url(poll, f"p{participant.id}"))


@bp.post("/polls/<int:poll_id>/remind")
def remind(poll_id: int):
    poll = _undecided(_poll(poll_id))
    count = service.remind(poll)
    db.session.commit()
    flash(_("%(num)d reminded. Nobody is reminded twice within 24 hours.", num=count), "success")
    return see_other(_poll_url(poll, "invite"))


@bp.post("/polls/<int:poll_id>/<any(close, reopen):action>")
def state(poll_id: int, action: str):
    poll = _undecided(_poll(poll_id))
    (service.close if action == "close" else service.reopen)(poll)
    db.session.commit()
    flash(_("The poll is closed: nobody can answer any more.") if action == "close"
          else _("The poll is open again."), "success")
    return see_other(_poll_url(poll))


@bp.post("/polls/<int:poll_id>/dates")
def add_dates(poll_id: int):
    poll = _undecided(_poll(poll_id))
    form = DatesForm()
    if _more_rows(form):
        return _page(poll, dates_form=form, dates_open=True)
    if form.validate_on_submit():
        try:
            service.add_dates(poll, form.candidates(poll.timezone))
        except PollError as error:
            db.session.rollback()
            # A new date before the deadline is the dates' problem here, not the deadline's.
            form.dates_error = ("slots" if error.field == "slots" else "days", str(error))
        else:
            db.session.commit()
            flash(_("The dates are added."), "success")
            return see_other(_poll_url(poll, "dates"))
    return _page(poll, 422, dates_form=form, dates_open=True)


@bp.post("/polls/<int:poll_id>/dates/<int:option_id>/remove")
def remove_date(poll_id: int, option_id: int):
    poll = _undecided(_poll(poll_id))
    option = _option(poll, option_id)
    try:
        service.remove_date(poll, option)
    except PollError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The date is removed, with its answers."), "success")
    return see_other(_poll_url(poll, "dates"))


@bp.get("/polls/<int:poll_id>/answers.csv")
def answers_csv(poll_id: int):
    poll = _poll(poll_id)
    header, rows = service.csv_rows(poll)
    name = events.slug_of(poll.title)[:40] or "umfrage"
    return Response(excel_csv(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="terminumfrage-{name}.csv"'})


@bp.route("/polls/<int:poll_id>/decide", methods=["GET", "POST"])
def decide(poll_id: int):
    """Choose a date: the confirm page, then the event, its invitations and the notices."""
    poll = _poll(poll_id)
    option = _option(poll, request.values.get("option", type=db_int))
    if poll.status == "decided":
        flash(_("This poll is decided already."), "error")
        return see_other(_poll_url(poll))
    form = DecideForm()
    answers = dict(db.session.execute(select(PollAnswer.participant_id, PollAnswer.answer)
                                      .where(PollAnswer.option_id == option.id)).all())
    with_address = [p for p in poll.participants if p.email]
    coming = sum(1 for p in with_address if answers.get(p.id) in ("yes", "maybe"))
    if form.validate_on_submit():
        try:
            event = service.decide(poll, option, visibility=form.visibility.data,
                                   take_registrations=bool(form.take_registrations.data),
                                   capacity=form.capacity.data)
        except PollError as error:
            db.session.rollback()
            target = form.capacity if error.field == "capacity" else form.visibility
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The event is created and the poll is closed. %(invited)d invited to the event, "
                    "%(told)d told the result.", invited=coming, told=len(with_address) - coming), "success")
            return see_other(url_for("events.manage", event_id=event.id))
    return render_template("polls/organizer_decide.html", poll=poll, network=poll.network, option=option,
                           form=form, coming=coming, told=len(with_address) - coming), \
        422 if form.errors else 200
