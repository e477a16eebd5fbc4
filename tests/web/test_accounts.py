"""Accounts: registration, login throttling, invitations and password reset links."""
import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from tests.conftest import TEST_PASSWORD, login, make_participant, make_user
from web.models import Employer, EmployerMember, OutboxEmail, User, utcnow
from web.validators import kbo_is_valid

VALID = {
    "organisation_name": "Bakkerij De Zon",
    "kbo_number": "0403.170.701",
    "sector": "horeca",
    "street": "Kerkstraat 1",
    "postal_code": "9000",
    "full_name": "Els Peeters",
    "email": "els@dezon.be",
    "password": "een lang wachtwoord",
    "password_confirm": "een lang wachtwoord",
}


def test_kbo_check_digits():
    assert kbo_is_valid("0403.170.701")
    assert kbo_is_valid("BE 0403 170 701")
    assert not kbo_is_valid("0403.170.702")
    assert not kbo_is_valid("2403170701")
    assert not kbo_is_valid("12345")


def test_employer_registers_organisation_and_first_user(client, session):
    """The owner confirms the address by choosing a password through the mailed link (issue 14, point 7)."""
    response = client.post("/auth/registreren", data=VALID)
    assert response.status_code == 200 and "We stuurden een e-mail naar els@dezon.be" in response.get_data(as_text=True)
    user = session.exec(select(User).where(User.email == "els@dezon.be")).one()
    assert user.role == "employer" and user.password_hash is None
    employer = session.exec(select(Employer)).one()
    assert employer.kbo_number == "0403170701" and employer.city
    assert session.exec(select(EmployerMember)).one().user_id == user.id
    assert client.get("/werkgever/").status_code == 302  # not logged in before the address is confirmed
    link = _link_from_outbox(session, "els@dezon.be")
    assert client.post(link, data={"password": "een lang wachtwoord", "password_confirm": "een lang wachtwoord"}).status_code == 302
    assert client.get("/werkgever/").status_code == 200


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("email", "geen-email", "Dit is geen geldig e-mailadres."),
        ("kbo_number", "0403.170.702", "Dit is geen geldig ondernemingsnummer"),
        ("postal_code", "9999", "Deze postcode kennen we niet"),
        ("organisation_name", "x" * 10000, "Maximaal 200 tekens."),
        ("organisation_name", "<script>alert(1)</script>", "Gebruik geen &lt; of &gt; in dit veld."),
    ],
)
def test_registration_with_bad_input_says_why_and_keeps_other_fields(client, session, field, value, message):
    data = dict(VALID, **{field: value})
    response = client.post("/auth/registreren", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "<script>alert(1)</script>" not in html
    for kept in ("organisation_name", "street", "full_name", "email"):
        if kept != field:
            assert f'value="{VALID[kept]}"' in html, kept
    assert session.exec(select(User)).all() == []


def test_script_in_a_name_is_shown_escaped(client, session):
    user = make_user(session, "coach", full_name="<script>alert('x')</script>")
    login(client, user.email)
    html = client.get("/coach/").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_sixth_wrong_password_in_a_row_is_throttled(client, session):
    user = make_user(session, "coach")
    for _ in range(5):
        html = login(client, user.email, "wrong password!").get_data(as_text=True)
        assert "E-mailadres of wachtwoord is niet juist." in html
    response = login(client, user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert login(client, user.email, TEST_PASSWORD).status_code == 302


def test_throttling_per_ip_across_accounts(client, session, app):
    """An address over its ceiling of attempts is refused for every account; the same account from another
    address is not (tests/web/test_security_login.py)."""
    app.config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"] = 3
    user = make_user(session, "coach")
    for i in range(3):
        login(client, f"nobody{i}@example.be", "whatever pass")
    assert "Te veel mislukte pogingen" in login(client, user.email).get_data(as_text=True)


def _link_from_outbox(session, to: str) -> str:
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id.desc())).first()
    return re.search(r"http://[^\s]+", mail.body_text).group(0).replace("http://127.0.0.1:5000", "")


def test_password_reset_link_works_once(client, session):
    user = make_user(session, "coach")
    client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    link = _link_from_outbox(session, user.email)
    response = client.post(link, data={"password": "nieuw wachtwoord 1", "password_confirm": "nieuw wachtwoord 1"})
    assert response.status_code == 302
    assert login(client, user.email, "nieuw wachtwoord 1").status_code == 302
    client.post("/auth/logout")
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": "ander wachtwoord 2", "password_confirm": "ander wachtwoord 2"}).status_code == 410


def test_password_reset_link_expires(client, session):
    user = make_user(session, "coach")
    client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    link = _link_from_outbox(session, user.email)
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        assert client.get(link).status_code == 410


def test_reset_for_unknown_email_reveals_nothing(client, session):
    response = client.post("/auth/wachtwoord-vergeten", data={"email": "niemand@example.be"}, follow_redirects=True)
    assert "Als dit e-mailadres bij ons bekend is" in response.get_data(as_text=True)
    assert session.exec(select(OutboxEmail)).all() == []


def test_invite_link_works_once_and_expires(app, client, session):
    from web.services.accounts import invite_user

    admin = make_user(session, "admin")
    coach = make_user(session, "coach")
    with app.test_request_context():
        invited = invite_user(session=session, inviter=admin, email="nieuw@coach.be", full_name="Nieuwe Coach", role="coach")
        participant = make_participant(session, coach)
        later = invite_user(session=session, inviter=coach, email="p@x.be", full_name="Piet", role="participant", participant=participant)
        session.commit()
    link = _link_from_outbox(session, "nieuw@coach.be")
    assert client.post(link, data={"password": "mijn wachtwoord", "password_confirm": "mijn wachtwoord"}).status_code == 302
    assert client.get("/coach/").status_code == 200
    assert client.get(link).status_code == 410
    session.refresh(invited)
    assert invited.password_hash
    link2 = _link_from_outbox(session, "p@x.be")
    with time_machine.travel(utcnow() + timedelta(hours=73), tick=False):
        assert client.get(link2).status_code == 410
    session.refresh(participant)
    assert participant.user_id == later.id


def test_password_reset_ends_sessions_opened_before_it(app, client, session):
    user = make_user(session, "coach")
    login(client, user.email)
    assert client.get("/coach/").status_code == 200
    other = app.test_client()
    other.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    link = _link_from_outbox(session, user.email)
    assert other.post(link, data={"password": "nieuw wachtwoord 9", "password_confirm": "nieuw wachtwoord 9"}).status_code == 302
    assert client.get("/coach/").status_code == 302  # the old session no longer works
    assert login(client, user.email, "nieuw wachtwoord 9").status_code == 302
    assert client.get("/coach/").status_code == 200
