"""Employer onboarding and vetting: e-mail confirmation before the first publication, the admin's review queue,
places of unreviewed organisations invisible to coaches and the engine, the admin's list, the first-run guide."""
import re

import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_user
from web.models import AuditLog, Employer, Notification, OutboxEmail, StagePlace, User
from web.services import matching as matching_service
from web.services.vetting import review_employer


def _register(client, email="nieuw@bedrijf.be"):
    from web.validators import kbo_is_valid

    kbo = next(f"0{n:07d}{97 - n % 97:02d}" for n in range(4567001, 4567999) if kbo_is_valid(f"0{n:07d}{97 - n % 97:02d}"))
    data = {"organisation_name": "Nieuw Bedrijf", "kbo_number": kbo, "sector": "logistiek", "postal_code": "9000", "street": "Kaai 1",
            "full_name": "Nina Nieuw", "email": email, "password": "een heel goed wachtwoord", "password_confirm": "een heel goed wachtwoord",
            "confirm_password": "een heel goed wachtwoord", "accept": "y", "terms": "y"}
    return client.post("/auth/registreren", data=data)


def test_a_new_organisation_waits_for_review_and_must_confirm_its_email(client, session):
    """Registration mails one link (issue 14: no password at registration); choosing the password through it
    confirms the address (issue 16). The organisation still waits for the admin's review."""
    response = _register(client)
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    user = session.exec(select(User).where(User.email == "nieuw@bedrijf.be")).one()
    employer = session.exec(select(Employer).where(Employer.name == "Nieuw Bedrijf")).one()
    assert employer.review_status == "pending" and user.email_verified is False and user.password_hash is None
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == "nieuw@bedrijf.be")).one()
    link = re.search(r"http://\S+", mail.body_text).group(0).replace("http://127.0.0.1:5000", "")
    assert client.get("/auth/bevestigen/nonsense").status_code == 410
    assert client.post(link, data={"password": "een heel goed wachtwoord", "password_confirm": "een heel goed wachtwoord"}).status_code == 302
    session.refresh(user)
    assert user.email_verified is True
    assert session.exec(select(AuditLog).where(AuditLog.action == "user.email_verified")).one()
    dashboard = client.get("/werkgever/").get_data(as_text=True)
    assert 'data-testid="review-status"' in dashboard and 'data-testid="first-run"' in dashboard
    assert 'data-testid="verify-email"' not in dashboard


def test_an_unconfirmed_address_is_confirmed_through_the_signed_link(client, session, login_as):
    user = make_user(session, "employer", email_verified=False)
    make_employer(session, user=user)
    login_as(user)
    dashboard = client.get("/werkgever/").get_data(as_text=True)
    assert 'data-testid="verify-email"' in dashboard
    assert client.post("/werkgever/bevestiging-opnieuw").status_code == 302
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).one()
    link = re.search(r"/auth/bevestigen/\S+", mail.body_text).group(0)
    assert client.get(link).status_code == 302
    session.refresh(user)
    assert user.email_verified is True
    assert session.exec(select(AuditLog).where(AuditLog.action == "user.email_verified")).one()
    assert 'data-testid="verify-email"' not in client.get("/werkgever/").get_data(as_text=True)


def test_an_unverified_employer_cannot_publish_and_is_told_why(client, session, login_as):
    user = make_user(session, "employer", email_verified=False)
    employer = make_employer(session, user=user)
    place = make_place(session, employer, status="draft", published_at=None, expires_at=None)
    login_as(user)
    assert "Bevestig eerst je e-mailadres" in client.get(f"/werkgever/plaatsen/{place.id}").get_data(as_text=True)
    client.post(f"/werkgever/plaatsen/{place.id}/status", data={"action": "publish"})
    session.refresh(place)
    assert place.status == "draft"


@pytest.mark.parametrize("status", ["pending", "more_info", "refused"])
def test_an_unreviewed_organisations_places_are_invisible_to_coaches_and_the_engine(app, client, session, login_as, status):
    coach = make_user(session, "coach")
    make_participant(session, coach, skills=(("heftruck rijden", 3),))
    waiting = make_place(session, make_employer(session, review_status=status), title="Wachtende plaats")
    approved = make_place(session, make_employer(session), title="Aanvaarde plaats")
    with app.test_request_context():
        matching_service.refresh_all_matches(session=session)
        session.commit()
    login_as(coach)
    listing = client.get("/coach/stageplaatsen").get_data(as_text=True)
    assert "Aanvaarde plaats" in listing and "Wachtende plaats" not in listing
    assert client.get(f"/coach/stageplaatsen/{waiting.id}").status_code == 404
    assert client.get(f"/coach/stageplaatsen/{approved.id}").status_code == 200
    from web.models import MatchSuggestion

    scored = {s.place_id for s in session.exec(select(MatchSuggestion)).all()}
    assert waiting.id not in scored


def test_the_admin_reviews_from_the_queue_and_the_owner_gets_the_message(app, client, session, login_as):
    owner = make_user(session, "employer")
    employer = make_employer(session, user=owner, review_status="pending", name="Wachtend Bedrijf")
    admin = make_user(session, "admin")
    login_as(admin)
    page = client.get("/admin/organisaties").get_data(as_text=True)
    assert f'data-testid="review-{employer.id}"' in page and "1 organisatie wacht op nazicht" in page
    response = client.post(f"/admin/organisaties/{employer.id}/beoordeling", data={"action": "more_info", "message": ""})
    assert response.status_code == 422 and "Schrijf de organisatie" in response.get_data(as_text=True)
    client.post(f"/admin/organisaties/{employer.id}/beoordeling", data={"action": "more_info", "message": "Stuur ons je KBO-uittreksel."})
    session.refresh(employer)
    assert employer.review_status == "more_info" and employer.reviewed_by_id == admin.id
    note = session.exec(select(Notification).where(Notification.user_id == owner.id)).one()
    assert note.kind == "employer.review_more_info"
    client.post(f"/admin/organisaties/{employer.id}/beoordeling", data={"action": "approve", "message": ""})
    session.refresh(employer)
    assert employer.review_status == "approved"
    listing = client.get("/admin/organisaties").get_data(as_text=True)
    assert 'data-testid="organisations"' in listing and "Wachtend Bedrijf" in listing and "Niemand wacht." in listing


def test_only_an_admin_reviews_and_the_form_needs_csrf(csrf_app, session):
    from tests.web.test_security_matrix import login_with_csrf

    employer = make_employer(session, review_status="pending")
    client = csrf_app.test_client()
    login_with_csrf(client, make_user(session, "admin"))
    assert client.post(f"/admin/organisaties/{employer.id}/beoordeling", data={"action": "approve"}).status_code == 400
    session.refresh(employer)
    assert employer.review_status == "pending"
    with csrf_app.test_request_context():
        from web.services.vetting import VettingError

        with pytest.raises(VettingError):
            review_employer(session=session, employer=employer, admin=make_user(session, "coach"), action="approve", message=None)


def test_an_approved_place_of_a_seeded_employer_stays_visible(session):
    place = make_place(session, make_employer(session))
    assert session.get(StagePlace, place.id).status == "published"
    assert session.get(Employer, place.employer_id).review_status == "approved"
