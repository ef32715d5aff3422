"""Texts that organizers write (an event's title and description, registration questions, a
privacy note) in one language, with translations into others. The reader gets their language
where a translation exists, else the original, marked with its language so that the page can
say "This text is in German" and screen readers pronounce it right."""
from dataclasses import dataclass

from flask_babel import get_locale

from .i18n import RIGHT_TO_LEFT


@dataclass(frozen=True)
class LocalText:
    text: str
    lang: str  # the language the text is written in

    def __str__(self) -> str:
        return self.text

    @property
    def direction(self) -> str:
        """For renderers that know no dir="auto" (WeasyPrint)."""
        return "rtl" if self.lang in RIGHT_TO_LEFT else "ltr"

    @property
    def foreign(self) -> bool:
        """Not in the page's language: the page marks it (lang=, and a note)."""
        return self.lang != str(get_locale())


def localized(original: str, original_lang: str, translations: dict | None, field: str,
              locale: str | None = None) -> LocalText:
    """The text in `locale` (default: the page's) when there is a translation, else the original."""
    locale = locale or str(get_locale())
    if locale != original_lang:
        translated = ((translations or {}).get(locale) or {}).get(field, "").strip()
        if translated:
            return LocalText(translated, locale)
    return LocalText(original, original_lang)


def translation_languages(translations: dict | None) -> list[str]:
    return sorted(code for code, fields in (translations or {}).items() if any(v.strip() for v in fields.values()))
