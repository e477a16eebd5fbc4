"""A stage without a job sends the trajectory back to jobmatching, with the reason on the new phase period."""
from __future__ import annotations

from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import PhasePeriod, Trajectory
from web.services import trajectories


def _periods(session, participant):
    session.expire_all()
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    periods = session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id).order_by(PhasePeriod.id)).all()
    return trajectory, periods


def test_not_hired_moves_the_trajectory_back_to_jobmatching(session, login_as):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, phase="stage")
    proposal = make_proposal(session, person, make_place(session, make_employer(session)), state="stage_completed")
    response = login_as(coach).post(f"/coach/voorstellen/{proposal.id}/status", data={"to_state": "not_hired"})
    assert response.status_code == 302
    trajectory, periods = _periods(session, person)
    assert trajectory.current_phase == "jobmatching" and trajectory.outcome is None and trajectory.ended_on is None
    stage, back = periods[-2], periods[-1]
    assert stage.phase == "stage" and stage.ended_on is not None
    assert back.phase == "jobmatching" and back.ended_on is None and back.reason == f"proposal:{proposal.id}:not_hired"
    assert back.due_on > back.started_on
    html = login_as(coach).get(f"/coach/deelnemers/{person.id}").get_data(as_text=True)
    assert "terug na een stage zonder aanwerving" in html


def test_not_hired_by_the_employer_moves_it_back_too(session, app):
    from web.services.proposals import transition_proposal

    coach = make_user(session, "coach")
    employer_user = make_user(session, "employer")
    person = make_participant(session, coach, phase="stage")
    proposal = make_proposal(session, person, make_place(session, make_employer(session, user=employer_user)), state="stage_completed")
    with app.app_context():
        transition_proposal(session=session, proposal=proposal, to_state="not_hired", actor=employer_user, actor_role="employer")
    session.commit()
    trajectory, _ = _periods(session, person)
    assert trajectory.current_phase == "jobmatching"


def test_not_hired_leaves_a_trajectory_the_coach_already_moved(session, app):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, phase="voortraject")
    proposal = make_proposal(session, person, make_place(session, make_employer(session)), state="stage_completed")
    with app.app_context():
        trajectories.on_proposal_transition(session=session, proposal=proposal, to_state="not_hired")
    session.commit()
    trajectory, periods = _periods(session, person)
    assert trajectory.current_phase == "voortraject" and len(periods) == 1


def test_hired_still_moves_to_nazorg(session, app):
    coach = make_user(session, "coach")
    person = make_participant(session, coach, phase="stage")
    proposal = make_proposal(session, person, make_place(session, make_employer(session)), state="stage_completed")
    with app.app_context():
        trajectories.on_proposal_transition(session=session, proposal=proposal, to_state="hired")
    session.commit()
    trajectory, _ = _periods(session, person)
    assert trajectory.current_phase == "nazorg" and trajectory.outcome == "hired"
