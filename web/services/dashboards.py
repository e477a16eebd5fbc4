"""Figures shown on each role's dashboard."""
from __future__ import annotations

from sqlmodel import Session, func, select

from web.models import Employer, EmployerMember, Participant, Proposal, StagePlace, Trajectory, User

OPEN_PROPOSAL_STATES = ("proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed")


def employer_for_user(*, session: Session, user: User) -> Employer | None:
    """The organisation an employer user acts for."""
    return session.exec(
        select(Employer).join(EmployerMember, EmployerMember.employer_id == Employer.id).where(EmployerMember.user_id == user.id)
    ).first()


def participant_for_user(*, session: Session, user: User) -> Participant | None:
    """The participant record linked to a participant's login."""
    return session.exec(select(Participant).where(Participant.user_id == user.id)).first()


def employer_overview(*, session: Session, employer: Employer) -> dict:
    """Places by status and open proposals for an employer."""
    by_status = dict(
        session.exec(select(StagePlace.status, func.count()).where(StagePlace.employer_id == employer.id).group_by(StagePlace.status)).all()
    )
    open_proposals = session.exec(
        select(func.count())
        .select_from(Proposal)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .where(StagePlace.employer_id == employer.id, Proposal.state.in_(OPEN_PROPOSAL_STATES))
    ).one()
    places = session.exec(
        select(StagePlace).where(StagePlace.employer_id == employer.id).order_by(StagePlace.status, StagePlace.title).limit(10)
    ).all()
    return {"by_status": by_status, "open_proposals": open_proposals, "places": places}


def coach_overview(*, session: Session, coach: User) -> dict:
    """The coach's caseload size and participants per phase."""
    rows = session.exec(
        select(Trajectory.current_phase, func.count())
        .join(Participant, Participant.id == Trajectory.participant_id)
        .where(Participant.coach_id == coach.id, Participant.active.is_(True), Trajectory.ended_on.is_(None))
        .group_by(Trajectory.current_phase)
    ).all()
    caseload = session.exec(
        select(func.count()).select_from(Participant).where(Participant.coach_id == coach.id, Participant.active.is_(True))
    ).one()
    open_proposals = session.exec(
        select(func.count()).select_from(Proposal).join(Participant, Participant.id == Proposal.participant_id)
        .where(Participant.coach_id == coach.id, Proposal.state.in_(OPEN_PROPOSAL_STATES))
    ).one()
    return {"caseload": caseload, "by_phase": dict(rows), "open_proposals": open_proposals}


def admin_overview(*, session: Session) -> dict:
    """Counts of accounts, organisations, places and participants."""
    users = dict(session.exec(select(User.role, func.count()).group_by(User.role)).all())
    return {
        "users": users,
        "employers": session.exec(select(func.count()).select_from(Employer)).one(),
        "places": dict(session.exec(select(StagePlace.status, func.count()).group_by(StagePlace.status)).all()),
        "participants": session.exec(select(func.count()).select_from(Participant)).one(),
    }
