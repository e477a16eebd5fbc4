"""Error pages in the user's language, JSON errors for JSON endpoints, and problem+json (RFC 9457) for the API."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from web.api.problems import problem_response
from web.security import TOKEN_PATHS, InvalidCharacter
from web.security import wants_json as _wants_json


def register(app: Flask) -> None:
    messages = {
        400: lambda: _("De aanvraag is ongeldig."),
        401: lambda: _("Meld je eerst aan."),
        403: lambda: _("Je hebt geen toegang tot deze pagina."),
        404: lambda: _("Deze pagina bestaat niet (meer)."),
        405: lambda: _("Deze actie is hier niet toegelaten."),
        413: lambda: _("Het bestand of de tekst is te groot."),
        429: lambda: _("Te veel aanvragen. Probeer het straks opnieuw."),
        500: lambda: _("Er liep iets mis aan onze kant. Probeer het later opnieuw."),
    }

    def handle(code: int, message: str | None = None):
        if request.path.startswith("/api/"):
            return problem_response(code)
        if request.path.startswith(TOKEN_PATHS):  # no session there, so no page with forms: plain text
            return (message or messages[code]()), code, {"Content-Type": "text/plain; charset=utf-8"}
        text = message or messages[code]()
        if _wants_json():
            return jsonify({"error": text, "status": code}), code
        return render_template("errors/error.html", code=code, message=text), code

    for code in messages:
        app.register_error_handler(code, lambda e, c=code: handle(c))

    @app.errorhandler(InvalidCharacter)
    def _invalid_character(e):
        return handle(400, _("Je invoer bevat een ongeldig teken (een NUL-teken). Verwijder het en probeer opnieuw."))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return handle(400, _("Je formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer nog eens."))
