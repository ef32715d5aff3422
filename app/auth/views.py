from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.extensions import db, limiter
from ..core.security import public
from . import service
from .forms import ForgotPasswordForm, LoginForm, NewPasswordForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("directory.networks")


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


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = service.find_user(form.email.data)
        if user is not None and user.active:
            service.send_account_mail(user)
            db.session.commit()
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


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html")
