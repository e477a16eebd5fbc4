"""Configuration read from the environment: one base class, a test config and production checks."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for development and production, overridable through environment variables."""

    ENV_NAME = os.environ.get("STAGEBRUG_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{REPO_ROOT / 'instance' / 'stagebrug.db'}")
    SEEDS_DIR = str(REPO_ROOT / "seeds")

    # Sessions: HttpOnly, SameSite=Lax, 30 minutes idle timeout, no long-lived remember cookie.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True
    REMEMBER_COOKIE_DURATION = timedelta(minutes=30)
    REMEMBER_COOKIE_HTTPONLY = True

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    LANGUAGES = ("nl", "en")

    # Login throttling: failures within the window before an account or an IP is refused.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 20
    LOGIN_THROTTLE_WINDOW_MINUTES = 15

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


def check_production_config(config: dict) -> None:
    """Refuse to start in production with the default secret key or a SQLite database by accident."""
    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < 32:
        raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters in production")
