"""Accounts, for administrators: who may log in, and whom they coordinate. Here rather than in
auth, because an account's roles are places in networks."""
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import service as accounts
from ..auth.forms import UserForm
from ..auth.models import User
from ..core.extensions import db
from ..core.security import admin_required
from .models import Network
from .views import bp


def _accounts() -> list[User]:
    return db.session.scalars(
        select(User).options(selectinload(User.coordinated_networks), selectinload(User.led_groups))
        .order_by(User.name)
    ).all()


@bp.get("/users")
@admin_required
def users():
    return render_template("directory/users.html", users=_accounts(), form=UserForm())


@bp.post("/users")
@admin_required
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.name.data, secrets.token_urlsafe(24),
                                       is_admin=form.is_admin.data)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            accounts.send_account_mail(user, first_time=True)
            db.session.commit()
            flash(_("Account created. %(email)s got a link to choose a password.", email=user.email), "success")
            return redirect(url_for("directory.users"))
    return render_template("directory/users.html", users=_accounts(), form=form), 422


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
        return redirect(url_for("directory.edit_user", user_id=user.id))
    return render_template("directory/user_edit.html", user=user, networks=networks)
