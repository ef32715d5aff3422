import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db, limiter
from ..core.security import admin_required, public
from ..directory.models import Network
from ..mail import outbox
from . import service
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm, UserForm
from .models import User

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("directory.networks")


def _external_url(endpoint: str, **values) -> str:
    base = current_app.config["BASE_URL"]
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session: nothing from before the login is carried over
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        # The same words whether the address is unknown or the password wrong.
        form.password.errors.append(_("E-mail address or password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public  # logging out is harmless; CSRF still guards it
def logout():
    """Ends every session of the account, on every device, copied cookies included."""
    if current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are logged out on all devices."), "info")
    return redirect(url_for("auth.login"))


def _send_reset_mail(user: User, first_time: bool = False) -> None:
    """Queue the link in the same commit as the token (outbox): no token without its mail."""
    token = service.create_reset_token(user)
    link = _external_url("auth.reset_password", token=token)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    if first_time:
        subject = _("Your Treffpunkt account")
        intro = _("An account was created for you on Treffpunkt. Choose your password here:")
    else:
        subject = _("Reset your Treffpunkt password")
        intro = _("Someone asked to reset the password of your Treffpunkt account. "
                  "If it was you, choose a new password here:")
    body = "\n\n".join([
        _("Hello %(name)s,", name=user.name),
        intro,
        link,
        _("The link works once and for %(hours)d hours. If you did not ask for it, ignore this mail.",
          hours=hours),
    ])
    outbox.enqueue(user.email, subject, body)
    db.session.commit()


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = service.find_user(form.email.data)
        if user is not None and user.active:
            _send_reset_mail(user)
        # The same answer for known and unknown addresses.
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    record = service.valid_reset_token(token)
    if record is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = service.reset_password(record, form.password.data)
        db.session.commit()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/reset.html", form=form, token=token)


# --- Accounts, for administrators -------------------------------------------------

def _accounts() -> list[User]:
    return db.session.scalars(
        select(User).options(selectinload(User.coordinated_networks), selectinload(User.led_groups))
        .order_by(User.name)
    ).all()


@bp.get("/users")
@admin_required
def users():
    return render_template("auth/users.html", users=_accounts(), form=UserForm())


@bp.post("/users")
@admin_required
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.name.data, secrets.token_urlsafe(24),
                                       is_admin=form.is_admin.data)
        except service.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            _send_reset_mail(user, first_time=True)
            flash(_("Account created. %(email)s got a link to choose a password.", email=user.email), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/users.html", users=_accounts(), form=form), 422


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    networks = db.session.scalars(select(Network).order_by(Network.name)).all()
    if request.method == "POST":
        chosen = {int(n) for n in request.form.getlist("networks") if n.isdigit()}
        user.coordinated_networks = [n for n in networks if n.id in chosen]
        if user.id != current_user.id:  # nobody locks themselves out
            user.is_admin = request.form.get("is_admin") == "on"
            user.active = request.form.get("active") == "on"
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("auth.edit_user", user_id=user.id))
    return render_template("auth/user_edit.html", user=user, networks=networks)


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html")
