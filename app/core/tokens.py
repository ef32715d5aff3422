"""Secret links: only a token's SHA-256 is stored, so a leaked database holds no working links;
a keyed token is an HMAC of a stored salt, so the same link can be written into every mail."""
import hashlib
import hmac
from base64 import urlsafe_b64encode

from flask import current_app


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_token(message: str) -> str:
    """HMAC-SHA256 of `message` under SECRET_KEY, URL-safe (256 bits)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


MAX_TOKEN_LENGTH = 100  # our tokens have 43 characters; longer input is not looked up


def plausible_token(token: str | None) -> bool:
    """Worth looking up at all: present, ASCII and not too long."""
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()
