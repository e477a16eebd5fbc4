"""Outcome monitoring against the configurable success definition, for admins and coach team leads.

Every figure is computed from the records, for a period and optional filters (coach team, social-economy
company, sector). The numbers are plain dicts and lists so the dashboard, the charts and the CSV downloads
show the same thing. The database does the counting: the period and the filters are in the WHERE clause,
trajectories, periods and proposals are joined rather than sent back as id lists, counts and the funnel are
GROUP BY aggregates (the furthest step of a proposal is a MAX over its events), and the median time in phase is
``percentile_cont`` on PostgreSQL (the middle row by ``row_number`` on SQLite). A handful of statements whatever
the size of the region; only the per-postal-code place counts are mapped to provinces in Python.

Definitions
- started / ended: trajectories whose ``started_on`` / ``ended_on`` falls in the period.
- doorstroom result: among trajectories ended in the period, the share that meets the success definition:
  ``hired_still_employed`` (default): outcome "hired", hired within the trajectory (started_on <= hired_on
  <= ended_on) and still employed at the end of nazorg; ``hired``: the same without the last condition.
- time in phase: phase periods ended in the period, days from start to end minus days on hold.
- funnel: proposals created in the period; a proposal counts for every step it reached (from its events
  and its current state): proposed → intake → stage (the stage started) → hired.
- decline reasons: proposals of that cohort that were declined, by reason.
- places: places published in the period, by sector and by province.
- employers with open places and no proposals: employers that have published places today, none of which
  ever received a proposal.
The sector filter applies to proposals and places; team and company filters apply to trajectories and
proposals (through the participant and their coach).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from web.models import (
    PHASES,
    REACHED_STEP,
    Employer,
    HoldPeriod,
    Participant,
    PhasePeriod,
    Proposal,
    SocialEconomyCompany,
    StagePlace,
    Team,
    Trajectory,
    User,
)
from web.services.geo import lookup_postal_code
from web.services.settings import get_setting, phase_max_days

BRUSSELS = ZoneInfo("Europe/Brussels")
FUNNEL_STEPS = ("proposed", "intake", "stage", "hired")
STATE_STEP = REACHED_STEP  # how far along the pipeline a proposal state is: 0 proposed, 1 intake, 2 stage, 3 hired


@dataclass
class Filters:
    """The period and the optional filters of the dashboard."""

    date_from: date
    date_to: date
    team_id: int | None = None
    company_id: int | None = None
    sector: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=BRUSSELS)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=BRUSSELS)

    def contains(self, day: date | None) -> bool:
        return day is not None and self.date_from <= day <= self.date_to


@dataclass
class Figures:
    """Everything the dashboard shows."""

    filters: Filters
    success_rule: str
    target_pct: float
    started: int = 0
    ended: int = 0
    successes: int = 0
    result_pct: float | None = None
    outcomes: dict = field(default_factory=dict)
    phase_times: list = field(default_factory=list)
    funnel: list = field(default_factory=list)
    decline_reasons: list = field(default_factory=list)
    places_by_sector: list = field(default_factory=list)
    places_by_province: list = field(default_factory=list)
    places_by_sector_province: list = field(default_factory=list)
    idle_employers: list = field(default_factory=list)


def default_filters(today: date) -> Filters:
    """The last twelve months up to today."""
    return Filters(date_from=date(today.year - 1, today.month, 1), date_to=today)


def is_success(trajectory: Trajectory, rule: str) -> bool:
    """Whether an ended trajectory meets the success definition."""
    if trajectory.outcome != "hired" or trajectory.hired_on is None:
        return False
    if trajectory.hired_on < trajectory.started_on or (trajectory.ended_on and trajectory.hired_on > trajectory.ended_on):
        return False
    if rule == "hired":
        return True
    return trajectory.still_employed_at_end is True


def _trajectory_scope(stmt, filters: Filters):
    """Apply the team and company filters to a statement on Trajectory (joining the participant and coach only then)."""
    if not (filters.team_id or filters.company_id):
        return stmt
    stmt = stmt.join(Participant, Participant.id == Trajectory.participant_id)
    if filters.team_id:
        coach = aliased(User)
        stmt = stmt.outerjoin(coach, coach.id == func.coalesce(Trajectory.coach_id, Participant.coach_id)).where(coach.team_id == filters.team_id)
    if filters.company_id:
        stmt = stmt.where(Participant.company_id == filters.company_id)
    return stmt


def _proposal_scope(stmt, filters: Filters):
    """Restrict a statement on Proposal to the period, the team, the company and the sector (joining only what a filter needs)."""
    stmt = stmt.where(Proposal.created_at >= filters.start, Proposal.created_at < filters.end)
    if filters.team_id or filters.company_id:
        stmt = stmt.join(Participant, Participant.id == Proposal.participant_id)
    if filters.team_id:
        coach = aliased(User)
        stmt = stmt.outerjoin(coach, coach.id == func.coalesce(Proposal.coach_id, Participant.coach_id)).where(coach.team_id == filters.team_id)
    if filters.company_id:
        stmt = stmt.where(Participant.company_id == filters.company_id)
    if filters.sector:
        stmt = stmt.join(StagePlace, StagePlace.id == Proposal.place_id).where(func.coalesce(StagePlace.sector, "") == filters.sector)
    return stmt


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _days_between(session: Session, later, earlier):
    """Whole days from ``earlier`` to ``later`` (two date expressions), in the database's own date arithmetic."""
    if _is_postgresql(session):
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _in_period(column, filters: Filters):
    return and_(column >= filters.date_from, column <= filters.date_to)


def _success_condition(rule: str):
    """The success definition as a SQL condition on Trajectory (see ``is_success``)."""
    condition = and_(
        Trajectory.outcome == "hired", Trajectory.hired_on.is_not(None), Trajectory.hired_on >= Trajectory.started_on,
        or_(Trajectory.ended_on.is_(None), Trajectory.hired_on <= Trajectory.ended_on),
    )
    if rule != "hired":
        condition = and_(condition, Trajectory.still_employed_at_end.is_(True))
    return condition


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def _trajectory_counts(session: Session, filters: Filters, figures: Figures) -> None:
    """Started, ended, successes and outcomes in one GROUP BY over the trajectories of the period."""
    ended = _in_period(Trajectory.ended_on, filters)
    outcome = func.coalesce(Trajectory.outcome, "unknown")
    stmt = select(
        outcome, _flag(_in_period(Trajectory.started_on, filters)), _flag(ended), _flag(and_(ended, _success_condition(figures.success_rule))),
    ).select_from(Trajectory)
    stmt = _trajectory_scope(stmt, filters).where(or_(_in_period(Trajectory.started_on, filters), ended))
    for name, started, ended_count, successes in session.exec(stmt.group_by(outcome).order_by(func.min(Trajectory.id))).all():
        figures.started += int(started or 0)
        figures.ended += int(ended_count or 0)
        figures.successes += int(successes or 0)
        if ended_count:
            figures.outcomes[name] = int(ended_count)
    figures.result_pct = round(100 * figures.successes / figures.ended, 1) if figures.ended else None


def _phase_times(session: Session, filters: Filters) -> list[dict]:
    """Per phase: periods ended in the period, median days without holds, and how many went over the maximum."""
    maxima = phase_max_days(session=session)
    period = aliased(PhasePeriod)
    hold_end = case((and_(HoldPeriod.ended_on.is_not(None), HoldPeriod.ended_on < period.ended_on), HoldPeriod.ended_on), else_=period.ended_on)
    held = (
        select(HoldPeriod.phase_period_id.label("period_id"),
               func.sum(case((hold_end > HoldPeriod.started_on, _days_between(session, hold_end, HoldPeriod.started_on)), else_=0)).label("days"))
        .join(period, period.id == HoldPeriod.phase_period_id)
        .where(_in_period(period.ended_on, filters))
        .group_by(HoldPeriod.phase_period_id)
        .subquery()
    )
    net = _days_between(session, PhasePeriod.ended_on, PhasePeriod.started_on) - func.coalesce(held.c.days, 0)
    durations = select(PhasePeriod.phase.label("phase"), case((net < 0, 0), else_=net).label("days")).select_from(PhasePeriod)
    if filters.team_id or filters.company_id:  # the trajectory only to reach the participant and its coach
        durations = _trajectory_scope(durations.join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id), filters)
    durations = durations.outerjoin(held, held.c.period_id == PhasePeriod.id).where(_in_period(PhasePeriod.ended_on, filters)).subquery()
    maximum = case(*((durations.c.phase == phase, days) for phase, days in maxima.items() if days is not None), else_=None)
    over = _flag(and_(maximum.is_not(None), durations.c.days > maximum))
    if _is_postgresql(session):
        median = func.percentile_cont(0.5).within_group(durations.c.days)
        stmt = select(durations.c.phase, func.count(), median, over).group_by(durations.c.phase)
    else:  # SQLite has no percentile function: the middle row (or the mean of the two middle rows) by row number
        ranked = select(
            durations.c.phase, durations.c.days,
            func.row_number().over(partition_by=durations.c.phase, order_by=durations.c.days).label("rn"),
            func.count().over(partition_by=durations.c.phase).label("n"),
        ).subquery()
        middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
        maximum = case(*((ranked.c.phase == phase, days) for phase, days in maxima.items() if days is not None), else_=None)
        stmt = select(ranked.c.phase, func.count(), func.avg(case((middle, ranked.c.days))),
                      _flag(and_(maximum.is_not(None), ranked.c.days > maximum))).group_by(ranked.c.phase)
    found = {phase: (count, value, over_max) for phase, count, value, over_max in session.exec(stmt).all()}
    rows = []
    for phase in PHASES:
        count, value, over_max = found.get(phase, (0, None, 0))
        median_days = None
        if count and value is not None:  # like statistics.median: a value of the list for an odd count, a mean for an even one
            median_days = int(round(value)) if count % 2 else float(value)
        rows.append({"phase": phase, "count": int(count), "median_days": median_days, "max_days": maxima.get(phase),
                     "over_max": int(over_max or 0)})
    return rows


def _step_of(column):
    """How far along the pipeline a state is, as a SQL expression (``STATE_STEP``)."""
    return case(*((column == state, step) for state, step in STATE_STEP.items()), else_=0)


def _funnel_and_declines(session: Session, filters: Filters, figures: Figures) -> None:
    """The funnel (the furthest step of each proposal: MAX over its events and its state) and the decline reasons."""
    # the furthest step over its events is kept on the proposal (Proposal.reached_step): no join with the events
    state_step = _step_of(Proposal.state)
    per_proposal = select(
        Proposal.id.label("id"),
        case((Proposal.state == "declined", func.coalesce(Proposal.decline_reason, "unknown"))).label("reason"),
        case((Proposal.reached_step > state_step, Proposal.reached_step), else_=state_step).label("step"),
    ).select_from(Proposal)
    per_proposal = _proposal_scope(per_proposal, filters).subquery()
    # counted per (reason, step): a few dozen rows, summed into the funnel here
    stmt = select(per_proposal.c.reason, per_proposal.c.step, func.count(), func.min(per_proposal.c.id)).group_by(
        per_proposal.c.reason, per_proposal.c.step)
    totals = [0] * len(FUNNEL_STEPS)
    per_reason: dict[str, list[int]] = {}  # reason -> [count, first proposal id]
    for reason, step, count, first_id in session.exec(stmt).all():
        for index in range(min(int(step), len(FUNNEL_STEPS) - 1) + 1):
            totals[index] += int(count)
        if reason is not None:
            seen = per_reason.setdefault(reason, [0, first_id])
            seen[0] += int(count)
            seen[1] = min(seen[1], first_id)
    reasons = [(reason, count) for reason, (count, _first) in sorted(per_reason.items(), key=lambda item: item[1][1])]
    first = previous = totals[0]
    for name, count in zip(FUNNEL_STEPS, totals, strict=True):
        figures.funnel.append({
            "step": name, "count": count,
            "pct_of_proposed": round(100 * count / first, 1) if first else None,
            "pct_of_previous": round(100 * count / previous, 1) if previous else None,
        })
        previous = count
    declined = sum(count for _reason, count in reasons)
    reasons.sort(key=lambda item: -item[1])  # stable: ties keep the order of their first proposal, like Counter.most_common
    figures.decline_reasons = [{"reason": reason, "count": count, "pct": round(100 * count / declined, 1)} for reason, count in reasons]


def _places(session: Session, filters: Filters, figures: Figures) -> None:
    """Places published in the period by sector and province: counted per (sector, postal code) in SQL."""
    stmt = (
        select(StagePlace.sector, StagePlace.postal_code, func.count())
        .where(StagePlace.published_at >= filters.start, StagePlace.published_at < filters.end)
        .group_by(StagePlace.sector, StagePlace.postal_code)
    )
    if filters.sector:
        stmt = stmt.where(StagePlace.sector == filters.sector)
    by_sector, by_province, cross = Counter(), Counter(), Counter()
    for sector, postal_code, count in session.exec(stmt).all():
        area = lookup_postal_code(postal_code)
        province = area.province if area else "?"
        sector = sector or "?"
        by_sector[sector] += count
        by_province[province] += count
        cross[(sector, province)] += count
    figures.places_by_sector = [{"sector": s, "count": c} for s, c in sorted(by_sector.items(), key=lambda kv: (-kv[1], kv[0]))]
    figures.places_by_province = [{"province": p, "count": c} for p, c in sorted(by_province.items(), key=lambda kv: (-kv[1], kv[0]))]
    figures.places_by_sector_province = [{"sector": s, "province": p, "count": c} for (s, p), c in sorted(cross.items())]


def compute_figures(*, session: Session, filters: Filters) -> Figures:
    """Compute every monitoring figure for a period and filters, counted by the database."""
    definition = get_setting(session=session, key="success_definition")
    figures = Figures(filters=filters, success_rule=definition.get("rule", "hired_still_employed"),
                      target_pct=float(definition.get("target_pct", 75)))
    _trajectory_counts(session, filters, figures)
    figures.phase_times = _phase_times(session, filters)
    _funnel_and_declines(session, filters, figures)
    _places(session, filters, figures)
    figures.idle_employers = idle_employers(session=session, sector=filters.sector)
    return figures


def idle_employers(*, session: Session, sector: str | None = None) -> list[dict]:
    """Employers with published places today that never received a proposal."""
    own_place = aliased(StagePlace)
    any_proposal = (
        select(Proposal.id).join(own_place, own_place.id == Proposal.place_id).where(own_place.employer_id == Employer.id).exists()
    )
    stmt = (
        select(Employer, func.count(StagePlace.id), func.min(StagePlace.published_at))
        .join(StagePlace, StagePlace.employer_id == Employer.id)
        .where(StagePlace.status == "published", ~any_proposal)
        .group_by(Employer.id)
        .order_by(func.min(StagePlace.published_at), Employer.name)
    )
    if sector:
        stmt = stmt.where(StagePlace.sector == sector)
    return [
        {"employer": e.name, "employer_id": e.id, "sector": e.sector, "open_places": n, "published_since": first.date() if first else None}
        for e, n, first in session.exec(stmt).all()
    ]


def filter_choices(*, session: Session) -> dict:
    """Teams and companies to choose from in the filters."""
    return {
        "teams": list(session.exec(select(Team).order_by(Team.name)).all()),
        "companies": list(session.exec(select(SocialEconomyCompany).order_by(SocialEconomyCompany.name)).all()),
    }


def csv_table(figures: Figures, name: str) -> tuple[list[str], list[list]] | None:
    """The header and rows of one dashboard table, for a CSV download (codes, not labels)."""
    if name == "summary":
        return (["started", "ended", "successes", "result_pct", "target_pct", "success_rule"],
                [[figures.started, figures.ended, figures.successes, figures.result_pct, figures.target_pct, figures.success_rule]])
    if name == "outcomes":
        return ["outcome", "count"], [[k, v] for k, v in sorted(figures.outcomes.items())]
    tables = {
        "phases": (["phase", "count", "median_days", "max_days", "over_max"], figures.phase_times),
        "funnel": (["step", "count", "pct_of_proposed", "pct_of_previous"], figures.funnel),
        "declines": (["reason", "count", "pct"], figures.decline_reasons),
        "sectors": (["sector", "count"], figures.places_by_sector),
        "provinces": (["province", "count"], figures.places_by_province),
        "places": (["sector", "province", "count"], figures.places_by_sector_province),
        "idle_employers": (["employer", "sector", "open_places", "published_since"], figures.idle_employers),
    }
    if name not in tables:
        return None
    header, rows = tables[name]
    return header, [[row.get(col) for col in header] for row in rows]


CSV_TABLES = ("summary", "outcomes", "phases", "funnel", "declines", "sectors", "provinces", "places", "idle_employers")
