"""Deny by default: every endpoint needs a logged-in organizer unless marked @public."""
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .extensions import htmx, login_manager


def public(view):
    """Mark a view as reachable without logging in."""
    view.is_public = True
    return view


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:  # no route matched: let the 404 handler answer
        return True
    if endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "is_public", False)


def require_login_unless_public():
    """before_request hook: refuses anonymous access to every non-public endpoint."""
    if is_public_endpoint(request.endpoint):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@login_manager.unauthorized_handler
def ask_to_log_in():
    """Plain requests go to the login page and come back; htmx requests get 401 + HX-Redirect."""
    target = request.full_path if request.method == "GET" else None
    login_url = url_for("auth.login", next=target.rstrip("?") if target else None)
    if htmx:
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require(allowed: bool) -> None:
    """Answer 403 unless the domain's permission check said yes."""
    if not allowed:
        abort(403)


# The name of the path variable that carries a secret (manage, invitation, action-item and
# submission links, private feeds, password reset): a route with one is a secret link.
SECRET_ARGUMENT = "token"


def is_secret_link(rule) -> bool:
    return rule is not None and SECRET_ARGUMENT in rule.arguments


def keep_secret_links_private(response):
    """after_request: every answer to a secret link (pages, redirects and error pages alike)
    is kept out of search engines, and its address is never sent on as a referrer.
    Registered before Talisman, whose site-wide Referrer-Policy it overrides (after_request
    hooks run in reverse order)."""
    if is_secret_link(request.url_rule):
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
