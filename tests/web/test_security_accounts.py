"""Issue 14, points 3 and 7: an admin's deactivation sticks, registration and invitations do not tell which
addresses or organisations are known, and every form that sends e-mail has a limit."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import TEST_PASSWORD, login, make_user
from tests.web.employer_helpers import employer_with_user
from web.models import Employer, EmployerMember, OutboxEmail, User

REGISTRATION = {
    "organisation_name": "Bakkerij De Zon", "kbo_number": "0403.170.701", "sector": "horeca", "street": "Kerkstraat 1",
    "postal_code": "9000", "full_name": "Els Peeters", "email": "els@dezon.be",
}


def _mails_to(session, address):
    return session.exec(select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)).all()


# --- point 3: an admin's deactivation is a state only an admin lifts ----------------------------------------------


@pytest.fixture
def colleague_deactivated_by_admin(app, session):
    employer, owner = employer_with_user(session)
    colleague = make_user(session, "employer", full_name="Collega Geschorst")
    session.add(EmployerMember(employer_id=employer.id, user_id=colleague.id))
    session.commit()
    admin = make_user(session, "admin")
    admin_client = app.test_client()
    login(admin_client, admin.email)
    assert admin_client.post(f"/admin/gebruikers/{colleague.id}/actief", data={"active": "0"}).status_code == 302
    return {"employer": employer, "owner": owner, "colleague": colleague, "admin_client": admin_client}


def test_an_owner_cannot_undo_an_admins_deactivation_by_removing_and_reinviting(app, session, colleague_deactivated_by_admin):
    world = colleague_deactivated_by_admin
    colleague = world["colleague"]
    owner_client = app.test_client()
    login(owner_client, world["owner"].email)
    member = session.exec(select(EmployerMember).where(EmployerMember.user_id == colleague.id)).one()
    assert owner_client.post(f"/werkgever/organisatie/collegas/{member.id}/verwijderen").status_code == 302
    response = owner_client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "Collega Terug", "email": colleague.email})
    assert response.status_code == 422
    assert "Alleen een beheerder van Stagebrug kan het weer openen." in response.get_data(as_text=True)
    session.expire_all()
    user = session.get(User, colleague.id)
    assert not user.is_active and user.password_hash  # unchanged
    assert session.exec(select(EmployerMember).where(EmployerMember.user_id == colleague.id)).first() is None
    assert not any("uitgenodigd" in m.subject for m in _mails_to(session, colleague.email))


def test_the_refusal_is_in_english_for_an_english_owner(app, session, colleague_deactivated_by_admin):
    world = colleague_deactivated_by_admin
    owner_client = app.test_client()
    login(owner_client, world["owner"].email)
    owner_client.post("/auth/taal", data={"lang": "en"})
    member = session.exec(select(EmployerMember).where(EmployerMember.user_id == world["colleague"].id)).one()
    owner_client.post(f"/werkgever/organisatie/collegas/{member.id}/verwijderen")
    response = owner_client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": world["colleague"].email})
    assert response.status_code == 422 and "Only a Stagebrug administrator can open it again." in response.get_data(as_text=True)


def test_an_admin_lifts_the_deactivation_and_the_owner_may_reinvite_again(app, session, colleague_deactivated_by_admin):
    world = colleague_deactivated_by_admin
    colleague = world["colleague"]
    assert world["admin_client"].post(f"/admin/gebruikers/{colleague.id}/actief", data={"active": "1"}).status_code == 302
    session.expire_all()
    assert session.get(User, colleague.id).deactivated_by_admin_at is None
    assert login(app.test_client(), colleague.email).status_code == 302


# --- point 7: no enumeration, the real outcome by e-mail -------------------------------------------------------------


def _page_without(response, *texts):
    """Status and page, without the given texts and the CSRF tokens (they carry a timestamp)."""
    body = re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))
    for text in texts:
        body = body.replace(text, "")
    return response.status_code, body


def test_registration_answers_the_same_for_a_known_e_mail_a_known_kbo_and_a_new_organisation(client, session):
    existing = make_user(session, "coach", email="bekend@example.be")
    employer, _owner = employer_with_user(session)
    answers = [
        client.post("/auth/registreren", data=dict(REGISTRATION, email="bekend@example.be", kbo_number="0403.170.701")),
        client.post("/auth/registreren", data=dict(REGISTRATION, email="nieuw1@example.be", kbo_number=employer.kbo_number)),
        client.post("/auth/registreren", data=dict(REGISTRATION, email="nieuw2@example.be", kbo_number="0403.170.701")),
    ]
    emails = ("bekend@example.be", "nieuw1@example.be", "nieuw2@example.be")
    pages = [_page_without(r, *emails) for r in answers]
    assert pages[0] == pages[1] == pages[2]
    assert pages[0][0] == 200
    # the real outcome went by e-mail; nothing was created for the known ones
    assert "al een account" in _mails_to(session, "bekend@example.be")[0].body_text
    assert "al geregistreerd" in _mails_to(session, "nieuw1@example.be")[0].body_text
    assert "Bevestig" in _mails_to(session, "nieuw2@example.be")[0].subject
    session.refresh(existing)
    assert existing.role == "coach"
    assert session.exec(select(User).where(User.email == "nieuw1@example.be")).first() is None
    assert len(session.exec(select(Employer)).all()) == 2


def test_registration_keeps_its_field_errors(client, session):
    response = client.post("/auth/registreren", data=dict(REGISTRATION, kbo_number="0403.170.702"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Dit is geen geldig ondernemingsnummer" in html and 'value="Bakkerij De Zon"' in html


# --- point 7: limits on every form that sends e-mail ---------------------------------------------------------------


def test_password_reset_sends_a_limited_number_of_mails_per_address(client, session):
    user = make_user(session, "coach")
    for _ in range(10):
        response = client.post("/auth/wachtwoord-vergeten", data={"email": user.email}, follow_redirects=True)
        assert "Als dit e-mailadres bij ons bekend is" in response.get_data(as_text=True)
    assert len(_mails_to(session, user.email)) == 3  # MAIL_FORM_LIMIT_PER_TARGET


def test_password_reset_limits_one_client_spraying_many_addresses(app, client, session):
    users = [make_user(session, "coach") for _ in range(12)]
    for user in users:
        client.post("/auth/wachtwoord-vergeten", data={"email": user.email})
    assert len(session.exec(select(OutboxEmail)).all()) == app.config["MAIL_FORM_LIMIT_PER_ADDRESS"]
    other_client = app.test_client()
    other_client.post("/auth/wachtwoord-vergeten", data={"email": users[-1].email}, environ_base={"REMOTE_ADDR": "198.51.100.3"})
    assert len(_mails_to(session, users[-1].email)) == 1  # another address is not refused


def test_an_employer_cannot_send_invitations_without_limit(app, session, login_as):
    _employer, owner = employer_with_user(session)
    client = login_as(owner)
    app.config["MAIL_FORM_LIMIT_PER_ADDRESS"] = 100
    statuses = [client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": f"doel{i}@example.be"}).status_code
                for i in range(25)]
    assert statuses.count(302) == app.config["MAIL_FORM_LIMIT_PER_USER"]
    refused = client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": "nog-een@example.be"})
    assert refused.status_code == 422 and "te veel uitnodigingen" in refused.get_data(as_text=True)
    assert len(session.exec(select(OutboxEmail)).all()) == app.config["MAIL_FORM_LIMIT_PER_USER"]


def test_the_same_address_is_invited_at_most_a_few_times(app, session, login_as):
    _employer, owner = employer_with_user(session)
    client = login_as(owner)
    for _ in range(6):
        client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": "bekend@example.be"})
    assert len(_mails_to(session, "bekend@example.be")) <= app.config["MAIL_FORM_LIMIT_PER_TARGET"]


def test_registration_mails_are_limited_per_address(app, client, session):
    for i in range(12):
        client.post("/auth/registreren", data=dict(REGISTRATION, email=f"r{i}@example.be", kbo_number="0403.170.701"))
    assert len(session.exec(select(OutboxEmail)).all()) == app.config["MAIL_FORM_LIMIT_PER_ADDRESS"]
    refused = client.post("/auth/registreren", data=dict(REGISTRATION, email="r99@example.be"))
    assert refused.status_code == 429 and 'value="Bakkerij De Zon"' in refused.get_data(as_text=True)


def test_login_page_is_not_a_mail_form(client, session):
    user = make_user(session, "coach")
    assert login(client, user.email, TEST_PASSWORD).status_code == 302
    assert _mails_to(session, user.email) == []
