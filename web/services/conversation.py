"""The conversation about one proposal between its coach and the employer's members.

The participant is not part of it and never sees it; employers see the participant in it only as they may
elsewhere (the page names the candidate with ``employers.candidate_name``). A message notifies the other side
(in-app and e-mail, in each reader's language) with a link to the conversation; it counts as read when someone of
the other side opens the proposal page.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, func, select

from web.models import EmployerMember, Participant, Proposal, ProposalMessage, StagePlace, User, utcnow
from web.services.audit import record_audit
from web.services.notifications import notify

MAX_LENGTH = 4000


class MessageError(Exception):
    """A message that cannot be sent; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class MessageLine:
    message: ProposalMessage
    author_name: str
    mine: bool  # written by the reader's side


def side_of(user: User) -> str:
    return "employer" if user.role == "employer" else "coach"


def post_message(*, session: Session, proposal: Proposal, author: User, body: str) -> ProposalMessage:
    """Add a message from the author's side and notify the other side."""
    text = (body or "").strip()
    if not text:
        raise MessageError("empty")
    if len(text) > MAX_LENGTH:
        raise MessageError("too_long")
    side = side_of(author)
    message = ProposalMessage(proposal_id=proposal.id, author_id=author.id, author_side=side, body=text)
    session.add(message)
    session.flush()
    # who wrote on which proposal; the text stays in the message (it is erased with the participant, the audit log is not)
    record_audit(session=session, actor_id=author.id, action="proposal.message_posted", obj=proposal, detail={"by": side})
    place = session.get(StagePlace, proposal.place_id)
    payload = {"proposal_id": proposal.id, "participant_id": proposal.participant_id, "place_id": proposal.place_id, "message_id": message.id}
    if side == "coach":
        members = session.exec(
            select(User.id).join(EmployerMember, EmployerMember.user_id == User.id)
            .where(EmployerMember.employer_id == place.employer_id, User.is_active.is_(True)).order_by(User.id)
        ).all()
        for user_id in members:
            notify(session=session, user_id=user_id, kind="message.new", payload=payload,
                   endpoint="employer.proposal_detail", endpoint_args={"proposal_id": proposal.id, "_anchor": "gesprek"})
    else:
        participant = session.get(Participant, proposal.participant_id)
        coach_id = proposal.coach_id or (participant.coach_id if participant else None)
        notify(session=session, user_id=coach_id, kind="message.new", payload=payload,
               endpoint="coach.proposal_detail", endpoint_args={"proposal_id": proposal.id, "_anchor": "gesprek"})
    return message


def conversation(*, session: Session, proposal: Proposal, reader: User) -> list[MessageLine]:
    """The proposal's messages, oldest first (newest last), as the reader sees them."""
    rows = session.exec(
        select(ProposalMessage, User.full_name).outerjoin(User, User.id == ProposalMessage.author_id)
        .where(ProposalMessage.proposal_id == proposal.id).order_by(ProposalMessage.created_at, ProposalMessage.id)
    ).all()
    side = side_of(reader)
    return [MessageLine(message=m, author_name=name or "—", mine=m.author_side == side) for m, name in rows]


def mark_conversation_read(*, session: Session, proposal: Proposal, reader: User) -> int:
    """The reader's side has seen the other side's messages: stamp them read."""
    other = "coach" if side_of(reader) == "employer" else "employer"
    result = session.exec(
        update(ProposalMessage)
        .where(ProposalMessage.proposal_id == proposal.id, ProposalMessage.author_side == other, ProposalMessage.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def unread_counts(*, session: Session, proposal_ids: list[int], reader: User) -> dict[int, int]:
    """How many messages from the other side the reader's side has not read, per proposal (one statement)."""
    if not proposal_ids:
        return {}
    other = "coach" if side_of(reader) == "employer" else "employer"
    rows = session.exec(
        select(ProposalMessage.proposal_id, func.count()).where(
            ProposalMessage.proposal_id.in_(proposal_ids), ProposalMessage.author_side == other, ProposalMessage.read_at.is_(None)
        ).group_by(ProposalMessage.proposal_id)
    ).all()
    return dict(rows)
