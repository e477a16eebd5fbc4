"""The coach's to-do list and the pipeline board: one case of each kind (and a near miss that must not show), the
board's columns and filters, and who may open them.
"""
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import (
    Evaluation,
    HoldPeriod,
    Meeting,
    PhasePeriod,
    ProposalEvent,
    ProposalMessage,
    Team,
    Trajectory,
    utcnow,
)
from web.services import todo as todo_service
from web.services.calendar import BRUSSELS
from web.services.todo import coach_todo, pipeline_board


def _event(session, proposal, to_state, actor, at, from_state=None):
    session.add(ProposalEvent(proposal_id=proposal.id, from_state=from_state, to_state=to_state, actor_id=actor.id, at=at))
    session.commit()


def _meeting(session, proposal, status, starts_at, outcome=None):
    meeting = Meeting(proposal_id=proposal.id, uid=f"{uuid.uuid4()}@stagebrug.test", status=status, starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=1), location="Dok Noord 7, Gent", outcome=outcome)
    session.add(meeting)
    session.commit()
    return meeting


def _evaluation(session, participant, coach, signed=True):
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).first()
    evaluation = Evaluation(participant_id=participant.id, trajectory_id=trajectory.id if trajectory else None, coach_id=coach.id,
                            held_on=date.today(), decision="ready", signed_off_at=utcnow() if signed else None,
                            signed_off_by_id=coach.id if signed else None)
    session.add(evaluation)
    session.commit()
    return evaluation


def _period(session, participant):
    return session.exec(
        select(PhasePeriod).join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id).where(Trajectory.participant_id == participant.id)
    ).one()


def _brussels(days_ahead: int, at: time) -> datetime:
    day = utcnow().astimezone(BRUSSELS).date() + timedelta(days=days_ahead)
    return datetime.combine(day, at, tzinfo=BRUSSELS).astimezone(UTC)


@pytest.fixture
def world(session):
    return build_todo_world(session)


def build_todo_world(session):
    """One case of each kind for coach ``me`` (shared team Gent), a near miss per kind, and another team's participant."""
    now = utcnow()
    today = date.today()
    gent, antwerpen = Team(name="Team Gent", shared_caseload=True), Team(name="Team Antwerpen")
    session.add(gent)
    session.add(antwerpen)
    session.commit()
    me = make_user(session, "coach", full_name="Coach Hanne", team_id=gent.id)
    colleague = make_user(session, "coach", full_name="Coach Jonas", team_id=gent.id)
    stranger = make_user(session, "coach", full_name="Coach Vreemd", team_id=antwerpen.id)
    boss = make_user(session, "employer", full_name="Baas Werkgever")
    employer = make_employer(session, user=boss, name="Logistiek Gent")
    dock = make_place(session, employer, title="Magazijnmedewerker")
    garden = make_place(session, make_employer(session, name="Groendienst"), title="Groenwerker", sector="groen")
    people = {}

    def person(key, coach=me, signed=True, **fields):
        first, last = key.split()
        people[key] = make_participant(session, coach, first_name=first, last_name=last, **fields)
        if signed:
            _evaluation(session, people[key], coach)
        return people[key]

    props = {}

    def proposal(key, who, place, state, **fields):
        props[key] = make_proposal(session, who, place, state=state, **fields)
        return props[key]

    # employer answers: the employer's interest is the last word, no meeting yet / near miss: the coach spoke last
    # (the intake was planned, then the coach cancelled the meeting), and the employer's message was read
    p = proposal("answer", person("Ans Antwoord"), dock, "employer_interested")
    _event(session, p, "employer_interested", boss, now - timedelta(days=2), from_state="participant_agreed")
    p = proposal("answer_miss", person("Bram Beantwoord"), dock, "employer_interested")
    _event(session, p, "employer_interested", boss, now - timedelta(days=4), from_state="participant_agreed")
    _event(session, p, "intake_planned", me, now - timedelta(days=3), from_state="employer_interested")
    _event(session, p, "employer_interested", me, now - timedelta(days=1), from_state="intake_planned")
    _meeting(session, p, "cancelled", _brussels(5, time(9)))
    session.add(ProposalMessage(proposal_id=p.id, author_side="employer", body="Gelezen", read_at=now))
    session.add(ProposalMessage(proposal_id=p.id, author_side="coach", body="Ongelezen maar van de coach"))
    session.commit()

    # meetings to confirm: two offered slots / near miss: the offered slots were declined
    p = proposal("confirm", person("Cato Kiezen"), garden, "employer_interested")
    _event(session, p, "employer_interested", boss, now - timedelta(days=1))
    _meeting(session, p, "option", _brussels(3, time(10)))
    _meeting(session, p, "option", _brussels(4, time(14)))
    p = proposal("confirm_miss", person("Dirk Afgewezen"), garden, "participant_agreed")
    _event(session, p, "participant_agreed", me, now - timedelta(days=1))
    _meeting(session, p, "declined", _brussels(3, time(10)))

    # meetings tomorrow: 10:00 Brussels / near miss: 00:30 the day after (still tomorrow in UTC), and a cancelled one
    p = proposal("tomorrow", person("Eva Morgen"), dock, "intake_planned")
    _event(session, p, "intake_planned", me, now - timedelta(days=1))
    _meeting(session, p, "confirmed", _brussels(1, time(10)))
    p = proposal("tomorrow_miss", person("Frank Overmorgen"), dock, "intake_planned")
    _event(session, p, "intake_planned", me, now - timedelta(days=1))
    _meeting(session, p, "confirmed", _brussels(2, time(0, 30)))
    _meeting(session, p, "cancelled", _brussels(1, time(14)))

    # stages without dates: agreed without an end / near miss: running with both dates
    p = proposal("stage", person("Gert Zonderdatum"), garden, "stage_agreed", stage_start=today + timedelta(days=7))
    _event(session, p, "stage_agreed", me, now - timedelta(days=1))
    p = proposal("stage_miss", person("Hilde Metdata"), garden, "stage_running", stage_start=today - timedelta(days=7),
                 stage_end=today + timedelta(days=50))
    _event(session, p, "stage_running", me, now - timedelta(days=1))

    # phases: due in exactly 14 days / near miss: due in 15 days
    period = _period(session, person("Ilse Deadline"))
    period.due_on = today + timedelta(days=14)
    session.add(period)
    period = _period(session, person("Jan Later"))
    period.due_on = today + timedelta(days=15)
    session.add(period)
    session.commit()

    # unanswered: 7 days and an hour / near miss: 6 days
    p = proposal("unanswered", person("Karel Wacht"), dock, "proposed")
    _event(session, p, "proposed", me, now - timedelta(days=7, hours=1))
    p = proposal("unanswered_miss", person("Lies Geduld"), garden, "proposed")
    _event(session, p, "proposed", me, now - timedelta(days=6))

    # without a signed evaluation: only a draft / near miss: everyone else above has a signed one
    _evaluation(session, person("Mira Ontwerp", signed=False), me, signed=False)
    # without skills: a participant of the shared team's colleague
    person("Nico Leeg", coach=colleague, skills=())

    # another team's participant with every kind of problem: never shown
    theirs = person("Otto Vreemd", coach=stranger, signed=False, skills=())
    p = proposal("theirs", theirs, dock, "proposed")
    _event(session, p, "proposed", stranger, now - timedelta(days=20))
    period = _period(session, theirs)
    period.due_on = today - timedelta(days=3)
    session.add(period)
    p2 = proposal("theirs_answer", theirs, garden, "employer_interested")
    _event(session, p2, "employer_interested", boss, now - timedelta(days=2))
    session.add(ProposalMessage(proposal_id=p2.id, author_side="employer", body="Hallo"))
    session.commit()
    # closed proposals never count
    p = proposal("closed", people["Ans Antwoord"], garden, "declined")
    _event(session, p, "declined", boss, now - timedelta(days=30))

    return type("World", (), dict(me=me, colleague=colleague, stranger=stranger, boss=boss, gent=gent, antwerpen=antwerpen, dock=dock,
                                  garden=garden, people=people, props=props))


def _todo(session, world, coach=None):
    return coach_todo(session=session, coach=coach or world.me, today=date.today(), now=utcnow())


def _names(todo, kind):
    return [row.participant_name for row in todo.section(kind).rows]


# --- one test per kind ----------------------------------------------------------------------------


def test_employer_answer_waits_when_the_employer_spoke_last_and_no_meeting_is_offered(session, world):
    section = _todo(session, world).section("employer_answers")
    assert [r.participant_name for r in section.rows] == ["Ans Antwoord"] and section.count == 1
    row = section.rows[0]
    assert (row.place, row.employer, row.days_waiting, row.note) == ("Magazijnmedewerker", "Logistiek Gent", 2, "answer")
    assert (row.endpoint, row.args) == ("coach.proposal_detail", {"proposal_id": world.props["answer"].id})


def test_unread_employer_message_is_an_answer_waiting(session, world):
    proposal = world.props["stage_miss"]
    session.add(ProposalMessage(proposal_id=proposal.id, author_side="employer", body="Kan de coach bellen?",
                                created_at=utcnow() - timedelta(days=4)))
    session.commit()
    rows = _todo(session, world).section("employer_answers").rows
    assert [(r.participant_name, r.note, r.days_waiting) for r in rows] == [("Hilde Metdata", "message", 4), ("Ans Antwoord", "answer", 2)]


def test_meetings_to_confirm_lists_offered_slots_not_declined_ones(session, world):
    section = _todo(session, world).section("meetings_to_confirm")
    assert _names(_todo(session, world), "meetings_to_confirm") == ["Cato Kiezen"] and section.count == 1
    assert section.rows[0].at == _brussels(3, time(10))
    assert section.rows[0].args == {"proposal_id": world.props["confirm"].id}


def test_meetings_tomorrow_uses_the_brussels_day(session, world):
    section = _todo(session, world).section("meetings_tomorrow")
    assert [r.participant_name for r in section.rows] == ["Eva Morgen"] and section.count == 1
    assert section.rows[0].at == _brussels(1, time(10)) and section.rows[0].note == "Dok Noord 7, Gent"


def test_stage_without_end_date_is_to_do_and_one_with_both_dates_is_not(session, world):
    section = _todo(session, world).section("stages_to_agree")
    assert [(r.participant_name, r.note) for r in section.rows] == [("Gert Zonderdatum", "no_dates")] and section.count == 1


def test_intake_that_went_well_asks_to_agree_the_stage(session, world):
    _meeting(session, world.props["tomorrow_miss"], "declined", utcnow() - timedelta(days=3))
    done = world.props["tomorrow"]
    meeting = session.exec(select(Meeting).where(Meeting.proposal_id == done.id)).one()
    meeting.starts_at, meeting.ends_at, meeting.outcome = utcnow() - timedelta(days=1), utcnow() - timedelta(hours=23), "continue"
    session.add(meeting)
    session.commit()
    rows = _todo(session, world).section("stages_to_agree").rows
    assert sorted((r.participant_name, r.note) for r in rows) == [("Eva Morgen", "to_agree"), ("Gert Zonderdatum", "no_dates")]


def test_phase_due_within_14_days_shows_and_15_days_does_not(session, world):
    section = _todo(session, world).section("phases_due")
    assert [(r.participant_name, r.note, r.phase) for r in section.rows] == [("Ilse Deadline", "soon", "jobmatching")]
    assert section.rows[0].due_on == date.today() + timedelta(days=14)
    assert (section.rows[0].endpoint, section.rows[0].args["participant_id"]) == ("coach.participant", world.people["Ilse Deadline"].id)


def test_phase_over_its_maximum_shows_first_and_a_phase_on_hold_or_ended_trajectory_waits(session, world):
    late = _period(session, world.people["Jan Later"])
    late.due_on = date.today() - timedelta(days=1)
    held = _period(session, world.people["Karel Wacht"])
    held.due_on = date.today() - timedelta(days=5)
    session.add(HoldPeriod(phase_period_id=held.id, started_on=date.today() - timedelta(days=10)))
    ended = _period(session, world.people["Lies Geduld"])
    ended.due_on = date.today() - timedelta(days=5)
    trajectory = session.get(Trajectory, ended.trajectory_id)
    trajectory.ended_on = date.today()
    for row in (late, held, ended, trajectory):
        session.add(row)
    session.commit()
    rows = _todo(session, world).section("phases_due").rows
    assert [(r.participant_name, r.note) for r in rows] == [("Jan Later", "over"), ("Ilse Deadline", "soon")]


def test_proposal_unanswered_for_7_days_shows_and_6_days_does_not(session, world):
    section = _todo(session, world).section("unanswered")
    assert [(r.participant_name, r.note, r.days_waiting) for r in section.rows] == [("Karel Wacht", "proposed", 7)]


def test_proposal_without_events_waits_from_its_last_change(session, world):
    old = make_proposal(session, world.people["Lies Geduld"], world.dock, updated_at=utcnow() - timedelta(days=9))
    rows = _todo(session, world).section("unanswered").rows
    assert [(r.participant_name, r.args["proposal_id"]) for r in rows] == [("Lies Geduld", old.id), ("Karel Wacht", world.props["unanswered"].id)]


def test_participant_with_only_a_draft_evaluation_is_without_a_signed_one(session, world):
    section = _todo(session, world).section("without_evaluation")
    assert [r.participant_name for r in section.rows] == ["Mira Ontwerp"] and section.count == 1
    draft = session.exec(select(Evaluation).where(Evaluation.participant_id == world.people["Mira Ontwerp"].id)).one()
    assert (section.rows[0].endpoint, section.rows[0].args, section.rows[0].note) == ("coach.edit_evaluation", {"evaluation_id": draft.id}, "draft")
    assert (section.list_endpoint, section.list_args) == ("coach.caseload", {"zonder": "evaluatie"})


def test_participant_without_any_evaluation_links_to_a_new_one(session, world):
    nobody = make_participant(session, world.me, first_name="Piet", last_name="Nieuw")
    rows = _todo(session, world).section("without_evaluation").rows
    assert [(r.participant_name, r.endpoint) for r in rows] == [("Piet Nieuw", "coach.new_evaluation"), ("Mira Ontwerp", "coach.edit_evaluation")]
    assert rows[0].args == {"participant_id": nobody.id}


def test_participant_without_skills_of_the_shared_team_shows(session, world):
    section = _todo(session, world).section("without_skills")
    assert [r.participant_name for r in section.rows] == ["Nico Leeg"] and section.count == 1
    assert (section.rows[0].endpoint, section.rows[0].args) == ("coach.edit_profile", {"participant_id": world.people["Nico Leeg"].id})
    assert (section.list_endpoint, section.list_args) == ("coach.caseload", {"zonder": "vaardigheden"})


def test_another_teams_participant_never_reaches_the_list(session, world):
    todo = _todo(session, world)
    assert all("Otto Vreemd" not in _names(todo, kind) for kind in todo_service.KINDS)
    theirs = _todo(session, world, coach=world.stranger)
    assert {kind: _names(theirs, kind) for kind in todo_service.KINDS if theirs.section(kind).count} == {
        "employer_answers": ["Otto Vreemd"], "phases_due": ["Otto Vreemd"], "unanswered": ["Otto Vreemd"],
        "without_evaluation": ["Otto Vreemd"], "without_skills": ["Otto Vreemd"],
    }


def test_a_coach_outside_a_shared_team_sees_only_their_own(session, world):
    world.gent.shared_caseload = False
    session.add(world.gent)
    session.commit()
    assert _todo(session, world).section("without_skills").count == 0
    assert _names(_todo(session, world, coach=world.colleague), "without_skills") == ["Nico Leeg"]


def test_each_kind_shows_at_most_10_rows_and_counts_them_all(session, world):
    for i in range(12):
        make_participant(session, world.me, first_name=f"Extra{i:02d}", last_name="Leeg", skills=())
    section = _todo(session, world).section("without_skills")
    assert section.count == 13 and len(section.rows) == 10


# --- the dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_a_section_per_kind_with_links_to_where_it_is_done(session, world, login_as):
    html = login_as(world.me).get("/coach/").get_data(as_text=True)
    for kind in todo_service.KINDS:
        assert f'data-testid="todo-{kind}"' in html, kind
    assert f'href="/coach/voorstellen/{world.props["answer"].id}"' in html
    assert f'href="/coach/deelnemers/{world.people["Ilse Deadline"].id}#h-phase"' in html
    assert f'href="/coach/deelnemers/{world.people["Nico Leeg"].id}/profiel"' in html
    assert 'href="/coach/deelnemers?zonder=evaluatie"' in html and 'href="/coach/deelnemers?zonder=vaardigheden"' in html
    assert 'href="#todo-meetings_tomorrow"' in html
    assert "Otto Vreemd" not in html and "Bram Beantwoord" not in html and "Jan Later" not in html


def test_dashboard_says_briefly_when_nothing_is_to_do(session, client, login_as):
    coach = make_user(session, "coach")
    html = login_as(coach).get("/coach/").get_data(as_text=True)
    assert "Niets te doen: alles is bij." in html and 'data-testid="todo-employer_answers"' not in html


def test_dashboard_collapses_empty_kinds_to_a_zero_count(session, world, login_as):
    world.props["tomorrow"].state = "declined"
    session.add(world.props["tomorrow"])
    session.commit()
    html = login_as(world.me).get("/coach/").get_data(as_text=True)
    assert 'data-testid="todo-meetings_tomorrow"' not in html and 'href="#todo-meetings_tomorrow"' not in html
    assert 'data-testid="count-meetings_tomorrow"' in html


def test_dashboard_in_english(session, world, login_as):
    client = login_as(world.me)
    client.post("/auth/taal", data={"lang": "en"})
    html = client.get("/coach/").get_data(as_text=True)
    assert "To do" in html and "Employer answers waiting" in html and "Without skills" in html


def test_caseload_filters_participants_without_evaluation_or_skills(session, world, login_as):
    client = login_as(world.me)
    html = client.get("/coach/deelnemers?zonder=evaluatie").get_data(as_text=True)
    assert "Mira Ontwerp" in html and "Ans Antwoord" not in html and "Otto Vreemd" not in html
    html = client.get("/coach/deelnemers?zonder=vaardigheden").get_data(as_text=True)
    assert "Nico Leeg" in html and "Mira Ontwerp" not in html
    html = client.get("/coach/deelnemers?zonder=iets").get_data(as_text=True)
    assert "Mira Ontwerp" in html and "Nico Leeg" in html


# --- the board ---------------------------------------------------------------------------------------


def _board(session, world, **filters):
    board = pipeline_board(session=session, coach=world.me, now=utcnow(), **filters)
    return {c.state: sorted(card.participant_name for card in c.cards) for c in board.columns}


def test_board_shows_each_open_proposal_in_its_states_column(session, world):
    assert _board(session, world) == {
        "proposed": ["Karel Wacht", "Lies Geduld"],
        "participant_agreed": ["Dirk Afgewezen"],
        "employer_interested": ["Ans Antwoord", "Bram Beantwoord", "Cato Kiezen"],
        "intake_planned": ["Eva Morgen", "Frank Overmorgen"],
        "stage_agreed": ["Gert Zonderdatum"],
        "stage_running": ["Hilde Metdata"],
    }


def test_board_card_counts_days_in_the_current_state(session, world):
    board = pipeline_board(session=session, coach=world.me, now=utcnow())
    cards = {card.participant_name: card for column in board.columns for card in column.cards}
    assert cards["Karel Wacht"].days_in_state == 7 and cards["Ans Antwoord"].days_in_state == 2
    assert (cards["Karel Wacht"].place, cards["Karel Wacht"].employer) == ("Magazijnmedewerker", "Logistiek Gent")


def test_board_filters_by_coach_team_and_place(session, world):
    colleague_case = make_proposal(session, world.people["Nico Leeg"], world.garden, state="proposed")
    assert _board(session, world, coach_id=world.colleague.id)["proposed"] == ["Nico Leeg"]
    assert sum(map(len, _board(session, world, coach_id=world.colleague.id).values())) == 1
    assert _board(session, world, team_id=world.gent.id)["proposed"] == ["Karel Wacht", "Lies Geduld", "Nico Leeg"]
    garden_only = _board(session, world, place_id=world.garden.id)
    assert garden_only["proposed"] == ["Lies Geduld", "Nico Leeg"] and garden_only["intake_planned"] == []
    assert garden_only["employer_interested"] == ["Cato Kiezen"]
    assert colleague_case.id


def test_board_ignores_filters_outside_the_visible_caseload(session, world):
    everything = _board(session, world)
    assert _board(session, world, coach_id=world.stranger.id) == everything
    assert _board(session, world, team_id=world.antwerpen.id) == everything
    assert all(not names for names in _board(session, world, place_id=999999).values())


def test_board_caps_each_column_and_counts_the_rest(session, world, login_as, monkeypatch):
    monkeypatch.setattr(todo_service, "BOARD_CARDS_PER_COLUMN", 1)
    board = pipeline_board(session=session, coach=world.me, now=utcnow())
    column = next(c for c in board.columns if c.state == "employer_interested")
    assert (column.count, len(column.cards), column.hidden) == (3, 1, 2)
    assert column.cards[0].participant_name == "Ans Antwoord"  # the longest in this state (Bram came back yesterday)
    html = login_as(world.me).get("/coach/pijplijn").get_data(as_text=True)
    assert "+2 meer" in html


def test_board_page_links_every_card_and_offers_the_filters(session, world, login_as):
    html = login_as(world.me).get("/coach/pijplijn").get_data(as_text=True)
    for key in ("answer", "confirm", "tomorrow", "stage", "stage_miss", "unanswered"):
        assert f'href="/coach/voorstellen/{world.props[key].id}"' in html, key
    assert f'href="/coach/voorstellen/{world.props["theirs"].id}"' not in html and "Otto Vreemd" not in html
    assert f'href="/coach/voorstellen/{world.props["closed"].id}"' not in html
    assert 'name="coach"' in html and 'name="team"' in html and 'name="plaats"' in html
    assert "Coach Vreemd" not in html and "Team Antwerpen" not in html
    html = login_as(world.me).get(f"/coach/pijplijn?plaats={world.garden.id}&coach=abc&team=").get_data(as_text=True)
    assert "Cato Kiezen" in html and "Ans Antwoord" not in html


# --- who may open them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/coach/", "/coach/pijplijn"])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["employer", "participant", "admin"])
@pytest.mark.parametrize("url", ["/coach/", "/coach/pijplijn"])
def test_other_roles_may_not_open_the_coach_pages(session, login_as, role, url):
    assert login_as(make_user(session, role)).get(url).status_code == 403


def test_another_teams_proposal_page_answers_404(session, world, login_as):
    client = login_as(world.me)
    assert client.get(f"/coach/voorstellen/{world.props['theirs'].id}").status_code == 404
    assert client.get(f"/coach/voorstellen/{world.props['answer'].id}").status_code in (200, 302)
