"""The digest pages: subscribing (double opt-in), the personal manage and unsubscribe links,
the archive, and the coordinators' settings and preview.

As polls/views.py: every wrong token, whatever was wrong with it, gets the same 404 page (with
a way to subscribe again); public POSTs are rate-limited per IP.
"""
from flask import Blueprint, render_template, request

from ..core.extensions import csrf, db, limiter
from ..core.security import public
from . import service

bp = Blueprint("digest", __name__)

IP_LIMIT = "30 per minute;300 per hour"


def _invalid(slug: str):
    return render_template("digest/link_invalid.html", slug=slug), 404


@bp.route("/n/<slug>/digest/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058: mail programs POST without a session; the token authenticates
@limiter.limit(IP_LIMIT, methods=["POST"])
def unsubscribe(slug: str, token: str):
    subscription = service.by_token("unsubscribe", token)
    if subscription is None or subscription.network.slug != slug:
        return _invalid(slug)
    network = subscription.network
    if request.method == "GET":  # mail scanners follow links: only a POST unsubscribes
        return render_template("digest/unsubscribe.html", network=network, token=token)
    service.unsubscribe(subscription)
    db.session.commit()
    return render_template("digest/unsubscribed.html", network=network)
