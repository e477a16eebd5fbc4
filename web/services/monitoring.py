"""Outcome monitoring against the configurable success definition, for admins and coach team leads.

Every figure is computed from the records, for a period and optional filters (coach team, social-economy
company, sector). The numbers are plain dicts and lists so the dashboard, the charts and the CSV downloads
show the same thing.

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

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from web.models import (
    PHASES,
    Employer,
    HoldPeriod,
    Participant,
    PhasePeriod,
    Proposal,
    ProposalEvent,
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
# how far along the pipeline a proposal state is: 0 proposed, 1 intake, 2 stage, 3 hired
STATE_STEP = {
    "intake_planned": 1,
    "stage_agreed": 1,
    "stage_running": 2,
    "stage_completed": 2,
    "not_hired": 2,
    "hired": 3,
}


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


def _trajectories(session: Session, filters: Filters) -> list[Trajectory]:
    coach = aliased(User)
    stmt = (
        select(Trajectory)
        .join(Participant, Participant.id == Trajectory.participant_id)
        .outerjoin(coach, coach.id == func.coalesce(Trajectory.coach_id, Participant.coach_id))
    )
    if filters.team_id:
        stmt = stmt.where(coach.team_id == filters.team_id)
    if filters.company_id:
        stmt = stmt.where(Participant.company_id == filters.company_id)
    return list(session.exec(stmt.order_by(Trajectory.id)).all())


def _proposals(session: Session, filters: Filters) -> list:
    """The proposals of the period and filters as light rows (id, state, decline_reason): the figures need no more."""
    coach = aliased(User)
    stmt = (
        select(Proposal.id, Proposal.state, Proposal.decline_reason)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Participant, Participant.id == Proposal.participant_id)
        .outerjoin(coach, coach.id == func.coalesce(Proposal.coach_id, Participant.coach_id))
        .where(Proposal.created_at >= filters.start, Proposal.created_at < filters.end)
    )
    if filters.team_id:
        stmt = stmt.where(coach.team_id == filters.team_id)
    if filters.company_id:
        stmt = stmt.where(Participant.company_id == filters.company_id)
    if filters.sector:
        stmt = stmt.where(func.coalesce(StagePlace.sector, "") == filters.sector)
    return list(session.exec(stmt.order_by(Proposal.id)).all())


def _phase_times(session: Session, trajectories: list[Trajectory], filters: Filters) -> list[dict]:
    maxima = phase_max_days(session=session)
    ids = [t.id for t in trajectories]
    durations: dict[str, list[int]] = defaultdict(list)
    if ids:
        periods = session.exec(
            select(PhasePeriod).where(PhasePeriod.trajectory_id.in_(ids), PhasePeriod.ended_on.is_not(None))
        ).all()
        holds: dict[int, list[HoldPeriod]] = defaultdict(list)
        for hold in session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id.in_([p.id for p in periods] or [0]))).all():
            holds[hold.phase_period_id].append(hold)
        for period in periods:
            if not filters.contains(period.ended_on):
                continue
            held = 0
            for hold in holds[period.id]:
                end = min(hold.ended_on or period.ended_on, period.ended_on)
                if end > hold.started_on:
                    held += (end - hold.started_on).days
            durations[period.phase].append(max(0, (period.ended_on - period.started_on).days - held))
    rows = []
    for phase in PHASES:
        values = durations.get(phase, [])
        maximum = maxima.get(phase)
        rows.append({
            "phase": phase,
            "count": len(values),
            "median_days": statistics.median(values) if values else None,
            "max_days": maximum,
            "over_max": sum(1 for v in values if maximum is not None and v > maximum),
        })
    return rows


def _reached_steps(session: Session, proposals: list) -> dict[int, int]:
    steps = {p.id: STATE_STEP.get(p.state, 0) for p in proposals}
    if proposals:
        events = session.exec(
            select(ProposalEvent.proposal_id, ProposalEvent.to_state).where(ProposalEvent.proposal_id.in_(list(steps)))
        ).all()
        for proposal_id, to_state in events:
            steps[proposal_id] = max(steps[proposal_id], STATE_STEP.get(to_state, 0))
    return steps


def compute_figures(*, session: Session, filters: Filters) -> Figures:
    """Compute every monitoring figure for a period and filters."""
    definition = get_setting(session=session, key="success_definition")
    figures = Figures(filters=filters, success_rule=definition.get("rule", "hired_still_employed"),
                      target_pct=float(definition.get("target_pct", 75)))

    trajectories = _trajectories(session, filters)
    figures.started = sum(1 for t in trajectories if filters.contains(t.started_on))
    ended = [t for t in trajectories if filters.contains(t.ended_on)]
    figures.ended = len(ended)
    figures.successes = sum(1 for t in ended if is_success(t, figures.success_rule))
    figures.result_pct = round(100 * figures.successes / figures.ended, 1) if ended else None
    figures.outcomes = dict(Counter(t.outcome or "unknown" for t in ended))
    figures.phase_times = _phase_times(session, trajectories, filters)

    proposals = _proposals(session, filters)
    steps = _reached_steps(session, proposals)
    first = len(proposals)
    previous = first
    for index, name in enumerate(FUNNEL_STEPS):
        count = sum(1 for step in steps.values() if step >= index)
        figures.funnel.append({
            "step": name, "count": count,
            "pct_of_proposed": round(100 * count / first, 1) if first else None,
            "pct_of_previous": round(100 * count / previous, 1) if previous else None,
        })
        previous = count
    declined = [p for p in proposals if p.state == "declined"]
    reasons = Counter(p.decline_reason or "unknown" for p in declined)
    figures.decline_reasons = [
        {"reason": reason, "count": count, "pct": round(100 * count / len(declined), 1)} for reason, count in reasons.most_common()
    ]

    place_stmt = select(StagePlace.sector, StagePlace.postal_code).where(StagePlace.published_at >= filters.start, StagePlace.published_at < filters.end)
    if filters.sector:
        place_stmt = place_stmt.where(StagePlace.sector == filters.sector)
    places = session.exec(place_stmt).all()
    by_sector, by_province, cross = Counter(), Counter(), Counter()
    for place in places:
        area = lookup_postal_code(place.postal_code)
        province = area.province if area else "?"
        sector = place.sector or "?"
        by_sector[sector] += 1
        by_province[province] += 1
        cross[(sector, province)] += 1
    figures.places_by_sector = [{"sector": s, "count": c} for s, c in sorted(by_sector.items(), key=lambda kv: (-kv[1], kv[0]))]
    figures.places_by_province = [{"province": p, "count": c} for p, c in sorted(by_province.items(), key=lambda kv: (-kv[1], kv[0]))]
    figures.places_by_sector_province = [{"sector": s, "province": p, "count": c} for (s, p), c in sorted(cross.items())]
    figures.idle_employers = idle_employers(session=session, sector=filters.sector)
    return figures


def idle_employers(*, session: Session, sector: str | None = None) -> list[dict]:
    """Employers with published places today that never received a proposal."""
    with_proposals = select(StagePlace.employer_id).join(Proposal, Proposal.place_id == StagePlace.id).distinct()
    stmt = (
        select(Employer, func.count(StagePlace.id), func.min(StagePlace.published_at))
        .join(StagePlace, StagePlace.employer_id == Employer.id)
        .where(StagePlace.status == "published", Employer.id.not_in(with_proposals))
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
