"""Issue 14, points 2, 6 and 8: sessions that really end, a login throttle that is no lockout tool, reset links
that stop working and a change-password page."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from tests.conftest import TEST_PASSWORD, login, make_employer, make_user
from web.models import LoginAttempt, OneTimeToken, OutboxEmail, User, utcnow

WRONG = "wrong password!!"


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _client_with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _is_logged_in(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 302 and not response.headers["Location"].startswith("/auth/login")


# --- point 2: server-side revocation and an absolute lifetime ------------------------------------------------------


def test_a_cookie_copied_before_logout_no_longer_works(app, client, session):
    user = make_user(session, "coach")
    login(client, user.email)
    copied = _cookie(client)
    assert _is_logged_in(_client_with_cookie(app, copied))
    client.post("/auth/logout")
    assert not _is_logged_in(_client_with_cookie(app, copied))


def test_deactivation_by_an_admin_ends_the_users_sessions(app, client, session, login_as):
    coach = make_user(session, "coach")
    login(client, coach.email)
    copied = _cookie(client)
    admin_client = app.test_client()
    login(admin_client, make_user(session, "admin").email)
    assert admin_client.post(f"/admin/gebruikers/{coach.id}/actief", data={"active": "0"}).status_code in (302, 303)
    # reactivated: the old cookie stays dead (the session version moved on)
    assert admin_client.post(f"/admin/gebruikers/{coach.id}/actief", data={"active": "1"}).status_code in (302, 303)
    session.refresh(coach)
    assert coach.is_active
    assert not _is_logged_in(_client_with_cookie(app, copied))


def test_a_session_ends_after_its_absolute_lifetime_however_active(app, client, session):
    user = make_user(session, "coach")
    login(client, user.email)
    start = time.time()
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes: the idle timeout never ends it
        with time_machine.travel(start + minutes * 60, tick=False):
            assert _is_logged_in(client), minutes
    with time_machine.travel(start + 12 * 3600 + 60, tick=False):
        assert not _is_logged_in(client)


def test_a_session_without_a_login_time_is_refused(app, session):
    user = make_user(session, "coach")
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.get_id()
    assert not _is_logged_in(client)


def test_an_idle_session_expires_after_30_minutes(app, client, session):
    user = make_user(session, "coach")
    login(client, user.email)
    with time_machine.travel(time.time() + 31 * 60, tick=False):
        assert not _is_logged_in(client)


# --- point 6: the login throttle is no lockout tool --------------------------------------------------------------


def _from(ip: str, forwarded: str | None = None):
    environ = {"REMOTE_ADDR": ip}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return environ, headers


def _login_from(client, email, password, ip="198.51.100.1", forwarded=None):
    environ, headers = _from(ip, forwarded)
    return client.post("/auth/login", data={"email": email, "password": password}, environ_base=environ, headers=headers)


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(app, session):
    user = make_user(session, "coach")
    attacker = app.test_client()
    for _ in range(12):
        _login_from(attacker, user.email, WRONG, ip="203.0.113.66")
    assert _login_from(attacker, user.email, TEST_PASSWORD, ip="203.0.113.66").status_code == 429
    assert _login_from(app.test_client(), user.email, TEST_PASSWORD, ip="198.51.100.7").status_code == 302


def test_throttled_attempts_do_not_count_and_the_delay_ends(app, session):
    user = make_user(session, "coach")
    client = app.test_client()
    for _ in range(5):
        assert _login_from(client, user.email, WRONG).status_code == 200
    for _ in range(30):  # hammering while delayed keeps nothing locked
        assert _login_from(client, user.email, WRONG).status_code == 429
    assert len(session.exec(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()) == 5
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert _login_from(client, user.email, TEST_PASSWORD).status_code == 302


def test_the_delay_grows_with_each_further_failure(app, session):
    user = make_user(session, "coach")
    client = app.test_client()
    now = utcnow()
    for i in range(5):
        with time_machine.travel(now + timedelta(seconds=i), tick=False):
            _login_from(client, user.email, WRONG)
    with time_machine.travel(now + timedelta(seconds=40), tick=False):
        assert _login_from(client, user.email, WRONG).status_code == 200  # 30 s passed: a sixth try is counted
    with time_machine.travel(now + timedelta(seconds=40 + 45), tick=False):
        assert _login_from(client, user.email, TEST_PASSWORD).status_code == 429  # now 60 s
    with time_machine.travel(now + timedelta(seconds=40 + 61), tick=False):
        assert _login_from(client, user.email, TEST_PASSWORD).status_code == 302


def test_many_failures_from_one_address_do_not_lock_other_accounts_behind_a_proxy(app, session):
    """Behind a reverse proxy every request comes from the proxy's address; with TRUSTED_PROXIES the client's
    own address (X-Forwarded-For) counts, so one client's failures do not refuse everybody."""
    from web import create_app
    from web.config import TestConfig

    proxied = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                          "DATABASE_URL": app.config["DATABASE_URL"], "TRUSTED_PROXIES": 1})
    proxied.extensions["db_engine"].dispose()
    proxied.extensions["db_engine"] = app.extensions["db_engine"]
    proxied.config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"] = 20
    victim = make_user(session, "coach")
    attacker = proxied.test_client()
    for i in range(25):
        _login_from(attacker, f"nobody{i}@example.be", WRONG, ip="10.0.0.2", forwarded="203.0.113.66")
    assert _login_from(attacker, victim.email, TEST_PASSWORD, ip="10.0.0.2", forwarded="203.0.113.66").status_code == 429
    assert _login_from(proxied.test_client(), victim.email, TEST_PASSWORD, ip="10.0.0.2", forwarded="198.51.100.7").status_code == 302
    assert session.exec(select(LoginAttempt.ip).where(LoginAttempt.email == victim.email)).all()[-1] == "198.51.100.7"


def test_forwarded_headers_are_ignored_without_trusted_proxies(app, session):
    user = make_user(session, "coach")
    _login_from(app.test_client(), user.email, WRONG, ip="198.51.100.9", forwarded="1.2.3.4")
    assert session.exec(select(LoginAttempt.ip)).all() == ["198.51.100.9"]


def test_a_distributed_attack_delays_unknown_devices_but_not_a_known_one(app, session):
    user = make_user(session, "coach")
    known = app.test_client()
    assert _login_from(known, user.email, TEST_PASSWORD, ip="198.51.100.7").status_code == 302
    known.post("/auth/logout", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    for i in range(25):
        _login_from(app.test_client(), user.email, WRONG, ip=f"203.0.113.{i + 1}")
    assert _login_from(app.test_client(), user.email, TEST_PASSWORD, ip="192.0.2.200").status_code == 429
    assert _login_from(known, user.email, TEST_PASSWORD, ip="192.0.2.201").status_code == 302


def test_a_forged_device_cookie_is_no_known_device(app, session):
    user = make_user(session, "coach")
    for i in range(25):
        _login_from(app.test_client(), user.email, WRONG, ip=f"203.0.113.{i + 1}")
    forged = app.test_client()
    forged.set_cookie("stagebrug_device", "WyJhYmMiXQ.forged", path="/auth/")
    assert _login_from(forged, user.email, TEST_PASSWORD, ip="192.0.2.200").status_code == 429


# --- point 8: reset links and changing the password ----------------------------------------------------------------


def _links(session, to: str) -> list[str]:
    mails = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id)).all()
    return [re.search(r"http://[^\s]+", m.body_text).group(0).replace("http://127.0.0.1:5000", "") for m in mails]


def test_using_a_reset_link_voids_every_older_one(app, client, session):
    user = make_user(session, "coach")
    client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    older, newer = _links(session, user.email)
    assert client.post(newer, data={"password": "nieuw wachtwoord 1", "password_confirm": "nieuw wachtwoord 1"}).status_code == 302
    other = app.test_client()
    assert other.get(older).status_code == 410
    assert other.post(older, data={"password": "ander wachtwoord 2", "password_confirm": "ander wachtwoord 2"}).status_code == 410
    assert session.exec(select(OneTimeToken).where(OneTimeToken.used_at.is_(None))).all() == []


def test_a_reset_ends_the_sessions_that_were_open(app, client, session):
    user = make_user(session, "coach")
    logged_in = app.test_client()
    login(logged_in, user.email)
    client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    (link,) = _links(session, user.email)
    client.post(link, data={"password": "nieuw wachtwoord 1", "password_confirm": "nieuw wachtwoord 1"})
    assert not _is_logged_in(logged_in)


def test_change_password_asks_the_current_one_and_ends_other_sessions(app, client, session):
    user = make_user(session, "employer")
    make_employer(session, user)
    login(client, user.email)
    other_device = app.test_client()
    login(other_device, user.email)
    assert client.get("/auth/wachtwoord-wijzigen").status_code == 200
    wrong = client.post("/auth/wachtwoord-wijzigen", data={"current_password": "not it at all", "password": "nieuw wachtwoord 1",
                                                           "password_confirm": "nieuw wachtwoord 1"})
    assert wrong.status_code == 422 and "Je huidige wachtwoord is niet juist." in wrong.get_data(as_text=True)
    assert _is_logged_in(other_device)
    done = client.post("/auth/wachtwoord-wijzigen", data={"current_password": TEST_PASSWORD, "password": "nieuw wachtwoord 1",
                                                          "password_confirm": "nieuw wachtwoord 1"})
    assert done.status_code == 302
    assert _is_logged_in(client)  # this session goes on
    assert not _is_logged_in(other_device)
    assert login(app.test_client(), user.email, "nieuw wachtwoord 1").status_code == 302


@pytest.mark.parametrize("lang, message", [("nl", "Kies een wachtwoord van minstens 10 tekens."),
                                            ("en", "Choose a password of at least 10 characters.")])
def test_change_password_keeps_its_messages_in_the_users_language(client, session, lang, message):
    user = make_user(session, "coach", language=lang)
    login(client, user.email)
    client.post("/auth/taal", data={"lang": lang})
    response = client.post("/auth/wachtwoord-wijzigen", data={"current_password": TEST_PASSWORD, "password": "kort", "password_confirm": "kort"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_change_password_needs_a_login(client):
    response = client.get("/auth/wachtwoord-wijzigen")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_user_model_has_a_session_version():
    assert User().session_version == 0
