"""Issue 14, point 1: the app fails closed on configuration, and point 10: the headers every response carries."""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_user
from web import create_app
from web.config import DEFAULT_SECRET_KEY, Config, ConfigError, TestConfig

REPO = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 48
SAFE = {"SECRET_KEY": STRONG_KEY, "DATABASE_URL": "postgresql://stagebrug@127.0.0.1:1/stagebrug", "MAIL_BACKEND": "smtp"}


def _settings(**overrides):
    values = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    values.update(SAFE)
    values.update(overrides)
    return values


def _build(**overrides):
    app = create_app(_settings(**overrides))
    app.extensions["db_engine"].dispose()
    return app


@pytest.mark.parametrize("env", ["production", "PRODUCTION", " Production "])
def test_production_is_accepted_whatever_its_case_and_refuses_the_default_key(env):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _build(ENV_NAME=env, SECRET_KEY=DEFAULT_SECRET_KEY)
    assert _build(ENV_NAME=env).config["ENV_NAME"] == "production"


@pytest.mark.parametrize("env", ["prod", "staging", "", "developement"])
def test_an_unknown_environment_is_refused_with_a_message_naming_the_setting(env):
    with pytest.raises(ConfigError, match="STAGEBRUG_ENV"):
        _build(ENV_NAME=env)


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "short-key", "x" * 31, ""])
def test_a_default_or_short_key_is_refused_outside_development(key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _build(ENV_NAME="production", SECRET_KEY=key)


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_and_test_may_use_the_development_key_console_mail_and_sqlite(env, tmp_path):
    app = _build(ENV_NAME=env, SECRET_KEY=DEFAULT_SECRET_KEY, MAIL_BACKEND="console", DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}")
    assert app.config["ENV_NAME"] == env


def test_production_refuses_the_console_mail_backend_and_names_it():
    with pytest.raises(ConfigError, match="MAIL_BACKEND"):
        _build(ENV_NAME="production", MAIL_BACKEND="console")


def test_production_refuses_sqlite_and_names_it(tmp_path):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        _build(ENV_NAME="production", DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")


def test_an_unset_environment_means_production():
    """The Procfile does not set STAGEBRUG_ENV: a deployment that forgets it must not run on the public key."""
    env = {k: v for k, v in os.environ.items() if k not in ("STAGEBRUG_ENV", "SECRET_KEY")}
    code = "from web import create_app\ntry:\n    create_app()\nexcept Exception as exc:\n    print(type(exc).__name__, exc)\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert "ConfigError SECRET_KEY" in result.stdout, result.stdout + result.stderr


def test_secure_cookies_by_default_outside_development():
    env = {k: v for k, v in os.environ.items() if k not in ("STAGEBRUG_ENV", "SESSION_COOKIE_SECURE")}
    code = "from web.config import Config\nprint(Config.ENV_NAME, Config.SESSION_COOKIE_SECURE)\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["production", "True"], result.stdout + result.stderr


def test_an_account_without_password_has_no_session_even_with_a_forged_cookie(app, session):
    """The old fingerprint of an invited account was the hash of an empty string: a cookie signed with the key
    (the public default key, before point 1) opened the app as that account."""
    pending_admin = make_user(session, "admin", password_hash=None)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = f"{pending_admin.id}.{hashlib.sha256(b'').hexdigest()[:16]}"
        cookie["_login_at"] = int(time.time())
        cookie["_fresh"] = True
    assert pending_admin.session_fingerprint() is None
    response = client.get("/admin/gebruikers")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


# --- point 10: headers and leaks -----------------------------------------------------------------------------------


def test_pages_carry_no_store_csp_with_base_uri_and_form_action(client):
    response = client.get("/auth/login")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "Strict-Transport-Security" not in response.headers  # test/development: plain http works


def test_participant_pages_and_pdf_sheets_are_not_stored(app, session, login_as):
    from tests.conftest import make_employer, make_participant, make_place

    coach = make_user(session, "coach")
    participant = make_participant(session, coach)
    place = make_place(session, make_employer(session))
    client = login_as(coach)
    for url in (f"/coach/deelnemers/{participant.id}", f"/coach/stageplaatsen/{place.id}/fiche.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_production_sends_hsts():
    app = _build(ENV_NAME="production")
    response = app.test_client().get("/auth/login", base_url="https://stagebrug.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_token_pages_send_no_referrer_and_take_the_token_out_of_the_address(app, session, client):
    from datetime import timedelta

    from web.security import issue_token

    user = make_user(session, "coach", password_hash=None)
    with app.test_request_context():
        raw = issue_token(session=session, user=user, purpose="invite", lifetime=timedelta(hours=1))
    session.commit()
    first = client.get(f"/auth/uitnodiging/{raw}")
    assert first.status_code == 302 and first.headers["Location"] == "/auth/uitnodiging"
    assert first.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/auth/uitnodiging")
    assert page.status_code == 200 and raw not in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = client.post("/auth/uitnodiging", data={"password": "een nieuw wachtwoord", "password_confirm": "een nieuw wachtwoord"})
    assert done.status_code == 302
    session.refresh(user)
    assert user.password_hash


@pytest.mark.parametrize("logger_name, args", [
    ("werkzeug", ('"%s" %s %s', ("GET /auth/wachtwoord/SECRETTOKEN123 HTTP/1.1", "302", "-"))),
    ("gunicorn.access", ("%(h)s %(r)s %(U)s", {"h": "10.0.0.1", "r": "GET /auth/uitnodiging/SECRETTOKEN123 HTTP/1.1",
                                                "U": "/auth/uitnodiging/SECRETTOKEN123"})),
])
def test_access_logs_do_not_show_one_time_tokens(app, logger_name, args, caplog):
    fmt, values = args
    logger = logging.getLogger(logger_name)
    with caplog.at_level(logging.INFO, logger=logger_name):
        logger.info(fmt, *(values if isinstance(values, tuple) else (values,)))
    text = caplog.text
    assert "SECRETTOKEN123" not in text and "[token]" in text


def test_test_config_stays_a_test_config():
    assert TestConfig.ENV_NAME == "test"


def test_production_password_hashing_stays_strong():
    """The suite hashes with cheap parameters (tests/conftest.py); the app itself, imported afresh, does not."""
    code = (
        "from web import security; h = security._hasher; "
        "print(h.type.name, h.memory_cost, h.time_cost, h.parallelism, security.hash_password('x').split('$')[3])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout.split()
    kind, memory_kib, passes, lanes, encoded = out
    assert kind == "ID"
    assert int(memory_kib) >= 19 * 1024 and int(passes) >= 2 and int(lanes) >= 1  # OWASP's Argon2id minimum
    assert encoded == f"m={memory_kib},t={passes},p={lanes}"
