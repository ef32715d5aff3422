"""Organizer pages of registrations: settings and questions, the overview, invitations,
check-in on a phone, attendance lists, and the DSGVO export. Logic lives in admin_service,
invitations, attendance and privacy."""
import json
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import NumberRange, Optional

from ..core.extensions import db
from ..core.params import db_int
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import require
from ..core.types import utcnow
from ..directory import access
from ..directory import service as directory
from ..events import recurrence
from ..events import service as events
from ..events.models import Event
from ..events.service import EventError
from . import admin_service as admin, attendance, invitations as inviting, privacy, translations as translating
from .admin_service import AdminError
from .models import Question, Registration

bp = Blueprint("registration_admin", __name__)

STATUS_LABELS = {
    "confirmed": _l("Confirmed"), "waiting": _l("Waiting list"), "pending": _l("Awaiting approval"),
    "cancelled": _l("Cancelled"), "declined": _l("Declined"),
}
QUESTION_KIND_LABELS = {
    "text": _l("Text"), "single": _l("Single choice"), "multiple": _l("Multiple choice"), "yesno": _l("Yes / no"),
}
ANSWER_LABELS = {"yes": _l("Registered (yes)"), "no": _l("Declined (no)"), "maybe": _l("Maybe"),
                 None: _l("No answer yet")}
DATES_OFFERED = 30


class SettingsForm(FlaskForm):
    is_open = BooleanField(_l("Registration is open"))
    opens_at = DateTimeLocalField(_l("Opens at (local time, optional)"), format=["%Y-%m-%dT%H:%M"],
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (local time, optional)"), format=["%Y-%m-%dT%H:%M"],
                                   validators=[Optional()])
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional(), NumberRange(1, 100_000)])
    waiting_list = BooleanField(_l("Waiting list when full"))
    needs_approval = BooleanField(_l("Organizers approve each registration"))
    ask_organization = BooleanField(_l("Ask for the organization"))
    retention_days = IntegerField(_l("Delete personal data this many days after the event"),
                                  validators=[NumberRange(0, 3650)], default=30)
    reminder_days = IntegerField(_l("Reminder mail this many days before (empty: none)"),
                                 validators=[Optional(), NumberRange(1, 60)])
    privacy_note = TextAreaField(_l("Privacy note (purpose and retention, shown on the form)"),
                                 validators=[Optional()])

    def fill(self, settings, tz: str) -> None:
        for name in admin.SETTINGS_FIELDS:
            value = getattr(settings, name)
            if name in ("opens_at", "closes_at") and value is not None:
                value = recurrence.to_local(value, tz)
            getattr(self, name).data = value

    def values(self, tz: str) -> dict:
        values = {name: getattr(self, name).data for name in admin.SETTINGS_FIELDS}
        for name in ("opens_at", "closes_at"):
            if values[name] is not None:
                values[name] = events.to_utc_checked(values[name], tz, name)
        values["privacy_note"] = (values["privacy_note"] or "").strip()[:5000]
        values["retention_days"] = values["retention_days"] if values["retention_days"] is not None else 30
        return values


# --- Helpers ---------------------------------------------------------------------------

def _event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    require(access.can_manage_event(current_user, event))
    return event


def _start(event: Event) -> datetime:
    start = admin.occurrence_start(event, request.values.get("at"))
    if start is None:
        abort(404)
    return start


def _key(start: datetime) -> str:
    return f"{start:%Y%m%dT%H%M%SZ}"


def _registration(event: Event, registration_id) -> Registration:
    registration = db.session.get(Registration, registration_id or 0)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _dates(event: Event, start: datetime) -> list:
    """The dates an organizer can pick (series only): the coming ones and the one shown."""
    if not event.is_series:
        return []
    today = events.local_midnight(recurrence.to_local(utcnow(), event.timezone).date(), event.timezone)
    dates = [o for o in events.series_dates(event, today, DATES_OFFERED)]
    if all(o.original_start != start for o in dates):
        dates.insert(0, admin.occurrence_of(event, start))
    return dates


def _common(event: Event, start: datetime) -> dict:
    return {"event": event, "network": event.network, "start": start, "key": _key(start),
            "occurrence": admin.occurrence_of(event, start), "dates": _dates(event, start),
            "settings": admin.settings_of(event), "status_labels_reg": STATUS_LABELS}


# --- Texts in other languages -----------------------------------------------------------

@bp.route("/events/<int:event_id>/translations", methods=["GET", "POST"])
def translations(event_id: int):
    """Title, description, questions and privacy note in other languages, one language at a time."""
    event = _event(event_id)
    languages = [code for code in current_app.config["LANGUAGES"] if code != event.text_language]
    requested = request.values.get("language", "")
    language = requested if requested in languages else languages[0]
    questions = admin.questions_of(event)
    values = {"title": request.form.get("title", ""), "description": request.form.get("description", ""),
              "privacy_note": request.form.get("privacy_note", "")}
    answers = {q.id: (request.form.get(f"label-{q.id}", ""), request.form.get(f"options-{q.id}", ""))
               for q in questions}
    errors, status = {}, 200
    if request.method == "POST" and requested != language:  # its own language, or none we offer
        errors, status = {"language": _("Please choose one of the languages.")}, 422
    elif request.method == "POST":
        try:
            translating.save(event, language, values["title"], values["description"], values["privacy_note"],
                             answers)
        except AdminError as error:
            db.session.rollback()
            errors[error.field or "title"] = str(error)
            status = 422
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(url_for(".translations", event_id=event.id, language=language))
    else:
        texts = (event.translations or {}).get(language, {})
        settings = event.registration_settings
        note = ((settings.privacy_note_translations or {}).get(language, {}) if settings else {})
        values = {"title": texts.get("title", ""), "description": texts.get("description", ""),
                  "privacy_note": note.get("privacy_note", "")}
        answers = {q.id: ((q.translations or {}).get(language, {}).get("label", ""),
                          (q.translations or {}).get(language, {}).get("options", "")) for q in questions}
    for question_id, (label, options) in answers.items():
        values.update({f"label-{question_id}": label, f"options-{question_id}": options})
    return render_template("registrations/organizer_translations.html", event=event, network=event.network,
                           languages=languages, language=language, values=values, questions=questions,
                           errors=errors), status


# --- Settings and questions ----------------------------------------------------------

@bp.route("/events/<int:event_id>/registration", methods=["GET", "POST"])
def settings(event_id: int):
    event = _event(event_id)
    form = SettingsForm()
    if request.method == "GET":
        form.fill(admin.settings_of(event), event.timezone)
    elif form.validate_on_submit():
        try:
            admin.save_settings(event, **form.values(event.timezone))
        except (AdminError, EventError) as error:
            db.session.rollback()
            target = getattr(form, getattr(error, "field", None) or "closes_at", form.closes_at)
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(url_for(".settings", event_id=event.id))
    return render_template("registrations/organizer_settings.html", event=event, network=event.network, form=form,
                           questions=admin.questions_of(event), kinds=QUESTION_KIND_LABELS,
                           question_error=None), 422 if form.errors else 200


@bp.post("/events/<int:event_id>/registration/questions")
def questions(event_id: int):
    """Add, change, remove or move a custom question."""
    event = _event(event_id)
    action = request.form.get("action", "add")
    question = None
    if action != "add":
        question = db.session.get(Question, request.form.get("question_id", type=db_int) or 0)
        if question is None or question.event_id != event.id:
            abort(404)
    try:
        if action in ("add", "save"):
            kind = request.form.get("kind", "text")
            admin.save_question(event, question, kind=kind, label=request.form.get("label", "")[:400],
                                options=request.form.get("options", "")[:5000],
                                required=bool(request.form.get("required")))
        elif action == "remove":
            admin.remove_question(question)
        elif action in ("up", "down"):
            admin.move_question(event, question, -1 if action == "up" else 1)
        else:
            abort(400)
    except AdminError as error:
        db.session.rollback()
        form = SettingsForm(formdata=None)
        form.fill(admin.settings_of(event), event.timezone)
        return render_template("registrations/organizer_settings.html", event=event, network=event.network,
                               form=form, questions=admin.questions_of(event), kinds=QUESTION_KIND_LABELS,
                               question_error=(question.id if question else "new", str(error)),
                               posted=request.form), 422
    db.session.commit()
    flash(_("Saved."), "success")
    return see_other(url_for(".settings", event_id=event.id, _anchor="questions"))


# --- The overview ----------------------------------------------------------------------

@bp.get("/events/<int:event_id>/registrations")
def overview(event_id: int):
    event = _event(event_id)
    start = _start(event)
    status = request.args.get("status", "")
    query = request.args.get("q", "")[:100]
    rows = admin.registrations(event, start, status, query)
    return render("registrations/organizer_overview.html", "registrations/_organizer_list.html",
                  rows=rows, counts=admin.status_counts(event, start), status=status, query=query,
                  organization_label=admin.organization_label, **_common(event, start))


@bp.post("/events/<int:event_id>/registrations/add")
def add(event_id: int):
    event = _event(event_id)
    start = _start(event)
    status = request.form.get("status") or None
    try:
        registration, _token, outcome = admin.manual_add(
            event, start, request.form.get("name", ""), request.form.get("email", ""),
            request.form.get("organization_id", type=db_int), request.form.get("organization_name", ""), status)
    except AdminError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash({"exists": _("This address is registered already; the personal link was sent again."),
               "full": _("The event is full and has no waiting list. Choose “confirmed” to add the person anyway."),
               }.get(outcome, _("Added: %(name)s (%(status)s).", name=registration.name if registration else "",
                                status=STATUS_LABELS.get(outcome, outcome))), "success" if outcome != "full" else "error")
    return see_other(url_for(".overview", event_id=event.id, at=_key(start)))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/<action>")
def change(event_id: int, registration_id: int, action: str):
    """Give a place, move to the waiting list, approve, decline or cancel one registration."""
    event = _event(event_id)
    registration = _registration(event, registration_id)
    override = bool(request.form.get("override"))
    actions = {"confirm": lambda: admin.confirm(registration, override), "waiting": lambda: admin.to_waiting(registration),
               "approve": lambda: admin.approve(registration, override), "decline": lambda: admin.decline(registration),
               "cancel": lambda: admin.cancel(registration)}
    if action not in actions:
        abort(404)
    try:
        actions[action]()
    except AdminError as error:
        db.session.rollback()
        flash(_("%(name)s: %(error)s", name=registration.name, error=str(error)), "error")
    else:
        db.session.commit()
        flash(_("%(name)s: %(status)s.", name=registration.name, status=STATUS_LABELS[registration.status]),
              "success")
    return see_other(url_for(".overview", event_id=event.id, at=_key(registration.occurrence_start)))


@bp.post("/events/<int:event_id>/registrations/message")
def message(event_id: int):
    event = _event(event_id)
    start = _start(event)
    try:
        sent = admin.message_all(event, start, request.form.get("subject", ""), request.form.get("body", ""))
    except AdminError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The message goes to %(num)d people.", num=sent), "success")
    return see_other(url_for(".overview", event_id=event.id, at=_key(start)))


# --- Invitations -------------------------------------------------------------------------

@bp.route("/events/<int:event_id>/invitations", methods=["GET", "POST"])
def invitations(event_id: int):
    event = _event(event_id)
    start = _start(event)
    bad_lines, pasted = [], ""
    if request.method == "POST":
        invitees, bad_lines, pasted = inviting.invitees_from_form(request.form, event.network, current_user)
        result = inviting.invite(event, start, invitees)
        db.session.commit()
        flash(_("%(num)d invited; %(already)d had an invitation already.", num=result.invited,
                already=result.already), "success")
        if not bad_lines:
            return see_other(url_for(".invitations", event_id=event.id, at=_key(start)))
        pasted = "\n".join(line for line, _why in bad_lines)
    rows = inviting.invitations(event, start)
    return render_template("registrations/organizer_invitations.html", rows=rows,
                           counts=inviting.invitation_counts(rows), groups=event.network.working_groups,
                           bad_lines=bad_lines, pasted=pasted, answer_labels=ANSWER_LABELS,
                           **_common(event, start)), 422 if bad_lines else 200


@bp.post("/events/<int:event_id>/invitations/remind")
def remind(event_id: int):
    event = _event(event_id)
    start = _start(event)
    count = inviting.remind_invitees(event, start)
    db.session.commit()
    flash(_("%(num)d reminded. Nobody is reminded twice within 24 hours.", num=count), "success")
    return see_other(url_for(".invitations", event_id=event.id, at=_key(start)))


# --- Check-in on the day -------------------------------------------------------------------

@bp.route("/events/<int:event_id>/checkin", methods=["GET", "POST"])
def checkin(event_id: int):
    event = _event(event_id)
    start = _start(event)
    query = request.values.get("q", "")[:100]
    if request.method == "POST":
        registration = _registration(event, request.form.get("registration_id", type=db_int))
        try:
            attendance.check_in(registration, present=request.form.get("present") == "1")
        except AdminError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
        if wants_fragment():
            return render_template("registrations/_organizer_checkin_row.html", r=registration, event=event,
                                   key=_key(start), query=query, counts=admin.status_counts(event, start),
                                   organization_label=admin.organization_label, oob=True)
        return redirect(url_for(".checkin", event_id=event.id, at=_key(start), q=query or None,
                                _anchor=f"r{registration.id}"), code=303)
    rows = admin.registrations(event, start, "confirmed", query)
    return render("registrations/organizer_checkin.html", "registrations/_organizer_checkin_list.html",
                  rows=rows, query=query, counts=admin.status_counts(event, start),
                  organization_label=admin.organization_label, **_common(event, start))


@bp.get("/events/<int:event_id>/checkin/<token>")
def checkin_token(event_id: int, token: str):
    """Scanned from a participant's QR code: shows who it is, with one button to check in
    (a GET never changes anything)."""
    event = _event(event_id)
    registration = attendance.by_checkin_code(event, token)
    if registration is None:
        return render_template("registrations/organizer_checkin_result.html", event=event, network=event.network,
                               r=None, error=_("This code does not belong to a registration of this event."),
                               key="", already=False, organization_label=admin.organization_label), 404
    return render_template("registrations/organizer_checkin_result.html", event=event, network=event.network,
                           r=registration, error=None, key=_key(registration.occurrence_start),
                           already=registration.checked_in_at is not None,
                           organization_label=admin.organization_label)


# --- Attendance list -------------------------------------------------------------------------

def _filename(event: Event, start: datetime, ext: str) -> str:
    day = recurrence.to_local(start, event.timezone).strftime("%Y-%m-%d")
    title = events.slug_of(event.title)[:40]
    return f"teilnehmendenliste-{title}-{day}.{ext}"


@bp.get("/events/<int:event_id>/attendance.csv")
def attendance_csv(event_id: int):
    event = _event(event_id)
    start = _start(event)
    data = attendance.attendance_csv(event, start, only_confirmed=request.args.get("all") != "1")
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_filename(event, start, "csv")}"'})


@bp.get("/events/<int:event_id>/attendance.pdf")
def attendance_pdf(event_id: int):
    event = _event(event_id)
    start = _start(event)
    data = attendance.attendance_pdf(event, start, only_confirmed=request.args.get("all") != "1")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{_filename(event, start, "pdf")}"'})


# --- DSGVO export ---------------------------------------------------------------------------

@bp.get("/n/<slug>/privacy/export")
def privacy_export(slug: str):
    """Everything stored about one e-mail address in this network's events, as JSON."""
    network = directory.network_or_404(slug)
    require(access.can_manage_network(current_user, network))
    email = request.args.get("email", "").strip()[:254]
    error = None
    if email:
        try:
            email = admin.checked_email(email)
        except AdminError as problem:
            error = str(problem)
        else:
            data = json.dumps(privacy.export_person(network, email), ensure_ascii=False, indent=2)
            return Response(data, mimetype="application/json", headers={
                "Content-Disposition": f'attachment; filename="treffpunkt-{network.slug}-data.json"'})
    return render_template("registrations/organizer_privacy.html", network=network, email=email,
                           error=error), 422 if error else 200
