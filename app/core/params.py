"""Numbers and dates from URLs and forms, bounded to what the database and the calendar hold:
a value outside answers 404 (in a path) or counts as missing (in a query or form), never 500."""
from datetime import date, datetime

from flask import abort, current_app, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: PostgreSQL refuses more than 2**31 - 1, SQLite overflows past 2**63.
MAX_ID = 2**31 - 1
# Years Treffpunkt plans in; Python's datetime ends at 9999 and time zones near its edges.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: beyond MAX_ID the route does not match (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value) -> int:
    """`type=` for request.args/form.get: an integer a column can hold, else ValueError (so
    werkzeug returns the default)."""
    number = int(value)
    if abs(number) > MAX_ID:
        raise ValueError("out of range")
    return number


def in_calendar(moment: date | datetime | None) -> bool:
    return moment is not None and FIRST_YEAR <= moment.year <= LAST_YEAR


def refuse_nul_bytes():
    """before_request: no person types a NUL character, and PostgreSQL text cannot hold one
    (it would raise). A path variable with one is not found, a query or form value with one is
    a bad request. Secret tokens are left to their views, which hash or compare them and
    answer their own "link not valid" page."""
    path_values = [value for name, value in (request.view_args or {}).items()
                   if name != "token" and isinstance(value, str)]
    if any("\x00" in value for value in path_values):
        abort(404)
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(400)


def allows_upload(max_bytes: int):
    """Mark a view that takes a file: its requests may be larger than MAX_CONTENT_LENGTH."""
    def mark(view):
        view.max_content_length = max_bytes
        return view
    return mark


def apply_upload_limit():
    """before_request, the first: the marked view's limit holds before any hook reads the form."""
    limit = getattr(current_app.view_functions.get(request.endpoint), "max_content_length", None)
    if limit:
        request.max_content_length = limit
