"""Authorisation in the employer area (another organisation's ids: 404; other roles: 403) and the organisation profile."""
import pytest
from sqlmodel import select

from tests.conftest import make_participant, make_proposal, make_user
from tests.web.employer_helpers import (
    complete_sheet,
    draft_place,
    employer_with_user,
    place_form_data,
    sheet_form_data,
)
from web.models import EmployerMember, OneTimeToken, OutboxEmail, User

OBJECT_ROUTES = [
    ("GET", "/werkgever/plaatsen/{place}"),
    ("GET", "/werkgever/plaatsen/{place}/bewerken"),
    ("POST", "/werkgever/plaatsen/{place}/bewerken"),
    ("GET", "/werkgever/plaatsen/{place}/fiche/bewerken"),
    ("POST", "/werkgever/plaatsen/{place}/fiche/bewerken"),
    ("POST", "/werkgever/plaatsen/{place}/status"),
    ("POST", "/werkgever/plaatsen/{place}/dupliceren"),
    ("GET", "/werkgever/plaatsen/{place}/fiche"),
    ("GET", "/werkgever/plaatsen/{place}/fiche.pdf"),
    ("GET", "/werkgever/voorstellen/{proposal}"),
    ("POST", "/werkgever/voorstellen/{proposal}/antwoord/interested"),
    ("POST", "/werkgever/voorstellen/{proposal}/antwoord/intake"),
    ("POST", "/werkgever/voorstellen/{proposal}/antwoord/decline"),
]
AREA_ROUTES = [
    ("GET", "/werkgever/"),
    ("GET", "/werkgever/organisatie"),
    ("POST", "/werkgever/organisatie"),
    ("POST", "/werkgever/organisatie/uitnodigen"),
    ("GET", "/werkgever/plaatsen"),
    ("GET", "/werkgever/plaatsen/nieuw"),
    ("POST", "/werkgever/plaatsen/nieuw"),
    ("GET", "/werkgever/voorstellen"),
    ("GET", "/werkgever/suggesties/beroepen?q=mag"),
    ("GET", "/werkgever/suggesties/vaardigheden?q=hef"),
] + OBJECT_ROUTES

ANSWER_DATA = {"action": "publish", "reason": "other", "option1": "2099-01-01T10:00"}


@pytest.fixture
def other_org(session):
    """Another employer's place (with a full sheet) and a proposal for it."""
    other, _user = employer_with_user(session)
    place = draft_place(session, other, status="published", title="Geheime plaats")
    complete_sheet(session, place)
    coach = make_user(session, "coach")
    proposal = make_proposal(session, make_participant(session, coach), place)
    return {"place": place, "proposal": proposal}


def _call(client, method, url, data=None):
    return client.get(url) if method == "GET" else client.post(url, data=data or {})


@pytest.mark.parametrize("method, route", OBJECT_ROUTES)
def test_employer_cannot_reach_another_employers_places_sheets_or_proposals(client, session, login_as, other_org, method, route):
    _mine, user = employer_with_user(session)
    login_as(user)
    url = route.format(place=other_org["place"].id, proposal=other_org["proposal"].id)
    data = {**place_form_data(), **sheet_form_data(), **ANSWER_DATA}
    response = _call(client, method, url, data)
    assert response.status_code == 404, url
    assert "Geheime plaats" not in response.get_data(as_text=True)
    session.refresh(other_org["place"])
    session.refresh(other_org["proposal"])
    assert other_org["place"].status == "published" and other_org["place"].title == "Geheime plaats"
    assert other_org["proposal"].state == "proposed"


@pytest.mark.parametrize("role", ["coach", "participant", "admin"])
@pytest.mark.parametrize("method, route", AREA_ROUTES)
def test_other_roles_get_403_on_every_employer_route(client, session, login_as, other_org, role, method, route):
    if role == "participant":
        user = make_user(session, "participant")
        make_participant(session, make_user(session, "coach"), user=user)
    else:
        user = make_user(session, role)
    login_as(user)
    url = route.format(place=other_org["place"].id, proposal=other_org["proposal"].id)
    assert _call(client, method, url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client, other_org):
    response = client.get(f"/werkgever/plaatsen/{other_org['place'].id}/fiche.pdf")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_members_edit_their_organisation_profile(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    data = {"name": "Bakkerij Peeters", "sector": "horeca", "street": "Kerkstraat 1", "postal_code": "2000", "contact_name": "An Peeters",
            "contact_email": "an@bakkerij.be", "contact_phone": "03 123 45 67", "size": "10-49"}
    assert client.post("/werkgever/organisatie", data=data).status_code == 302
    session.refresh(employer)
    assert (employer.name, employer.sector, employer.postal_code, employer.city, employer.size) == (
        "Bakkerij Peeters", "horeca", "2000", "Antwerpen", "10-49")


def test_organisation_profile_rejects_bad_input_next_to_the_field(client, session, login_as):
    employer, user = employer_with_user(session)
    login_as(user)
    data = {"name": "<script>x</script>", "sector": "horeca", "postal_code": "9000", "contact_name": "An Peeters"}
    response = client.post("/werkgever/organisatie", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="name-error"' in html and 'value="An Peeters"' in html and "<script>x" not in html


def test_a_member_invites_a_colleague_who_joins_the_same_organisation(client, session, login_as, app):
    employer, user = employer_with_user(session)
    login_as(user)
    response = client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "Bert Collega", "email": "bert@bedrijf.be"})
    assert response.status_code == 302
    colleague = session.exec(select(User).where(User.email == "bert@bedrijf.be")).one()
    assert colleague.role == "employer" and colleague.password_hash is None
    member = session.exec(select(EmployerMember).where(EmployerMember.user_id == colleague.id)).one()
    assert member.employer_id == employer.id and not member.is_owner
    assert session.exec(select(OneTimeToken).where(OneTimeToken.user_id == colleague.id)).first() is not None
    assert session.exec(select(OutboxEmail).where(OutboxEmail.to_address == "bert@bedrijf.be")).first() is not None
    html = client.get("/werkgever/organisatie").get_data(as_text=True)
    assert "Bert Collega" in html


def test_inviting_an_existing_address_answers_as_for_a_new_one_and_changes_nothing(client, session, login_as):
    """Issue 14, point 7: the answer does not tell whether the address has an account; the address is told by e-mail."""
    _employer, user = employer_with_user(session)
    other = make_user(session, "coach")
    login_as(user)
    known = client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": other.email}, follow_redirects=True)
    new = client.post("/werkgever/organisatie/uitnodigen", data={"full_name": "X", "email": "nieuw@bedrijf.be"}, follow_redirects=True)
    assert known.status_code == new.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "").replace("nieuw@bedrijf.be", "")  # noqa: E731
    assert "Je collega krijgt een e-mail" in strip(known, other.email)
    assert session.exec(select(EmployerMember).where(EmployerMember.user_id == other.id)).first() is None
    assert session.exec(select(OneTimeToken).where(OneTimeToken.user_id == other.id)).first() is None
    session.refresh(other)
    assert other.role == "coach" and other.password_hash
    assert "al een account" in session.exec(select(OutboxEmail).where(OutboxEmail.to_address == other.email)).one().body_text


def test_colleagues_share_the_organisations_places(client, session, login_as):
    employer, _owner = employer_with_user(session)
    colleague = make_user(session, "employer")
    session.add(EmployerMember(employer_id=employer.id, user_id=colleague.id))
    session.commit()
    place = draft_place(session, employer, title="Gedeelde plaats")
    login_as(colleague)
    assert "Gedeelde plaats" in client.get(f"/werkgever/plaatsen/{place.id}").get_data(as_text=True)


def test_employer_user_without_organisation_gets_403(client, session, login_as):
    user = make_user(session, "employer")
    login_as(user)
    assert client.get("/werkgever/plaatsen").status_code == 403
