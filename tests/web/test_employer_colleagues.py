"""Colleagues of an employer organisation: the owner removes a colleague's access or hands over ownership."""
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import login, make_user
from tests.web.employer_helpers import employer_with_user
from web.models import AuditLog, EmployerMember, OneTimeToken, OutboxEmail, User, utcnow


@pytest.fixture
def org(session):
    """An organisation with its owner, an active colleague and a colleague who has not accepted the invitation yet."""
    employer, owner = employer_with_user(session)
    colleague = make_user(session, "employer", full_name="Collega Actief")
    invited = make_user(session, "employer", full_name="Collega Uitgenodigd", password_hash=None)
    members = {}
    for user in (colleague, invited):
        member = EmployerMember(employer_id=employer.id, user_id=user.id, is_owner=False)
        session.add(member)
        session.commit()
        members[user.id] = member.id
    session.add(OneTimeToken(user_id=invited.id, purpose="invite", token_hash="a" * 64, expires_at=utcnow() + timedelta(days=3)))
    session.commit()
    return {"employer": employer, "owner": owner, "colleague": colleague, "invited": invited, "members": members}


def _reload(session, model, pk):
    session.expire_all()
    return session.get(model, pk)


def test_owner_sees_the_actions_and_a_colleague_does_not(app, login_as, org):
    page = login_as(org["owner"]).get("/werkgever/organisatie").get_data(as_text=True)
    assert page.count("Toegang intrekken…") == 2  # both colleagues, not the owner themself
    assert page.count("Eigenaar maken") == 1  # only the one who accepted the invitation
    other = app.test_client()
    login(other, org["colleague"].email)
    page = other.get("/werkgever/organisatie").get_data(as_text=True)
    assert "Toegang intrekken" not in page and "Eigenaar maken" not in page
    assert "Alleen de eigenaar" in page


def test_removing_a_colleague_ends_their_access_at_once(app, session, login_as, org):
    colleague = org["colleague"]
    other = app.test_client()
    login(other, colleague.email)
    assert other.get("/werkgever/plaatsen").status_code == 200
    owner = login_as(org["owner"])
    response = owner.post(f"/werkgever/organisatie/collegas/{org['members'][colleague.id]}/verwijderen", follow_redirects=True)
    assert response.status_code == 200
    assert "Collega Actief heeft geen toegang meer" in response.get_data(as_text=True)
    assert _reload(session, EmployerMember, org["members"][colleague.id]) is None
    assert _reload(session, User, colleague.id).is_active is False
    # their open session stops working on the next request, and they cannot log in again
    assert other.get("/werkgever/plaatsen").status_code == 302
    refused = login(other, colleague.email)
    assert refused.status_code != 302 and other.get("/werkgever/plaatsen").status_code == 302
    audit = session.exec(select(AuditLog).where(AuditLog.action == "employer.member_removed")).one()
    assert audit.actor_id == org["owner"].id and audit.detail == {"user_id": colleague.id}


def test_removing_an_invited_colleague_voids_their_invitation(session, login_as, org):
    invited = org["invited"]
    login_as(org["owner"]).post(f"/werkgever/organisatie/collegas/{org['members'][invited.id]}/verwijderen")
    session.expire_all()
    assert session.exec(select(OneTimeToken).where(OneTimeToken.user_id == invited.id)).all() == []
    assert session.get(User, invited.id).is_active is False


def test_handing_over_ownership(session, login_as, org):
    colleague = org["colleague"]
    client = login_as(org["owner"])
    response = client.post(f"/werkgever/organisatie/collegas/{org['members'][colleague.id]}/eigenaar", follow_redirects=True)
    assert "Collega Actief is nu eigenaar" in response.get_data(as_text=True)
    session.expire_all()
    owners = session.exec(select(EmployerMember).where(EmployerMember.employer_id == org["employer"].id, EmployerMember.is_owner)).all()
    assert [m.user_id for m in owners] == [colleague.id]
    # the former owner is a colleague now and can no longer manage members
    own_member = session.exec(select(EmployerMember).where(EmployerMember.user_id == org["owner"].id)).one()
    assert client.post(f"/werkgever/organisatie/collegas/{org['members'][colleague.id]}/verwijderen").status_code == 403
    assert client.post(f"/werkgever/organisatie/collegas/{own_member.id}/eigenaar").status_code == 403
    assert session.get(User, colleague.id).is_active is True


def test_owner_cannot_remove_themself_or_hand_over_to_someone_who_never_logged_in(session, login_as, org):
    client = login_as(org["owner"])
    own = session.exec(select(EmployerMember).where(EmployerMember.user_id == org["owner"].id)).one()
    response = client.post(f"/werkgever/organisatie/collegas/{own.id}/verwijderen", follow_redirects=True)
    assert "Je kan je eigen toegang niet intrekken" in response.get_data(as_text=True)
    response = client.post(f"/werkgever/organisatie/collegas/{org['members'][org['invited'].id]}/eigenaar", follow_redirects=True)
    assert "nog niet aanvaard" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, org["owner"].id).is_active is True
    assert session.get(EmployerMember, own.id).is_owner is True
    assert session.get(EmployerMember, org["members"][org["invited"].id]).is_owner is False


def test_in_english_the_page_and_the_refusal_are_english(session, login_as, org):
    client = login_as(org["owner"])
    client.post("/auth/taal", data={"lang": "en", "next": "/werkgever/organisatie"})
    page = client.get("/werkgever/organisatie").get_data(as_text=True)
    assert "Remove access" in page and "Make owner" in page and "Toegang intrekken" not in page
    own = session.exec(select(EmployerMember).where(EmployerMember.user_id == org["owner"].id)).one()
    response = client.post(f"/werkgever/organisatie/collegas/{own.id}/verwijderen", follow_redirects=True)
    assert "You cannot remove your own access" in response.get_data(as_text=True)


def test_another_organisations_colleague_is_not_found_and_nothing_changes(session, login_as, org):
    _other, intruder = employer_with_user(session)
    client = login_as(intruder)
    colleague_member = org["members"][org["colleague"].id]
    assert client.post(f"/werkgever/organisatie/collegas/{colleague_member}/verwijderen").status_code == 404
    assert client.post(f"/werkgever/organisatie/collegas/{colleague_member}/eigenaar").status_code == 404
    assert client.post("/werkgever/organisatie/collegas/999999/verwijderen").status_code == 404
    session.expire_all()
    assert session.get(User, org["colleague"].id).is_active is True
    assert session.get(EmployerMember, colleague_member).is_owner is False


def test_a_removed_colleague_can_be_invited_again_and_chooses_a_new_password(app, session, login_as, org):
    from web.models import OutboxEmail

    colleague = org["colleague"]
    client = login_as(org["owner"])
    client.post(f"/werkgever/organisatie/collegas/{org['members'][colleague.id]}/verwijderen")
    response = client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "Collega Terug", "email": colleague.email.upper()})
    assert response.status_code == 302
    session.expire_all()
    user = session.get(User, colleague.id)
    assert user.is_active and user.password_hash is None and user.full_name == "Collega Terug"
    member = session.exec(select(EmployerMember).where(EmployerMember.user_id == colleague.id)).one()
    assert member.employer_id == org["employer"].id and not member.is_owner
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == colleague.email).order_by(OutboxEmail.id.desc())).first()
    assert "uitgenodigd" in mail.subject
    assert session.exec(select(AuditLog).where(AuditLog.action == "user.reinvited")).one().actor_id == org["owner"].id
    # the old password no longer opens the account
    other = app.test_client()
    assert login(other, colleague.email).status_code != 302


def test_an_active_account_cannot_be_invited_into_another_organisation(session, login_as, org):
    _other, intruder = employer_with_user(session)
    response = login_as(intruder).post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": org["colleague"].email})
    # the same answer as for a new address (no enumeration); the address itself is told by e-mail (issue 14, point 7)
    assert response.status_code == 302
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == org["colleague"].email).order_by(OutboxEmail.id.desc())).first()
    assert "al een account" in mail.body_text
    session.expire_all()
    assert session.exec(select(EmployerMember).where(EmployerMember.user_id == org["colleague"].id)).one().employer_id == org["employer"].id
