"""The frame every API route shares: the blueprint, the OpenAPI generator, token authentication, the rate limit,
JSON body checks, role guards, paging, ETags and the OpenAPI document.

Library: spectree. It validates requests and responses with pydantic models (the same library SQLModel is built
on), generates an OpenAPI 3.1 document from them, and decorates plain Flask views on a blueprint, so the application
factory stays as it is (flask-openapi3 needs its own app class; APIFlask and flask-smorest describe bodies with
marshmallow, a second schema language next to SQLModel's pydantic).
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
from functools import wraps

from flask import Blueprint, Flask, current_app, g, request
from spectree import Response, SpecTree
from werkzeug.exceptions import HTTPException

from web.api.problems import PROBLEM_MIMETYPE, ApiProblem, problem_response, pydantic_field_errors
from web.api.schemas import Problem
from web.db import get_engine, get_session
from web.services import api_tokens

bp = Blueprint("api", __name__)
API_PREFIX = "/api/v1"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC_ENDPOINTS = ("api.openapi", "api.docs", "api.docs_asset")
MAX_ID = 2147483647
PROBLEM_CODES = (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429)


def _raise_validation_problem(req, resp, req_validation_error, instance, *args) -> None:
    """spectree hook: a body or query that does not fit its model becomes a 422 problem naming each field."""
    if req_validation_error is not None:
        raise ApiProblem(422, errors=pydantic_field_errors(req_validation_error.errors()))


api_spec = SpecTree(
    "flask",
    mode="strict",
    title="Stagebrug API",
    version="1.0",
    description="The open API of Stagebrug. Authenticate with a personal access token: `Authorization: Bearer sbg_…`.",
    path="api/v1/spectree",  # spectree skips routes under its own path: ours are not there (its pages are not registered)
    page_templates={},
    before=_raise_validation_problem,
    annotations=False,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)


def responses(**codes) -> Response:
    """A spectree Response with the given success models plus the problem responses every route may give."""
    for status in PROBLEM_CODES:
        codes.setdefault(f"HTTP_{status}", Problem)
    return Response(**codes)


def api_user():
    return g.api_user


# --- authentication, rate limit, body checks --------------------------------------------------------------


@bp.before_request
def _authenticate():
    """Accept only a Bearer token (never the session cookie), count it against the rate limit, check scope and body."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _space, raw = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="stagebrug"'}
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiProblem(401, _problem_text("missing"), headers=challenge, code="token_missing")
    session = get_session()
    use = api_tokens.authenticate(session=session, raw=raw.strip())
    if use.problem:
        raise ApiProblem(401, _problem_text(use.problem), headers=challenge, code=f"token_{use.problem}")
    retry_after = _count(use.token)
    if retry_after is not None:
        raise ApiProblem(429, headers={"Retry-After": retry_after}, code="rate_limited")
    if request.method not in SAFE_METHODS and use.token.scope != "read_write":
        raise ApiProblem(403, _problem_text("read_only"), code="token_read_only")
    g.api_user = use.user
    g.api_token = use.token
    _check_text(dict(request.args.lists()), ("query",))
    if request.method in ("POST", "PUT", "PATCH"):
        _check_json_body()
    return None


def _refuse_constant(name: str):
    """NaN and Infinity are not JSON (RFC 8259), though Python's parser reads them."""
    raise ValueError(name)


def _finite_float(text: str) -> float:
    """A JSON number too large for a float (1e400) would become infinity: refuse it as malformed."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(text)
    return value


def _bad_text(value: str) -> bool:
    """Control characters (NUL included) other than tab and line breaks, or lone surrogates: no database stores them."""
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_text(data, prefix: tuple[str, ...] = ()) -> None:
    """Refuse (422, per field) any text in the query or the body that the databases cannot store."""
    errors: list[dict] = []

    def walk(value, path: list[str]) -> None:
        if isinstance(value, str):
            if _bad_text(value):
                errors.append({"pointer": "/" + "/".join(path), "field": ".".join(path) or None, "code": "control_characters",
                               "detail": _problem_text("control")})
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(str(key), path)
                walk(item, [*path, str(key)])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, str(index)])

    walk(data, list(prefix))
    if errors:
        raise ApiProblem(422, errors=errors[:50])


def _count(token) -> int | None:
    """Count the request in its own short transaction, so the count (and last use) stays whatever the request does."""
    from sqlmodel import Session

    cfg = current_app.config
    with Session(get_engine()) as counter:
        row = counter.get(type(token), token.id)
        retry = api_tokens.count_request(session=counter, token=row, limit=int(cfg.get("API_RATE_LIMIT", 120)),
                                         window_seconds=int(cfg.get("API_RATE_WINDOW_SECONDS", 60)))
        counter.commit()
    return retry


def _check_json_body() -> None:
    """A body must be a JSON object, sent as application/json, within the API's size limit."""
    limit = int(current_app.config.get("API_MAX_BODY_BYTES", 256 * 1024))
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem(413)
    if request.mimetype != "application/json":
        raise ApiProblem(415)
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise ApiProblem(413)
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float) if data else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiProblem(400, _problem_text("malformed"), code="malformed_json") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, _problem_text("not_object"), code="not_an_object")
    try:
        _check_text(body)
    except RecursionError:
        raise ApiProblem(400, _problem_text("malformed"), code="malformed_json") from None


def _problem_text(kind: str) -> str:
    from flask_babel import gettext as _

    return {
        "missing": _("Stuur een API-sleutel mee: Authorization: Bearer <sleutel>."),
        "invalid": _("Deze API-sleutel bestaat niet."),
        "expired": _("Deze API-sleutel is verlopen."),
        "revoked": _("Deze API-sleutel is ingetrokken."),
        "inactive": _("Het account van deze API-sleutel is niet actief."),
        "read_only": _("Deze API-sleutel mag alleen lezen."),
        "malformed": _("De inhoud is geen geldige JSON."),
        "not_object": _("Stuur een JSON-object."),
        "role": _("Deze API-sleutel hoort bij een account dat dit niet mag."),
        "if_match": _("Stuur de ETag die je bij het lezen kreeg mee in If-Match."),
        "stale": _("De ETag in If-Match komt niet overeen: lees opnieuw en pas je wijziging toe op de nieuwe versie."),
        "control": _("Gebruik geen controletekens (zoals NUL) in dit veld."),
    }[kind]


def api_role(*roles: str):
    """Let only tokens of users with one of these roles through (others: 403), as the pages' role guards decide."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.api_user.role not in roles:
                raise ApiProblem(403, _problem_text("role"), code="wrong_role")
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- helpers for views ----------------------------------------------------------------------------------


def body_fields(model) -> dict:
    """The fields the client actually sent (so an update changes only those)."""
    return model.model_dump(exclude_unset=True)


def sql_page(session, statement, query, order_by: dict, *, sort: str, leading=(), tiebreak=(), convert=None) -> dict:
    """Page, sort and count a statement in the database with the pages' helper (``web.paging.paginate``): two statements.

    ``sort`` is the sort key asked for (``-key`` descending); a page past the last one is empty.
    """
    from web.paging import PageRequest
    from web.paging import paginate as page_statement

    wanted = PageRequest(page=query.page, per_page=query.per_page, sort=sort.removeprefix("-"), descending=sort.startswith("-"))
    page = page_statement(session, statement, wanted, order_by, leading=leading, tiebreak=tiebreak, convert=convert,
                          past_end_gives_first=False)
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


def etag_of(model) -> str:
    """A strong ETag over the resource's JSON representation: any visible change gives a new one."""
    return '"' + hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:32] + '"'


def require_if_match(current) -> None:
    """Refuse an update without If-Match (428) or with a stale one (412), before anything changes."""
    wanted = request.headers.get("If-Match")
    if not wanted:
        raise ApiProblem(428, _problem_text("if_match"))
    tags = [t.strip() for t in wanted.split(",")]
    if "*" not in tags and etag_of(current) not in tags:
        raise ApiProblem(412, _problem_text("stale"))


def with_etag(model, status: int = 200):
    return model, status, {"ETag": etag_of(model)}


# --- errors and the document ----------------------------------------------------------------------------


def handle_api_error(error):
    """Answer any error of an API path as problem+json, after rolling back what the request changed."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    if isinstance(error, ApiProblem):
        return problem_response(error.status, error.detail, errors=error.errors, headers=error.headers, code=error.code)
    if isinstance(error, HTTPException):
        methods = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(methods)} if methods else None
        return problem_response(error.code or 500, headers=headers)
    current_app.logger.exception("API error on %s", request.path)
    return problem_response(500)


bp.register_error_handler(Exception, handle_api_error)


def openapi_document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of the app: spectree's, with Bearer security and problem+json for every error."""
    cached = app.extensions.get("api_openapi")
    if cached is not None:
        return cached
    spec = copy.deepcopy(api_spec.spec)
    spec["servers"] = [{"url": "/"}]
    spec.setdefault("components", {})["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal access token made on your account page."}
    }
    spec["security"] = [{"bearerAuth": []}]
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            operation.pop("security", None)
            if method == "patch":
                operation.setdefault("parameters", []).append({
                    "name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"},
                    "description": "The ETag from reading the object: 412 when it changed since, 428 without it.",
                })
            for status, response in operation.get("responses", {}).items():
                if status == "429":
                    response.setdefault("headers", {})["Retry-After"] = {"schema": {"type": "integer"}, "description": "seconds to wait"}
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    content = response.get("content", {})
                    schema = (content.get("application/json") or {}).get("schema")
                    if schema is not None:
                        response["content"] = {PROBLEM_MIMETYPE: {"schema": schema}}
    app.extensions["api_openapi"] = spec
    return spec
