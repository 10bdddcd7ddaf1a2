"""Languages. The client-facing self-intake pages speak the client's language (the invitation's,
a switch on the page, else the browser's preference); staff pages speak the language the person
chose in their settings, else their browser's preference among the translated languages, else
English.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, g, has_request_context, request
from flask_babel import format_date, get_locale

from webapp.extensions import babel
from webapp.models import TRANSLATED_LANGUAGES

LANGUAGES = TRANSLATED_LANGUAGES
DEFAULT = "en"


def choose(*preferences: str | None) -> str:
    """The first supported language among `preferences`, else the browser's, else English."""
    for preference in preferences:
        if preference and preference in LANGUAGES:
            return preference
    return from_browser(request.accept_languages) or DEFAULT


def from_browser(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The translated language the browser prefers most: its languages in order of their
    q-weights (the order given among equals), each a translated language itself or by its primary
    language ("es-MX" is Spanish). Werkzeug's `best_match` prefers any exact match, however low its
    weight, so "es-MX, en;q=0.5" came out English."""
    ranked = sorted(
        ((value.strip().lower().replace("_", "-"), quality) for value, quality in accepted),
        key=lambda item: -item[1],
    )
    for value, quality in ranked:
        if quality <= 0:
            break
        for candidate in (value, value.split("-", 1)[0]):
            if candidate in LANGUAGES:
                return candidate
    return None


def _locale() -> str:
    # A client-facing view sets the client's language; a staff page follows the person's choice.
    if g.get("language"):
        return g.language
    if not has_request_context():
        return DEFAULT
    # The user flask-login has already loaded for this request, if any: an error page never
    # reaches for the database just to choose its language.
    user = g.get("_login_user")
    return choose(getattr(user, "language", None) if user is not None else None)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=_locale, default_translation_directories="translations")
    app.jinja_env.globals.update(current_language=lambda: str(get_locale()), LANGUAGES=LANGUAGES)
    app.jinja_env.filters["local_day"] = lambda day: format_date(day, format="long")
