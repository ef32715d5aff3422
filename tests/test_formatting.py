"""The cached formatting helpers (core/formatting.py, core/markdown.py) give exactly what
flask-babel, Babel and the uncached renderer give, in every language."""
from datetime import date, time

import flask_babel
import pytest
from babel.dates import format_skeleton as babel_format_skeleton

from app.core import formatting, markdown

DAYS = [date(2027, 1, 4), date(2027, 3, 28), date(2027, 9, 26), date(2027, 12, 31)]
TIMES = [time(0, 0), time(9, 5), time(12, 30), time(15, 0), time(23, 59)]
FORMATS = ["short", "medium", "long", "full", "EEEE", "MMMM yyyy", "yyyy-MM-dd"]


@pytest.mark.parametrize("language", ["de", "en", "ar", "fa", "uk", "ru", "tr"])
def test_dates_and_times_as_flask_babel_gives_them(app, language):
    with app.test_request_context(f"/events?lang={language}"):
        assert str(flask_babel.get_locale()) == language
        for _ in range(2):  # cold and cached
            for day in DAYS:
                for fmt in FORMATS:
                    assert formatting.format_date(day, fmt) == flask_babel.format_date(day, fmt)
                assert formatting.format_skeleton("MMMMEEEEd", day) == babel_format_skeleton(
                    "MMMMEEEEd", day, locale=flask_babel.get_locale())
            for moment in TIMES:
                for fmt in ("short", "medium", "HH:mm"):
                    assert formatting.format_time(moment, fmt) == flask_babel.format_time(moment, fmt)


def test_forced_locale_is_followed(app):
    """Mails are written in the registrant's language inside another language's request."""
    with app.test_request_context("/events?lang=de"):
        with flask_babel.force_locale("ar"):
            assert formatting.format_date(DAYS[0], "full") == flask_babel.format_date(DAYS[0], "full")
            assert "يناير" in formatting.format_date(DAYS[0], "full")
        assert formatting.format_date(DAYS[0], "full") == "Montag, 4. Januar 2027"


def test_markdown_cached_and_long_texts_agree_with_a_fresh_rendering():
    short = "Treffen **im** Netzwerk.\n\n- eins\n- zwei\n\n# Überschrift\n<script>x</script>"
    long = short + "\n\n" + "Wort " * 2_000
    for text in (short, long, "", None):
        for _ in range(2):
            assert markdown.to_html(text) == markdown._html(text or "")
            assert markdown.to_text(text) == markdown._text(text or "")
    assert markdown.to_html(short) is markdown.to_html(short)  # kept
    assert markdown.to_html(long) is not markdown.to_html(long)  # too long to keep
