"""The participant's way, without an account: the form on the event page, the confirmation,
the personal manage link, the invitation link and "send me my link again".

Abuse: every POST is rate-limited per IP and per e-mail address; a honeypot field stands in
for a CAPTCHA; every field has a length limit; a wrong token gets the same plain 404 page
whatever was wrong with it.
"""
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from ..core.extensions import db, htmx, limiter
from ..core.rendering import render, see_other, wants_fragment
from ..core.security import public
from ..directory import service as directory
from ..directory.models import Organization
from ..events import public as event_pages, recurrence
from ..events import service as events
from ..events.models import Event
from . import attendance, availability, forms, notifications, service
from .admin_service import organization_label
from .models import ACTIVE_STATUSES

bp = Blueprint("registrations", __name__)

IP_LIMIT = "10 per minute;100 per hour"
EMAIL_LIMIT = "5 per hour"
RESEND_IP_LIMIT = "5 per minute;30 per hour"
RESEND_EMAIL_LIMIT = "3 per hour"


def _email_key() -> str:
    """Rate-limit key of the address in the form (the IP when there is none)."""
    email = service.normalize_email(request.form.get("email", ""))[:254]
    return f"email:{email}" if email else get_remote_address()


def _succeeded(response) -> bool:
    # Only submissions that may send a mail count against the address: a person fixing a
    # typo in the form is not held back.
    return response.status_code < 400


def _done(url: str):
    """Redirect after a successful POST; htmx is told to load the page as a whole."""
    if htmx:
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


# --- What the event page needs ----------------------------------------------------

def _box(event: Event, occurrence, form=None, message: str = "") -> dict | None:
    """Everything the registration block of a page shows; None when the event takes none."""
    settings = event.registration_settings
    if settings is None:
        return None
    state = service.registration_state(event, occurrence, settings)
    if form is None and state == "open":
        form = _registration_form(event, settings.ask_organization, service.questions_of(event))
    numbers = service.counts(event, occurrence.original_start if occurrence else None) \
        if settings.capacity is not None and occurrence is not None else None
    left = max(0, settings.capacity - numbers["confirmed"]) if numbers is not None else None
    return {
        "event": event,
        "occurrence": occurrence,
        "settings": settings,
        "state": state,
        "form": form,
        "message": message,
        "places_left": left,
        "key": occurrence.key if occurrence is not None else "",
    }


# The box asks for the event's settings on every event page: they come in the event's query.
event_pages.page_relations.append("registration_settings")


@bp.app_template_global()
def registration_box(event: Event, occurrence, specific: bool = True, next_dates=()):
    """The registration block of the event page. A series takes registrations per date: its
    overview page lists the next dates to choose from (each with ?at=)."""
    if event.registration_settings is None:
        return None
    if event.is_series and not specific:
        return {"event": event, "choose_date": True, "next_dates": next_dates,
                "settings": event.registration_settings}
    return _box(event, occurrence)


@bp.app_template_global()
def availability_marks(occurrences) -> dict:
    """Places left, fully booked, waiting list or not yet open, for a list's cards."""
    return availability.of(occurrences)


def _visible_event(event_id: int) -> Event:
    from ..events.public import _visible_event as visible

    return visible(event_id)


def _occurrence_from(event: Event, key: str | None):
    if not event.is_series:
        return recurrence.Occurrence(event, event.starts_at, event.starts_at, event.ends_at)
    occurrence = events.occurrence_or_none(event, (key or "")[:40])
    if occurrence is None:
        abort(404)
    return occurrence


def _render_form(box: dict, status: int):
    template = "registrations/_form.html" if wants_fragment() else "registrations/register.html"
    return render_template(template, registration=box), status


def _registration_form(event: Event, ask_organization: bool, questions, base=forms.RegistrationForm,
                       formdata=None, **data):
    """The event's form, suggesting the network's member organizations when it asks for one."""
    names = directory.member_names(event.network_id) if ask_organization else []
    return forms.build(base, questions, names, ask_organization, text_language=event.text_language,
                       formdata=formdata, **data)


def _organization(form, event: Event) -> tuple[int | None, str]:
    """(organization_id, organization_name) from the typed name: a member organization of the
    event's network is linked by its id (for the organizers' reports), any other name is kept
    as typed."""
    typed = " ".join((form.organization_name.data or "").split()) if "organization_name" in form else ""
    known = directory.member_by_name(event.network_id, typed)
    return (known.id, known.name) if known is not None else (None, typed)


# --- Registering ------------------------------------------------------------------

@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
@limiter.limit(EMAIL_LIMIT, key_func=_email_key, methods=["POST"], deduct_when=_succeeded)
def register(event_id: int):
    event = _visible_event(event_id)
    occurrence = _occurrence_from(event, request.values.get("at"))
    if request.method == "GET":  # the form alone, e.g. for a link in a newsletter
        box = _box(event, occurrence)
        if box is None:
            abort(404)
        return _render_form(box, 200)
    settings = event.registration_settings
    if settings is None:
        abort(404)
    if request.form.get(forms.HONEYPOT):
        # A bot filled the field people never see: it gets a success it cannot tell from a real
        # one, and nothing is saved or mailed.
        return _done(url_for("registrations.resend", event_id=event.id, sent="registered"))
    form = _registration_form(event, settings.ask_organization, service.questions_of(event), formdata=request.form)
    box = _box(event, occurrence, form=form)
    if box["state"] != "open":
        box["form"] = None  # closed meanwhile: nothing to fill in
        return _render_form(box, 422)
    if not form.validate():
        return _render_form(box, 422)
    organization_id, organization_name = _organization(form, event)
    registration, _token, outcome = service.register(
        event, occurrence.original_start, form.name.data, form.email.data, organization_id, organization_name,
        forms.answers_from(form), language=str(get_locale()))
    if outcome == service.FULL:
        db.session.rollback()
        box = _box(event, occurrence, form=form, message=_("Sorry, the event is full now and has no waiting list."))
        return _render_form(box, 422)
    db.session.commit()  # before the redirect: whoever sees the confirmation is in the database
    if outcome == service.EXISTS:
        return _done(url_for("registrations.resend", event_id=event.id, sent="registered"))
    return _done(_confirmation_url(registration))


# The registrations made in this browser, newest last: the confirmation page shows them by id
# from the (signed) session. Their manage links go out only by mail (service.proven_mailbox).
JUST_REGISTERED = "registered"


def _confirmation_url(registration) -> str:
    session[JUST_REGISTERED] = [*session.get(JUST_REGISTERED, [])[-9:], registration.id]
    return url_for("registrations.confirmation", registration_id=registration.id)


@bp.get("/registered/<int:registration_id>")
@public
def confirmation(registration_id: int):
    registration = db.session.get(service.Registration, registration_id) \
        if registration_id in session.get(JUST_REGISTERED, []) else None
    if registration is None:
        return _invalid()
    return render_template("registrations/confirmation.html", **_registration_context(registration))


def _registration_context(registration, token: str | None = None) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "occurrence": service.occurrence_of(event, registration.occurrence_start),
        "position": service.waiting_list_position(registration),
        "token": token,
        "event_url": url_for("events.show", event_id=event.id,
                             **({"at": f"{registration.occurrence_start:%Y%m%dT%H%M%SZ}"} if event.is_series else {})),
    }


def _invalid():
    return render_template("registrations/link_invalid.html"), 404


# --- The manage link --------------------------------------------------------------

@bp.route("/r/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def manage(token: str):
    registration = service.by_token(token)
    if registration is None:
        return _invalid()
    event = registration.event
    settings = event.registration_settings
    ask_organization = settings.ask_organization if settings is not None else False
    questions = service.questions_of(event)
    active = registration.status in ACTIVE_STATUSES
    action = request.form.get("action", "save")
    status = 200
    message = ""
    if request.method == "POST" and action == "delete":
        if not request.form.get("confirm_delete"):
            message = _("Please tick the box to confirm that your data should be deleted.")
            status = 422
        else:
            service.delete_personal_data(registration)
            db.session.commit()
            return render_template("registrations/manage.html", deleted=True, event=event)
    formdata = request.form if request.method == "POST" and action == "save" else None
    data = {} if formdata is not None else {
        "name": registration.name, "organization_name": organization_label(registration),
        **forms.answers_to_formdata(questions, service.answers_of(registration))}
    form = _registration_form(event, ask_organization, questions, forms.ManageForm, formdata, **data)
    if formdata is not None and active:
        if form.validate():
            organization_id, organization_name = _organization(form, event)
            service.update(registration, form.name.data, organization_id, organization_name,
                           forms.answers_from(form))
            db.session.commit()
            return redirect(_manage_url(token, done="saved"))
        status = 422
    return render_template("registrations/manage.html", form=form, active=active, message=message,
                           done=request.args.get("done", ""), checkin_code=attendance.checkin_code(registration),
                           again=None if active else service.again_offer(registration),
                           **_registration_context(registration, token)), status


def _manage_url(token: str, **args) -> str:
    return url_for("registrations.manage", token=token, **args)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def cancel(token: str):
    """Cancelling asks once: the GET asks (a page of its own, or for htmx the manage page's
    cancel section in place), the POST from that question cancels."""
    registration = service.by_token(token)
    if registration is None:
        return _invalid()
    if registration.status not in ACTIVE_STATUSES:  # cancelled already, e.g. in another tab
        return see_other(_manage_url(token))
    if request.method == "POST":
        service.cancel(registration)
        db.session.commit()
        return see_other(_manage_url(token, done="cancelled"))
    return render("registrations/cancel.html", "registrations/_cancel.html", confirming=True,
                  **_registration_context(registration, token))


def _token_email_key() -> str:
    """Rate-limit key of the address a manage link belongs to (the IP for a wrong link)."""
    registration = service.by_token(request.view_args.get("token"))
    return f"email:{registration.email}" if registration is not None else get_remote_address()


@bp.post("/r/<token>/again")
@public
@limiter.limit(IP_LIMIT)
@limiter.limit(EMAIL_LIMIT, key_func=_token_email_key, deduct_when=_succeeded)
def register_again(token: str):
    """After cancelling: the same person, details and link, back on the list while places
    remain (or the waiting list is open)."""
    registration = service.by_token(token)
    if registration is None:
        return _invalid()
    outcome = service.register_again(registration, token, language=str(get_locale()))
    if outcome is None:  # full, closed or registered again meanwhile: the page says what is
        db.session.rollback()
        return see_other(_manage_url(token, done="not_again"))
    db.session.commit()
    return see_other(_manage_url(token, done="again"))


# --- Invitations ------------------------------------------------------------------

@bp.route("/i/<token>", methods=["GET", "POST"])
@public
@limiter.limit(IP_LIMIT, methods=["POST"])
def invitation(token: str):
    invitation = service.invitation_by_token(token)
    if invitation is None or invitation.event.status == "draft":
        return _invalid()
    event = invitation.event
    occurrence = service.occurrence_of(event, invitation.occurrence_start)
    settings = event.registration_settings
    state = service.registration_state(event, occurrence, settings) if settings is not None else "open"
    # The invitation itself opens registration: closed-to-the-public and invitation-only
    # events take invitees; only a past or cancelled date does not.
    can_register = state not in ("over", "cancelled")
    registration = service.invitation_registration(invitation)
    status = 200
    form = None
    questions = service.questions_of(event)
    ask_organization = settings.ask_organization if settings is not None else True
    if request.method == "POST":
        answer = request.form.get("answer", "")
        if answer not in ("yes", "no", "maybe"):
            abort(400)
        invitation.language = str(get_locale())  # later mails speak the invitee's language
        if answer == "yes" and can_register and registration is None:
            form = _registration_form(event, ask_organization, questions, formdata=request.form)
            form.email.data = invitation.email  # the address the invitation went to, not a typed one
            if form.validate():
                organization_id, organization_name = _organization(form, event)
                registration, _token, outcome = service.register(
                    event, invitation.occurrence_start, form.name.data, invitation.email, organization_id,
                    organization_name, forms.answers_from(form), invitation=invitation, language=str(get_locale()))
                if outcome == service.FULL:
                    db.session.rollback()
                    form.name.errors.append(_("Sorry, the event is full now and has no waiting list."))
                    status = 409
                else:
                    service.answer_invitation(invitation, "yes")
                    db.session.commit()
                    return redirect(_confirmation_url(registration))
            else:
                status = 422
        elif answer != "yes" or registration is not None:
            service.answer_invitation(invitation, answer)
            db.session.commit()
            return redirect(url_for("registrations.invitation", token=token, done=answer))
        else:
            status = 409
    if form is None and can_register and registration is None:
        invited_by = db.session.get(Organization, invitation.organization_id) if invitation.organization_id else None
        form = _registration_form(event, ask_organization, questions, name=invitation.name, email=invitation.email,
                                  organization_name=invited_by.name if invited_by is not None else "")
    return render_template(
        "registrations/invitation.html", invitation=invitation, event=event, occurrence=occurrence, form=form,
        can_register=can_register, registration=registration, settings=settings,
        done=request.args.get("done", ""), token=token), status


# --- Send me my link again --------------------------------------------------------

@bp.route("/events/<int:event_id>/resend", methods=["GET", "POST"])
@public
@limiter.limit(RESEND_IP_LIMIT, methods=["POST"])
@limiter.limit(RESEND_EMAIL_LIMIT, key_func=_email_key, methods=["POST"])
def resend(event_id: int):
    event = _visible_event(event_id)
    form = forms.ResendForm()
    status = 200
    if request.method == "POST":
        if request.form.get(forms.HONEYPOT):
            return redirect(url_for("registrations.resend", event_id=event.id, sent="1"))
        if form.validate():
            # The same answer whether the address is registered or not (it tells nobody who is).
            registrations = db.session.scalars(select(service.Registration).where(
                service.Registration.event_id == event.id,
                service.Registration.email == service.normalize_email(form.email.data),
                service.Registration.status.in_(ACTIVE_STATUSES))
                .order_by(service.Registration.occurrence_start).limit(20)).all()
            for registration in registrations:
                notifications.status(registration, service.renew_token(registration), again=True)
            db.session.commit()
            return redirect(url_for("registrations.resend", event_id=event.id, sent="1"))
        status = 422
    return render_template("registrations/resend.html", event=event, form=form,
                           sent=request.args.get("sent", "")), status
