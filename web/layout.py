"""What every page's layout needs: navigation per role, unread count, language, security headers."""
from __future__ import annotations

from flask import Flask, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import func, select

from web.db import get_session
from web.models import Notification
from web.security import TOKEN_PATHS

NAVIGATION = {
    "employer": [("employer.dashboard", _l("Overzicht"))],
    "coach": [("coach.dashboard", _l("Overzicht"))],
    "participant": [("participant.dashboard", _l("Overzicht"))],
    "admin": [("admin.dashboard", _l("Overzicht"))],
}


def add_nav_item(role: str, endpoint: str, label) -> None:
    """Add an entry to a role's main navigation (called by blueprints when they are imported)."""
    if (endpoint, label) not in NAVIGATION[role]:
        NAVIGATION[role].append((endpoint, label))


def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return get_session().exec(
        select(func.count()).select_from(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
    ).one()


def init_app(app: Flask) -> None:
    @app.before_request
    def _keep_session_alive():
        if request.path.startswith(TOKEN_PATHS):
            return  # token-authenticated paths neither read nor set the session cookie
        session.permanent = True  # idle timeout: the cookie lives PERMANENT_SESSION_LIFETIME after the last request

    @app.context_processor
    def _layout():
        role = current_user.role if current_user.is_authenticated else None
        return {
            "nav_items": NAVIGATION.get(role, []),
            "current_locale": str(get_locale()),
            "unread_count": unread_count,
            "notifications_endpoint": "notifications.index" if "notifications.index" in app.view_functions else None,
        }

    from web.labels import TEMPLATE_FILTERS

    app.jinja_env.filters.update(TEMPLATE_FILTERS)

    from web.formatting import TEMPLATE_FILTERS as FORMAT_FILTERS

    app.jinja_env.filters.update(FORMAT_FILTERS)

    @app.template_filter("meeting_when")
    def _meeting_when(meeting):
        """'dinsdag 5 januari 2027, 10:00–11:00' in the reader's language and Brussels time."""
        from web.services.meetings import when_text

        return when_text(meeting)

    token_endpoints = {"auth.accept_invite", "auth.reset_password"}

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # pages that carry a one-time token never pass their address on
        response.headers["Referrer-Policy"] = "no-referrer" if request.endpoint in token_endpoints else "same-origin"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'; object-src 'none'",
        )
        if request.endpoint != "static":
            # pages, PDFs and exports may carry personal data: no browser or proxy keeps a copy
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if app.config["ENV_NAME"] == "production":
            response.headers.setdefault("Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        return response
