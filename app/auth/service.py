"""Accounts, password resets and the rules of who may see and change what."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ..core.types import utcnow
from ..core.urls import absolute_url
from ..mail import outbox
from .models import PasswordResetToken, User

MIN_PASSWORD_LENGTH = 10

# Checked against when the e-mail is unknown, so that a wrong address takes as long
# as a wrong password and the answer reveals nothing.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A user-facing problem with account data; the message is translated."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the session's "id:version" must match the account's current
    session version, so sessions ended by logout or a password reset stay ended."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def create_user(email: str, name: str, password: str, is_admin: bool = False) -> User:
    email = normalize_email(email)
    if find_user(email) is not None:
        raise AccountError(_("An account with this e-mail address exists already."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    user = User(email=email, name=name.strip() or email, is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_token(user: User) -> str:
    """A new single-use reset token (256 bits from `secrets`); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordResetToken(
        user=user, token_hash=_hash_token(token), expires_at=utcnow() + timedelta(hours=hours),
    ))
    return token


def send_account_mail(user: User, first_time: bool = False) -> None:
    """A single-use link to choose a password (a new account, or "forgot my password"), queued
    in the caller's transaction with its token (outbox): no token without its mail."""
    token = create_reset_token(user)
    link = absolute_url("auth.reset_password", token=token)
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


def valid_reset_token(token: str) -> PasswordResetToken | None:
    if not token or len(token) > 100:
        return None
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token))
    )
    if record is None or record.used_at is not None or record.expires_at < utcnow():
        return None
    if not record.user.active:
        return None
    return record


def reset_password(record: PasswordResetToken, password: str) -> User:
    """Set the new password and spend this and every other open token of the user."""
    user = record.user
    user.set_password(password)
    user.end_all_sessions()  # whoever knew the old password is logged out everywhere
    now = utcnow()
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    return user
