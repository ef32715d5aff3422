"""One way to answer a request with a full page or, for htmx, with its fragment."""
from flask import redirect, render_template

from .extensions import htmx


def wants_fragment() -> bool:
    # Boosted navigation and history restores need the whole page (see LESSONS.md).
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, **context):
    """Render `fragment` (the `_name.html` the page includes) for htmx, else `page`."""
    if fragment and wants_fragment():
        return render_template(fragment, **context)
    return render_template(page, **context)


def see_other(url: str):
    """After a successful change: a redirect, which htmx turns into a page load."""
    if wants_fragment():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, code=303)
