"""Password hashing, one-time tokens, safe redirects, role guards and login throttling."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlmodel import Session, func, select

from web.models import LoginAttempt, OneTimeToken, User, utcnow

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher.hash(password)


_dummy_hash: str | None = None


def _unmatchable_hash() -> str:
    """A hash no password matches, to spend the same Argon2 time when there is no real hash to check."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(32))
    return _dummy_hash


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its stored hash; False for accounts without a password (after the same work)."""
    try:
        return _hasher.verify(password_hash or _unmatchable_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def is_safe_next(target: str | None) -> bool:
    """Accept only a local path on this site as a redirect target after login."""
    if not target:
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(ch) < 32 for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def json_endpoint(view):
    """Mark a view as a JSON endpoint: its errors, and a missing login, answer JSON instead of an HTML page."""
    view.json_endpoint = True
    return view


def is_json_view(view) -> bool:
    return bool(getattr(view, "json_endpoint", False))


def wants_json() -> bool:
    """True when the current request should get JSON errors: API paths, the health check, JSON endpoints, JSON clients."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    if request.endpoint and is_json_view(current_app.view_functions.get(request.endpoint)):
        return True
    return request.accept_mimetypes.best == "application/json"


def role_required(*roles: str):
    """Let only logged-in users with one of these roles through: anonymous to login (JSON: 401), others 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if wants_json():
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(*, session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    """Create a single-use token for a user and return the raw value to put in a link."""
    raw = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(user_id=user.id, purpose=purpose, token_hash=_token_hash(raw), expires_at=utcnow() + lifetime)
    )
    session.flush()
    return raw


def find_token(*, session: Session, raw: str, purpose: str) -> OneTimeToken | None:
    """Return the token if it exists, has this purpose, is unused and has not expired."""
    token = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == _token_hash(raw))).first()
    if token is None or token.purpose != purpose or token.used_at is not None or token.expires_at < utcnow():
        return None
    return token


def consume_token(*, session: Session, token: OneTimeToken) -> None:
    """Mark a token used so its link works only once."""
    token.used_at = utcnow()
    session.add(token)
    session.flush()


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:64]


def login_throttled(*, session: Session, email: str, ip: str) -> bool:
    """True when this account or this IP had too many failed logins within the window."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_THROTTLE_WINDOW_MINUTES"])
    account_failures = _failures_since(session, LoginAttempt.email == email, since, reset_on_success=True)
    if account_failures >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    ip_failures = _failures_since(session, LoginAttempt.ip == ip, since, reset_on_success=False)
    return ip_failures >= cfg["LOGIN_MAX_FAILURES_PER_IP"]


def _failures_since(session: Session, condition, since, *, reset_on_success: bool) -> int:
    """Count failures within the window (for an account: only those after its last success)."""
    start = since
    if reset_on_success:
        last_success = session.exec(
            select(func.max(LoginAttempt.at)).where(condition, LoginAttempt.success.is_(True), LoginAttempt.at >= since)
        ).one()
        if last_success:
            start = max(since, last_success)
    return session.exec(
        select(func.count()).select_from(LoginAttempt).where(condition, LoginAttempt.success.is_(False), LoginAttempt.at >= start)
    ).one()


def record_login_attempt(*, session: Session, email: str, ip: str, success: bool) -> None:
    """Store a login attempt for throttling."""
    session.add(LoginAttempt(email=email, ip=ip, success=success))
    session.flush()


#: Paths authenticated by a token (the API's Bearer token, the calendar feed's secret): they never read or set the
#: session cookie, so a logged-in browser cannot act through them and they carry no CSRF surface.
TOKEN_PATHS = ("/api/", "/kalender/")


class TokenPathSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except on token paths, which get an empty session that is never saved."""

    def open_session(self, app, request):
        if request.path.startswith(TOKEN_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)
