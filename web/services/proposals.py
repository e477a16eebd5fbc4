"""The proposal pipeline: allowed transitions in one table, each transition a checked, stamped event.

proposed → participant_agreed → employer_interested → intake_planned → stage_agreed → stage_running →
stage_completed → hired / not_hired; declined or withdrawn at each open step, with a reason.

The employer's members hear of a new proposal (``proposal.created``) and of the participant's yes
(``proposal.participant_agreed``); neither notification carries the participant's name or contact data, which
the employer sees in the app only once the participant agreed.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import update
from sqlmodel import Session, func, select

from web.models import EmployerMember, Proposal, ProposalEvent, StagePlace, User, utcnow
from web.services.audit import record_audit
from web.services.notifications import notify
from web.services.trajectories import on_proposal_transition

# who may make a transition: "coach", "employer", "participant" (admins may do what coaches do)
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("proposed", "participant_agreed"): frozenset({"participant", "coach"}),
    ("proposed", "employer_interested"): frozenset({"employer"}),
    ("participant_agreed", "employer_interested"): frozenset({"employer"}),
    ("employer_interested", "participant_agreed"): frozenset({"participant", "coach"}),
    ("participant_agreed", "intake_planned"): frozenset({"employer", "coach"}),
    ("employer_interested", "intake_planned"): frozenset({"employer", "coach"}),
    ("intake_planned", "stage_agreed"): frozenset({"coach", "employer"}),
    ("stage_agreed", "stage_running"): frozenset({"coach"}),
    ("stage_running", "stage_completed"): frozenset({"coach"}),
    ("stage_completed", "hired"): frozenset({"coach", "employer"}),
    ("stage_completed", "not_hired"): frozenset({"coach", "employer"}),
}
OPEN_STATES = ("proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running")
for _state in OPEN_STATES:
    TRANSITIONS[(_state, "declined")] = frozenset({"coach", "employer", "participant"})
    TRANSITIONS[(_state, "withdrawn")] = frozenset({"coach"})
FINAL_STATES = ("hired", "not_hired", "declined", "withdrawn")
# states that take one of the place's capacity
CAPACITY_STATES = ("stage_agreed", "stage_running", "stage_completed", "hired")
DECLINE_REASONS = ("skills_mismatch", "no_capacity", "distance", "schedule", "not_interested", "other")


class TransitionError(Exception):
    """A transition that is not allowed from this state, for this actor, or over capacity."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def allowed_targets(state: str, actor_role: str) -> list[str]:
    """The states an actor with this role may move a proposal to."""
    role = "coach" if actor_role == "admin" else actor_role
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == state and role in roles]


def transition_proposal(
    *, session: Session, proposal: Proposal, to_state: str, actor: User | None, actor_role: str | None = None, note: str | None = None,
    data: dict | None = None,
) -> ProposalEvent:
    """Move a proposal to a new state if the table allows it, and write the event.

    Taking a place's last capacity (stage_agreed) locks the place row, so two coaches agreeing the last
    place at the same moment cannot both succeed.
    """
    role = actor_role or (actor.role if actor else "coach")
    role = "coach" if role == "admin" else role
    key = (proposal.state, to_state)
    if key not in TRANSITIONS:
        raise TransitionError("not_allowed", f"{proposal.state} → {to_state}")
    if role not in TRANSITIONS[key]:
        raise TransitionError("not_your_step", f"{role} may not move {proposal.state} → {to_state}")
    if to_state == "stage_agreed":
        _claim_capacity(session=session, proposal=proposal)
    if to_state == "declined" and not (data or {}).get("reason"):
        raise TransitionError("reason_required")
    event = ProposalEvent(
        proposal_id=proposal.id, from_state=proposal.state, to_state=to_state, actor_id=actor.id if actor else None, note=note, data=data
    )
    proposal.state = to_state
    proposal.updated_at = utcnow()
    if to_state == "declined":
        proposal.decline_reason = (data or {}).get("reason")
        proposal.decline_note = note
        proposal.declined_by = role
    if to_state == "participant_agreed" and proposal.participant_consented_at is None:
        proposal.participant_consented_at = utcnow()
    session.add(proposal)
    session.add(event)
    session.flush()
    on_proposal_transition(session=session, proposal=proposal, to_state=to_state, actor=actor)
    if to_state == "participant_agreed":
        notify_employer(session=session, proposal=proposal, kind="proposal.participant_agreed")
    record_audit(session=session, actor_id=actor.id if actor else None, action="proposal.transition", obj=proposal,
                 detail={"from": event.from_state, "to": to_state, "by": role})
    return event


def notify_employer(*, session: Session, proposal: Proposal, kind: str) -> int:
    """Notify every active member of the place's employer about a proposal (place only, never the participant's data)."""
    place = session.get(StagePlace, proposal.place_id)
    if place is None:
        return 0
    user_ids = session.exec(
        select(EmployerMember.user_id).join(User, User.id == EmployerMember.user_id)
        .where(EmployerMember.employer_id == place.employer_id, User.is_active.is_(True)).order_by(EmployerMember.user_id)
    ).all()
    link = _employer_link(proposal)
    for user_id in user_ids:
        notify(session=session, user_id=user_id, kind=kind, payload={"proposal_id": proposal.id, "place_id": place.id, "place_title": place.title},
               link=link)
    return len(user_ids)


def _employer_link(proposal: Proposal) -> str | None:
    """Where the employer answers the proposal (None outside a request, e.g. in a job)."""
    try:
        return url_for("employer.proposal_detail", proposal_id=proposal.id)
    except Exception:  # noqa: BLE001 - no request context or no employer area
        return None


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


def create_proposal(*, session: Session, participant_id: int, place_id: int, coach: User, score: float | None = None, note: str | None = None) -> Proposal:
    """Open a new proposal and write its first event."""
    proposal = Proposal(participant_id=participant_id, place_id=place_id, coach_id=coach.id, state="proposed", score=score)
    session.add(proposal)
    session.flush()
    session.add(ProposalEvent(proposal_id=proposal.id, from_state=None, to_state="proposed", actor_id=coach.id, note=note))
    session.flush()
    notify_employer(session=session, proposal=proposal, kind="proposal.created")
    record_audit(session=session, actor_id=coach.id, action="proposal.created", obj=proposal,
                 detail={"participant_id": participant_id, "place_id": place_id})
    return proposal
