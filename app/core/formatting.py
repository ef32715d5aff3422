"""Dates and times as people read them: in the event's zone, in the page's language."""
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale
from babel.dates import DateTimePattern, format_datetime, match_skeleton, parse_pattern
from flask_babel import get_locale, gettext as _
from markupsafe import Markup

# Per (locale, kind, format) and (locale, skeleton): a handful of languages times the few
# formats the code uses.
_PATTERNS = 128
_STYLES = ("short", "medium", "long", "full")


@lru_cache(maxsize=_PATTERNS)
def _pattern(locale: Locale, kind: str, format: str) -> DateTimePattern:
    """A style ("short", "medium", "long", "full") of the locale's dates or times, or a pattern
    of our own, parsed once: through flask-babel every call looks up the request's locale, zone
    and format settings again, and a programme page formats a hundred dates and times."""
    if format in _STYLES:
        format = (locale.date_formats if kind == "date" else locale.time_formats)[format]
    return parse_pattern(format)


def format_date(day: date, format: str = "medium") -> str:
    """As flask_babel.format_date(day, format)."""
    locale = get_locale()
    if locale is None:  # outside an app context, where flask-babel has its own fallback
        return flask_babel.format_date(day, format)
    return _pattern(locale, "date", format).apply(day, locale)


def format_time(moment: time, format: str = "short") -> str:
    """As flask_babel.format_time(moment, format) of a wall-clock time without a zone (which
    Babel takes as UTC)."""
    locale = get_locale()
    if locale is None:
        return flask_babel.format_time(moment, format)
    return _pattern(locale, "time", format).apply(moment.replace(tzinfo=timezone.utc), locale)


@lru_cache(maxsize=_PATTERNS)
def _skeleton_pattern(locale: Locale, skeleton: str) -> str:
    # Babel matches the skeleton against every one of the locale's on each call (0.2 ms).
    skeletons = locale.datetime_skeletons
    if skeleton not in skeletons:
        skeleton = match_skeleton(skeleton, skeletons) or skeleton
    return skeletons[skeleton]


def format_skeleton(skeleton: str, day: date) -> str:
    """As babel.dates.format_skeleton(skeleton, day, locale=get_locale())."""
    locale = get_locale()
    return format_datetime(day, _skeleton_pattern(locale, skeleton), locale=locale)


def to_local(moment: datetime, tz: str) -> datetime:
    """UTC instant -> naive wall-clock time in zone tz."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def when(starts_at: datetime, ends_at: datetime, tz: str, all_day: bool = False) -> str:
    """E.g. "Thu, 4 Mar 2027, 15:00 – 17:00" or, all day, "20 – 24 Sept 2027"."""
    start, end = to_local(starts_at, tz), to_local(ends_at, tz)
    if all_day:
        last_day = (end - timedelta(days=1)).date()  # the stored end is exclusive
        if last_day <= start.date():
            return format_date(start.date(), "full")
        return f"{format_date(start.date(), 'medium')} – {format_date(last_day, 'medium')}"
    if start.date() == end.date():
        return _("%(day)s, %(start)s – %(end)s", day=format_date(start.date(), "full"),
                 start=format_time(start.time(), "short"), end=format_time(end.time(), "short"))
    return (f"{format_date(start.date(), 'medium')} {format_time(start.time(), 'short')} – "
            f"{format_date(end.date(), 'medium')} {format_time(end.time(), 'short')}")


def local_date(moment: datetime, tz: str, style: str = "medium") -> str:
    return format_date(to_local(moment, tz).date(), style)


def local_time(moment: datetime, tz: str) -> str:
    return format_time(to_local(moment, tz).time(), "short")


def isolated(text) -> Markup:
    """An address, phone number or name that keeps its own direction inside right-to-left text
    (an e-mail address in an Arabic sentence)."""
    return Markup("<bdi>{}</bdi>").format(text)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (the CSP allows data: images), e.g. for a check-in link."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def register(app) -> None:
    from .markdown import to_html

    app.add_template_global(qr_data_uri)
    app.add_template_filter(isolated, "bdi")
    app.add_template_filter(to_html, "markdown")
    app.add_template_global(when)
    app.add_template_global(local_date)
    app.add_template_global(local_time)
