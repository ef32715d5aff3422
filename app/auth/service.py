"""Accounts, password resets and the rules of who may see and change what."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.extensions import db
from ..core.types import utcnow
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


# --- Who may do what -------------------------------------------------------------

def can_manage_network(user, network) -> bool:
    return user.is_admin or network in user.coordinated_networks


def can_view_network(user, network) -> bool:
    return can_manage_network(user, network) or any(
        group.network_id == network.id for group in user.led_groups
    )


def can_manage_group(user, group) -> bool:
    if can_manage_network(user, group.network):
        return True
    led = set(user.led_groups)
    return group in led or any(ancestor in led for ancestor in group.ancestors())


def can_manage_event(user, event) -> bool:
    """Coordinators (and admins) manage every event of their network; group leads the events
    of the groups they lead and of those groups' sub-groups. Works for unsaved events too."""
    from ..directory.models import Network, WorkingGroup

    network = db.session.get(Network, event.network_id)
    if network is not None and can_manage_network(user, network):
        return True
    if not event.working_group_id:
        return False
    group = db.session.get(WorkingGroup, event.working_group_id)
    return group is not None and group.network_id == event.network_id and can_manage_group(user, group)


def visible_networks_query(user):
    """The networks a user may open: all for admins, else coordinated or led ones."""
    from ..directory.models import Network, WorkingGroup
    from .models import group_leads, network_coordinators

    query = select(Network).order_by(Network.name)
    if user.is_admin:
        return query
    coordinated = select(network_coordinators.c.network_id).where(network_coordinators.c.user_id == user.id)
    led = (
        select(WorkingGroup.network_id)
        .join(group_leads, group_leads.c.working_group_id == WorkingGroup.id)
        .where(group_leads.c.user_id == user.id)
    )
    return query.where(or_(Network.id.in_(coordinated), Network.id.in_(led)))
