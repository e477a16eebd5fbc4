"""The number of SQL statements a page sends does not grow with the number of rows it shows (no N+1).

Each test builds 2 rows of everything the page lists, counts the statements of one request, grows to 10 rows and
counts again: the counts must be equal. Timings live in ``bench/bench_pages.py``, not here.
"""
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import (
    Evaluation,
    HoldPeriod,
    MatchSuggestion,
    Meeting,
    PhasePeriod,
    ProposalEvent,
    ProposalMessage,
    Team,
    Trajectory,
    utcnow,
)
from web.services.calendar import BRUSSELS

EXPLANATION = {
    "matched": [{"requirement": "heftruck rijden", "skill": "heftruck", "similarity": 1.0, "level": 3, "min_level": 2, "required": True}],
    "missing": [],
    "distance_km": 4.2,
    "exclusions": [],
    "improvements": [],
}


def count_statements(app, client, url: str) -> int:
    """Request a page (after one warm-up request) and return the number of SQL statements it sent."""
    assert client.get(url).status_code == 200
    seen = []

    def _count(*_args):
        seen.append(1)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", _count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert response.status_code == 200, url
    return len(seen)


# --- participant pages ----------------------------------------------------------------------------


@pytest.fixture
def participant_world(session):
    """A participant with a login; ``grow(n)`` gives them n proposals, suggestions and past trajectories."""
    coach = make_user(session, "coach")
    user = make_user(session, "participant")
    me = make_participant(session, coach, user=user)
    state = {"rows": 0}

    def grow(n: int):
        for i in range(state["rows"], n):
            employer = make_employer(session, name=f"Werkgever {i}")
            place = make_place(session, employer, title=f"Plaats {i}")
            session.add(MatchSuggestion(participant_id=me.id, place_id=place.id, score=50 + i, explanation=EXPLANATION, engine_version="t",
                                        released_to_participant=True))
            proposal = make_proposal(session, me, place)
            session.add(ProposalEvent(proposal_id=proposal.id, from_state=None, to_state="proposed", actor_id=coach.id))
            started = date.today() - timedelta(days=400 + 30 * i)
            past = Trajectory(participant_id=me.id, coach_id=coach.id, current_phase="voortraject", started_on=started,
                              ended_on=started + timedelta(days=20))
            session.add(past)
            session.flush()
            period = PhasePeriod(trajectory_id=past.id, phase="voortraject", started_on=started, due_on=started + timedelta(days=90),
                                 ended_on=started + timedelta(days=20))
            session.add(period)
            session.flush()
            session.add(HoldPeriod(phase_period_id=period.id, started_on=started + timedelta(days=2), ended_on=started + timedelta(days=5)))
            session.commit()
        state["rows"] = n

    return type("World", (), dict(user=user, me=me, grow=staticmethod(grow)))


@pytest.mark.parametrize(
    "url",
    ["/deelnemer/", "/deelnemer/vacatures", "/deelnemer/traject", "/deelnemer/gegevens", "/deelnemer/gegevens/download.json"],
)
def test_participant_page_statements_do_not_grow_with_places_and_proposals(app, participant_world, login_as, url):
    client = login_as(participant_world.user)
    participant_world.grow(2)
    few = count_statements(app, client, url)
    participant_world.grow(10)
    many = count_statements(app, client, url)
    assert many == few, f"{url}: {few} statements with 2 rows, {many} with 10"


def test_participant_export_lists_every_grown_row(app, participant_world, login_as):
    participant_world.grow(3)
    data = login_as(participant_world.user).get("/deelnemer/gegevens/download.json").get_json()
    assert len(data["proposals"]) == 3 and all(len(p["events"]) == 1 for p in data["proposals"])
    assert {p["place"]["employer"] for p in data["proposals"]} == {"Werkgever 0", "Werkgever 1", "Werkgever 2"}
    assert [s["place"]["title"] for s in data["suggestions"]] == ["Plaats 2", "Plaats 1", "Plaats 0"]
    assert len(data["trajectories"]) == 4
    assert sum(len(phase["holds"]) for t in data["trajectories"] for phase in t["phases"]) == 3


# --- coach pages ----------------------------------------------------------------------------------


def test_suggested_assignments_statements_do_not_grow_with_participants_and_places(app, session, login_as):
    coach = make_user(session, "coach")
    employer = make_employer(session)

    def grow(n: int, have: int):
        for i in range(have, n):
            make_participant(session, coach, skills=(("heftruck", 3), ("orderpicking", 2)))
            make_place(session, employer, title=f"Magazijn {i}", skills=(("heftruck rijden", True, 2), ("orderpicking", False, 1)))

    client = login_as(coach)
    grow(2, 0)
    few = count_statements(app, client, "/coach/koppelingen")
    grow(10, 2)
    html = client.get("/coach/koppelingen").get_data(as_text=True)
    assert html.count("Magazijn ") >= 10  # every participant got a place: the page really lists 10 rows
    many = count_statements(app, client, "/coach/koppelingen")
    assert many == few, f"{few} statements with 2 participants and places, {many} with 10"


def _coach_todo_world(session):
    """A coach of a shared team; ``grow(n)`` gives the team n cases of every to-do kind and n cards in every column."""
    team = Team(name="Team Gent", shared_caseload=True)
    session.add(team)
    session.commit()
    coach = make_user(session, "coach", team_id=team.id)
    colleague = make_user(session, "coach", team_id=team.id)
    boss = make_user(session, "employer")
    employer = make_employer(session, user=boss)
    now = utcnow()
    tomorrow = datetime.combine(now.astimezone(BRUSSELS).date() + timedelta(days=1), time(10), tzinfo=BRUSSELS).astimezone(UTC)
    state = {"rows": 0}

    def meeting(proposal, status, starts_at, outcome=None):
        session.add(Meeting(proposal_id=proposal.id, uid=f"{uuid.uuid4()}@test", status=status, starts_at=starts_at,
                            ends_at=starts_at + timedelta(hours=1), location="Gent", outcome=outcome))

    def grow(n: int):
        for i in range(state["rows"], n):
            owner = coach if i % 2 == 0 else colleague
            place = make_place(session, employer, title=f"Plaats {i}")
            person = make_participant(session, owner, skills=())
            session.add(Evaluation(participant_id=person.id, coach_id=owner.id, held_on=date.today()))
            period = session.exec(select(PhasePeriod).join(Trajectory).where(Trajectory.participant_id == person.id)).one()
            period.due_on = date.today() + timedelta(days=3)
            session.add(period)
            cases = {state_: make_proposal(session, make_participant(session, owner), place, state=state_) for state_ in (
                "proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running")}
            answered = make_proposal(session, person, place, state="employer_interested")
            session.add(ProposalEvent(proposal_id=answered.id, to_state="employer_interested", actor_id=boss.id, at=now - timedelta(days=1)))
            session.add(ProposalEvent(proposal_id=cases["proposed"].id, to_state="proposed", actor_id=owner.id, at=now - timedelta(days=9)))
            session.add(ProposalMessage(proposal_id=cases["stage_running"].id, author_side="employer", body="Vraag"))
            meeting(cases["employer_interested"], "option", now + timedelta(days=3))
            meeting(cases["participant_agreed"], "option", now + timedelta(days=4))
            meeting(cases["intake_planned"], "confirmed", tomorrow)
            session.commit()
        state["rows"] = n

    return coach, grow


@pytest.mark.parametrize("url", ["/coach/", "/coach/pijplijn"])
def test_coach_dashboard_and_board_statements_do_not_grow_with_cases(app, session, login_as, url):
    coach, grow = _coach_todo_world(session)
    client = login_as(coach)
    grow(2)
    few = count_statements(app, client, url)
    grow(12)
    html = client.get(url).get_data(as_text=True)
    if url == "/coach/":
        assert html.count('data-testid="todo-link"') == 8 * 10  # every kind is full: 10 rows each
    else:
        assert html.count('data-testid="card"') == 7 * 12  # 12 cards a column, 24 employer_interested
    many = count_statements(app, client, url)
    assert many == few, f"{url}: {few} statements with 2 cases of each kind, {many} with 12"


# --- admin pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/monitoring", "/admin/monitoring/funnel.csv", "/admin/monitoring/places.csv"])
def test_monitoring_statements_do_not_grow_with_proposals_and_places(app, session, login_as, url):
    admin = make_user(session, "admin")
    coach = make_user(session, "coach")
    employer = make_employer(session)

    def grow(n: int, have: int):
        for i in range(have, n):
            person = make_participant(session, coach)
            place = make_place(session, employer, title=f"Plaats {i}")
            proposal = make_proposal(session, person, place, state="declined" if i % 2 else "proposed", decline_reason="distance" if i % 2 else None)
            session.add(ProposalEvent(proposal_id=proposal.id, from_state=None, to_state="proposed", actor_id=coach.id))
            session.commit()

    client = login_as(admin)
    grow(2, 0)
    few = count_statements(app, client, url)
    grow(10, 2)
    many = count_statements(app, client, url)
    assert many == few, f"{url}: {few} statements with 2 proposals, {many} with 10"


# --- paged lists (web/paging.py): a page of 25 out of 2 or 30 rows sends the same statements ----------


@pytest.fixture
def list_world(session):
    """A coach, an employer owner and an admin; ``grow(n)`` gives each list n rows (more than one page at 30)."""
    from web.models import AuditLog

    coach = make_user(session, "coach")
    owner = make_user(session, "employer")
    admin = make_user(session, "admin")
    employer = make_employer(session, user=owner)
    target = make_place(session, employer, title="Doelplaats")
    state = {"rows": 0}

    def grow(n: int):
        for i in range(state["rows"], n):
            person = make_participant(session, coach, consent_level="skills_name")
            other = make_employer(session, name=f"Werkgever {i}", postal_code=("9000", "2000", "3500")[i % 3])
            make_place(session, other, title=f"Plaats {i}", postal_code=("9000", "2000", "3500")[i % 3])
            make_proposal(session, person, target, state="proposed" if i % 2 else "intake_planned")
            session.add(MatchSuggestion(participant_id=person.id, place_id=target.id, score=40 + i, explanation=EXPLANATION, engine_version="t"))
            session.add(AuditLog(actor_id=admin.id, action="test.row", object_type="row", object_id=str(i)))
            make_user(session, "coach")
            session.commit()
        state["rows"] = n

    return type("World", (), dict(coach=coach, owner=owner, admin=admin, target=target, grow=staticmethod(grow)))


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("coach", "/coach/deelnemers"), ("coach", "/coach/deelnemers?sorteer=-dagen&pagina=2"),
        ("coach", "/coach/stageplaatsen"), ("coach", "/coach/stageplaatsen?postcode=9000&sorteer=afstand"),
        ("coach", "/coach/stageplaatsen?q=plaats&beschikbaar=free&sorteer=-vrij&pagina=2"),
        ("coach", "/coach/stageplaatsen/{target}"), ("coach", "/coach/stageplaatsen/{target}?sorteer=naam&pagina=2"),
        ("owner", "/werkgever/voorstellen"), ("owner", "/werkgever/voorstellen?wacht=1&sorteer=status&pagina=2"),
        ("admin", "/admin/gebruikers"), ("admin", "/admin/gebruikers?rol=coach&actief=ja&sorteer=-organisatie&pagina=2"),
        ("admin", "/admin/organisaties"), ("admin", "/admin/organisaties?sorteer=-plaatsen&pagina=2"),
        ("admin", "/admin/audit"), ("admin", "/admin/audit?action=test&sorteer=actie&pagina=2"),
    ],
)
def test_paged_list_statements_do_not_grow_with_rows(app, list_world, login_as, who, url):
    url = url.format(target=list_world.target.id)
    client = login_as(getattr(list_world, who))
    list_world.grow(2)
    few = count_statements(app, client, url)
    list_world.grow(30)
    many = count_statements(app, client, url)
    assert many == few, f"{url}: {few} statements with 2 rows, {many} with 30"


# --- API lists: a page of 2 or 10 rows (all on one page) sends the same statements -------------------------


def count_api_statements(app, client, url: str, token: str) -> int:
    """Call an API list with a token (after one warm-up call) and return the number of SQL statements it sent."""
    from tests.web.api_helpers import auth

    assert client.get(url, headers=auth(token)).status_code == 200
    seen = []

    def _count(*_args):
        seen.append(1)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", _count)
    try:
        response = client.get(url, headers=auth(token))
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert response.status_code == 200, (url, response.get_json())
    return len(seen)


@pytest.mark.parametrize(
    ("who", "url", "count"),
    [
        ("owner", "/api/v1/employer/places", "places"), ("owner", "/api/v1/employer/places?sort=-expires_at", "places"),
        ("owner", "/api/v1/employer/places?status=draft&sort=title", "drafts"),
        ("coach", "/api/v1/coach/participants", "participants"), ("coach", "/api/v1/coach/participants?sort=-last_contact_at", "participants"),
        ("coach", "/api/v1/coach/participants?phase=jobmatching&q=deelnemer", "participants"),
        ("owner", "/api/v1/employer/proposals", "proposals"), ("owner", "/api/v1/employer/proposals?state=intake_planned", "planned"),
    ],
)
def test_api_list_statements_do_not_grow_with_rows(app, session, client, who, url, count):
    """Places with skills, sheets, open proposals and drafts' publish checks; participants with trajectories and skills;
    proposals with their candidates' skills and intake meetings."""
    from tests.conftest import make_meeting
    from tests.web.api_helpers import token_for
    from web.services.cost_sheets import get_or_create_sheet

    coach = make_user(session, "coach")
    owner = make_user(session, "employer")
    employer = make_employer(session, user=owner)
    users = {"coach": coach, "owner": owner}
    token = token_for(app, users[who])

    def grow(n: int, have: int):
        for i in range(have, n):
            person = make_participant(session, coach, skills=(("heftruck", 3), (f"vaardigheid {i}", 2)),
                                      last_contact_at=utcnow() - timedelta(days=i) if i % 2 else None)
            place = make_place(session, employer, title=f"Plaats {i}", status="draft" if i % 2 else "published",
                               expires_at=utcnow() + timedelta(days=i) if i % 3 else None)
            get_or_create_sheet(session=session, place=place)
            proposal = make_proposal(session, person, place, state="intake_planned" if i % 2 else "proposed",
                                     participant_consented_at=utcnow() if i % 2 else None)
            if i % 2:
                make_meeting(session, proposal)
            session.commit()

    grow(2, 0)
    few = count_api_statements(app, client, url, token)
    grow(10, 2)
    many = count_api_statements(app, client, url, token)
    listed = client.get(url, headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed["total"] == {"places": 10, "drafts": 5, "participants": 10, "proposals": 10, "planned": 5}[count] == len(listed["items"])
    assert many == few, f"{url}: {few} statements with 2 rows, {many} with 10"
