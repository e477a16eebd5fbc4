"""Employer organisations: profile and members, and the proposals inbox with pseudonymous candidates.

An employer sees a participant only through a proposal for one of its own places, never their
limitations, support needs or any label, and their contact data only once they agreed to that proposal
(and no longer once it is declined or withdrawn).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session, delete, func, select

from web.models import (
    Employer,
    EmployerMember,
    OneTimeToken,
    Participant,
    ParticipantSkill,
    ProfileView,
    Proposal,
    StagePlace,
    User,
)
from web.security import revoke_sessions
from web.services import accounts
from web.services.audit import record_audit
from web.services.dashboards import employer_for_user
from web.services.geo import distance_km
from web.services.notifications import notify
from web.services.proposals import (
    DECLINE_REASONS,
    TRANSITIONS,
    TransitionError,
    allowed_targets,
    transition_proposal,
)

PROFILE_FIELDS = ("name", "sector", "street", "postal_code", "city", "contact_name", "contact_email", "contact_phone", "size")
EMPLOYER_SIZES = ("1-9", "10-49", "50-249", "250+")
ANSWERS = {"interested": "employer_interested", "decline": "declined"}
# a declined or withdrawn proposal no longer carries the participant's consent: contact data disappear again
CLOSED_WITHOUT_STAGE = ("declined", "withdrawn")

__all__ = ["employer_for_user", "TransitionError", "DECLINE_REASONS"]


# --- organisation -------------------------------------------------------------------------------


def update_employer_profile(*, session: Session, employer: Employer, actor: User, values: dict) -> Employer:
    """Save the organisation profile (the KBO number is fixed at registration)."""
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(employer, name, values[name])
    session.add(employer)
    record_audit(session=session, actor_id=actor.id, action="employer.updated", obj=employer)
    session.flush()
    return employer


def list_members(*, session: Session, employer: Employer) -> list[tuple[EmployerMember, User]]:
    """The users acting for an organisation, owners first."""
    return list(
        session.exec(
            select(EmployerMember, User).join(User, User.id == EmployerMember.user_id).where(EmployerMember.employer_id == employer.id)
            .order_by(EmployerMember.is_owner.desc(), User.full_name)
        ).all()
    )


class MemberError(Exception):
    """A change to an organisation's members that is not allowed; the message is for the user."""


def _member_of(
    *, session: Session, employer: Employer, actor: User, member_id: int
) -> tuple[EmployerMember | None, EmployerMember | None]:
    """(the member of this organisation with this id or None when it is not theirs, the actor's own membership);
    only owners may manage members."""
    own = session.exec(select(EmployerMember).where(EmployerMember.user_id == actor.id)).first()
    member = session.get(EmployerMember, member_id)
    if member is None or member.employer_id != employer.id:
        return None, own
    if own is None or own.employer_id != employer.id or not own.is_owner:
        raise PermissionError("only the owner manages colleagues")
    return member, own


def remove_colleague(*, session: Session, employer: Employer, actor: User, member_id: int) -> User | None:
    """End a colleague's access: the membership goes, the account is deactivated (which ends their sessions) and
    unused invitation or reset links stop working. Returns the colleague, or None when the id is not this
    organisation's. Raises PermissionError for a non-owner and MemberError for the owner themself."""
    member, own = _member_of(session=session, employer=employer, actor=actor, member_id=member_id)
    if member is None:
        return None
    if member.user_id == actor.id:
        raise MemberError(_("Je kan je eigen toegang niet intrekken. Maak eerst een collega eigenaar."))
    user = session.get(User, member.user_id)
    user.is_active = False
    revoke_sessions(session=session, user=user)
    session.exec(delete(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.used_at.is_(None)))
    record_audit(session=session, actor_id=actor.id, action="employer.member_removed", obj=employer, detail={"user_id": user.id})
    session.delete(member)
    session.flush()
    return user


def make_owner(*, session: Session, employer: Employer, actor: User, member_id: int) -> User | None:
    """Hand the ownership of the organisation to a colleague who accepted their invitation; the actor stays a
    colleague. Returns the new owner, or None when the id is not this organisation's."""
    member, own = _member_of(session=session, employer=employer, actor=actor, member_id=member_id)
    if member is None:
        return None
    user = session.get(User, member.user_id)
    if member.user_id == actor.id:
        raise MemberError(_("Je bent al eigenaar."))
    if not user.is_active or not user.password_hash:
        raise MemberError(_("Deze collega heeft de uitnodiging nog niet aanvaard. Dat moet eerst."))
    own.is_owner = False
    member.is_owner = True
    session.add_all([own, member])
    record_audit(session=session, actor_id=actor.id, action="employer.owner_changed", obj=employer, detail={"user_id": user.id})
    session.flush()
    return user


def invite_colleague(*, session: Session, employer: Employer, inviter: User, email: str, full_name: str, language: str = "nl") -> User | None:
    """Invite a colleague to act for the same organisation. A former colleague whose access was removed (any
    organisation's) can be invited again, unless an admin deactivated the account (raises accounts.AccountError:
    only an admin lifts that). For an address that already has another account nothing changes and the address
    gets an e-mail saying so; the inviter sees the same answer as for a new colleague (returns None)."""
    address = accounts.normalise_email(email)
    existing = accounts.find_user_by_email(session=session, email=address)
    if existing is None:
        return accounts.invite_user(
            session=session, inviter=inviter, email=address, full_name=full_name, role="employer", language=language, employer_id=employer.id
        )
    former_colleague = (
        existing.role == "employer"
        and not existing.is_active
        and session.exec(select(EmployerMember).where(EmployerMember.user_id == existing.id)).first() is None
    )
    if former_colleague and existing.deactivated_by_admin_at is not None:
        raise accounts.AccountError(
            _("Een beheerder heeft dit account gedeactiveerd. Alleen een beheerder van Stagebrug kan het weer openen.")
        )
    if former_colleague:
        return accounts.reinvite_former_colleague(
            session=session, inviter=inviter, user=existing, full_name=full_name, employer_id=employer.id, language=language
        )
    accounts.tell_existing_account_about_invitation(session=session, user=existing, inviter=inviter, organisation=employer.name)
    record_audit(session=session, actor_id=inviter.id, action="employer.invite_existing_account", obj=employer, detail={"user_id": existing.id})
    return None


# --- proposals inbox ----------------------------------------------------------------------------


def list_proposals(*, session: Session, employer: Employer, place_id: int | None = None) -> list[tuple[Proposal, StagePlace, Participant]]:
    """The proposals for the employer's places, newest first."""
    query = (
        select(Proposal, StagePlace, Participant)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Participant, Participant.id == Proposal.participant_id)
        .where(StagePlace.employer_id == employer.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )
    if place_id is not None:
        query = query.where(Proposal.place_id == place_id)
    return list(session.exec(query).all())


PROPOSAL_SORTS = ("ontvangen", "status", "plaats")
# states in which the employer has a step of their own (answer, plan the intake, agree the stage, hire or not)
WAITING_FOR_EMPLOYER = tuple(sorted({frm for (frm, to), roles in TRANSITIONS.items() if "employer" in roles and to not in ("declined", "withdrawn")}))


def proposals_statement(*, employer: Employer, state: str | None = None, waiting: bool = False, place_id: int | None = None):
    """The proposals for the employer's places (with place and participant), filtered: one statement to page in SQL."""
    stmt = (
        select(Proposal, StagePlace, Participant)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .join(Participant, Participant.id == Proposal.participant_id)
        .where(StagePlace.employer_id == employer.id)
    )
    if state:
        stmt = stmt.where(Proposal.state == state)
    if waiting:
        stmt = stmt.where(Proposal.state.in_(WAITING_FOR_EMPLOYER))
    if place_id:
        stmt = stmt.where(Proposal.place_id == place_id)
    return stmt


def candidate_skills(*, session: Session, participant_ids: list[int]) -> dict[int, list[ParticipantSkill]]:
    """The skills of several candidates in one statement, strongest first (as ``candidate_card`` shows them)."""
    found: dict[int, list[ParticipantSkill]] = {pid: [] for pid in participant_ids}
    if participant_ids:
        for skill in session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id.in_(participant_ids))
                                  .order_by(ParticipantSkill.participant_id, ParticipantSkill.level.desc(), ParticipantSkill.name)):
            found[skill.participant_id].append(skill)
    return found


def proposals_page(
    *, session: Session, employer: Employer, wanted, state: str | None = None, waiting: bool = False, place_id: int | None = None,
):
    """One page of the proposals for the employer's places: by state, waiting for the employer, or for one place."""
    from web.paging import paginate

    stmt = proposals_statement(employer=employer, state=state, waiting=waiting, place_id=place_id)
    order = {"ontvangen": [Proposal.created_at], "status": [Proposal.state], "plaats": [func.lower(StagePlace.title)]}
    return paginate(session, stmt, wanted, order, tiebreak=[Proposal.id.desc()],
                    convert=lambda row: (row[0], row[1], candidate_name(row[2])))


def employer_place_choices(*, session: Session, employer: Employer) -> list[tuple[int, str]]:
    """The employer's places that received a proposal (id, title), for the inbox's place filter."""
    rows = session.exec(
        select(StagePlace.id, StagePlace.title).where(StagePlace.employer_id == employer.id,
                                                      StagePlace.id.in_(select(Proposal.place_id).distinct()))
        .order_by(StagePlace.title, StagePlace.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def get_proposal(*, session: Session, employer: Employer, proposal_id: int) -> Proposal | None:
    """The proposal with this id if it is for one of the employer's places, else None."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    place = session.get(StagePlace, proposal.place_id)
    if place is None or place.employer_id != employer.id:
        return None
    return proposal


def candidate_name(participant: Participant) -> str:
    """How an employer sees a participant's name: first name with consent, else a neutral code."""
    if participant.consent_level == "skills_name" and participant.first_name:
        return participant.first_name
    return f"#{participant.id}"


def candidate_card(*, session: Session, proposal: Proposal, participant: Participant, place: StagePlace, skills: list | None = None) -> dict:
    """What the employer may see of the participant of a proposal (never limitations or support needs).

    A list passes the ``skills`` it loaded for all its candidates at once (``candidate_skills``).
    """
    if skills is None:
        skills = candidate_skills(session=session, participant_ids=[participant.id])[participant.id]
    distance = None
    if participant.postal_code and place.postal_code:
        km = distance_km(participant.postal_code, place.postal_code)
        distance = round(km) if km is not None else None
    card = {
        "name": candidate_name(participant),
        "named": participant.consent_level == "skills_name",
        "skills": [(s.name, s.level) for s in skills],
        "hours_per_week": participant.hours_per_week,
        "dutch_level": participant.dutch_level,
        "driving_licence": participant.driving_licence,
        "distance_km": distance,
        "contact": None,
    }
    if proposal.participant_consented_at is not None and proposal.state not in CLOSED_WITHOUT_STAGE:
        card["contact"] = {
            "name": f"{participant.first_name} {participant.last_name}".strip(),
            "email": participant.email,
            "phone": participant.phone,
        }
    return card


def record_profile_view(*, session: Session, proposal: Proposal, viewer: User, employer: Employer) -> None:
    """Log that an employer user looked at a proposal's participant (shown to the participant)."""
    session.add(ProfileView(participant_id=proposal.participant_id, viewer_id=viewer.id, employer_id=employer.id, proposal_id=proposal.id))
    session.flush()


def employer_answers(proposal: Proposal) -> list[str]:
    """The answers ('interested', 'intake', 'decline') the employer may give in the proposal's state.

    'intake' (offering slots for a meeting) needs the candidate's yes; it is done through ``meetings.offer_slots``.
    """
    targets = allowed_targets(proposal.state, "employer")
    answers = [answer for answer, state in ANSWERS.items() if state in targets]
    if proposal.participant_consented_at is not None and proposal.state in ("participant_agreed", "employer_interested"):
        answers.insert(1 if "interested" in answers else 0, "intake")
    return answers


def answer_proposal(
    *, session: Session, proposal: Proposal, actor: User, answer: str, reason: str | None = None, note: str | None = None,
) -> Proposal:
    """Give the employer's answer ('interested' or 'decline') as a proposal transition and notify the coach.

    The note is the employer's own text for the coach. Raises TransitionError.
    """
    if answer not in ANSWERS:
        raise TransitionError("unknown_answer")
    data: dict = {}
    if answer == "decline":
        if reason not in DECLINE_REASONS:
            raise TransitionError("reason_required")
        data["reason"] = reason
    transition_proposal(session=session, proposal=proposal, to_state=ANSWERS[answer], actor=actor, actor_role="employer", note=note or None,
                        data=data or None)
    notify(
        session=session,
        user_id=proposal.coach_id,
        kind="proposal.employer_answered",
        payload={"proposal_id": proposal.id, "participant_id": proposal.participant_id, "place_id": proposal.place_id,
                 "answer": answer, "state": proposal.state, "reason": data.get("reason")},
        endpoint="coach.proposal_detail", endpoint_args={"proposal_id": proposal.id},
    )
    session.flush()
    return proposal
