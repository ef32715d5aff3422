"""Organizer pages of events: plan, change, publish and cancel; calendars of a network."""
from datetime import date

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.markdown import to_html
from ..core.params import allows_upload, db_int
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import require
from ..core.types import utcnow
from ..directory import access
from ..directory import service as directory
from ..directory.models import Network
from . import pictures, recurrence, service
from .forms import MAX_DESCRIPTION, CancelForm, EventForm, KindForm, MoveForm, date_limits
from .models import Event, EventKind
from .service import EventError, Filters

bp = Blueprint("events", __name__)

DATES_SHOWN = 20  # dates of a series on the manage page, and how many more "Show more" adds


def _network(slug: str, manage: bool = False) -> Network:
    network = directory.network_or_404(slug)
    allowed = access.can_manage_network if manage else access.can_view_network
    require(allowed(current_user, network))
    return network


def _event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    require(access.can_manage_event(current_user, event))
    return event


def _occurrence(event: Event, key: str):
    occurrence = service.occurrence_or_none(event, key)
    if occurrence is None:
        abort(404)
    return occurrence


def _series_occurrence(event: Event, key: str):
    if not event.is_series:
        abort(404)
    return _occurrence(event, key)


def _field_error(form, error: EventError) -> None:
    field = getattr(form, error.field, None) or form.start_date
    field.errors = [*field.errors, str(error)]


def _manage_url(event: Event, anchor: str | None = None) -> str:
    return url_for("events.manage", event_id=event.id, _anchor=anchor)


def _today(tz: str) -> date:
    return recurrence.to_local(utcnow(), tz).date()


def _changed(event: Event, sequence_before: int | None) -> None:
    """Tell whoever needs to know, when time, place or status changed (SEQUENCE went up)."""
    if sequence_before is not None and (event.sequence or 0) != sequence_before:
        service.announce(event)


# --- Calendar ---------------------------------------------------------------------

def _day_arg(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if 1970 <= day.year <= 2100 else None


@bp.get("/n/<slug>/calendar")
def calendar(slug: str):
    network = _network(slug)
    tz = network.timezone
    view = request.args.get("view", "month")
    if view not in service.CALENDAR_VIEWS:
        view = "month"
    today = _today(tz)
    day = _day_arg(request.args.get("date")) or today
    groups = network.working_groups  # loaded once: the events' groups then come from memory
    group = next((g for g in groups if g.id == request.args.get("group", type=db_int)), None)
    first, last, previous, following = service.calendar_range(view, day)
    filters = Filters(network_id=network.id, working_group_id=group.id if group else None)
    manageable = service.manageable_group_ids(current_user, network)
    days = service.calendar(filters, first, last, tz)
    return render(
        "events/calendar.html", "events/_calendar.html",
        network=network, view=view, day=day, today=today, first=first, last=last, previous=previous,
        following=following, group=group, groups=groups, days=days, empty=not any(o for _day, o in days),
        title=service.calendar_title(view, day, first, last), manage_all=manageable is None,
        manageable=manageable or set(), can_create=manageable is None or bool(manageable),
        can_manage=manageable is None, format_date=format_date, announce=wants_fragment(),
    )


# --- Creating and editing ---------------------------------------------------------

def _event_form(network: Network) -> EventForm:
    """The form with the network's choices; a group lead picks one of the groups they lead."""
    manageable = service.manageable_group_ids(current_user, network)
    require(manageable is None or bool(manageable))
    form = EventForm()
    groups = [g for g in network.working_groups if manageable is None or g.id in manageable]
    form.set_choices(service.kinds(network), groups, [o for o, _count in directory.organizations_page(network)],
                     directory.people_of(network), group_required=manageable is not None)
    return form


def _event_form_page(network: Network, form: EventForm, event: Event, *, heading: str, action: str,
                     cancel_url: str, original_start=None, picture_from: Event | None = None):
    """Validate and save (nothing is saved when anything is wrong), or show the form again.
    The saved event keeps the picture of `picture_from` (the event itself, or the one copied)
    unless the form changes it."""
    picture_from = picture_from or event
    form.has_picture = picture_from.picture is not None
    if form.validate_on_submit():
        sequence = event.sequence if event.id else None
        try:
            fields = form.event_fields(event.timezone)
            if original_start is not None:
                saved = service.change_following(event, original_start, **fields)
            else:
                saved = service.save_keeping_changes(event, **fields)
            service.set_tags(saved, form.tag_names())
            _save_picture(form, picture_from, saved)
            if request.form.get("publish"):
                service.publish(saved)
        except EventError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            require(access.can_manage_event(current_user, saved))
            _changed(event, sequence)
            if saved is not event:
                service.announce(saved)
            db.session.commit()
            flash(_("Saved and published.") if saved.status == "published" and request.form.get("publish")
                  else _("Saved."), "success")
            if service.conflicts(saved):
                flash(_("Another event uses the same venue or working group at the same time. See below."),
                      "warning")
            return see_other(_manage_url(saved))
    status = 422 if any(f.errors for f in form) else 200
    return render("events/form.html", "events/_form.html", network=network, form=form, event=event,
                  heading=heading, action=action, cancel_url=cancel_url, following=original_start,
                  date_limits=date_limits, picture_from=picture_from), status


def _save_picture(form: EventForm, picture_from: Event, saved: Event) -> None:
    """The form's picture on the saved event; a new series of "the following dates" and a copy
    take over the picture they come from."""
    if form.remove_picture.data:
        pictures.remove_picture(saved)
    else:
        inherited = picture_from.picture.hash if picture_from.picture is not None and saved is not picture_from \
            else None
        pictures.set_picture(saved, form.picture_alt.data or "", data=form.picture_data, digest=inherited)


@bp.route("/n/<slug>/events/new", methods=["GET", "POST"])
@allows_upload(pictures.MAX_UPLOAD)  # a phone photo is more than other forms may send
def new_event(slug: str):
    network = _network(slug)
    form = _event_form(network)
    source = None
    if source_id := request.args.get("duplicate", type=db_int):
        source = db.get_or_404(Event, source_id)
        require(source.network_id == network.id and access.can_manage_event(current_user, source))
    if request.method == "GET":
        if source is not None:
            form.fill(service.duplicate(source))
            form.picture_alt.data = source.picture.alt if source.picture is not None else ""
        elif (group_id := request.args.get("group", type=db_int)) in [c.value for c in form.working_group_id.choices]:
            form.working_group_id.data = group_id
    event = Event(network_id=network.id, timezone=network.timezone, status="draft")
    keep = {name: request.args[name] for name in ("group", "duplicate") if name in request.args}
    return _event_form_page(network, form, event, heading=_("New event"),
                            action=url_for("events.new_event", slug=slug, **keep),
                            cancel_url=url_for("events.calendar", slug=slug), picture_from=source)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allows_upload(pictures.MAX_UPLOAD)  # a phone photo is more than other forms may send
def edit(event_id: int):
    event = _event(event_id)
    form = _event_form(event.network)
    if request.method == "GET":
        form.fill(event)
    return _event_form_page(event.network, form, event, heading=_("Edit %(title)s", title=event.title),
                            action=url_for("events.edit", event_id=event.id), cancel_url=_manage_url(event))


@bp.route("/events/<int:event_id>/occurrences/<key>/following", methods=["GET", "POST"])
@allows_upload(pictures.MAX_UPLOAD)  # a phone photo is more than other forms may send
def following(event_id: int, key: str):
    """Change this date and all following ones of a series."""
    event = _event(event_id)
    occurrence = _series_occurrence(event, key)
    form = _event_form(event.network)
    if request.method == "GET":
        form.fill(event)
        planned = recurrence.occurrence(event, [], occurrence.original_start)  # as the rule has it
        form.fill_schedule(planned.starts_at, planned.ends_at, event.timezone, event.all_day)
        form.repeat_count.data = service.remaining_count(event, occurrence.original_start)
    return _event_form_page(
        event.network, form, event, original_start=occurrence.original_start,
        heading=_("Change this and all following dates of %(title)s", title=event.title),
        action=url_for("events.following", event_id=event.id, key=key), cancel_url=_manage_url(event, "dates"))


@bp.post("/events/preview")
def preview():
    """The description as it will look (htmx, while typing)."""
    return to_html(request.form.get("description", "")[:MAX_DESCRIPTION])


# --- The organizer's view of an event ---------------------------------------------

@bp.get("/events/<int:event_id>/manage")
def manage(event_id: int):
    event = _event(event_id)
    shown = min(max(request.args.get("show", DATES_SHOWN, type=db_int), DATES_SHOWN), recurrence.MAX_OCCURRENCES)
    from_today = service.local_midnight(_today(event.timezone), event.timezone)
    dates = service.series_dates(event, from_today, shown + 1)
    return render_template(
        "events/manage.html", event=event, network=event.network, dates=dates[:shown], more=len(dates) > shown,
        shown=shown, step=DATES_SHOWN, conflicts=service.conflicts(event),
        rule=service.rule_text(event) if event.is_series else None,
    )


@bp.post("/events/<int:event_id>/publish")
def publish(event_id: int):
    event = _event(event_id)
    sequence = event.sequence
    service.publish(event)
    _changed(event, sequence)
    db.session.commit()
    flash(_("Published."), "success")
    return see_other(_manage_url(event))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    event = _event(event_id)
    form = CancelForm()
    if request.method == "GET" and event.status == "cancelled":
        form.reason.data = event.cancel_reason
    if form.validate_on_submit():
        sequence = event.sequence
        service.cancel(event, form.reason.data)
        _changed(event, sequence)
        db.session.commit()
        flash(_("The event is cancelled. It stays visible, marked as cancelled, with the reason."), "success")
        return see_other(_manage_url(event))
    return render_template("events/cancel.html", event=event, network=event.network, form=form), (
        422 if form.errors else 200)


# --- Single dates of a series -----------------------------------------------------

@bp.post("/events/<int:event_id>/occurrences/<key>/<action>")
def occurrence(event_id: int, key: str, action: str):
    """Skip, cancel (with an optional reason) or restore one date of a series."""
    if action not in ("skip", "cancel", "restore"):
        abort(404)
    event = _event(event_id)
    occurrence = _series_occurrence(event, key)
    day = format_date(recurrence.to_local(occurrence.original_start, event.timezone).date(), "full")
    if action == "restore":
        service.restore_occurrence(event, occurrence.original_start)
        message = _("%(day)s takes place as planned again.", day=day)
    elif action == "skip":
        service.change_occurrence(event, occurrence.original_start, "skipped")
        message = _("%(day)s is skipped.", day=day)
    else:
        service.change_occurrence(event, occurrence.original_start, "cancelled",
                                  reason=request.form.get("reason", "")[:500])
        message = _("%(day)s is cancelled.", day=day)
    service.announce(event, dates=[occurrence.original_start])
    db.session.commit()
    flash(message, "success")
    return see_other(_manage_url(event, "dates"))


@bp.route("/events/<int:event_id>/occurrences/<key>/move", methods=["GET", "POST"])
def move(event_id: int, key: str):
    event = _event(event_id)
    occurrence = _series_occurrence(event, key)
    form = MoveForm()
    form.event_all_day = event.all_day
    if request.method == "GET":
        form.fill_schedule(occurrence.starts_at, occurrence.ends_at, event.timezone, event.all_day)
        form.reason.data = occurrence.change.reason if occurrence.moved else ""
    if form.validate_on_submit():
        try:
            starts_at, ends_at = form.schedule(event.timezone)
            service.change_occurrence(event, occurrence.original_start, "moved", reason=form.reason.data or "",
                                      starts_at=starts_at, ends_at=ends_at)
        except EventError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            service.announce(event, dates=[occurrence.original_start])
            db.session.commit()
            flash(_("The date is moved."), "success")
            return see_other(_manage_url(event, "dates"))
    status = 422 if any(f.errors for f in form) else 200
    return render_template("events/occurrence_move.html", event=event, network=event.network, form=form,
                           occurrence=occurrence, date_limits=date_limits), status


# --- Kinds of events --------------------------------------------------------------

@bp.route("/n/<slug>/kinds", methods=["GET", "POST"])
def kinds(slug: str):
    """The network's kinds: add one; rename or remove the network's own ones while unused."""
    network = _network(slug, manage=True)
    form = KindForm() if request.form.get("action", "add") == "add" else KindForm(formdata=None)
    row_errors: dict[int, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "add")
        kind = None
        if action in ("rename", "remove"):
            kind = db.get_or_404(EventKind, request.form.get("kind_id", 0, type=db_int))
            require(kind.network_id == network.id)
        try:
            if action == "add" and form.validate():
                service.add_kind(network, form.name.data)
            elif action == "rename":
                name = request.form.get("name", "").strip()
                if not name or len(name) > 100:
                    raise EventError(_("Please enter a name of at most 100 characters."), field="name")
                service.rename_kind(kind, name)
            elif action == "remove":
                service.remove_kind(kind)
        except EventError as error:
            db.session.rollback()
            if kind is None:
                form.name.errors = [*form.name.errors, str(error)]
            else:
                row_errors[kind.id] = str(error)
        if not form.errors and not row_errors and action in ("add", "rename", "remove"):
            db.session.commit()
            flash(_("Saved."), "success")
            return see_other(url_for("events.kinds", slug=slug))
    kinds = service.kinds(network)
    return render_template("events/kinds.html", network=network, kinds=kinds, usage=service.kind_usage(network),
                           form=form, row_errors=row_errors, can_manage=True), (
        422 if form.errors or row_errors else 200)


from . import public, picture_views  # noqa: E402,F401  (register the public pages on bp)
