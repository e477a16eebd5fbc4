"""The participant journey: my places in plain words, my yes or no, my trajectory; and who may see what."""
import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import CostSheet, MatchSuggestion, Notification, PlaceAnswer, Proposal, ProposalEvent

EXPLANATION = {
    "matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "similarity": 1.0, "level": 3, "min_level": 2, "required": True}],
    "missing": [{"requirement": "orderpicking", "required": True, "min_level": 2}],
    "distance_km": 4.2,
    "exclusions": [],
    "improvements": [],
}


@pytest.fixture
def world(session):
    """A coach with two participants (one with a login), an employer and three published places."""
    coach = make_user(session, "coach", full_name="Kris Coach")
    user = make_user(session, "participant", full_name="Amina El Idrissi")
    me = make_participant(session, coach, user=user, first_name="Amina")
    other_user = make_user(session, "participant")
    other = make_participant(session, coach, user=other_user)
    employer = make_employer(session, name="Logistiek Noord")
    released = make_place(session, employer, title="Magazijnmedewerker")
    engine_only = make_place(session, employer, title="Heftruckchauffeur")
    proposed = make_place(session, employer, title="Orderpicker")
    sheet = session.exec(select(CostSheet).where(CostSheet.place_id == released.id)).one()
    sheet.mentor_name = "Jan"
    sheet.intention = "hire"
    sheet.contract_type = "vast contract"
    session.add(sheet)
    session.add(MatchSuggestion(participant_id=me.id, place_id=released.id, score=80, explanation=EXPLANATION, engine_version="t",
                                released_to_participant=True))
    session.add(MatchSuggestion(participant_id=me.id, place_id=engine_only.id, score=70, explanation=EXPLANATION, engine_version="t"))
    session.add(MatchSuggestion(participant_id=other.id, place_id=released.id, score=60, engine_version="t", released_to_participant=True))
    session.commit()
    proposal = make_proposal(session, me, proposed)
    return type("World", (), dict(coach=coach, user=user, me=me, other=other, other_user=other_user, employer=employer,
                                  released=released, engine_only=engine_only, proposed=proposed, proposal=proposal))


def test_my_vacancies_shows_released_and_proposed_places_in_plain_words(world, login_as):
    client = login_as(world.user)
    html = client.get("/deelnemer/vacatures").get_data(as_text=True)
    assert "Magazijnmedewerker" in html and "Orderpicker" in html
    assert "In jouw profiel: heftruck — zij vragen: heftruck rijden. Dat past bij wat ze zoeken." in html
    assert "4 km van je huis" in html
    assert "Heftruckchauffeur" not in html  # engine suggestions stay hidden until the coach allows them


def test_engine_suggestions_show_when_the_coach_allows_them(world, session, login_as):
    world.me.engine_suggestions_visible = True
    session.add(world.me)
    session.commit()
    html = login_as(world.user).get("/deelnemer/vacatures").get_data(as_text=True)
    assert "Heftruckchauffeur" in html


def test_excluded_engine_suggestion_is_never_shown(world, session, login_as):
    world.me.engine_suggestions_visible = True
    suggestion = session.exec(select(MatchSuggestion).where(MatchSuggestion.place_id == world.engine_only.id)).one()
    suggestion.excluded = True
    session.add_all([world.me, suggestion])
    session.commit()
    client = login_as(world.user)
    assert "Heftruckchauffeur" not in client.get("/deelnemer/vacatures").get_data(as_text=True)
    assert client.get(f"/deelnemer/vacatures/{world.engine_only.id}").status_code == 404


def test_vacancy_detail_says_what_the_employer_offers(world, login_as):
    html = login_as(world.user).get(f"/deelnemer/vacatures/{world.released.id}").get_data(as_text=True)
    assert "Op het werk helpt Jan je." in html
    assert "Dan wil de werkgever je een job geven." in html
    assert "vast contract" in html
    assert "Orderpicking: dat vragen ze ook." in html
    assert "Ik wil dit" in html and "Liever niet" in html


def test_yes_on_a_suggestion_is_stored_and_the_coach_is_notified(world, session, login_as):
    client = login_as(world.user)
    response = client.post(f"/deelnemer/vacatures/{world.released.id}/antwoord", data={"yes": "1"})
    assert response.status_code == 302
    answer = session.exec(select(PlaceAnswer).where(PlaceAnswer.participant_id == world.me.id)).one()
    assert answer.answer == "interested" and answer.place_id == world.released.id and answer.answered_by_id == world.user.id
    note = session.exec(select(Notification).where(Notification.user_id == world.coach.id)).one()
    assert note.kind == "participant.answered"
    assert note.payload["answer"] == "interested" and note.payload["participant_id"] == world.me.id
    assert note.endpoint == "coach.participant" and note.endpoint_args == {"participant_id": world.me.id}
    assert "Je zei: ik wil dit" in client.get("/deelnemer/vacatures").get_data(as_text=True)


def test_no_with_a_reason_on_a_suggestion_is_stored(world, session, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.released.id}/antwoord", data={"no": "1", "reason": "distance"})
    answer = session.exec(select(PlaceAnswer).where(PlaceAnswer.participant_id == world.me.id)).one()
    assert (answer.answer, answer.reason) == ("not_interested", "distance")


def test_a_suggestion_cannot_be_answered_twice(world, session, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.released.id}/antwoord", data={"yes": "1"})
    response = client.post(f"/deelnemer/vacatures/{world.released.id}/antwoord", data={"no": "1"}, follow_redirects=True)
    assert "Je hebt hier al op geantwoord." in response.get_data(as_text=True)
    assert session.exec(select(PlaceAnswer)).one().answer == "interested"


def test_yes_on_a_proposal_records_consent_through_the_pipeline(world, session, login_as):
    login_as(world.user).post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"})
    session.refresh(world.proposal)
    assert world.proposal.state == "participant_agreed"
    assert world.proposal.participant_consented_at is not None
    event = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == world.proposal.id)).one()
    assert (event.from_state, event.to_state, event.actor_id) == ("proposed", "participant_agreed", world.user.id)
    assert session.exec(select(PlaceAnswer)).first() is None
    assert session.exec(select(Notification).where(Notification.user_id == world.coach.id)).one().payload["proposal_id"] == world.proposal.id


def test_no_on_a_proposal_declines_it_with_the_reason(world, session, login_as):
    login_as(world.user).post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"no": "1", "reason": "schedule"})
    session.refresh(world.proposal)
    assert (world.proposal.state, world.proposal.decline_reason, world.proposal.declined_by) == ("declined", "schedule", "participant")


def test_no_without_a_reason_is_fine(world, session, login_as):
    login_as(world.user).post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"no": "1"})
    session.refresh(world.proposal)
    assert world.proposal.state == "declined" and world.proposal.decline_reason == "not_interested"


def test_trajectory_shows_phase_due_date_and_proposals_in_plain_words(world, login_as):
    html = login_as(world.user).get("/deelnemer/traject").get_data(as_text=True)
    assert "Jobmatching" in html
    assert "Klaar rond" in html
    assert "Orderpicker" in html
    assert "Je coach stelt deze stage voor. Zeg of je het wil." in html
    assert "2 stageplaatsen wachten op jouw antwoord." in html


def test_dashboard_counts_places_waiting_for_my_answer(world, login_as):
    html = login_as(world.user).get("/deelnemer/").get_data(as_text=True)
    assert "2 wachten op jouw antwoord" in html


def test_pages_are_in_english_too(world, session, login_as):
    world.user.language = "en"
    session.add(world.user)
    session.commit()
    client = login_as(world.user)
    html = client.get(f"/deelnemer/vacatures/{world.released.id}").get_data(as_text=True)
    assert "I want this" in html and "In your profile: heftruck — they ask for: heftruck rijden. That fits what they are looking for." in html
    assert "My trajectory" in client.get("/deelnemer/traject").get_data(as_text=True)


# --- authorisation -------------------------------------------------------------------------------

OWN_GETS = ["/deelnemer/", "/deelnemer/vacatures", "/deelnemer/traject", "/deelnemer/gegevens", "/deelnemer/gegevens/download.json",
            "/deelnemer/gegevens/download.html"]


def test_another_participants_place_is_not_found(world, session, login_as):
    client = login_as(world.other_user)
    assert client.get(f"/deelnemer/vacatures/{world.proposed.id}").status_code == 404
    assert client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"}).status_code == 404
    assert client.get(f"/deelnemer/vacatures/{world.engine_only.id}").status_code == 404
    session.refresh(world.proposal)
    assert world.proposal.state == "proposed"


def test_an_unknown_place_is_not_found(world, login_as):
    assert login_as(world.user).get("/deelnemer/vacatures/999999").status_code == 404


def test_another_participant_sees_only_their_own_data(world, login_as):
    client = login_as(world.other_user)
    for path in ("/deelnemer/vacatures", "/deelnemer/traject", "/deelnemer/gegevens/download.json"):
        body = client.get(path).get_data(as_text=True)
        assert "Amina" not in body and "Orderpicker" not in body, path


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
def test_other_roles_get_403_on_participant_pages(world, session, login_as, role):
    user = make_user(session, role)
    if role == "employer":
        make_employer(session, user=user)
    client = login_as(user)
    for path in OWN_GETS + [f"/deelnemer/vacatures/{world.released.id}"]:
        assert client.get(path).status_code == 403, path
    for path in (f"/deelnemer/vacatures/{world.released.id}/antwoord", "/deelnemer/gegevens/toestemming", "/deelnemer/gegevens/wissen"):
        assert client.post(path, data={"yes": "1"}).status_code == 403, path


def test_anonymous_visitor_is_sent_to_login(world, client):
    for path in OWN_GETS:
        assert client.get(path).status_code == 302, path


def test_participant_login_without_a_record_gets_404_on_own_pages(session, login_as):
    client = login_as(make_user(session, "participant"))
    assert client.get("/deelnemer/").status_code == 200
    assert client.get("/deelnemer/vacatures").status_code == 404


def test_answer_form_needs_csrf_token(app, world, login_as, session):
    client = login_as(world.user)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"}).status_code == 400
    session.refresh(world.proposal)
    assert world.proposal.state == "proposed"



def test_service_lets_the_coach_answer_on_behalf_of_the_participant(app, session):
    from web.services.participant_portal import answer_vacancy

    coach = make_user(session, "coach")
    participant = make_participant(session, coach)
    place = make_place(session, make_employer(session))
    proposal = make_proposal(session, participant, place)
    with app.test_request_context():
        answer_vacancy(session=session, participant=participant, place_id=place.id, interested=True, actor=coach)
    session.commit()
    refreshed = session.get(Proposal, proposal.id)
    assert refreshed.state == "participant_agreed" and refreshed.participant_consented_at is not None


# --- changing my mind after a yes ------------------------------------------------------------------------------------


def _employer_user(session, employer):
    from web.models import EmployerMember, User

    member = session.exec(select(EmployerMember).where(EmployerMember.employer_id == employer.id)).first()
    return session.get(User, member.user_id)


def test_after_a_yes_the_page_offers_no_after_all_instead_of_the_answer_buttons(app, world, session, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"})
    world.proposal.state = "employer_interested"  # the employer answered after the yes
    session.add(world.proposal)
    session.commit()
    html = client.get(f"/deelnemer/vacatures/{world.proposed.id}").get_data(as_text=True)
    assert "Je zei ja. Toch niet meer?" in html and "De werkgever ziet dan je naam en telefoonnummer niet meer" in html
    assert 'name="yes"' not in html  # a second yes would move the proposal back a step
    response = client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"}, follow_redirects=True)
    assert "Je hebt hier al op geantwoord." in response.get_data(as_text=True)
    session.refresh(world.proposal)
    assert world.proposal.state == "employer_interested"


def test_no_after_all_declines_the_proposal_hides_my_contact_and_tells_the_coach(app, world, session, login_as):
    world.me.phone = "0470 55 44 33"
    session.add(world.me)
    session.commit()
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"})
    employer = app.test_client()
    from tests.conftest import login

    login(employer, _employer_user(session, world.employer).email)
    assert "0470 55 44 33" in employer.get(f"/werkgever/voorstellen/{world.proposal.id}").get_data(as_text=True)

    response = client.post(f"/deelnemer/vacatures/{world.proposed.id}/toch-niet", data={"reason": "schedule"}, follow_redirects=True)
    assert "je zegt toch liever niet" in response.get_data(as_text=True)
    session.refresh(world.proposal)
    assert (world.proposal.state, world.proposal.decline_reason, world.proposal.declined_by) == ("declined", "schedule", "participant")
    last = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == world.proposal.id).order_by(ProposalEvent.id.desc())).first()
    assert (last.from_state, last.to_state, last.actor_id, last.data["after_yes"]) == ("participant_agreed", "declined", world.user.id, True)
    notes = session.exec(select(Notification).where(Notification.user_id == world.coach.id).order_by(Notification.id)).all()
    assert [n.payload["answer"] for n in notes] == ["interested", "took_back"]
    assert "0470 55 44 33" not in employer.get(f"/werkgever/voorstellen/{world.proposal.id}").get_data(as_text=True)
    # nothing left to take back
    again = client.post(f"/deelnemer/vacatures/{world.proposed.id}/toch-niet", data={}, follow_redirects=True)
    assert "er is niets terug te nemen" in again.get_data(as_text=True)
    assert len(session.exec(select(Notification).where(Notification.user_id == world.coach.id)).all()) == 2


def test_no_after_all_on_a_suggestion_changes_my_answer(world, session, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.released.id}/antwoord", data={"yes": "1"})
    client.post(f"/deelnemer/vacatures/{world.released.id}/toch-niet", data={"reason": "distance"})
    answer = session.exec(select(PlaceAnswer).where(PlaceAnswer.participant_id == world.me.id)).one()
    assert (answer.answer, answer.reason) == ("not_interested", "distance")
    assert session.exec(select(Notification).order_by(Notification.id.desc())).first().payload["answer"] == "took_back"


def test_once_the_stage_is_agreed_the_participant_talks_to_the_coach(world, session, login_as):
    client = login_as(world.user)
    client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"})
    world.proposal.state = "stage_agreed"
    session.add(world.proposal)
    session.commit()
    html = client.get(f"/deelnemer/vacatures/{world.proposed.id}").get_data(as_text=True)
    assert "Toch niet meer?" not in html and "Praat erover met je coach." in html
    response = client.post(f"/deelnemer/vacatures/{world.proposed.id}/toch-niet", data={}, follow_redirects=True)
    assert "de stage is al afgesproken" in response.get_data(as_text=True)
    session.refresh(world.proposal)
    assert world.proposal.state == "stage_agreed"


def test_no_after_all_needs_my_place_and_a_yes(world, session, login_as):
    client = login_as(world.user)
    assert client.post(f"/deelnemer/vacatures/{world.engine_only.id}/toch-niet", data={}).status_code == 404  # not released to me
    response = client.post(f"/deelnemer/vacatures/{world.released.id}/toch-niet", data={}, follow_redirects=True)  # no yes yet
    assert "er is niets terug te nemen" in response.get_data(as_text=True)
    assert session.exec(select(PlaceAnswer)).first() is None and session.exec(select(Notification)).first() is None


def test_no_after_all_in_english(world, session, login_as):
    client = login_as(world.user)
    client.post("/auth/taal", data={"lang": "en", "next": "/deelnemer/"})
    client.post(f"/deelnemer/vacatures/{world.proposed.id}/antwoord", data={"yes": "1"})
    html = client.get(f"/deelnemer/vacatures/{world.proposed.id}").get_data(as_text=True)
    assert "You said yes. Changed your mind?" in html and "No after all" in html
