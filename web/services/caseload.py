"""A coach's caseload: who a coach may see (own participants, or the team's when the team shares), the caseload
overview in a fixed number of queries, and handing a participant over to another coach.

Every object route of the coach area goes through ``get_participant`` / ``visible_coach_ids``: a participant of
another coach (outside a shared team) or of another team is reported as not found.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, func, select
from werkzeug.exceptions import NotFound

from web.models import HoldPeriod, Participant, PhasePeriod, Proposal, Team, Trajectory, User
from web.services.audit import record_audit
from web.services.proposals import OPEN_STATES
from web.services.trajectories import held_days, phase_max_days, today


def visible_coach_ids(*, session: Session, coach: User) -> list[int]:
    """The coaches whose participants this coach may see: only themselves, or their team when it shares its caseload."""
    if coach.team_id is not None:
        team = session.get(Team, coach.team_id)
        if team is not None and team.shared_caseload:
            ids = session.exec(select(User.id).where(User.team_id == coach.team_id, User.role == "coach")).all()
            return sorted(set(ids) | {coach.id})
    return [coach.id]


def get_participant(*, session: Session, coach: User, participant_id: int) -> Participant:
    """Return a participant this coach may see, or raise NotFound (404) for anyone else's."""
    participant = session.get(Participant, participant_id)
    if participant is None or participant.coach_id not in visible_coach_ids(session=session, coach=coach):
        raise NotFound()
    return participant


def get_proposal(*, session: Session, coach: User, proposal_id: int) -> Proposal:
    """Return a proposal of a participant this coach may see, or raise NotFound."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound()
    get_participant(session=session, coach=coach, participant_id=proposal.participant_id)
    return proposal


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload overview."""

    participant_id: int
    name: str
    coach_name: str
    is_own: bool
    phase: str | None
    phase_started_on: date | None
    days_in_phase: int | None
    max_days: int | None
    on_hold: bool
    next_deadline: date | None
    open_proposals: int
    last_contact_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.days_in_phase is not None and self.max_days is not None and self.days_in_phase > self.max_days


def caseload_rows(
    *, session: Session, coach: User, phase: str | None = None, search: str | None = None, scope: str = "all", overdue_only: bool = False,
    on: date | None = None,
) -> list[CaseloadRow]:
    """The caseload with phase, days in phase against the maximum, next deadline, open proposals and last contact.

    One query with joins and aggregates gives every row; a second one fetches the holds of all shown phases
    (holds stop the clock). The number of queries does not grow with the caseload.
    """
    on = on or today()
    coach_ids = [coach.id] if scope == "own" else visible_coach_ids(session=session, coach=coach)
    open_props = (
        select(Proposal.participant_id.label("pid"), func.count().label("n"), func.min(Proposal.stage_start).label("next_start"))
        .where(Proposal.state.in_(OPEN_STATES))
        .group_by(Proposal.participant_id)
        .subquery()
    )
    open_traj = select(Trajectory).where(Trajectory.ended_on.is_(None)).subquery()
    open_period = select(PhasePeriod).where(PhasePeriod.ended_on.is_(None)).subquery()
    query = (
        select(
            Participant.id, Participant.first_name, Participant.last_name, Participant.coach_id, Participant.last_contact_at,
            User.full_name, open_traj.c.current_phase, open_period.c.id, open_period.c.started_on, open_period.c.due_on,
            func.coalesce(open_props.c.n, 0), open_props.c.next_start,
        )
        .join(User, User.id == Participant.coach_id)
        .outerjoin(open_traj, open_traj.c.participant_id == Participant.id)
        .outerjoin(open_period, and_(open_period.c.trajectory_id == open_traj.c.id, open_period.c.phase == open_traj.c.current_phase))
        .outerjoin(open_props, open_props.c.pid == Participant.id)
        .where(Participant.coach_id.in_(coach_ids), Participant.active.is_(True), Participant.anonymised_at.is_(None))
    )
    if phase:
        query = query.where(open_traj.c.current_phase == phase)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Participant.first_name + " " + Participant.last_name).like(like), func.lower(Participant.email).like(like)))
    query = query.order_by(Participant.last_name, Participant.first_name, Participant.id)
    raw = session.exec(query).all()
    period_ids = [r[7] for r in raw if r[7] is not None]
    holds: dict[int, list[HoldPeriod]] = {}
    if period_ids:
        for hold in session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id.in_(period_ids))).all():
            holds.setdefault(hold.phase_period_id, []).append(hold)
    maxima = phase_max_days(session)
    rows = []
    for pid, first, last, coach_id, last_contact, coach_name, cur_phase, period_id, started, due, n_open, next_start in raw:
        period_holds = holds.get(period_id, [])
        days = None if started is None else max(0, (on - started).days - held_days(period_holds, on))
        deadlines = [d for d in (due, next_start) if d is not None and d >= on] or [d for d in (due,) if d is not None]
        rows.append(
            CaseloadRow(
                participant_id=pid, name=f"{first} {last}", coach_name=coach_name, is_own=coach_id == coach.id, phase=cur_phase,
                phase_started_on=started, days_in_phase=days, max_days=maxima.get(cur_phase) if cur_phase else None,
                on_hold=any(h.ended_on is None for h in period_holds), next_deadline=min(deadlines) if deadlines else None,
                open_proposals=n_open, last_contact_at=last_contact,
            )
        )
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return rows


def handover_targets(*, session: Session, coach: User) -> list[User]:
    """Coaches of the same team a participant can be handed over to."""
    if coach.team_id is None:
        return []
    return list(
        session.exec(
            select(User).where(User.team_id == coach.team_id, User.role == "coach", User.is_active.is_(True), User.id != coach.id).order_by(User.full_name)
        ).all()
    )


class HandoverError(Exception):
    """The chosen coach cannot take this participant."""


def hand_over(*, session: Session, coach: User, participant: Participant, to_coach_id: int) -> User:
    """Give a participant (and their open trajectory) to another coach of the same team."""
    target = next((c for c in handover_targets(session=session, coach=coach) if c.id == to_coach_id), None)
    if target is None:
        raise HandoverError("not_in_team")
    participant.coach_id = target.id
    session.add(participant)
    for trajectory in session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id, Trajectory.ended_on.is_(None))).all():
        trajectory.coach_id = target.id
        session.add(trajectory)
    session.flush()
    record_audit(session=session, actor_id=coach.id, action="participant.handed_over", obj=participant,
                 detail={"from": coach.id, "to": target.id})
    return target
