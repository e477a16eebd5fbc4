"""Foundation behaviour: health check, roles and areas, redirects, CSRF, sessions, config."""
import pytest
from sqlalchemy import text

from tests.conftest import login, make_employer, make_participant, make_user
from web import create_app
from web.config import Config, TestConfig
from web.security import is_safe_next


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_database_unreachable(app, client):
    from web.db import build_engine

    app.extensions["db_engine"] = build_engine("postgresql://nobody@127.0.0.1:1/none")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_production_refuses_default_secret_key():
    class Prod(Config):
        ENV_NAME = "production"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


def test_production_starts_with_a_real_secret_key_postgresql_and_smtp():
    class Prod(Config):
        ENV_NAME = "Production"  # accepted whatever its case
        SECRET_KEY = "x" * 48
        DATABASE_URL = "postgresql://stagebrug@127.0.0.1:1/stagebrug"  # the engine connects lazily
        MAIL_BACKEND = "smtp"
        SESSION_COOKIE_SECURE = False

    app = create_app(Prod)
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # forced in production
    app.extensions["db_engine"].dispose()


def test_sqlite_uses_wal_and_busy_timeout(app):
    with app.extensions["db_engine"].connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


@pytest.mark.parametrize("path", ["/coach/", "/werkgever/", "/deelnemer/", "/admin/"])
def test_anonymous_user_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


AREAS = {"coach": "/coach/", "employer": "/werkgever/", "participant": "/deelnemer/", "admin": "/admin/"}


@pytest.mark.parametrize("role", sorted(AREAS))
def test_each_role_reaches_only_its_own_area(app, client, session, role):
    if role == "employer":
        user = make_user(session, "employer")
        make_employer(session, user=user)
    elif role == "participant":
        coach = make_user(session, "coach")
        user = make_user(session, "participant")
        make_participant(session, coach, user=user)
    else:
        user = make_user(session, role)
    assert login(client, user.email).status_code == 302
    for other, path in AREAS.items():
        response = client.get(path)
        if other == role:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, (role, path)
    assert client.get("/dashboard").headers["Location"] == AREAS[role]


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "/\\evil.com", "////evil.com", "https://evil.com", "javascript:alert(1)", "http:/evil.com", " //evil.com", "/\t/evil.com", "\t//evil.com"],
)
def test_login_refuses_open_redirects(client, session, target):
    user = make_user(session, "coach")
    response = client.post("/auth/login", data={"email": user.email, "password": "correct horse battery", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert not is_safe_next(target)


def test_login_follows_a_local_next(client, session):
    user = make_user(session, "coach")
    response = client.post("/auth/login", data={"email": user.email, "password": "correct horse battery", "next": "/coach/?tab=1"})
    assert response.headers["Location"] == "/coach/?tab=1"


def test_post_without_csrf_token_is_refused(csrf_app, session):
    client = csrf_app.test_client()
    user = make_user(session, "coach")
    response = client.post("/auth/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/coach/").status_code == 302  # not logged in


def test_every_form_page_carries_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    for path in ["/auth/login", "/auth/registreren", "/auth/wachtwoord-vergeten"]:
        html = client.get(path).get_data(as_text=True)
        assert 'name="csrf_token"' in html, path


def test_session_cookie_is_httponly_lax_and_expires_after_idle_time(client, session, app):
    user = make_user(session, "coach")
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60
    assert "remember_token" not in cookie


def test_idle_session_expires(client, session, app):
    from datetime import timedelta

    import time_machine as tm

    from web.models import utcnow

    user = make_user(session, "coach")
    login(client, user.email)
    assert client.get("/coach/").status_code == 200
    with tm.travel(utcnow() + timedelta(minutes=29), tick=False):
        assert client.get("/coach/").status_code == 200
    with tm.travel(utcnow() + timedelta(minutes=29 + 31), tick=False):
        assert client.get("/coach/").status_code == 302


def test_language_switch_is_remembered_per_user(client, session):
    user = make_user(session, "coach")
    login(client, user.email)
    assert "Deelnemers per fase" in client.get("/coach/").get_data(as_text=True)
    client.post("/auth/taal", data={"lang": "en", "next": "/coach/"})
    assert "Participants by phase" in client.get("/coach/").get_data(as_text=True)
    session.refresh(user)
    assert user.language == "en"
    other = client.application.test_client()
    login(other, user.email)
    assert "Participants by phase" in other.get("/coach/").get_data(as_text=True)


def test_dutch_is_the_default_language(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Wachtwoord vergeten?" in html


def test_every_ui_string_has_an_english_translation():
    from web.i18n_tools import missing_translations

    missing = missing_translations()
    assert not missing, f"{len(missing)} untranslated, e.g. {list(missing.items())[:5]}"


def test_test_config_is_not_production():
    assert TestConfig.ENV_NAME == "test"
