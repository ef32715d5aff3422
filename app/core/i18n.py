"""Language choice. Participants and the public read Treffpunkt in seven languages, organizer
pages in German and English. A `?lang=` link wins (so that a coordinator can send a link in one
language) and is remembered; then the cookie the language menu sets; then Accept-Language."""
from urllib.parse import parse_qsl, urlencode

from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "lang"
# Each language named in itself, for the menu.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "uk": "Українська",
                  "ru": "Русский", "tr": "Türkçe"}
RIGHT_TO_LEFT = {"ar", "fa"}


def is_participant_page() -> bool:
    """Every page without login (the organizers' login and password pages aside) and every error
    page: these speak all languages; the organizers' pages German and English."""
    from .security import is_public_endpoint

    endpoint = request.endpoint
    return is_public_endpoint(endpoint) and not (endpoint or "").startswith("auth.")


def page_languages() -> list[str]:
    if has_request_context() and not is_participant_page():
        return current_app.config["ORGANIZER_LANGUAGES"]
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():  # CLI and workers speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = page_languages()
    for chosen in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember(response, lang: str):
    """Keep the chosen language for the next pages (a year, this browser only)."""
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def remember_link_language(response):
    """after_request: a `?lang=` link's language stays for the next pages."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != lang:
        remember(response, lang)
    return response


def without_lang(path_and_query: str) -> str:
    """The address without its `lang` parameter (where the language menu goes back to: the
    menu's choice must not lose against a `?lang=` the page was opened with)."""
    path, _, query = path_and_query.partition("?")
    kept = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True) if key != "lang"]
    return f"{path}?{urlencode(kept)}" if kept else path


def _has_alternates(languages) -> bool:
    """A participant page that a search engine may know in each language (hreflang): not an
    error page, and never a secret link (its address must not travel further)."""
    from .security import is_secret_link

    return (has_request_context() and len(languages) > 2 and request.method == "GET"
            and request.url_rule is not None and not is_secret_link(request.url_rule))


def template_context() -> dict:
    from flask_babel import get_locale

    locale = str(get_locale())
    languages = page_languages()
    alternates = []
    if _has_alternates(languages):
        query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
        alternates = [(code, f"{request.base_url}?{urlencode([*query, ('lang', code)])}") for code in languages]
    return {"current_locale": locale, "text_direction": "rtl" if locale in RIGHT_TO_LEFT else "ltr",
            "menu_languages": [(code, LANGUAGE_NAMES[code]) for code in languages],
            "language_alternates": alternates, "right_to_left": RIGHT_TO_LEFT}
