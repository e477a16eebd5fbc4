"""Password hashing, one-time tokens, safe redirects, role guards and login throttling."""
from __future__ import annotations

import hashlib
import logging
import re
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
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from web.models import LoginAttempt, OneTimeToken, RateEvent, User, utcnow

_hasher = PasswordHasher()

#: The largest id or number a URL or form may carry: every integer column fits (PostgreSQL INTEGER, SQLite).
MAX_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The ``int`` URL converter with an upper bound: a path integer above ``MAX_INT`` is a 404, not an overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class InvalidCharacter(BadRequest):
    """A request carrying a NUL byte: no text field may hold one (PostgreSQL refuses it outright)."""


def refuse_nul_bytes() -> None:
    """Refuse a request with a NUL byte in its path, query string or form (names and values) with a clear 400."""
    if "\x00" in request.path:
        raise InvalidCharacter()
    sources = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise InvalidCharacter()


_TOKEN_IN_PATH = re.compile(r"(/auth/(?:uitnodiging|wachtwoord)/)[^\s/?#\"']+")


def redact_tokens(text: str) -> str:
    """Replace the one-time token of an invitation or reset link by a placeholder."""
    return _TOKEN_IN_PATH.sub(r"\1[token]", text)


class TokenRedactingFilter(logging.Filter):
    """Strip one-time tokens from access-log lines (werkzeug's and gunicorn's) before they are written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: redact_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(v) if isinstance(v, str) else v for v in record.args)
        return True


def install_token_log_filter() -> None:
    """Attach the token filter to the access loggers once."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())


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
    if not raw or len(raw) > 200:
        return None
    token = session.exec(select(OneTimeToken).where(OneTimeToken.token_hash == _token_hash(raw))).first()
    if token is None or token.purpose != purpose or token.used_at is not None or token.expires_at < utcnow():
        return None
    return token


def consume_token(*, session: Session, token: OneTimeToken) -> None:
    """Mark a token used so its link works only once, and void every other unused token of the same user and
    purpose (an older reset link stops working once a newer one, or any one, was used)."""
    now = utcnow()
    for other in session.exec(
        select(OneTimeToken).where(OneTimeToken.user_id == token.user_id, OneTimeToken.purpose == token.purpose, OneTimeToken.used_at.is_(None))
    ).all():
        other.used_at = now
        session.add(other)
    token.used_at = now
    session.add(token)
    session.flush()


def client_ip() -> str:
    """The client's address (behind ``TRUSTED_PROXIES`` reverse proxies ProxyFix has put the real one here)."""
    return (request.remote_addr or "unknown")[:64]


def revoke_sessions(*, session: Session, user: User) -> None:
    """End every session of this user on every device: the session version in their cookies no longer matches."""
    user.session_version = (user.session_version or 0) + 1
    session.add(user)
    session.flush()


# --- login throttling ----------------------------------------------------------------------------------------
#
# Failures count per (account, address). After LOGIN_FREE_FAILURES each further failure doubles the wait before
# the next attempt from that address (LOGIN_DELAY_BASE_SECONDS, at most LOGIN_DELAY_MAX_SECONDS); an attempt made
# while waiting is refused without being counted, so nobody can keep an account locked by hammering it. Failures
# of one account over all addresses delay unknown devices only: a browser that logged in to the account before
# carries a signed device cookie and still gets in with the right password. Every address has a ceiling of
# attempts per window, which refuses that address and nobody else.

DEVICE_COOKIE = "stagebrug_device"
DEVICE_COOKIE_DAYS = 180
_DEVICE_SALT = "stagebrug-known-device"
_DEVICE_ACCOUNTS = 5


def _email_tag(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def _device_serializer():
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def known_device_tags() -> list[str]:
    """The accounts this browser logged in to before (from its signed device cookie)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        tags = _device_serializer().loads(raw)
    except Exception:  # noqa: BLE001 - a forged or old cookie is simply not a known device
        return []
    return [t for t in tags if isinstance(t, str)][:_DEVICE_ACCOUNTS] if isinstance(tags, list) else []


def is_known_device(email: str) -> bool:
    return _email_tag(email) in known_device_tags()


def remember_device(response, email: str) -> None:
    """Mark this browser as a known device of the account (after a successful login)."""
    tag = _email_tag(email)
    tags = [tag] + [t for t in known_device_tags() if t != tag]
    response.set_cookie(
        DEVICE_COOKIE, _device_serializer().dumps(tags[:_DEVICE_ACCOUNTS]), max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax", path="/auth/",
    )


def _delay_after(failures: int) -> int:
    cfg = current_app.config
    free = cfg["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(cfg["LOGIN_DELAY_BASE_SECONDS"] * 2 ** min(failures - free, 20), cfg["LOGIN_DELAY_MAX_SECONDS"])


def _failures(session: Session, condition, since) -> tuple[int, object]:
    """Failures matching ``condition`` within the window and after its last success, and the time of the last."""
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(condition, LoginAttempt.success.is_(True), LoginAttempt.at >= since)
    ).one()
    start = max(since, last_success) if last_success else since
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(condition, LoginAttempt.success.is_(False), LoginAttempt.at >= start)
    ).one()
    return count, last


def login_wait_seconds(*, session: Session, email: str, ip: str, known_device: bool) -> int:
    """Seconds before this account may be tried again from this address (0: now)."""
    cfg = current_app.config
    now = utcnow()
    since = now - timedelta(minutes=cfg["LOGIN_THROTTLE_WINDOW_MINUTES"])
    attempts_from_address = session.exec(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
    ).one()
    if attempts_from_address >= cfg["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"]:
        return cfg["LOGIN_THROTTLE_WINDOW_MINUTES"] * 60
    waits = []
    count, last = _failures(session, (LoginAttempt.email == email) & (LoginAttempt.ip == ip), since)
    if last is not None:
        waits.append(_delay_after(count) - (now - last).total_seconds())
    if not known_device:
        count, last = _failures(session, LoginAttempt.email == email, since)
        spare = cfg["LOGIN_ACCOUNT_FAILURES_BEFORE_DEVICE_CHECK"] - cfg["LOGIN_FREE_FAILURES"]
        if last is not None and count >= cfg["LOGIN_ACCOUNT_FAILURES_BEFORE_DEVICE_CHECK"]:
            waits.append(_delay_after(count - spare) - (now - last).total_seconds())
    return max([0, *[int(w + 0.999) for w in waits]])


def record_login_attempt(*, session: Session, email: str, ip: str, success: bool) -> None:
    """Store a login attempt for throttling."""
    session.add(LoginAttempt(email=email[:254], ip=ip, success=success))
    session.flush()


# --- rate limits on forms that send e-mail ----------------------------------------------------------------------


def allow_rate(*, session: Session, limits: dict[str, int], window_minutes: int) -> bool:
    """Count one use under every key and return True, or return False (counting nothing) when a key is at its limit."""
    since = utcnow() - timedelta(minutes=window_minutes)
    for key, limit in limits.items():
        used = session.exec(select(func.count()).select_from(RateEvent).where(RateEvent.key == key[:300], RateEvent.at >= since)).one()
        if used >= limit:
            return False
    for key in limits:
        session.add(RateEvent(key=key[:300]))
    session.flush()
    return True


def allow_mail_form(*, session: Session, form: str, user_id: int | None = None, target: str | None = None) -> bool:
    """Rate-limit a form that sends e-mail: per address, per logged-in user and per target e-mail address."""
    cfg = current_app.config
    limits = {f"{form}:ip:{client_ip()}": cfg["MAIL_FORM_LIMIT_PER_ADDRESS"]}
    if user_id is not None:
        limits[f"{form}:user:{user_id}"] = cfg["MAIL_FORM_LIMIT_PER_USER"]
    if target:
        limits[f"{form}:to:{_email_tag(target.strip().lower())}"] = cfg["MAIL_FORM_LIMIT_PER_TARGET"]
    return allow_rate(session=session, limits=limits, window_minutes=cfg["MAIL_FORM_WINDOW_MINUTES"])


#: Paths authenticated by a token (the API's Bearer token, the calendar feed's secret): they never read or set the
#: session cookie, so a logged-in browser cannot act through them and they carry no CSRF surface.
TOKEN_PATHS = ("/api/", "/kalender/")


class TokenPathSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except on token paths, which get an empty session that is never saved."""

    def open_session(self, app, request):
        if request.path.startswith(TOKEN_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)
