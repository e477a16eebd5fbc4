"""Secrets the app must read back later, encrypted at rest: the signing secrets of employers' webhooks.

A token or password is stored as a hash, but a webhook secret is needed in the clear to compute each delivery's
HMAC, so it is encrypted instead. The key is derived from the app's ``SECRET_KEY`` with HKDF-SHA256 and a purpose
label, so it is never the key Flask signs sessions with, and a database dump alone does not reveal the secrets.
The cipher is Fernet (AES-128-CBC with HMAC-SHA256, authenticated and versioned) from the ``cryptography`` package.

Changing ``SECRET_KEY``: put the old key in ``SECRET_KEY_FALLBACKS`` (the list Flask itself reads for sessions);
values sealed with it still open, and ``open_secret`` tells the caller to store them again under the new key.
"""
from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WEBHOOK_PURPOSE = b"stagebrug/webhook-signing-secret/v1"

__all__ = ["InvalidToken", "OpenedSecret", "app_keys", "derive_key", "open_secret", "seal_secret"]


def derive_key(secret_key: str, purpose: bytes = WEBHOOK_PURPOSE) -> bytes:
    """A Fernet key for one purpose, derived from an application secret key (HKDF-SHA256)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def app_keys() -> list[str]:
    """The app's secret key first, then its fallbacks (older keys that may still have sealed stored values)."""
    from flask import current_app

    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [fallbacks]
    return [current_app.config["SECRET_KEY"], *fallbacks]


def _box(keys: Sequence[str], purpose: bytes) -> MultiFernet:
    return MultiFernet([Fernet(derive_key(key, purpose)) for key in keys])


def seal_secret(plain: str, *, keys: Sequence[str] | None = None, purpose: bytes = WEBHOOK_PURPOSE) -> str:
    """Encrypt a secret under the current key (the first of ``keys``, by default the app's)."""
    return _box(keys or app_keys(), purpose).encrypt(plain.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class OpenedSecret:
    """A decrypted secret, and the value to store instead when it was sealed under an older key (else None)."""

    plain: str
    resealed: str | None


def open_secret(sealed: str, *, keys: Sequence[str] | None = None, purpose: bytes = WEBHOOK_PURPOSE) -> OpenedSecret:
    """Decrypt a sealed secret with the current key or a fallback; raise ``InvalidToken`` when no key opens it."""
    keys = list(keys or app_keys())
    box = _box(keys, purpose)
    plain = box.decrypt(sealed.encode("ascii")).decode("utf-8")
    try:
        Fernet(derive_key(keys[0], purpose)).decrypt(sealed.encode("ascii"))
    except InvalidToken:
        return OpenedSecret(plain, box.rotate(sealed.encode("ascii")).decode("ascii"))
    return OpenedSecret(plain, None)
