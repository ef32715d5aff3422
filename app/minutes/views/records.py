"""Decisions, action items (with the owner's "done" link), attendance and the next meeting's
date on the minutes page, the public "done" page and the network's overdue list. Logic lives
in minutes.records; every form works without JavaScript, and htmx swaps just its part."""
from dataclasses import dataclass, field as default
from datetime import date, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ...core.extensions import db, limiter
from ...core.params import db_int
from ...core.rendering import see_other, wants_fragment
from ...core.security import public, require
from ...core.types import utcnow
from ...directory import access
from ...directory import service as directory
from ...events import recurrence
from ...registrations.views import IP_LIMIT
from .. import notes as notes_service, records, service
from ..models import ActionItem, AttendanceEntry, Decision, Meeting
from ..service import MinutesError
from . import bp, editable_meeting, meeting_context
from . import notes as notes_views


@dataclass
class Problem:
    """Bad input in one of the page's small forms: which form, which field, what is wrong,
    and what was typed (so nothing is lost)."""

    form: str
    field: str
    message: str
    values: dict = default(default_factory=dict)


def records_context(meeting: Meeting, problem: Problem | None = None, edit_action: int | None = None) -> dict:
    """What the records' parts of the minutes page need; a fixed number of queries."""
    decisions, actions = {}, {}
    for decision in records.decisions_of(meeting):
        decisions.setdefault(decision.agenda_item_id, []).append(decision)
    for action in records.actions_of(meeting):
        actions.setdefault(action.agenda_item_id, []).append(action)
    item_ids = {item.id for item in notes_service.items_of(meeting)}
    entries = records.attendance_of(meeting)
    people, organizations = records.owner_choices(meeting.network)
    return {
        "decisions": decisions, "actions": actions,
        # Records whose agenda item was removed (or declined) are still part of the minutes.
        "orphan_decisions": [d for key, ds in decisions.items() if key not in item_ids for d in ds],
        "orphan_actions": [a for key, actions_ in actions.items() if key not in item_ids for a in actions_],
        "carried": service.carried_action_items(meeting),
        "entries": entries, "counts": records.counts(entries),
        "group_people": records.group_people(meeting),
        "present_people": {entry.person_id for entry in entries if entry.person_id and entry.present},
        "owner_people": people, "owner_organizations": organizations,
        "next_default": _next_default(meeting), "problem": problem, "edit_action": edit_action,
        "today": recurrence.to_local(utcnow(), meeting.event.timezone).date(),
        **_helpers(meeting),
    }


def _helpers(meeting: Meeting) -> dict:
    return {"decision_label": lambda decision: records.decision_label(decision, meeting),
            "owner_label": records.owner_label, "owner_address": records.owner_address,
            "is_overdue": records.is_overdue}


def _next_default(meeting: Meeting) -> datetime | None:
    """The local date and time the form shows: the announced one, else the series' next date."""
    moment = meeting.next_meeting_at or records.suggested_next(meeting)
    return recurrence.to_local(moment, meeting.event.timezone) if moment else None


def _refused(meeting: Meeting, fragment: str, problem: Problem, **context):
    """Bad input: the part again with the message beside the field (htmx), or the page."""
    db.session.rollback()
    if wants_fragment():
        return render_template(fragment, **_part(meeting, problem=problem, **context)), 422
    return notes_views.minutes_page(meeting, 422, problem=problem)


def _part(meeting: Meeting, **context) -> dict:
    full = {**meeting_context(meeting), **records_context(meeting, problem=context.pop("problem", None))}
    full.update(context)
    return full


def _done(meeting: Meeting, fragment: str, anchor: str, message: str = "", **context):
    db.session.commit()
    if wants_fragment():
        return render_template(fragment, message=message, **_part(meeting, **context))
    if message:
        flash(message, "success")
    return see_other(url_for("minutes.notes", meeting_id=meeting.id, _anchor=anchor))


def _agenda_item(meeting: Meeting):
    """The agenda item a record is added to (none: "not tied to an agenda item")."""
    item_id = request.form.get("item_id", type=db_int)
    if not item_id:
        return None
    item = notes_service.item_of(meeting, item_id)
    if item is None:
        abort(404)
    return item


# --- Decisions --------------------------------------------------------------------------------

def _decision(meeting: Meeting, decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.meeting_id != meeting.id:
        abort(404)
    return decision


@bp.post("/meetings/<int:meeting_id>/decisions")
def add_decision(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    item = _agenda_item(meeting)
    key = f"item-{item.id if item else 0}"
    try:
        records.add_decision(meeting, item, request.form.get("text", "")[:records.MAX_DECISION + 1])
    except MinutesError as error:
        return _refused(meeting, "minutes/_decisions.html", Problem(f"decision-new-{key}", error.field, str(error),
                                                                      request.form.to_dict()), item=item)
    return _done(meeting, "minutes/_decisions.html", f"decisions-{key}", item=item)


@bp.post("/meetings/<int:meeting_id>/decisions/<int:decision_id>")
def change_decision(meeting_id: int, decision_id: int):
    meeting = editable_meeting(meeting_id)
    decision = _decision(meeting, decision_id)
    item = notes_service.item_of(meeting, decision.agenda_item_id or 0)
    key = f"item-{item.id if item else 0}"
    if request.form.get("action") == "delete":
        records.delete_decision(decision)
    else:
        try:
            records.update_decision(decision, request.form.get("text", "")[:records.MAX_DECISION + 1])
        except MinutesError as error:
            return _refused(meeting, "minutes/_decisions.html", Problem(
                f"decision-{decision.id}", error.field, str(error), request.form.to_dict()), item=item)
    return _done(meeting, "minutes/_decisions.html", f"decisions-{key}", item=item)


# --- Action items -------------------------------------------------------------------------------

def _action(meeting: Meeting, action_id: int) -> ActionItem:
    """An action item of this meeting, or one carried over from an earlier meeting of the
    network that the user may edit as well."""
    action = db.session.get(ActionItem, action_id)
    if action is None or action.network_id != meeting.network_id:
        abort(404)
    if action.meeting_id != meeting.id:
        require(service.can_edit(current_user, action.meeting))
    return action


def _due_on(form) -> date | None:
    raw = (form.get("due_on") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise MinutesError(_("Please enter a date."), "due_on") from None


def _action_fields(form) -> dict:
    return {"title": form.get("title", "")[:records.MAX_ACTION_TITLE + 1], "owner": form.get("owner", "")[:40],
            "owner_name": form.get("owner_name", "")[:records.MAX_NAME + 1],
            "owner_email": form.get("owner_email", "")[:records.MAX_EMAIL + 1], "due_on": _due_on(form),
            "status": form.get("status", "open")}


@bp.post("/meetings/<int:meeting_id>/actions")
def add_action(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    item = _agenda_item(meeting)
    key = f"item-{item.id if item else 0}"
    try:
        records.save_action(meeting, item, None, **_action_fields(request.form))
    except MinutesError as error:
        return _refused(meeting, "minutes/_action_items.html", Problem(f"action-new-{key}", error.field, str(error),
                                                                         request.form.to_dict()), item=item)
    return _done(meeting, "minutes/_action_items.html", f"actions-{key}", item=item)


def _row(meeting: Meeting, action: ActionItem, status: int = 200, **context):
    return render_template("minutes/_action_row.html", action=action, **_part(meeting, **context)), status


@bp.get("/meetings/<int:meeting_id>/actions/<int:action_id>")
def edit_action(meeting_id: int, action_id: int):
    """htmx: one action item's row, as a form (?edit=1) or as it shows; otherwise the page
    with that row as a form."""
    meeting = editable_meeting(meeting_id)
    action = _action(meeting, action_id)
    editing = request.args.get("edit") == "1"
    if wants_fragment():
        return _row(meeting, action, edit_action=action.id if editing else None)
    return redirect(url_for("minutes.notes", meeting_id=meeting.id, edit=action.id if editing else None,
                            _anchor=f"action-{action.id}"))


@bp.post("/meetings/<int:meeting_id>/actions/<int:action_id>")
def change_action(meeting_id: int, action_id: int):
    """Save the edited item, set its status, send its owner the "done" link, or delete it."""
    meeting = editable_meeting(meeting_id)
    action = _action(meeting, action_id)
    what = request.form.get("action", "save")
    anchor = f"action-{action.id}"
    try:
        if what == "save":
            records.save_action(action.meeting, None, action, **_action_fields(request.form))
        elif what == "status":
            records.set_status(action, request.form.get("status", ""))
        elif what == "send_link":
            records.send_link(action)
        elif what == "delete":
            records.delete_action(action)
        else:
            abort(400)
    except MinutesError as error:
        problem = Problem(f"action-{action.id}", error.field, str(error), request.form.to_dict())
        db.session.rollback()
        if wants_fragment():
            return _row(meeting, action, 422, problem=problem, edit_action=action.id if what == "save" else None)
        return notes_views.minutes_page(meeting, 422, problem=problem,
                                        edit_action=action.id if what == "save" else None)
    db.session.commit()
    message = _("The link was sent to %(address)s.", address=records.owner_address(action)) \
        if what == "send_link" else ""
    if wants_fragment():
        return "" if what == "delete" else _row(meeting, action, message=message)
    if message:
        flash(message, "success")
    return see_other(url_for("minutes.notes", meeting_id=meeting.id, _anchor=anchor))


# --- The owner's "done" link (no login) ----------------------------------------------------------

@bp.route("/a/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def action_item(token: str):
    action = records.action_by_token(token)
    if action is None:
        return render_template("registrations/link_invalid.html"), 404
    if request.method == "POST":
        what = request.form.get("action")
        if what == "done" and action.is_open:
            records.set_status(action, "done")
        elif what == "reopen" and action.status == "done":
            records.set_status(action, "open")
        db.session.commit()
        return redirect(url_for("minutes.action_item", token=token), code=303)
    meeting = action.meeting
    return render_template("minutes/action_item.html", action=action, meeting=meeting, event=meeting.event,
                           day=service.local_day(meeting), owner_label=records.owner_label)


# --- Attendance --------------------------------------------------------------------------------

@bp.post("/meetings/<int:meeting_id>/attendance")
def attendance(meeting_id: int):
    """Take over the check-in, tick the group's people, add someone, or remove an entry."""
    meeting = editable_meeting(meeting_id)
    what = request.form.get("action", "")
    message = ""
    if what == "take_over":
        message = ngettext("%(num)d person taken over from the check-in.", "%(num)d people taken over from the check-in.",
                           records.take_over_checkins(meeting))
    elif what == "tick":
        ids = {int(value) for value in request.form.getlist("person_id")[:1000] if value.isdigit()}
        records.tick_people(meeting, ids)
    elif what == "add":
        try:
            records.add_attendee(meeting, request.form.get("name", "")[:records.MAX_NAME + 1],
                                 request.form.get("organization_id", type=db_int),
                                 request.form.get("organization_name", "")[:records.MAX_NAME + 1])
        except MinutesError as error:
            return _refused(meeting, "minutes/_attendance.html",
                            Problem("attendance-add", error.field, str(error), request.form.to_dict()))
    elif what == "remove":
        entry = db.session.get(AttendanceEntry, request.form.get("entry_id", type=db_int) or 0)
        if entry is None or entry.meeting_id != meeting.id:
            abort(404)
        records.remove_attendee(entry)
    else:
        abort(400)
    return _done(meeting, "minutes/_attendance.html", "attendance", message)


# --- The next meeting ---------------------------------------------------------------------------

def _wall(form) -> datetime | None:
    raw_date, raw_time = (form.get("next_date") or "").strip(), (form.get("next_time") or "").strip()
    if not raw_date:
        return None
    try:
        day = date.fromisoformat(raw_date[:10])
    except ValueError:
        raise MinutesError(_("Please enter a date."), "next_date") from None
    try:
        hour = time.fromisoformat(raw_time[:5]) if raw_time else None
    except ValueError:
        hour = None
    if hour is None:
        raise MinutesError(_("Please enter a time."), "next_time")
    return datetime.combine(day, hour)


@bp.post("/meetings/<int:meeting_id>/next")
def next_meeting(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    try:
        wall = None if request.form.get("action") == "clear" else _wall(request.form)
        records.set_next_meeting(meeting, wall, request.form.get("next_note", "")[:records.MAX_NEXT_NOTE + 1])
    except MinutesError as error:
        return _refused(meeting, "minutes/_next_meeting.html",
                        Problem("next", error.field, str(error), request.form.to_dict()))
    return _done(meeting, "minutes/_next_meeting.html", "next-meeting")


# --- The network's open and overdue action items ------------------------------------------------

@bp.get("/n/<slug>/action-items")
def overdue(slug: str):
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    found = records.network_actions(network)
    return render_template("minutes/overdue.html", network=network, found=found, owner_label=records.owner_label,
                           local_day=service.local_day,
                           group_names={group.id: group.name for group in network.working_groups})
