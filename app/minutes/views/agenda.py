"""The organizer's agenda page: items added, edited inline, moved (buttons or drag), deleted;
participants' proposals accepted or declined; the agenda published. Logic lives in
minutes/agenda.py. Every change answers htmx with the agenda section and anything else
with a redirect to the page."""
from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ...core.extensions import db
from ...core.rendering import render, see_other, wants_fragment
from ...core.types import utcnow
from ...events import recurrence
from .. import agenda as agenda_service
from ..models import AgendaItem, Meeting
from ..service import MinutesError, agenda_is_public, carried_action_items
from . import bp, editable_meeting, meeting_context

PAGE, SECTION = "minutes/agenda.html", "minutes/_agenda.html"


class ItemForm(FlaskForm):
    title = StringField(_l("Title"))
    presenter_person_id = SelectField(_l("Person from the directory"), coerce=int, default=0)
    presenter_organization_id = SelectField(_l("Organization"), coerce=int, default=0)
    presenter_name = StringField(_l("Or another name"))
    planned_minutes = IntegerField(_l("Planned duration (minutes)"), validators=[Optional()])
    description = TextAreaField(_l("Short description"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title.flags.required = True  # checked by the service, marked for the reader

    def set_choices(self, people, organizations) -> None:
        self.presenter_person_id.choices = [SelectChoice(0, _l("— none —"))] + [
            SelectChoice(p.id, f"{p.name} ({p.organization.name})") for p in people]
        self.presenter_organization_id.choices = [SelectChoice(0, _l("— none —"))] + [
            SelectChoice(o.id, o.name) for o in organizations]

    def values(self) -> dict:
        return {"title": self.title.data or "", "description": self.description.data or "",
                "presenter_person_id": self.presenter_person_id.data or None,
                "presenter_organization_id": self.presenter_organization_id.data or None,
                "presenter_name": self.presenter_name.data or "", "planned_minutes": self.planned_minutes.data}


def _form(choices, item: AgendaItem | None = None, posted: bool = False) -> ItemForm:
    if posted:
        form = ItemForm()
    elif item is not None:
        form = ItemForm(formdata=None, data={
            "title": item.title, "description": item.description, "presenter_name": item.presenter_name,
            "presenter_person_id": item.presenter_person_id or 0,
            "presenter_organization_id": item.presenter_organization_id or 0,
            "planned_minutes": item.planned_minutes})
    else:
        form = ItemForm(formdata=None)
    form.set_choices(*choices)
    return form


def _item(meeting: Meeting, item_id: int, status: str = "accepted") -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id or item.status != status:
        abort(404)
    return item


def _context(meeting: Meeting, choices=None, form: ItemForm | None = None, editing: AgendaItem | None = None,
             edit_form: ItemForm | None = None, error: str = "", answer_error: tuple | None = None) -> dict:
    choices = choices or agenda_service.presenter_choices(meeting.network)
    items = agenda_service.load_items(meeting)
    on_agenda = agenda_service.accepted(items)
    plan = agenda_service.schedule(on_agenda, agenda_service.starts_at(meeting))
    if editing is not None and edit_form is None:
        edit_form = _form(choices, editing)
    event = meeting.event
    head = meeting_context(meeting)
    return {
        **head,
        "plan": plan,
        "clock": not event.all_day,
        "proposals": agenda_service.pending(items),
        "carried": carried_action_items(meeting) if any(i.carries_action_items for i in on_agenda) else [],
        "today": recurrence.to_local(utcnow(), event.timezone).date(),
        "form": form or _form(choices),
        "editing": editing.id if editing is not None else None,
        "edit_form": edit_form,
        "row": next((row for row in plan.rows if editing is not None and row.item.id == editing.id), None),
        "error": error,
        "answer_error": answer_error,
        "agenda_public": agenda_is_public(meeting),
        "event_url": url_for("events.show", event_id=event.id, **({"at": head["at"]} if event.is_series else {})),
    }


def _changed(meeting: Meeting, anchor: str | None = None):
    """After a successful change: htmx gets the agenda section afresh, others the page."""
    if wants_fragment():
        return render(PAGE, SECTION, **_context(meeting))
    return see_other(url_for("minutes.agenda", meeting_id=meeting.id, _anchor=anchor))


def _refused(meeting: Meeting, error: MinutesError, status: int = 422, **context):
    db.session.rollback()
    return render(PAGE, SECTION, **_context(meeting, error=str(error), **context)), status


def _save(meeting: Meeting, item: AgendaItem | None, form: ItemForm) -> AgendaItem | None:
    """The item saved, or None with the problems beside the form's fields."""
    if not form.validate():
        return None
    try:
        return agenda_service.save_item(meeting, item, **form.values())
    except MinutesError as error:
        db.session.rollback()
        target = getattr(form, error.field or "title", form.title)
        target.errors = [*target.errors, str(error)]
        return None


# --- The page ------------------------------------------------------------------------------

@bp.get("/meetings/<int:meeting_id>/agenda")
def agenda(meeting_id: int):
    return render(PAGE, SECTION, **_context(editable_meeting(meeting_id)))


@bp.post("/meetings/<int:meeting_id>/agenda/items")
def agenda_add(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    choices = agenda_service.presenter_choices(meeting.network)
    form = _form(choices, posted=True)
    item = _save(meeting, None, form)
    if item is None:
        return render(PAGE, SECTION, **_context(meeting, choices, form=form)), 422
    db.session.commit()
    return _changed(meeting, f"item-{item.id}")


@bp.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>", methods=["GET", "POST"])
def agenda_edit(meeting_id: int, item_id: int):
    """GET: the item as a form (htmx swaps just the item); POST: save it."""
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id)
    choices = agenda_service.presenter_choices(meeting.network)
    if request.method == "GET":
        return render(PAGE, "minutes/_agenda_item_form.html", **_context(meeting, choices, editing=item))
    form = _form(choices, posted=True)
    if _save(meeting, item, form) is None:
        item = _item(meeting, item_id)  # after a rollback: the stored item, beside the posted form
        return render(PAGE, SECTION, **_context(meeting, choices, editing=item, edit_form=form)), 422
    db.session.commit()
    return _changed(meeting, f"item-{item.id}")


@bp.post("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/delete")
def agenda_delete(meeting_id: int, item_id: int):
    meeting = editable_meeting(meeting_id)
    try:
        agenda_service.delete_item(meeting, _item(meeting, item_id))
    except MinutesError as error:
        return _refused(meeting, error)
    db.session.commit()
    return _changed(meeting, "agenda")


@bp.post("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/move")
def agenda_move(meeting_id: int, item_id: int):
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    agenda_service.move_item(meeting, item, -1 if direction == "up" else 1)
    db.session.commit()
    return _changed(meeting, f"item-{item.id}")


@bp.post("/meetings/<int:meeting_id>/agenda/order")
def agenda_order(meeting_id: int):
    """The whole order at once, as static/js/agenda-sort.js posts it after a drag."""
    meeting = editable_meeting(meeting_id)
    try:
        ids = [int(part) for part in request.form.get("order", "")[:5000].split(",") if part.strip()]
    except ValueError:
        abort(400)
    try:
        agenda_service.reorder(meeting, ids)
    except MinutesError as error:
        return _refused(meeting, error, status=409)
    db.session.commit()
    return _changed(meeting, "agenda")


@bp.post("/meetings/<int:meeting_id>/agenda/publish")
def agenda_publish(meeting_id: int):
    meeting = editable_meeting(meeting_id)
    action = request.form.get("action")
    if action == "publish":
        agenda_service.publish(meeting)
    elif action == "unpublish":
        agenda_service.unpublish(meeting)
    else:
        abort(400)
    db.session.commit()
    return see_other(url_for("minutes.agenda", meeting_id=meeting.id, _anchor="publish"))


@bp.post("/meetings/<int:meeting_id>/agenda/proposals/<int:item_id>")
def agenda_answer(meeting_id: int, item_id: int):
    """Accept a participant's proposal (to the end of the agenda) or decline it; either way
    the proposer gets a mail."""
    meeting = editable_meeting(meeting_id)
    item = _item(meeting, item_id, status="proposed")
    action = request.form.get("action")
    try:
        if action == "accept":
            agenda_service.accept(meeting, item)
        elif action == "decline":
            agenda_service.decline(meeting, item, request.form.get("reason", "")[:10_000])
        else:
            abort(400)
    except MinutesError as error:
        db.session.rollback()
        return render(PAGE, None, **_context(meeting, answer_error=(item_id, str(error)))), 422
    db.session.commit()
    return see_other(url_for("minutes.agenda", meeting_id=meeting.id,
                             _anchor=f"item-{item.id}" if action == "accept" else "proposals"))
