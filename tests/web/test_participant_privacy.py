"""The participant's data rights: consent level, per-proposal consent, data export, view log, erasure by the coach."""
import json
from datetime import date

import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import (
    AuditLog,
    Evaluation,
    MatchSuggestion,
    Notification,
    OneTimeToken,
    Participant,
    ParticipantNote,
    ParticipantSkill,
    PlaceAnswer,
    ProfileView,
    Proposal,
    ProposalEvent,
    Trajectory,
    User,
)


@pytest.fixture
def world(session):
    coach = make_user(session, "coach", full_name="Kris Coach")
    user = make_user(session, "participant", full_name="Amina El Idrissi")
    me = make_participant(session, coach, user=user, first_name="Amina", last_name="El Idrissi", email="amina@example.be",
                          phone="0470 12 34 56", goals="Werken in een magazijn")
    employer = make_employer(session, name="Logistiek Noord")
    place = make_place(session, employer, title="Magazijnmedewerker")
    proposal = make_proposal(session, me, place, decline_note=None)
    session.add(ProposalEvent(proposal_id=proposal.id, to_state="proposed", note="Amina is sterk met de heftruck"))
    session.add(ProfileView(participant_id=me.id, viewer_id=employer.id, employer_id=employer.id, proposal_id=proposal.id))
    session.add(ParticipantNote(participant_id=me.id, author_id=coach.id, body="Amina wil graag vroeg beginnen."))
    session.add(MatchSuggestion(participant_id=me.id, place_id=place.id, score=77, engine_version="t", released_to_participant=True))
    session.add(Evaluation(participant_id=me.id, coach_id=coach.id, held_on=date.today(), decision="ready", summary="Amina is klaar.",
                           attendees="Amina, Kris"))
    session.commit()
    other_coach = make_user(session, "coach")
    return type("World", (), dict(coach=coach, user=user, me=me, employer=employer, place=place, proposal=proposal, other_coach=other_coach))


def test_participant_chooses_what_employers_see(world, session, login_as):
    client = login_as(world.user)
    assert 'checked id="consent_level-0"' in client.get("/deelnemer/gegevens").get_data(as_text=True)
    client.post("/deelnemer/gegevens/toestemming", data={"consent_level": "skills_name"})
    session.refresh(world.me)
    assert world.me.consent_level == "skills_name"
    assert session.exec(select(AuditLog).where(AuditLog.action == "participant.consent_changed")).one()


def test_invalid_consent_level_is_refused(world, session, login_as):
    response = login_as(world.user).post("/deelnemer/gegevens/toestemming", data={"consent_level": "everything"})
    assert response.status_code == 400
    session.refresh(world.me)
    assert world.me.consent_level == "skills"


def test_my_data_page_shows_profile_views_and_per_proposal_consent(world, login_as):
    html = login_as(world.user).get("/deelnemer/gegevens").get_data(as_text=True)
    assert "Wie bekeek mijn profiel?" in html
    assert "Logistiek Noord (Magazijnmedewerker): 1 keer, laatst op" in html
    assert "Logistiek Noord · Magazijnmedewerker: nog niet" in html


def test_consent_shows_once_the_participant_agreed_to_the_proposal(world, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.place.id}/antwoord", data={"yes": "1"})
    assert "Logistiek Noord · Magazijnmedewerker: ja, sinds" in client.get("/deelnemer/gegevens").get_data(as_text=True)


def test_json_export_holds_all_my_data(world, login_as):
    response = login_as(world.user).get("/deelnemer/gegevens/download.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["participant"]["first_name"] == "Amina" and data["participant"]["phone"] == "0470 12 34 56"
    assert data["skills"][0]["name"] == "heftruck"
    assert data["trajectories"][0]["current_phase"] == "jobmatching" and data["trajectories"][0]["phases"]
    assert data["proposals"][0]["place"]["employer"] == "Logistiek Noord"
    assert data["profile_views"][0]["employer"] == "Logistiek Noord"
    assert data["notes"][0]["body"] == "Amina wil graag vroeg beginnen."
    assert data["evaluations"][0]["summary"] == "Amina is klaar."
    assert data["suggestions"][0]["score"] == 77
    assert data["coach"]["name"] == "Kris Coach"


def test_html_export_is_readable(world, login_as):
    html = login_as(world.user).get("/deelnemer/gegevens/download.html").get_data(as_text=True)
    assert "Alles wat Stagebrug over jou weet" in html
    assert "El Idrissi" in html and "Magazijnmedewerker" in html and "Amina wil graag vroeg beginnen." in html


def test_pdf_export_is_a_pdf(world, login_as):
    response = login_as(world.user).get("/deelnemer/gegevens/download.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_erasure_request_needs_the_check_and_notifies_the_coach(world, session, login_as):
    client = login_as(world.user)
    client.post("/deelnemer/gegevens/wissen", data={})
    session.refresh(world.me)
    assert world.me.erasure_requested_at is None
    client.post("/deelnemer/gegevens/wissen", data={"confirm": "y"})
    session.refresh(world.me)
    assert world.me.erasure_requested_at is not None
    note = session.exec(select(Notification).where(Notification.user_id == world.coach.id)).one()
    assert note.kind == "participant.erasure_requested" and note.endpoint == "participant.coach_erasure_requests"
    assert "Je coach moet dit nog bevestigen." in client.get("/deelnemer/gegevens").get_data(as_text=True)


def test_participant_can_take_back_an_erasure_request(world, session, login_as):
    client = login_as(world.user)
    client.post("/deelnemer/gegevens/wissen", data={"confirm": "y"})
    client.post("/deelnemer/gegevens/wissen/annuleren")
    session.refresh(world.me)
    assert world.me.erasure_requested_at is None


def _request_erasure(client):
    client.post("/deelnemer/gegevens/wissen", data={"confirm": "y"})
    client.post("/auth/logout")


def test_coach_confirms_erasure_and_everything_personal_is_gone(world, session, client, login_as):
    _request_erasure(login_as(world.user))
    coach_client = login_as(world.coach)
    page = coach_client.get("/deelnemer/coach/wisverzoeken").get_data(as_text=True)
    assert "Amina El Idrissi" in page
    response = coach_client.post(f"/deelnemer/coach/{world.me.id}/wissen")
    assert response.status_code == 302
    session.expire_all()
    me = session.get(Participant, world.me.id)
    assert me.anonymised_at is not None and me.active is False
    assert "Amina" not in f"{me.first_name} {me.last_name}"
    assert (me.email, me.phone, me.goals, me.postal_code, me.user_id) == (None, None, None, None, None)
    for model in (ParticipantSkill, ParticipantNote, MatchSuggestion, PlaceAnswer, ProfileView):
        assert session.exec(select(model).where(model.participant_id == me.id)).all() == [], model.__name__
    evaluation = session.exec(select(Evaluation).where(Evaluation.participant_id == me.id)).one()
    assert evaluation.summary is None and evaluation.attendees is None and evaluation.decision == "ready"
    assert session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == world.proposal.id)).one().note is None
    # what monitoring needs stays
    assert session.exec(select(Trajectory).where(Trajectory.participant_id == me.id)).one().current_phase == "jobmatching"
    assert session.get(Proposal, world.proposal.id).state == "proposed"
    account = session.get(User, world.user.id)
    assert account.is_active is False and account.password_hash is None and "Amina" not in account.full_name
    assert account.email.startswith("erased-")
    assert session.exec(select(OneTimeToken).where(OneTimeToken.user_id == account.id)).all() == []
    assert session.exec(select(AuditLog).where(AuditLog.action == "participant.anonymised")).one().actor_id == world.coach.id
    # the old login no longer works
    coach_client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": world.user.email, "password": "correct horse battery"}).status_code != 302


def test_another_coach_cannot_confirm_erasure(world, session, login_as):
    _request_erasure(login_as(world.user))
    client = login_as(world.other_coach)
    assert "Amina" not in client.get("/deelnemer/coach/wisverzoeken").get_data(as_text=True)
    assert client.post(f"/deelnemer/coach/{world.me.id}/wissen").status_code == 404
    session.refresh(world.me)
    assert world.me.anonymised_at is None


def test_coach_cannot_erase_without_a_request(world, session, login_as):
    login_as(world.coach).post(f"/deelnemer/coach/{world.me.id}/wissen")
    session.refresh(world.me)
    assert world.me.anonymised_at is None


@pytest.mark.parametrize("role", ["participant", "employer"])
def test_coach_actions_are_refused_to_other_roles(world, session, login_as, role):
    user = world.user if role == "participant" else make_user(session, "employer")
    if role == "employer":
        make_employer(session, user=user)
    client = login_as(user)
    assert client.get("/deelnemer/coach/wisverzoeken").status_code == 403
    assert client.post(f"/deelnemer/coach/{world.me.id}/wissen").status_code == 403
    assert client.get(f"/deelnemer/coach/{world.me.id}/uitnodigen").status_code == 403


def test_coach_invites_own_participant_by_link(app, world, session, login_as):
    coach = world.coach
    participant = make_participant(session, coach, first_name="Bram", email="bram@example.be")
    client = login_as(coach)
    assert "bram@example.be" in client.get(f"/deelnemer/coach/{participant.id}/uitnodigen").get_data(as_text=True)
    response = client.post(f"/deelnemer/coach/{participant.id}/uitnodigen", data={"email": "bram@example.be", "language": "nl"})
    assert response.status_code == 302
    session.refresh(participant)
    account = session.get(User, participant.user_id)
    assert account.role == "participant" and account.password_hash is None
    assert session.exec(select(OneTimeToken).where(OneTimeToken.user_id == account.id, OneTimeToken.purpose == "invite")).one()


def test_coach_cannot_invite_another_coachs_participant(world, session, login_as):
    response = login_as(world.other_coach).post(f"/deelnemer/coach/{world.me.id}/uitnodigen", data={"email": "x@example.be"})
    assert response.status_code == 404


def test_erased_participant_is_gone_from_the_area(world, session, login_as):
    client = login_as(world.user)
    client.post("/deelnemer/gegevens/wissen", data={"confirm": "y"})
    from web.services.anonymisation import anonymise_participant

    me = session.get(Participant, world.me.id)
    session.refresh(me)
    anonymise_participant(session=session, participant=me)
    session.commit()
    assert client.get("/deelnemer/gegevens/download.json").status_code in (302, 404)
