"""Helpers for the API tests: a token for a user, and requests that carry it."""
from __future__ import annotations

from datetime import timedelta

from web.models import utcnow
from web.services import api_tokens


def token_for(app, user, scope: str = "read_write", days: int = 90) -> str:
    """Create a personal access token for the user (committed) and return its raw value."""
    from sqlmodel import Session

    with Session(app.extensions["db_engine"]) as db:
        _token, raw = api_tokens.create_token(session=db, user=db.get(type(user), user.id), name="test", scope=scope, lifetime_days=days)
        db.commit()
    return raw


def expire_token(app, raw: str) -> None:
    from sqlmodel import Session, select

    from web.models import ApiToken

    with Session(app.extensions["db_engine"]) as db:
        token = db.exec(select(ApiToken).where(ApiToken.token_hash == api_tokens.hash_token(raw))).one()
        token.expires_at = utcnow() - timedelta(minutes=1)
        db.add(token)
        db.commit()


def auth(raw: str, **headers) -> dict:
    return {"Authorization": f"Bearer {raw}", **headers}


def sealed(app, secret: str) -> str:
    """A webhook signing secret as the app stores it (encrypted with a key derived from its SECRET_KEY)."""
    from web.services.secret_box import seal_secret

    return seal_secret(secret, keys=[app.config["SECRET_KEY"]])
