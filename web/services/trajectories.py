"""The four phases of a doorstroomtraject: configurable maxima, due dates, holds that stop the clock, phase changes.

Phase maxima live in the ``Setting`` row ``phase_max_days`` (admins edit it); the defaults below are the
published maxima (voortraject 1 month, the others 3 months). Phase changes follow the proposal pipeline
(stage_agreed → stage, hired → nazorg, not_hired → back to jobmatching) through ``on_proposal_transition`` and can
be set by hand with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from web.models import PHASES, HoldPeriod, PhasePeriod, Proposal, Setting, Trajectory, User
from web.services.audit import current_actor_id, record_audit

DEFAULT_PHASE_MAX_DAYS = {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90}
# what the pipeline does to the trajectory: proposal state reached -> phase the trajectory moves to
PIPELINE_PHASES = {"stage_agreed": "stage", "hired": "nazorg", "not_hired": "jobmatching"}


class PhaseError(Exception):
    """A phase change or hold that is not possible."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def phase_max_days(session: Session) -> dict[str, int]:
    """Return the maximum days per phase from the ``phase_max_days`` setting, with the published defaults."""
    maxima = dict(DEFAULT_PHASE_MAX_DAYS)
    setting = session.get(Setting, "phase_max_days")
    if setting is not None and isinstance(setting.value, dict):
        for phase, days in setting.value.items():
            if phase in maxima and isinstance(days, int | float) and not isinstance(days, bool) and days > 0:
                maxima[phase] = int(days)
    return maxima


def today() -> date:
    return date.today()


def current_trajectory(*, session: Session, participant_id: int) -> Trajectory | None:
    """The participant's open trajectory (the latest one when none is open)."""
    return session.exec(
        select(Trajectory)
        .where(Trajectory.participant_id == participant_id)
        .order_by(Trajectory.ended_on.is_not(None), Trajectory.started_on.desc(), Trajectory.id.desc())
    ).first()


def current_period(*, session: Session, trajectory: Trajectory) -> PhasePeriod | None:
    """The open phase period of a trajectory."""
    return session.exec(
        select(PhasePeriod)
        .where(PhasePeriod.trajectory_id == trajectory.id, PhasePeriod.ended_on.is_(None))
        .order_by(PhasePeriod.started_on.desc(), PhasePeriod.id.desc())
    ).first()


def start_trajectory(*, session: Session, participant_id: int, coach_id: int | None, phase: str = "voortraject", on: date | None = None) -> Trajectory:
    """Open a trajectory in its first phase with the configured due date."""
    on = on or today()
    trajectory = Trajectory(participant_id=participant_id, coach_id=coach_id, current_phase=phase, started_on=on)
    session.add(trajectory)
    session.flush()
    session.add(PhasePeriod(trajectory_id=trajectory.id, phase=phase, started_on=on, due_on=on + timedelta(days=phase_max_days(session)[phase])))
    session.flush()
    record_audit(session=session, actor_id=current_actor_id() or coach_id, action="trajectory.started", obj=trajectory, detail={"phase": phase})
    return trajectory


def change_phase(*, session: Session, trajectory: Trajectory, to_phase: str, reason: str | None = None, on: date | None = None) -> PhasePeriod:
    """Close the open phase period (and its hold) and open the next one with a due date from the settings."""
    if to_phase not in PHASES:
        raise PhaseError("unknown_phase")
    if trajectory.ended_on is not None:
        raise PhaseError("trajectory_ended")
    on = on or today()
    period = current_period(session=session, trajectory=trajectory)
    if period is not None:
        if period.phase == to_phase:
            raise PhaseError("same_phase")
        hold = open_hold(session=session, period=period)
        if hold is not None:
            hold.ended_on = on
            session.add(hold)
        period.ended_on = on
        session.add(period)
    new = PhasePeriod(
        trajectory_id=trajectory.id, phase=to_phase, started_on=on, due_on=on + timedelta(days=phase_max_days(session)[to_phase]),
        reason=(reason or None) and reason[:500],
    )
    trajectory.current_phase = to_phase
    session.add(trajectory)
    session.add(new)
    session.flush()
    record_audit(session=session, actor_id=current_actor_id(), action="trajectory.phase_changed", obj=trajectory,
                 detail={"to": to_phase})  # no free text: the audit log outlives an erasure
    return new


def open_hold(*, session: Session, period: PhasePeriod) -> HoldPeriod | None:
    return session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id == period.id, HoldPeriod.ended_on.is_(None))).first()


def put_on_hold(*, session: Session, trajectory: Trajectory, reason: str, on: date | None = None) -> HoldPeriod:
    """Stop the clock of the current phase from a date, with a reason."""
    period = current_period(session=session, trajectory=trajectory)
    if period is None:
        raise PhaseError("no_phase")
    if open_hold(session=session, period=period) is not None:
        raise PhaseError("already_on_hold")
    hold = HoldPeriod(phase_period_id=period.id, started_on=on or today(), reason=reason[:500])
    session.add(hold)
    session.flush()
    record_audit(session=session, actor_id=current_actor_id(), action="trajectory.put_on_hold", obj=trajectory)
    return hold


def resume(*, session: Session, trajectory: Trajectory, on: date | None = None) -> PhasePeriod:
    """End the hold of the current phase and push its due date by the days on hold."""
    period = current_period(session=session, trajectory=trajectory)
    hold = open_hold(session=session, period=period) if period else None
    if hold is None:
        raise PhaseError("not_on_hold")
    on = on or today()
    hold.ended_on = max(on, hold.started_on)
    period.due_on = period.due_on + timedelta(days=(hold.ended_on - hold.started_on).days)
    session.add(hold)
    session.add(period)
    session.flush()
    record_audit(session=session, actor_id=current_actor_id(), action="trajectory.resumed", obj=trajectory)
    return period


@dataclass(frozen=True)
class PhaseClock:
    """Where a phase stands: days used (holds excluded), its maximum, due date and whether it is on hold."""

    phase: str
    started_on: date
    days_used: int
    max_days: int
    due_on: date
    on_hold: bool

    @property
    def overdue(self) -> bool:
        return self.days_used > self.max_days


def held_days(holds: list[HoldPeriod], until: date) -> int:
    """Days within holds up to a date (an open hold counts until that date)."""
    return sum(max(0, ((h.ended_on or until) - h.started_on).days) for h in holds)


def phase_clock(*, session: Session, trajectory: Trajectory, on: date | None = None) -> PhaseClock | None:
    """The clock of the trajectory's current phase."""
    period = current_period(session=session, trajectory=trajectory)
    if period is None:
        return None
    on = on or today()
    holds = list(session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id == period.id)).all())
    used = max(0, (on - period.started_on).days - held_days(holds, on))
    return PhaseClock(period.phase, period.started_on, used, phase_max_days(session)[period.phase], period.due_on, any(h.ended_on is None for h in holds))


def phase_history(*, session: Session, trajectory: Trajectory) -> list[PhasePeriod]:
    return list(session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id == trajectory.id).order_by(PhasePeriod.started_on, PhasePeriod.id)).all())


def on_proposal_transition(*, session: Session, proposal: Proposal, to_state: str, actor: User | None = None) -> None:
    """Follow the pipeline: stage agreed moves the trajectory to the stage phase, hired to nazorg, not hired back to jobmatching.

    A stage without a job does not end the trajectory: it goes back to jobmatching (a new phase period with the
    reason ``proposal:<id>:not_hired``) so the coach looks for the next place. Only a trajectory still in the stage
    phase moves back; one the coach already moved by hand stays where it is.
    """
    target = PIPELINE_PHASES.get(to_state)
    if target is None:
        return
    trajectory = current_trajectory(session=session, participant_id=proposal.participant_id)
    if trajectory is None or trajectory.ended_on is not None:
        return
    if to_state == "not_hired":
        trajectory.outcome = None  # the trajectory goes on with the next place
        if trajectory.current_phase != "stage":
            session.add(trajectory)
            session.flush()
            return
    if to_state == "hired":
        trajectory.hired_on = today()
        trajectory.outcome = "hired"
    if trajectory.current_phase != target:
        change_phase(session=session, trajectory=trajectory, to_phase=target, reason=f"proposal:{proposal.id}:{to_state}")
    else:
        session.add(trajectory)
        session.flush()
