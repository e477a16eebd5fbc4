"""Configuration read from the environment: one base class, a test config and production checks."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-change-me"
ENVIRONMENTS = ("development", "test", "production")
#: Environments that may run with the public development key, console mail and SQLite.
RELAXED_ENVIRONMENTS = ("development", "test")
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """An unsafe or unknown setting; the message names the setting and what to do."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for development and production, overridable through environment variables."""

    # Unset means production: the app only relaxes its checks when told explicitly (`make run` sets development).
    ENV_NAME = os.environ.get("STAGEBRUG_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # earlier keys, comma-separated, while SECRET_KEY is being changed: sessions signed and webhook secrets sealed with them still open
    SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{REPO_ROOT / 'instance' / 'stagebrug.db'}")
    SEEDS_DIR = str(REPO_ROOT / "seeds")

    # Sessions: HttpOnly, SameSite=Lax, 30 minutes idle timeout, no long-lived remember cookie.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV_NAME.strip().lower() not in RELAXED_ENVIRONMENTS)
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    # Absolute lifetime: a session ends this long after login however active it is.
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    SESSION_REFRESH_EACH_REQUEST = True
    REMEMBER_COOKIE_DURATION = timedelta(minutes=30)
    REMEMBER_COOKIE_HTTPONLY = True
    # Strict-Transport-Security max-age, sent in production only (one year).
    HSTS_SECONDS = 31536000

    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix);
    # 0 means the app is reached directly and forwarded headers are ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    LANGUAGES = ("nl", "en")

    # Login throttling (web/security.py): free failures per (account, address) before an increasing delay,
    # the longest delay, failures of one account over all addresses before unknown devices are delayed too,
    # and login attempts per address and window (the address alone never locks an account).
    LOGIN_FREE_FAILURES = 5
    LOGIN_DELAY_BASE_SECONDS = 30
    LOGIN_DELAY_MAX_SECONDS = 15 * 60
    LOGIN_ACCOUNT_FAILURES_BEFORE_DEVICE_CHECK = 20
    LOGIN_MAX_ATTEMPTS_PER_ADDRESS = 100
    LOGIN_THROTTLE_WINDOW_MINUTES = 15
    # Forms that send e-mail: at most this many per window, per address and per user (or target address).
    MAIL_FORM_LIMIT_PER_ADDRESS = 10
    MAIL_FORM_LIMIT_PER_USER = 20
    MAIL_FORM_LIMIT_PER_TARGET = 3
    MAIL_FORM_WINDOW_MINUTES = 60

    INVITE_TOKEN_HOURS = 72
    RESET_TOKEN_MINUTES = 60

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Stagebrug <noreply@stagebrug.be>")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    PLACE_EXPIRY_DAYS = int(os.environ.get("PLACE_EXPIRY_DAYS", "60"))
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024

    # The open API: requests per token per window, the largest JSON body, and webhook addresses. Private,
    # loopback and plain-http webhook addresses are refused in production and allowed elsewhere (tests, demos).
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
    API_RATE_WINDOW_SECONDS = int(os.environ.get("API_RATE_WINDOW_SECONDS", "60"))
    API_MAX_BODY_BYTES = 256 * 1024
    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", ENV_NAME != "production")


class TestConfig(Config):
    """Settings for the test suite: its own database, no CSRF unless a test turns it on."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"


def check_production_config(config) -> None:
    """Normalise ``ENV_NAME`` and refuse every unsafe setting outside development and test, naming it."""
    name = str(config.get("ENV_NAME") or "").strip().lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(
            f"STAGEBRUG_ENV={config.get('ENV_NAME')!r} is not known: use one of {', '.join(ENVIRONMENTS)}"
        )
    config["ENV_NAME"] = name
    if name in RELAXED_ENVIRONMENTS:
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_LENGTH} characters in {name} "
            '(generate one: python -c "import secrets; print(secrets.token_urlsafe(48))"), '
            "or set STAGEBRUG_ENV=development on a developer machine"
        )
    if config.get("MAIL_BACKEND") != "smtp":
        raise ConfigError(
            f"MAIL_BACKEND={config.get('MAIL_BACKEND')!r} is refused in {name}: it would print invitation and reset links; "
            "set MAIL_BACKEND=smtp and MAIL_SERVER"
        )
    if str(config.get("DATABASE_URL") or "").startswith("sqlite"):
        raise ConfigError(f"DATABASE_URL is SQLite, which is refused in {name}: set DATABASE_URL=postgresql://...")
    if int(config.get("TRUSTED_PROXIES") or 0) < 0:
        raise ConfigError("TRUSTED_PROXIES must be 0 or the number of reverse proxies in front of the app")
    config["SESSION_COOKIE_SECURE"] = True
    config["REMEMBER_COOKIE_SECURE"] = True
