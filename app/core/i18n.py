"""Language choice: the cookie set by the language switch, else Accept-Language."""
from flask import current_app, has_request_context, request


def select_locale() -> str:
    if not has_request_context():  # CLI and workers speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
