"""The API blueprint with every resource module attached, the caller's identity, the OpenAPI document and its reference page."""
from __future__ import annotations

from flask import current_app, g, render_template, send_from_directory

from web.api import admin, coach, employer  # noqa: F401  (attach their routes to the blueprint)
from web.api import schemas as s
from web.api.core import api_spec, bp, openapi_document, responses


@bp.get("/me")
@api_spec.validate(resp=responses(HTTP_200=s.Me), tags=["account"])
def me():
    """Who the token acts for: the user's id, role, name and language, and the token's scope and expiry."""
    user, token = g.api_user, g.api_token
    return s.Me(id=user.id, role=user.role, full_name=user.full_name, language=user.language, token_scope=token.scope,
                token_expires_at=token.expires_at)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the routes and their models."""
    return current_app.json.response(openapi_document(current_app._get_current_object()))


@bp.get("/docs/")
def docs():
    """The API reference (Swagger UI, served by the app itself)."""
    response = current_app.make_response(render_template("api/docs.html"))
    # Swagger UI sets inline styles on its elements; scripts stay limited to this site.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


@bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str):
    """Swagger UI's own files, from the swagger-ui-bundle package."""
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
