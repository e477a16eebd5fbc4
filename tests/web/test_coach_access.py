"""Team access in the coach area: own caseload, a shared team's caseload, never another team's; other roles 403."""
import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import Evaluation, Team, Trajectory
from web.services.evaluations import RUBRIC_ITEMS


def _evaluation(session, participant, coach):
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    scores = {item: {"score": 3, "motivation": "ok"} for item in RUBRIC_ITEMS}
    evaluation = Evaluation(participant_id=participant.id, trajectory_id=trajectory.id, coach_id=coach.id, held_on=trajectory.started_on,
                            scores=scores, decision="ready")
    session.add(evaluation)
    session.commit()
    return evaluation


@pytest.fixture
def world(session):
    shared = Team(name="Gent", shared_caseload=True)
    closed = Team(name="Antwerpen", shared_caseload=False)
    session.add(shared)
    session.add(closed)
    session.commit()
    me = make_user(session, "coach", team_id=shared.id)
    colleague = make_user(session, "coach", team_id=shared.id)
    stranger = make_user(session, "coach", team_id=closed.id)
    place = make_place(session, make_employer(session))
    theirs = make_participant(session, stranger, first_name="Vreemde")
    proposal = make_proposal(session, theirs, place)
    evaluation = _evaluation(session, theirs, stranger)
    return {"me": me, "colleague": colleague, "stranger": stranger, "place": place, "theirs": theirs, "proposal": proposal, "evaluation": evaluation,
            "colleagues_participant": make_participant(session, colleague, first_name="Collega")}


def _object_routes(w):
    pid, prop, ev, place = w["theirs"].id, w["proposal"].id, w["evaluation"].id, w["place"].id
    return [
        ("get", f"/coach/deelnemers/{pid}", None),
        ("get", f"/coach/deelnemers/{pid}/profiel", None),
        ("post", f"/coach/deelnemers/{pid}/profiel", {"first_name": "X", "last_name": "Y", "postal_code": "9000", "max_distance_km": "5", "hours_per_week": "20"}),
        ("get", f"/coach/deelnemers/{pid}/plaatsen", None),
        ("get", f"/coach/deelnemers/{pid}/voorstel/{place}", None),
        ("post", f"/coach/deelnemers/{pid}/voorstel/{place}", {"motivation": "x"}),
        ("get", f"/coach/voorstellen/{prop}", None),
        ("post", f"/coach/voorstellen/{prop}/berichten", {"body": "x"}),
        ("post", f"/coach/voorstellen/{prop}/andere-momenten", {}),
        ("post", f"/coach/deelnemers/{pid}/notities", {"body": "x"}),
        ("post", f"/coach/deelnemers/{pid}/fase", {"phase": "stage", "reason": "x"}),
        ("post", f"/coach/deelnemers/{pid}/pauze", {"action": "hold", "reason": "x"}),
        ("post", f"/coach/deelnemers/{pid}/overdragen", {"coach_id": w["me"].id}),
        ("get", f"/coach/deelnemers/{pid}/evaluaties/nieuw", None),
        ("post", f"/coach/deelnemers/{pid}/evaluaties/nieuw", {"held_on": "2026-01-01"}),
        ("get", f"/coach/evaluaties/{ev}", None),
        ("get", f"/coach/evaluaties/{ev}/bewerken", None),
        ("post", f"/coach/evaluaties/{ev}/bewerken", {"held_on": "2026-01-01"}),
        ("post", f"/coach/evaluaties/{ev}/afronden", {}),
        ("post", f"/coach/voorstellen/{prop}/status", {"to_state": "withdrawn"}),
        ("post", f"/coach/deelnemers/{pid}/voorstel/{place}", {"motivation": "x", "koppeling": "1"}),
    ]


def test_coach_gets_404_for_every_object_of_another_team(session, client, login_as, world):
    login_as(world["me"])
    for method, url, data in _object_routes(world):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
    session.refresh(world["proposal"])
    assert world["proposal"].state == "proposed"


def test_other_team_never_shows_in_lists(session, client, login_as, world):
    login_as(world["me"])
    for url in ("/coach/deelnemers", "/coach/koppelingen", f"/coach/stageplaatsen/{world['place'].id}"):
        assert "Vreemde" not in client.get(url).get_data(as_text=True), url


def test_shared_team_caseload_is_visible_and_editable(session, client, login_as, world):
    login_as(world["me"])
    assert "Collega" in client.get("/coach/deelnemers").get_data(as_text=True)
    assert client.get(f"/coach/deelnemers/{world['colleagues_participant'].id}").status_code == 200
    assert "Collega" not in client.get("/coach/deelnemers?wie=eigen").get_data(as_text=True)


def test_team_without_sharing_sees_only_own(session, client, login_as, world):
    colleague_of_stranger = make_user(session, "coach", team_id=world["stranger"].team_id)
    login_as(colleague_of_stranger)
    assert client.get(f"/coach/deelnemers/{world['theirs'].id}").status_code == 404


@pytest.mark.parametrize("role", ["employer", "participant", "admin"])
def test_other_roles_get_403_on_coach_routes(session, client, login_as, world, role):
    user = make_user(session, role)
    login_as(user)
    for method, url, data in _object_routes(world) + [("get", "/coach/deelnemers", None), ("get", "/coach/koppelingen", None), ("get", "/coach/import", None)]:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (role, method, url, response.status_code)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/coach/deelnemers/{world['theirs'].id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_hand_over_only_within_team(session, client, login_as, world):
    login_as(world["me"])
    mine = make_participant(session, world["me"], first_name="Mijn")
    client.post(f"/coach/deelnemers/{mine.id}/overdragen", data={"coach_id": world["stranger"].id})
    session.refresh(mine)
    assert mine.coach_id == world["me"].id
    client.post(f"/coach/deelnemers/{mine.id}/overdragen", data={"coach_id": world["colleague"].id})
    session.refresh(mine)
    assert mine.coach_id == world["colleague"].id
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == mine.id)).one()
    assert trajectory.coach_id == world["colleague"].id


def test_state_changing_coach_forms_need_csrf(csrf_app, session, world):
    client = csrf_app.test_client()
    from tests.conftest import TEST_PASSWORD

    page = client.get("/auth/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    client.post("/auth/login", data={"email": world["me"].email, "password": TEST_PASSWORD, "csrf_token": token.group(1)})
    mine = make_participant(session, world["me"])
    response = client.post(f"/coach/deelnemers/{mine.id}/notities", data={"body": "zonder token"})
    assert response.status_code == 400
