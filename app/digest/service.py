"""The weekly digest's logic, shared by the pages, the worker's periodic job and the CLI.

Transactions as elsewhere: functions change rows and queue mails in the caller's transaction;
the caller commits — except `send_due_digests`, which commits its claim of the week itself.

Links: a subscription's confirm, manage and unsubscribe links are HMACs of its stored salt
(core.tokens.keyed_token), so every digest can carry the same links; only their SHA-256 is
stored and looked up.
"""
import secrets

from sqlalchemy import select

from ..core.extensions import db
from ..core.tokens import hash_token, keyed_token, plausible_token
from ..core.urls import absolute_url, url_context
from ..directory.models import Network
from .models import Subscription

PURPOSES = ("confirm", "manage", "unsubscribe")


# --- Links --------------------------------------------------------------------------

def token(subscription: Subscription, purpose: str) -> str:
    return keyed_token(f"digest-{purpose}:{subscription.salt}")


def _salted(subscription: Subscription) -> None:
    subscription.salt = secrets.token_hex(16)  # 128 bits from `secrets`
    for purpose in PURPOSES:
        setattr(subscription, f"{purpose}_hash", hash_token(token(subscription, purpose)))


def by_token(purpose: str, value: str | None) -> Subscription | None:
    """The subscription a link belongs to; None for anything forged, old or unsubscribed."""
    if not plausible_token(value):
        return None
    column = getattr(Subscription, f"{purpose}_hash")
    return db.session.scalar(select(Subscription).where(column == hash_token(value)))


def _url(endpoint: str, subscription: Subscription, purpose: str) -> str:
    with url_context():
        return absolute_url(endpoint, slug=subscription.network.slug, token=token(subscription, purpose))


def confirm_url(subscription: Subscription) -> str:
    return _url("digest.confirm", subscription, "confirm")


def manage_url(subscription: Subscription) -> str:
    return _url("digest.manage", subscription, "manage")


def unsubscribe_url(subscription: Subscription) -> str:
    """The one-click link (RFC 8058): a POST to it unsubscribes, a GET shows a button."""
    return _url("digest.unsubscribe", subscription, "unsubscribe")


def list_headers(subscription: Subscription) -> dict[str, str]:
    """The header fields of every list mail (digest, newsletter) to this subscriber: mail
    programs show an "unsubscribe" button that POSTs to the link (RFC 8058)."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- Subscribers --------------------------------------------------------------------

def newsletter_recipients(network: Network) -> list[Subscription]:
    """The confirmed subscribers who asked for the newsletter."""
    return list(db.session.scalars(
        select(Subscription)
        .where(Subscription.network_id == network.id, Subscription.confirmed_at.is_not(None),
               Subscription.wants_newsletter.is_(True))
        .order_by(Subscription.id)))


def unsubscribe(subscription: Subscription) -> None:
    """Deletes the row: nothing is kept of a person who left (GDPR)."""
    db.session.delete(subscription)


def send_due_digests() -> None:
    """The worker's periodic job: send each network's digest when its day and hour have come."""
