"""Personal access tokens for the API: create (shown once), list, revoke, authenticate and rate limit.

The raw token is ``sbg_`` followed by 43 url-safe characters; only its SHA-256 is stored, with the first
characters as a prefix the owner can recognise. A token acts for its user with the user's own role and
rights, never more; a read token may only read. The rate limit counts requests per token in a fixed
window kept on the token row, so it holds across web workers.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlmodel import Session, select

from web.models import API_TOKEN_SCOPES, ApiToken, User, utcnow
from web.services.audit import record_audit

TOKEN_PREFIX = "sbg_"
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
MAX_TOKENS_PER_USER = 20


class TokenError(Exception):
    """A token that cannot be created or used; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    *, session: Session, user: User, name: str, scope: str, lifetime_days: int = DEFAULT_LIFETIME_DAYS, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the user and return it with the raw value (shown once, never stored)."""
    if scope not in API_TOKEN_SCOPES:
        raise TokenError("scope")
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise TokenError("lifetime")
    name = " ".join((name or "").split())[:100]
    if not name:
        raise TokenError("name")
    if len(list_tokens(session=session, user=user)) >= MAX_TOKENS_PER_USER:
        raise TokenError("too_many")
    now = now or utcnow()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[:12], token_hash=hash_token(raw), scope=scope, created_at=now,
                     expires_at=now + timedelta(days=lifetime_days))
    session.add(token)
    session.flush()
    record_audit(session=session, actor_id=user.id, action="api_token.created", obj=token, detail={"scope": scope, "name": name})
    return token, raw


def list_tokens(*, session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first (expired ones included, marked by their date)."""
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).all()
    )


def revoke_token(*, session: Session, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens (None when it is not theirs or already revoked)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    token.revoked_at = utcnow()
    session.add(token)
    session.flush()
    record_audit(session=session, actor_id=user.id, action="api_token.revoked", obj=token)
    return token


@dataclass(frozen=True)
class TokenUse:
    """The outcome of presenting a token: the token and its user, or why it was refused."""

    token: ApiToken | None
    user: User | None
    problem: str | None = None  # missing | invalid | expired | revoked | inactive
    retry_after: int | None = None  # seconds, when the rate limit is reached


def authenticate(*, session: Session, raw: str | None, now: datetime | None = None) -> TokenUse:
    """Find the token for a raw value and check it is usable (not expired, not revoked, active user)."""
    if not raw:
        return TokenUse(None, None, "missing")
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return TokenUse(None, None, "invalid")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(raw))).first()
    if token is None:
        return TokenUse(None, None, "invalid")
    now = now or utcnow()
    if token.revoked_at is not None:
        return TokenUse(token, None, "revoked")
    if token.expires_at <= now:
        return TokenUse(token, None, "expired")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return TokenUse(token, None, "inactive")
    return TokenUse(token, user)


def count_request(*, session: Session, token: ApiToken, limit: int, window_seconds: int, now: datetime | None = None) -> int | None:
    """Count one request in the token's window and stamp its last use; return seconds to wait when over the limit.

    One UPDATE increments the counter (or starts a new window), so concurrent requests cannot both slip under the limit.
    """
    now = now or utcnow()
    window_start = now - timedelta(seconds=window_seconds)
    in_window = (ApiToken.window_started_at.is_not(None)) & (ApiToken.window_started_at > window_start)
    session.exec(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(
            window_count=case((in_window, ApiToken.window_count + 1), else_=1),
            window_started_at=case((in_window, ApiToken.window_started_at), else_=now),
            last_used_at=now,
        )
    )
    session.refresh(token)
    if token.window_count > limit:
        started = token.window_started_at or now
        return max(1, int((started + timedelta(seconds=window_seconds) - now).total_seconds() + 0.999))
    return None
