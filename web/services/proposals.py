"""The proposal pipeline: allowed transitions in one table, each transition a checked, stamped event.

proposed → participant_agreed → employer_interested → intake_planned → stage_agreed → stage_running →
stage_completed → hired / not_hired; declined or withdrawn at each open step, with a reason.

Guards besides the table: ``intake_planned`` needs a confirmed meeting (``web.services.meetings``), and a
cancelled meeting moves the proposal back to ``employer_interested``; ``stage_agreed`` needs a start and an
end date; no proposal moves forward on a place that is filled, closed or expired. A note typed with a
transition stays on the writer's side (the event); only an employer's own decline note is shown to the coach.

The employer's members hear of a new proposal (``proposal.created``) and of the participant's yes
(``proposal.participant_agreed``); neither notification carries the participant's name or contact data, which
the employer sees in the app only once the participant agreed. The employer's webhooks hear of both as well
(``proposal.created``, ``proposal.updated``; ids and states only).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from web.models import (
    OPEN_PROPOSAL_STATES,
    Employer,
    EmployerMember,
    Meeting,
    Participant,
    Proposal,
    ProposalEvent,
    StagePlace,
    User,
    utcnow,
)
from web.services.audit import record_audit
from web.services.notifications import notify
from web.services.trajectories import on_proposal_transition
from web.services.webhooks import enqueue_proposal_event

# who may make a transition: "coach", "employer", "participant" (admins may do what coaches do)
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("proposed", "participant_agreed"): frozenset({"participant", "coach"}),
    ("proposed", "employer_interested"): frozenset({"employer"}),
    ("participant_agreed", "employer_interested"): frozenset({"employer"}),
    ("employer_interested", "participant_agreed"): frozenset({"participant", "coach"}),
    ("participant_agreed", "intake_planned"): frozenset({"employer", "coach", "participant"}),
    ("employer_interested", "intake_planned"): frozenset({"employer", "coach", "participant"}),
    ("intake_planned", "stage_agreed"): frozenset({"coach", "employer"}),
    ("intake_planned", "employer_interested"): frozenset({"coach", "employer"}),  # the meeting was cancelled
    ("stage_agreed", "stage_running"): frozenset({"coach"}),
    ("stage_running", "stage_completed"): frozenset({"coach"}),
    ("stage_completed", "hired"): frozenset({"coach", "employer"}),
    ("stage_completed", "not_hired"): frozenset({"coach", "employer"}),
}
OPEN_STATES = OPEN_PROPOSAL_STATES
for _state in OPEN_STATES:
    TRANSITIONS[(_state, "declined")] = frozenset({"coach", "employer", "participant"})
    TRANSITIONS[(_state, "withdrawn")] = frozenset({"coach"})
FINAL_STATES = ("hired", "not_hired", "declined", "withdrawn")
# states that take one of the place's capacity
CAPACITY_STATES = ("stage_agreed", "stage_running", "stage_completed", "hired")
DECLINE_REASONS = ("skills_mismatch", "no_capacity", "distance", "schedule", "not_interested", "other")
# moving into these states needs a place that is still open (published or paused)
FORWARD_STATES = ("participant_agreed", "employer_interested", "intake_planned", "stage_agreed")
CLOSED_PLACE_STATUSES = ("filled", "closed", "expired")
# steps that happen through their own page (a meeting is picked or cancelled there), not through a status button
STEPS_ELSEWHERE = {("participant_agreed", "intake_planned"), ("employer_interested", "intake_planned"),
                   ("intake_planned", "employer_interested")}
MOTIVATION_MAX = 1000


class TransitionError(Exception):
    """A transition that is not allowed from this state, for this actor, or over capacity."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def allowed_targets(state: str, actor_role: str, *, buttons: bool = False) -> list[str]:
    """The states an actor with this role may move a proposal to (``buttons``: only those a status button makes)."""
    role = "coach" if actor_role == "admin" else actor_role
    return [to for (frm, to), roles in TRANSITIONS.items()
            if frm == state and role in roles and not (buttons and (frm, to) in STEPS_ELSEWHERE)]


def transition_proposal(
    *, session: Session, proposal: Proposal, to_state: str, actor: User | None, actor_role: str | None = None, note: str | None = None,
    data: dict | None = None, stage_start: date | None = None, stage_end: date | None = None,
) -> ProposalEvent:
    """Move a proposal to a new state if the table and the guards allow it, and write the event.

    Everything is checked before anything changes, so a refused step leaves the proposal as it was. Taking a
    place's last capacity (stage_agreed) locks the place row, so two coaches agreeing the last place at the same
    moment cannot both succeed.
    """
    role = actor_role or (actor.role if actor else "coach")
    role = "coach" if role == "admin" else role
    key = (proposal.state, to_state)
    if key not in TRANSITIONS:
        raise TransitionError("not_allowed", f"{proposal.state} → {to_state}")
    if role not in TRANSITIONS[key]:
        raise TransitionError("not_your_step", f"{role} may not move {proposal.state} → {to_state}")
    if to_state == "declined" and not (data or {}).get("reason"):
        raise TransitionError("reason_required")
    if to_state in FORWARD_STATES:
        place = session.get(StagePlace, proposal.place_id)
        if place is None or place.status in CLOSED_PLACE_STATUSES:
            raise TransitionError("place_unavailable")
    if to_state == "intake_planned":
        has_meeting = session.exec(select(Meeting.id).where(Meeting.proposal_id == proposal.id, Meeting.status == "confirmed")).first()
        if has_meeting is None:
            raise TransitionError("meeting_required")
    if to_state == "stage_agreed":
        start, end = stage_start or proposal.stage_start, stage_end or proposal.stage_end
        if start is None or end is None:
            raise TransitionError("dates_required")
        if end <= start:
            raise TransitionError("dates_order")
        if start.year < 2000 or end.year > date.today().year + 5:
            raise TransitionError("dates_range")
        _claim_capacity(session=session, proposal=proposal)
        proposal.stage_start, proposal.stage_end = start, end
    event = ProposalEvent(
        proposal_id=proposal.id, from_state=proposal.state, to_state=to_state, actor_id=actor.id if actor else None, note=note, data=data
    )
    proposal.state = to_state
    proposal.updated_at = utcnow()
    if to_state == "declined":
        proposal.decline_reason = (data or {}).get("reason")
        # the employer's own words are shown to the coach; what a coach or participant typed stays on the event
        proposal.decline_note = note if role == "employer" else None
        proposal.declined_by = role
    if to_state == "participant_agreed" and proposal.participant_consented_at is None:
        proposal.participant_consented_at = utcnow()
    session.add(proposal)
    session.add(event)
    session.flush()
    on_proposal_transition(session=session, proposal=proposal, to_state=to_state, actor=actor)
    enqueue_proposal_event(session=session, proposal=proposal, event="proposal.updated")
    if to_state == "participant_agreed":
        notify_employer(session=session, proposal=proposal, kind="proposal.participant_agreed")
    record_audit(session=session, actor_id=actor.id if actor else None, action="proposal.transition", obj=proposal,
                 detail={"from": event.from_state, "to": to_state, "by": role})
    return event


def notify_employer(*, session: Session, proposal: Proposal, kind: str) -> int:
    """Notify every active member of the place's employer about a proposal (ids only; names are looked up per reader)."""
    place = session.get(StagePlace, proposal.place_id)
    if place is None:
        return 0
    user_ids = session.exec(
        select(EmployerMember.user_id).join(User, User.id == EmployerMember.user_id)
        .where(EmployerMember.employer_id == place.employer_id, User.is_active.is_(True)).order_by(EmployerMember.user_id)
    ).all()
    for user_id in user_ids:
        notify(session=session, user_id=user_id, kind=kind,
               payload={"proposal_id": proposal.id, "place_id": place.id, "participant_id": proposal.participant_id},
               endpoint="employer.proposal_detail", endpoint_args={"proposal_id": proposal.id})
    return len(user_ids)


def _claim_capacity(*, session: Session, proposal: Proposal) -> None:
    """Take one of the place's capacity under a row lock; refuse when it is full."""
    # An UPDATE on the place row takes a write lock on PostgreSQL (and the database lock on SQLite)
    # that is held until the request commits; concurrent claims for this place wait here.
    session.exec(update(StagePlace).where(StagePlace.id == proposal.place_id).values(updated_at=utcnow()))
    place = session.get(StagePlace, proposal.place_id, populate_existing=True)
    taken = session.exec(
        select(func.count()).select_from(Proposal).where(
            Proposal.place_id == proposal.place_id, Proposal.state.in_(CAPACITY_STATES), Proposal.id != proposal.id
        )
    ).one()
    if taken >= place.places:
        raise TransitionError("place_full")


class ProposalError(Exception):
    """A proposal that cannot be made; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def create_proposal(
    *, session: Session, participant_id: int, place_id: int, coach: User, score: float | None = None, note: str | None = None,
    motivation: str | None = None,
) -> Proposal:
    """Open a new proposal and write its first event (raises ProposalError when one is already open for the pair)."""
    proposal = Proposal(participant_id=participant_id, place_id=place_id, coach_id=coach.id, state="proposed", score=score,
                        motivation=(motivation or "").strip() or None)
    try:
        with session.begin_nested():
            session.add(proposal)
            session.flush()
    except IntegrityError as exc:  # uq_proposal_open_pair: another open proposal for this participant and place
        raise ProposalError("already_open") from exc
    session.add(ProposalEvent(proposal_id=proposal.id, from_state=None, to_state="proposed", actor_id=coach.id, note=note))
    session.flush()
    notify_employer(session=session, proposal=proposal, kind="proposal.created")
    enqueue_proposal_event(session=session, proposal=proposal, event="proposal.created")
    record_audit(session=session, actor_id=coach.id, action="proposal.created", obj=proposal,
                 detail={"participant_id": participant_id, "place_id": place_id})
    return proposal


def propose_match(
    *, session: Session, coach: User, participant: Participant, place_id: int, motivation: str, only_if_free: bool = False
) -> Proposal:
    """The coach proposes a published place to a participant of their caseload, with a motivation the employer reads.

    ``only_if_free`` refuses when the participant already has any open proposal (accepting a suggested assignment).
    """
    from web.models import MatchSuggestion

    place = session.get(StagePlace, place_id)
    if place is None or place.status != "published" or session.get(Employer, place.employer_id).review_status != "approved":
        raise ProposalError("place_unavailable")  # an unreviewed organisation's places reach nobody
    motivation = (motivation or "").strip()
    if not motivation:
        raise ProposalError("motivation_required")
    if len(motivation) > MOTIVATION_MAX:
        raise ProposalError("motivation_too_long")
    open_query = select(Proposal.id).where(Proposal.participant_id == participant.id, Proposal.state.in_(OPEN_STATES))
    if session.exec(open_query.where(Proposal.place_id == place.id)).first() is not None:
        raise ProposalError("already_open")
    if only_if_free and session.exec(open_query).first() is not None:
        raise ProposalError("participant_busy")
    score = session.exec(
        select(MatchSuggestion.score).where(MatchSuggestion.participant_id == participant.id, MatchSuggestion.place_id == place.id)
    ).first()
    return create_proposal(session=session, participant_id=participant.id, place_id=place.id, coach=coach, score=score, motivation=motivation)


def proposals_of_participant(*, session: Session, participant_id: int) -> list[tuple[Proposal, StagePlace, Employer]]:
    """A participant's proposals with their place and employer, newest first."""
    return list(session.exec(
        select(Proposal, StagePlace, Employer).join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Employer, Employer.id == StagePlace.employer_id)
        .where(Proposal.participant_id == participant_id).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all())


def proposable_place(*, session: Session, place_id: int) -> StagePlace | None:
    """The place a coach may propose: it exists and is published (else None, shown as not found)."""
    place = session.get(StagePlace, place_id)
    return place if place is not None and place.status == "published" else None


def open_proposal_for(*, session: Session, participant_id: int, place_id: int) -> Proposal | None:
    """The proposal still running for this participant and place, if any (a second one is refused)."""
    return session.exec(
        select(Proposal).where(Proposal.participant_id == participant_id, Proposal.place_id == place_id, Proposal.state.in_(OPEN_STATES))
    ).first()
