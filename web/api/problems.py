"""Errors of the API as RFC 9457 problem details (``application/problem+json``), in the request's language.

Every 4xx and 5xx of a ``/api/`` path goes through ``problem_response``: the HTTP errors raised anywhere (404 of an
object of another organisation, 405, 413), ``ApiProblem`` raised by the API's own checks, and request bodies that
do not fit the schema (one entry per field in ``errors``, each with a JSON pointer to the field).
"""
from __future__ import annotations

import json

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_BASE = "https://stagebrug.be/problems/"

TITLES = {
    400: _l("De aanvraag is ongeldig."),
    401: _l("Een geldige API-sleutel is nodig."),
    403: _l("Deze API-sleutel mag dit niet."),
    404: _l("Dit bestaat niet, of je hebt er geen toegang toe."),
    405: _l("Deze methode is hier niet toegelaten."),
    406: _l("Deze API antwoordt alleen in JSON."),
    409: _l("Dit kan niet in de huidige toestand."),
    412: _l("Iemand anders heeft dit intussen gewijzigd."),
    413: _l("De aanvraag is te groot."),
    415: _l("Stuur de gegevens als JSON (Content-Type: application/json)."),
    422: _l("Enkele velden zijn niet in orde."),
    428: _l("Stuur de ETag mee in de header If-Match."),
    429: _l("Te veel aanvragen. Probeer het straks opnieuw."),
    500: _l("Er liep iets mis aan onze kant. Probeer het later opnieuw."),
}
SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed", 406: "not-acceptable",
    409: "conflict", 412: "precondition-failed", 413: "too-large", 415: "unsupported-media-type", 422: "validation",
    428: "precondition-required", 429: "rate-limited", 500: "server-error",
}


class ApiProblem(Exception):
    """An API error with its status, an optional detail and per-field errors, answered as problem+json."""

    def __init__(self, status: int, detail: str | None = None, *, errors: list[dict] | None = None, headers: dict | None = None,
                 code: str | None = None):
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.code = code


def problem_response(status: int, detail: str | None = None, *, errors: list[dict] | None = None, headers: dict | None = None,
                     code: str | None = None) -> Response:
    """Build a problem+json response (type, title, status, detail, errors)."""
    status = status if status in TITLES else (500 if status >= 500 else 400)
    body = {"type": PROBLEM_BASE + SLUGS[status], "title": str(TITLES[status]), "status": status}
    if detail:
        body["detail"] = str(detail)
    if code:
        body["code"] = code
    if errors:
        body["errors"] = [{k: str(v) if k == "detail" else v for k, v in e.items()} for e in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


# --- field errors ---------------------------------------------------------------------------------------


def _pointer(location: str, parts) -> str:
    return "/" + "/".join([location, *(str(p) for p in parts)]) if location else "/" + "/".join(str(p) for p in parts)


def pydantic_field_errors(errors: list[dict], location: str = "") -> list[dict]:
    """Turn pydantic's errors into problem entries: a JSON pointer, the field name, a message in the reader's language."""
    result = []
    for error in errors:
        loc = [p for p in error.get("loc", ()) if p not in ("__root__",)]
        result.append({"pointer": _pointer(location, loc), "field": ".".join(str(p) for p in loc) or None,
                       "code": error.get("type"), "detail": _pydantic_message(error)})
    return result


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Dit veld is verplicht.")
    if kind == "extra_forbidden":
        return _("Dit veld bestaat niet.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Vul een geheel getal in.")
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return _("Vul een getal in.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Vul true of false in.")
    if kind in ("string_type",):
        return _("Vul een tekst in.")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return _("Vul een geldige datum in (JJJJ-MM-DD).")
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing", "timezone_aware"):
        return _("Vul een geldige datum en tijd in (ISO 8601, met tijdzone).")
    if kind == "string_too_long":
        return _("Maximaal %(max)d tekens.", max=int(ctx.get("max_length", 0)))
    if kind == "string_too_short":
        return _("Minstens %(min)d tekens.", min=int(ctx.get("min_length", 0)))
    if kind == "too_long":
        return _("Hoogstens %(max)d elementen.", max=int(ctx.get("max_length", 0)))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _("Deze waarde ligt buiten de toegelaten grenzen.")
    if kind in ("literal_error", "enum"):
        return _("Kies een van de toegelaten waarden.")
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("Dit veld heeft een verkeerd type.")
    return _("Deze waarde is ongeldig.")


def form_field_errors(errors: dict, prefix: str = "") -> list[dict]:
    """Turn a WTForms ``form.errors`` mapping (row lists included) into problem entries with the form's own messages."""
    result: list[dict] = []
    for name, messages in errors.items():
        path = f"{prefix}/{name}" if prefix else f"/{name}"
        if isinstance(messages, dict):
            result.extend(form_field_errors(messages, path))
            continue
        for index, message in enumerate(messages or ()):
            if isinstance(message, dict):
                result.extend(form_field_errors(message, f"{path}/{index}"))
            elif isinstance(message, list | tuple):
                result.extend(form_field_errors({str(index): message}, path))
            else:
                result.append({"pointer": path, "field": path.strip("/").replace("/", "."), "code": "invalid", "detail": str(message)})
    return result
