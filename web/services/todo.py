"""The coach's to-do list and the pipeline board, over the caseload the coach may see.

``coach_todo`` answers "what needs doing": one section per kind, each with its total and its first rows, every row
naming the page where it is done (an endpoint and its arguments; the template builds the link). ``pipeline_board``
lays the open proposals out in one column per state, a capped number of cards per column.

Both work at region scale (160+ participants per coach, tens of thousands of proposals): each kind is one SQL
statement that filters, aggregates, counts (a window ``count(*) OVER ()``) and limits in the database, and the
board is one statement for all columns. Nothing loads the caseload into Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, literal, or_
from sqlmodel import Session, func, select

from web.models import (
    OPEN_PROPOSAL_STATES,
    Employer,
    Evaluation,
    HoldPeriod,
    Meeting,
    Participant,
    ParticipantSkill,
    PhasePeriod,
    Proposal,
    ProposalEvent,
    ProposalMessage,
    StagePlace,
    Team,
    Trajectory,
    User,
)
from web.services.calendar import BRUSSELS
from web.services.caseload import visible_coach_ids

#: the kinds of the to-do list, in the order the dashboard shows them
KINDS = (
    "employer_answers",
    "meetings_to_confirm",
    "meetings_tomorrow",
    "stages_to_agree",
    "phases_due",
    "unanswered",
    "without_evaluation",
    "without_skills",
)
ROWS_PER_KIND = 10
PHASE_WARNING_DAYS = 14
UNANSWERED_DAYS = 7
WAITING_STATES = ("proposed", "participant_agreed", "employer_interested")
BOARD_CARDS_PER_COLUMN = 50


@dataclass(frozen=True)
class TodoRow:
    """One thing to do: who, where, by when (or how long it waits), and the page where it is done."""

    participant_id: int
    participant_name: str
    endpoint: str
    args: dict
    place: str | None = None
    employer: str | None = None
    due_on: date | None = None
    at: datetime | None = None
    days_waiting: int | None = None
    phase: str | None = None
    note: str | None = None  # a code the template words: message, answer, over, soon, to_agree, no_dates, draft


@dataclass(frozen=True)
class TodoSection:
    """One kind of the to-do list: its total and its first rows; the count links to ``list_endpoint``."""

    kind: str
    count: int
    rows: tuple[TodoRow, ...]
    list_endpoint: str | None = None
    list_args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CoachTodo:
    """The coach's to-do list, one section per kind in ``KINDS`` order."""

    sections: tuple[TodoSection, ...]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)

    def section(self, kind: str) -> TodoSection:
        return next(s for s in self.sections if s.kind == kind)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _days_since(value: datetime | None, now: datetime) -> int | None:
    value = _aware(value)
    return None if value is None else max(0, (now - value).days)


def _in_caseload(coach_ids):
    return and_(Participant.coach_id.in_(coach_ids), Participant.active.is_(True), Participant.anonymised_at.is_(None))


def _last_event_at():
    return select(func.max(ProposalEvent.at)).where(ProposalEvent.proposal_id == Proposal.id).correlate(Proposal).scalar_subquery()


def _proposal_query(coach_ids, *extra):
    """Proposals of the caseload with participant, place and employer, plus the columns a kind adds and the total."""
    return (
        select(Proposal.id, Participant.id, Participant.first_name, Participant.last_name, StagePlace.title, Employer.name, *extra,
               func.count().over().label("total"))
        .join(Participant, Participant.id == Proposal.participant_id)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Employer, Employer.id == StagePlace.employer_id)
        .where(_in_caseload(coach_ids))
    )


def _run(session: Session, query) -> tuple[list, int]:
    rows = session.exec(query.limit(ROWS_PER_KIND)).all()
    return rows, (rows[0].total if rows else 0)


def _proposal_row(r, **fields) -> TodoRow:
    return TodoRow(participant_id=r[1], participant_name=f"{r[2]} {r[3]}", place=r[4], employer=r[5], endpoint="coach.proposal_detail",
                   args={"proposal_id": r[0]}, **fields)


def _employer_answers(session: Session, coach_ids, now: datetime) -> TodoSection:
    """Employer answers the coach must act on, and unread messages from the employer side."""
    last_actor_role = (
        select(User.role).join(ProposalEvent, ProposalEvent.actor_id == User.id).where(ProposalEvent.proposal_id == Proposal.id)
        .order_by(ProposalEvent.at.desc(), ProposalEvent.id.desc()).limit(1).correlate(Proposal).scalar_subquery()
    )
    with_meeting = select(Meeting.proposal_id).where(Meeting.status.in_(("option", "confirmed")))
    unread = and_(ProposalMessage.author_side == "employer", ProposalMessage.read_at.is_(None))
    with_unread = select(ProposalMessage.proposal_id).where(unread)
    unread_since = select(func.min(ProposalMessage.created_at)).where(ProposalMessage.proposal_id == Proposal.id, unread) \
        .correlate(Proposal).scalar_subquery().label("unread_since")
    answered = and_(Proposal.state == "employer_interested", Proposal.id.not_in(with_meeting), last_actor_role == "employer")
    since = func.coalesce(unread_since, _last_event_at(), Proposal.updated_at).label("since")
    query = (
        _proposal_query(coach_ids, since, unread_since)
        .where(or_(Proposal.id.in_(with_unread), answered))
        .order_by(since, Proposal.id)
    )
    rows, total = _run(session, query)
    return TodoSection("employer_answers", total, tuple(
        _proposal_row(r, days_waiting=_days_since(r.since, now), note="message" if r.unread_since is not None else "answer") for r in rows))


def _meetings_to_confirm(session: Session, coach_ids) -> TodoSection:
    """Proposals with meeting times the employer offered that nobody picked yet."""
    options = (
        select(Meeting.proposal_id, func.min(Meeting.starts_at).label("first_at"))
        .where(Meeting.status == "option").group_by(Meeting.proposal_id).subquery()
    )
    query = (
        _proposal_query(coach_ids, options.c.first_at)
        .join(options, options.c.proposal_id == Proposal.id)
        .where(Proposal.state.in_(OPEN_PROPOSAL_STATES))
        .order_by(options.c.first_at, Proposal.id)
    )
    rows, total = _run(session, query)
    return TodoSection("meetings_to_confirm", total, tuple(_proposal_row(r, at=_aware(r.first_at)) for r in rows))


def _brussels_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=BRUSSELS)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BRUSSELS)
    return start.astimezone(UTC), end.astimezone(UTC)


def _meetings_tomorrow(session: Session, coach_ids, now: datetime) -> TodoSection:
    """Confirmed meetings that start tomorrow (Europe/Brussels)."""
    start, end = _brussels_day(now.astimezone(BRUSSELS).date() + timedelta(days=1))
    query = (
        _proposal_query(coach_ids, Meeting.starts_at, Meeting.location)
        .join(Meeting, Meeting.proposal_id == Proposal.id)
        .where(Meeting.status == "confirmed", Meeting.starts_at >= start, Meeting.starts_at < end, Proposal.state.in_(OPEN_PROPOSAL_STATES))
        .order_by(Meeting.starts_at, Proposal.id)
    )
    rows, total = _run(session, query)
    return TodoSection("meetings_tomorrow", total, tuple(_proposal_row(r, at=_aware(r.starts_at), note=r.location) for r in rows))


def _stages_to_agree(session: Session, coach_ids, now: datetime) -> TodoSection:
    """Intakes that went well but no stage is agreed yet, and agreed or running stages without a start or end date."""
    went_well = exists().where(Meeting.proposal_id == Proposal.id, Meeting.status == "confirmed", Meeting.outcome == "continue")
    to_agree = and_(Proposal.state == "intake_planned", went_well)
    no_dates = and_(Proposal.state.in_(("stage_agreed", "stage_running")), or_(Proposal.stage_start.is_(None), Proposal.stage_end.is_(None)))
    since = func.coalesce(_last_event_at(), Proposal.updated_at).label("since")
    query = (
        _proposal_query(coach_ids, since, case((to_agree, literal("to_agree")), else_=literal("no_dates")).label("why"))
        .where(or_(to_agree, no_dates))
        .order_by(since, Proposal.id)
    )
    rows, total = _run(session, query)
    return TodoSection("stages_to_agree", total, tuple(_proposal_row(r, days_waiting=_days_since(r.since, now), note=r.why) for r in rows))


def _phases_due(session: Session, coach_ids, today: date) -> TodoSection:
    """Open phases of running trajectories past their due date or due within 14 days (a phase on hold waits)."""
    on_hold = exists().where(HoldPeriod.phase_period_id == PhasePeriod.id, HoldPeriod.ended_on.is_(None))
    query = (
        select(PhasePeriod.id, Participant.id, Participant.first_name, Participant.last_name, PhasePeriod.phase, PhasePeriod.due_on,
               func.count().over().label("total"))
        .join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id)
        .join(Participant, Participant.id == Trajectory.participant_id)
        .where(_in_caseload(coach_ids), Trajectory.ended_on.is_(None), PhasePeriod.ended_on.is_(None),
               PhasePeriod.due_on <= today + timedelta(days=PHASE_WARNING_DAYS), ~on_hold)
        .order_by(PhasePeriod.due_on, PhasePeriod.id)
    )
    rows, total = _run(session, query)
    return TodoSection("phases_due", total, tuple(
        TodoRow(participant_id=r[1], participant_name=f"{r[2]} {r[3]}", endpoint="coach.participant",
                args={"participant_id": r[1], "_anchor": "h-phase"}, phase=r[4], due_on=r[5], note="over" if r[5] < today else "soon")
        for r in rows))


def _unanswered(session: Session, coach_ids, now: datetime) -> TodoSection:
    """Proposals still waiting for an answer whose last event (or last change) is at least 7 days old."""
    since = func.coalesce(_last_event_at(), Proposal.updated_at).label("since")
    query = (
        _proposal_query(coach_ids, since, Proposal.state)
        .where(Proposal.state.in_(WAITING_STATES), since <= now - timedelta(days=UNANSWERED_DAYS))
        .order_by(since, Proposal.id)
    )
    rows, total = _run(session, query)
    return TodoSection("unanswered", total, tuple(_proposal_row(r, days_waiting=_days_since(r.since, now), note=r.state) for r in rows))


def _participants_without(session: Session, coach_ids, kind: str) -> TodoSection:
    """Participants of the caseload without a signed evaluation, or without any skill."""
    if kind == "without_evaluation":
        missing = ~exists().where(Evaluation.participant_id == Participant.id, Evaluation.signed_off_at.is_not(None))
        extra = select(func.max(Evaluation.id)).where(Evaluation.participant_id == Participant.id, Evaluation.signed_off_at.is_(None)) \
            .correlate(Participant).scalar_subquery()
        filter_value = "evaluatie"
    else:
        missing = ~exists().where(ParticipantSkill.participant_id == Participant.id)
        extra = literal(None)
        filter_value = "vaardigheden"
    query = (
        select(Participant.id, Participant.first_name, Participant.last_name, extra.label("draft_id"), func.count().over().label("total"))
        .where(_in_caseload(coach_ids), missing)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )
    rows, total = _run(session, query)

    def link(r) -> tuple[str, dict, str | None]:
        if kind == "without_skills":
            return "coach.edit_profile", {"participant_id": r.id}, None
        if r.draft_id is not None:
            return "coach.edit_evaluation", {"evaluation_id": r.draft_id}, "draft"
        return "coach.new_evaluation", {"participant_id": r.id}, None

    out = []
    for r in rows:
        endpoint, args, note = link(r)
        out.append(TodoRow(participant_id=r.id, participant_name=f"{r.first_name} {r.last_name}", endpoint=endpoint, args=args, note=note))
    return TodoSection(kind, total, tuple(out), list_endpoint="coach.caseload", list_args={"zonder": filter_value})


def coach_todo(*, session: Session, coach: User, today: date, now: datetime) -> CoachTodo:
    """The coach's to-do list over their visible caseload: per kind its total and up to 10 rows, one statement each."""
    coach_ids = visible_coach_ids(session=session, coach=coach)
    now = _aware(now)
    return CoachTodo(sections=(
        _employer_answers(session, coach_ids, now),
        _meetings_to_confirm(session, coach_ids),
        _meetings_tomorrow(session, coach_ids, now),
        _stages_to_agree(session, coach_ids, now),
        _phases_due(session, coach_ids, today),
        _unanswered(session, coach_ids, now),
        _participants_without(session, coach_ids, "without_evaluation"),
        _participants_without(session, coach_ids, "without_skills"),
    ))


# --- the pipeline board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardCard:
    """One proposal on the board."""

    proposal_id: int
    participant_name: str
    place: str
    employer: str
    coach_name: str
    is_own: bool
    days_in_state: int | None


@dataclass(frozen=True)
class BoardColumn:
    """One open proposal state: how many proposals are in it and the cards shown (oldest in the state first)."""

    state: str
    count: int
    cards: tuple[BoardCard, ...]

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    """The pipeline board with the choices of its filters and the filters applied."""

    columns: tuple[BoardColumn, ...]
    coaches: tuple[tuple[int, str], ...]
    teams: tuple[tuple[int, str], ...]
    places: tuple[tuple[int, str, str], ...]
    coach_id: int | None
    team_id: int | None
    place_id: int | None

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)


def pipeline_board(
    *, session: Session, coach: User, now: datetime, coach_id: int | None = None, team_id: int | None = None, place_id: int | None = None,
    cap: int | None = None, place_choices: int = 300,
) -> Board:
    """Open proposals of the visible caseload, one column per state; filters outside what the coach may see are ignored."""
    cap = cap or BOARD_CARDS_PER_COLUMN
    now = _aware(now)
    visible = visible_coach_ids(session=session, coach=coach)
    coaches = tuple(session.exec(select(User.id, User.full_name).where(User.id.in_(visible)).order_by(User.full_name, User.id)).all())
    teams = tuple(session.exec(
        select(Team.id, Team.name).join(User, User.team_id == Team.id).where(User.id.in_(visible)).distinct().order_by(Team.name, Team.id)
    ).all())
    coach_id = coach_id if coach_id in visible else None
    team_id = team_id if team_id in {t[0] for t in teams} else None
    places = tuple(session.exec(
        select(StagePlace.id, StagePlace.title, Employer.name)
        .join(Employer, Employer.id == StagePlace.employer_id)
        .where(exists().where(Proposal.place_id == StagePlace.id, Proposal.state.in_(OPEN_PROPOSAL_STATES),
                              Participant.id == Proposal.participant_id, _in_caseload(visible)))
        .order_by(StagePlace.title, Employer.name, StagePlace.id).limit(place_choices)
    ).all())

    entered = (
        select(func.max(ProposalEvent.at)).where(ProposalEvent.proposal_id == Proposal.id, ProposalEvent.to_state == Proposal.state)
        .correlate(Proposal).scalar_subquery()
    )
    inner = (
        select(Proposal.id.label("proposal_id"), Proposal.state.label("state"), Participant.first_name, Participant.last_name,
               StagePlace.title, Employer.name.label("employer"), User.id.label("coach_id"), User.full_name.label("coach_name"),
               func.coalesce(entered, Proposal.updated_at).label("since"))
        .join(Participant, Participant.id == Proposal.participant_id)
        .join(User, User.id == Participant.coach_id)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Employer, Employer.id == StagePlace.employer_id)
        .where(_in_caseload([coach_id] if coach_id else visible), Proposal.state.in_(OPEN_PROPOSAL_STATES))
    )
    if team_id is not None:
        inner = inner.where(User.team_id == team_id)
    if place_id is not None:
        inner = inner.where(Proposal.place_id == place_id)
    inner = inner.subquery()
    ranked = select(
        *inner.c,
        func.row_number().over(partition_by=inner.c.state, order_by=(inner.c.since, inner.c.proposal_id)).label("rn"),
        func.count().over(partition_by=inner.c.state).label("n"),
    ).subquery()
    rows = session.exec(select(*ranked.c).where(ranked.c.rn <= cap).order_by(ranked.c.state, ranked.c.rn)).all()

    counts: dict[str, int] = {}
    cards: dict[str, list[BoardCard]] = {}
    for r in rows:
        counts[r.state] = r.n
        cards.setdefault(r.state, []).append(BoardCard(
            proposal_id=r.proposal_id, participant_name=f"{r.first_name} {r.last_name}", place=r.title, employer=r.employer,
            coach_name=r.coach_name, is_own=r.coach_id == coach.id, days_in_state=_days_since(r.since, now)))
    columns = tuple(BoardColumn(state, counts.get(state, 0), tuple(cards.get(state, ()))) for state in OPEN_PROPOSAL_STATES)
    return Board(columns=columns, coaches=coaches, teams=teams, places=places, coach_id=coach_id, team_id=team_id, place_id=place_id)
