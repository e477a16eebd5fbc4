"""Reminders sent by the scheduler: phase deadlines, proposals without an answer, nazorg check-ins.

Each reminder is sent once per (subject, threshold): a ``ReminderSent`` row with a unique key is written
together with the notification, so running a job twice (or in two processes) never sends it twice.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from web.models import (
    EmployerMember,
    HoldPeriod,
    Participant,
    PhasePeriod,
    Proposal,
    ProposalEvent,
    ReminderSent,
    StagePlace,
    Trajectory,
    User,
)
from web.services.notifications import notify

PHASE_THRESHOLDS = (14, 3)  # days before the (hold-adjusted) due date; and "overdue" after it
PROPOSAL_WAIT_DAYS = 7
WAITING_STATES = ("proposed", "participant_agreed", "employer_interested")
NAZORG_MONTHS = (1, 3, 6)
NAZORG_WINDOW_DAYS = 31  # a check-in reached longer ago than this is history, not a reminder


def claim_reminder(*, session: Session, kind: str, subject_id: int, threshold: str) -> bool:
    """Record that a reminder is being sent; False when it was sent before."""
    exists = session.exec(
        select(ReminderSent.id).where(ReminderSent.kind == kind, ReminderSent.subject_id == subject_id, ReminderSent.threshold == threshold)
    ).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ReminderSent(kind=kind, subject_id=subject_id, threshold=threshold))
    except IntegrityError:  # sent by a concurrent run a moment ago
        return False
    return True


def held_days(*, periods: list[HoldPeriod], today: date) -> int:
    """Days a phase was on hold up to today (an open hold counts until today)."""
    total = 0
    for hold in periods:
        end = min(hold.ended_on or today, today)
        if end > hold.started_on:
            total += (end - hold.started_on).days
    return total


def effective_due(*, session: Session, period: PhasePeriod, today: date) -> tuple[date, bool]:
    """The due date moved by the days on hold, and whether the phase is on hold today."""
    holds = list(session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id == period.id)).all())
    on_hold = any(h.started_on <= today and (h.ended_on is None or h.ended_on > today) for h in holds)
    return period.due_on + timedelta(days=held_days(periods=holds, today=today)), on_hold


def phase_threshold(days_left: int) -> str | None:
    """The reminder threshold a phase with this many days left has reached, if any."""
    if days_left < 0:
        return "overdue"
    for limit in sorted(PHASE_THRESHOLDS):
        if days_left <= limit:
            return f"{limit}d"
    return None


def remind_phase_deadlines(*, session: Session, today: date) -> int:
    """Remind coaches of open phases 14 and 3 days before their due date and when overdue; return how many."""
    rows = session.exec(
        select(PhasePeriod, Trajectory, Participant)
        .join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id)
        .join(Participant, Participant.id == Trajectory.participant_id)
        .where(PhasePeriod.ended_on.is_(None), Trajectory.ended_on.is_(None), Participant.anonymised_at.is_(None))
        .order_by(PhasePeriod.id)
    ).all()
    sent = 0
    for period, trajectory, participant in rows:
        due, on_hold = effective_due(session=session, period=period, today=today)
        if on_hold:
            continue  # a hold stops the clock
        days_left = (due - today).days
        threshold = phase_threshold(days_left)
        coach_id = trajectory.coach_id or participant.coach_id
        if threshold is None or coach_id is None:
            continue
        # the threshold key carries the due date, so a phase extended later is reminded again
        key = f"{threshold}@{due.isoformat()}"
        if not claim_reminder(session=session, kind="phase", subject_id=period.id, threshold=key):
            continue
        kind = "reminder.phase_overdue" if threshold == "overdue" else "reminder.phase_due"
        notify(
            session=session, user_id=coach_id, kind=kind,
            payload={"phase": period.phase, "participant_id": participant.id, "due_on": due.isoformat(), "days": days_left},
            endpoint="coach.participant", endpoint_args={"participant_id": participant.id},
        )
        sent += 1
    return sent


def _employer_user_ids(session: Session, employer_id: int) -> list[int]:
    return list(session.exec(select(EmployerMember.user_id).where(EmployerMember.employer_id == employer_id)).all())


def remind_waiting_proposals(*, session: Session, now: datetime) -> int:
    """Remind whoever must answer a proposal that has waited 7 days, and its coach; return how many proposals."""
    last_event = (
        select(ProposalEvent.proposal_id, func.max(ProposalEvent.at).label("last_at")).group_by(ProposalEvent.proposal_id).subquery()
    )
    rows = session.exec(
        select(Proposal, StagePlace, Participant, last_event.c.last_at)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Participant, Participant.id == Proposal.participant_id)
        .outerjoin(last_event, last_event.c.proposal_id == Proposal.id)
        .where(Proposal.state.in_(WAITING_STATES))
        .order_by(Proposal.id)
    ).all()
    sent = 0
    for proposal, place, participant, last_at in rows:
        waiting_since = max(filter(None, (last_at, proposal.updated_at, proposal.created_at)))
        days = (now - waiting_since).days
        if days < PROPOSAL_WAIT_DAYS:
            continue
        key = f"{proposal.state}@{waiting_since.date().isoformat()}"
        if not claim_reminder(session=session, kind="proposal", subject_id=proposal.id, threshold=key):
            continue
        recipients: list[int] = []
        if proposal.state in ("proposed", "employer_interested") and participant.user_id:
            recipients.append(participant.user_id)
        if proposal.state in ("proposed", "participant_agreed"):
            recipients.extend(_employer_user_ids(session, place.employer_id))
        coach_id = proposal.coach_id or participant.coach_id
        if coach_id:
            recipients.append(coach_id)
        for user_id in dict.fromkeys(recipients):
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                continue
            endpoint, args = {
                "participant": ("participant.vacancy", {"place_id": place.id}),
                "employer": ("employer.proposal_detail", {"proposal_id": proposal.id}),
            }.get(user.role, ("coach.proposal_detail", {"proposal_id": proposal.id}))
            notify(session=session, user_id=user_id, kind="reminder.proposal_waiting",
                   payload={"proposal_id": proposal.id, "participant_id": participant.id, "place_id": place.id, "days": days},
                   endpoint=endpoint, endpoint_args=args)
        sent += 1
    return sent


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def remind_nazorg_checkins(*, session: Session, today: date) -> int:
    """Ask the coach for a check-in 1, 3 and 6 months after hiring; return how many.

    Only the latest check-in reached is sent, and only within a month of its date, so old hires in imported
    data do not flood coaches with reminders.
    """
    rows = session.exec(
        select(Trajectory, Participant)
        .join(Participant, Participant.id == Trajectory.participant_id)
        .where(Trajectory.hired_on.is_not(None), Participant.anonymised_at.is_(None))
        .order_by(Trajectory.id)
    ).all()
    sent = 0
    for trajectory, participant in rows:
        reached = [m for m in NAZORG_MONTHS if add_months(trajectory.hired_on, m) <= today]
        if not reached:
            continue
        months = reached[-1]
        if (today - add_months(trajectory.hired_on, months)).days > NAZORG_WINDOW_DAYS:
            continue
        coach_id = trajectory.coach_id or participant.coach_id
        if coach_id is None or not claim_reminder(session=session, kind="nazorg", subject_id=trajectory.id, threshold=f"{months}m"):
            continue
        place_id = _hiring_place(session, participant.id)
        notify(
            session=session, user_id=coach_id, kind="reminder.nazorg_checkin",
            payload={"participant_id": participant.id, "months": months, "place_id": place_id},
            endpoint="coach.participant", endpoint_args={"participant_id": participant.id},
        )
        sent += 1
    return sent


def _hiring_place(session: Session, participant_id: int) -> int | None:
    return session.exec(
        select(Proposal.place_id)
        .where(Proposal.participant_id == participant_id, Proposal.state == "hired")
        .order_by(Proposal.updated_at.desc())
    ).first()
