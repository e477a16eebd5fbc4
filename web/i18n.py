"""Dutch-first translations: locale selection and the catalogs of every area.

Message ids are Dutch (the default language); English lives in ``translations/en`` catalogs. Each area
(``web/translations``, ``web/<area>/translations``) keeps its own catalog; Flask-Babel merges them.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_login import current_user

from web.extensions import babel

WEB_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    """Return every translations folder in the web package, the core one first."""
    dirs = [WEB_DIR / "translations"] + sorted(p for p in WEB_DIR.glob("*/translations") if p.is_dir())
    return [str(d) for d in dirs if d.is_dir()]


def select_locale() -> str:
    """The user's saved language, else the session's choice, else Dutch; for the API the Accept-Language header."""
    languages = ("nl", "en")
    if request and request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or "nl"  # the API never reads the session cookie
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    return "nl"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale)
