"""A coach's caseload: who a coach may see (own participants, or the team's when the team shares), the caseload
overview in a fixed number of queries, and handing a participant over to another coach.

Every object route of the coach area goes through ``get_participant`` / ``visible_coach_ids``: a participant of
another coach (outside a shared team) or of another team is reported as not found.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import defer
from sqlmodel import Session, func, select
from werkzeug.exceptions import NotFound

from web.models import (
    PHASES,
    Evaluation,
    HoldPeriod,
    Participant,
    ParticipantSkill,
    PhasePeriod,
    Proposal,
    Team,
    Trajectory,
    User,
)
from web.paging import Page, PageRequest, paginate, paginate_list
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

    sort_name: str = ""

    @property
    def overdue(self) -> bool:
        return self.days_in_phase is not None and self.max_days is not None and self.days_in_phase > self.max_days


def _caseload_query(*, session: Session, coach: User, phase: str | None = None, search: str | None = None, scope: str = "all",
                    without: str | None = None, coach_id: int | None = None):
    """The caseload statement: who the coach may see (active, not anonymised), joined with the open trajectory and phase
    period and the open proposals, filtered; the one definition of the caseload for the page and the API."""
    coach_ids = [coach.id] if scope == "own" else visible_coach_ids(session=session, coach=coach)
    if coach_id is not None:
        coach_ids = [c for c in coach_ids if c == coach_id]
    open_props = (
        select(Proposal.participant_id.label("pid"), func.count().label("n"), func.min(Proposal.stage_start).label("next_start"))
        .where(Proposal.state.in_(OPEN_STATES),
               Proposal.participant_id.in_(select(Participant.id).where(Participant.coach_id.in_(coach_ids))))  # this caseload only
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
    if without == "evaluatie":
        query = query.where(~exists().where(Evaluation.participant_id == Participant.id, Evaluation.signed_off_at.is_not(None)))
    elif without == "vaardigheden":
        query = query.where(~exists().where(ParticipantSkill.participant_id == Participant.id))
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Participant.first_name + " " + Participant.last_name).like(like), func.lower(Participant.email).like(like)))
    return query


def caseload_participants_statement(*, session: Session, coach: User, phase: str | None = None, search: str | None = None):
    """The caseload's participants (the same people and filters as the caseload page) as one statement to page and sort in SQL."""
    people = _caseload_query(session=session, coach=coach, phase=phase, search=search).with_only_columns(Participant.id)
    return select(Participant).where(Participant.id.in_(people))


#: the API's sort keys for ``caseload_participants_statement``: ``order_by`` columns, and rows without the value last
PARTICIPANT_SORTS = {
    "name": {"order_by": [func.lower(Participant.last_name), func.lower(Participant.first_name)]},
    "updated_at": {"order_by": [Participant.updated_at]},
    "last_contact_at": {"order_by": [Participant.last_contact_at], "leading": [Participant.last_contact_at.is_(None)]},
}


def participant_order(sort: str) -> dict:
    """The ``order_by``, ``leading`` and ``tiebreak`` columns of a sort key (``-key`` descending) for the paging helper."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    spec = PARTICIPANT_SORTS[key]
    return {"order_by": {key: spec["order_by"]}, "leading": spec.get("leading", []),
            "tiebreak": [Participant.id.desc() if descending else Participant.id]}


def current_trajectories(*, session: Session, participant_ids: list[int]) -> dict[int, Trajectory]:
    """Each participant's open trajectory (else the latest), as ``trajectories.current_trajectory`` picks it, in one statement."""
    found: dict[int, Trajectory] = {}
    if participant_ids:
        for trajectory in session.exec(
            select(Trajectory).where(Trajectory.participant_id.in_(participant_ids))
            .order_by(Trajectory.participant_id, Trajectory.ended_on.is_not(None), Trajectory.started_on.desc(), Trajectory.id.desc())
        ):
            found.setdefault(trajectory.participant_id, trajectory)
    return found


def skills_of_participants(*, session: Session, participant_ids: list[int]) -> dict[int, list[ParticipantSkill]]:
    """The skills of several participants in one statement, in the order ``profiles.skills_of`` gives them."""
    found: dict[int, list[ParticipantSkill]] = {pid: [] for pid in participant_ids}
    if participant_ids:
        for skill in session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id.in_(participant_ids))
                                  .order_by(ParticipantSkill.participant_id, ParticipantSkill.id)):
            found[skill.participant_id].append(skill)
    return found


def caseload_rows(
    *, session: Session, coach: User, phase: str | None = None, search: str | None = None, scope: str = "all", overdue_only: bool = False,
    on: date | None = None, without: str | None = None, coach_id: int | None = None,
) -> list[CaseloadRow]:
    """The caseload with phase, days in phase against the maximum, next deadline, open proposals and last contact.

    One query with joins and aggregates gives every row; a second one fetches the holds of all shown phases
    (holds stop the clock). The number of queries does not grow with the caseload. ``without`` keeps only the
    participants without a signed evaluation (``"evaluatie"``) or without any skill (``"vaardigheden"``).
    """
    on = on or today()
    query = _caseload_query(session=session, coach=coach, phase=phase, search=search, scope=scope, without=without, coach_id=coach_id)
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
                open_proposals=n_open, last_contact_at=last_contact, sort_name=f"{last} {first}".lower(),
            )
        )
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return rows


CASELOAD_SORTS: dict = {
    "naam": lambda r: (r.sort_name,),
    "fase": lambda r: None if r.phase is None else (PHASES.index(r.phase) if r.phase in PHASES else len(PHASES), r.sort_name),
    "dagen": lambda r: None if r.days_in_phase is None else (r.days_in_phase, r.sort_name),
    "deadline": lambda r: None if r.next_deadline is None else (r.next_deadline, r.sort_name),
    "voorstellen": lambda r: (r.open_proposals, r.sort_name),
    "contact": lambda r: None if r.last_contact_at is None else (r.last_contact_at, r.sort_name),
    "coach": lambda r: (r.coach_name.lower(), r.sort_name),
}


def caseload_page(
    *, session: Session, coach: User, wanted: PageRequest, phase: str | None = None, search: str | None = None, scope: str = "all",
    overdue_only: bool = False, coach_id: int | None = None, without: str | None = None,
) -> Page:
    """One page of the caseload, filtered and sorted by any column.

    Days in phase and the next deadline depend on holds and dates, so the rows (a coach's or a team's caseload,
    a few hundred light rows from two queries) are sorted in Python and only one page is rendered.
    """
    rows = caseload_rows(session=session, coach=coach, phase=phase, search=search, scope=scope, overdue_only=overdue_only,
                         coach_id=coach_id, without=without)
    return paginate_list(rows, wanted, CASELOAD_SORTS)


def team_coaches(*, session: Session, coach: User) -> list[tuple[int, str]]:
    """The coaches whose participants this coach sees (id, name), for the caseload's coach filter."""
    ids = visible_coach_ids(session=session, coach=coach)
    return [(u.id, u.full_name) for u in session.exec(select(User).where(User.id.in_(ids)).order_by(User.full_name, User.id)).all()]


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


PLACE_CANDIDATE_SORTS = ("score", "naam")


def place_candidates_page(
    *, session: Session, coach: User, place_id: int, wanted: PageRequest, include_excluded: bool = False, search: str | None = None,
) -> Page:
    """One page of the stored ranked participants of this coach (or shared team) for a place, best first by default."""
    from web.models import MatchSuggestion

    stmt = (
        select(MatchSuggestion, Participant)
        .join(Participant, Participant.id == MatchSuggestion.participant_id)
        .where(MatchSuggestion.place_id == place_id, Participant.coach_id.in_(visible_coach_ids(session=session, coach=coach)),
               Participant.active.is_(True))
        .options(defer(MatchSuggestion.explanation, raiseload=True))  # fetched per row when the coach opens it
    )
    if not include_excluded:
        stmt = stmt.where(MatchSuggestion.excluded.is_(False))
    if search:
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(func.lower(Participant.first_name + " " + Participant.last_name).like(like))
    order = {"score": [MatchSuggestion.score], "naam": [func.lower(Participant.last_name), func.lower(Participant.first_name)]}
    # excluded pairs (shown on request) always come after the others, whichever the order
    return paginate(session, stmt, wanted, order, leading=[MatchSuggestion.excluded], tiebreak=[Participant.id])


def place_candidate(*, session: Session, coach: User, place_id: int, participant_id: int):
    """The stored suggestion of one of this coach's (or shared team's) active participants for a place, or None."""
    from web.models import MatchSuggestion

    return session.exec(
        select(MatchSuggestion, Participant)
        .join(Participant, Participant.id == MatchSuggestion.participant_id)
        .where(MatchSuggestion.place_id == place_id, MatchSuggestion.participant_id == participant_id,
               Participant.coach_id.in_(visible_coach_ids(session=session, coach=coach)), Participant.active.is_(True))
    ).first()
