"""Dates and times as people read them: in the event's zone, in the page's language."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_time, gettext as _
from markupsafe import Markup


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
