"""Participant profiles kept by the coach with the participant: profile fields, skills with levels, notes and
the timeline. Every change refreshes that one participant's stored matches (never the whole region).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from web.models import (
    Employer,
    Evaluation,
    Participant,
    ParticipantNote,
    ParticipantSkill,
    PhasePeriod,
    PlaceAnswer,
    Proposal,
    ProposalEvent,
    SkillTerm,
    StagePlace,
    Trajectory,
    User,
    utcnow,
)
from web.services.audit import current_actor_id, record_audit
from web.services.matching import refresh_matches_for_participant
from web.services.trajectories import start_trajectory

PROFILE_FIELDS = (
    "first_name", "last_name", "email", "phone", "postal_code", "max_distance_km", "hours_per_week", "dutch_level",
    "driving_licence", "preferred_sectors", "limitations", "support_needs", "goals", "occupations",
)


def skill_term_id(*, session: Session, name: str) -> str | None:
    """The vocabulary id of a skill typed exactly as one of its labels, else None (free text stays allowed)."""
    label = name.strip()
    term = session.exec(select(SkillTerm).where(SkillTerm.active.is_(True), (SkillTerm.label_nl == label) | (SkillTerm.label_en == label))).first()
    return term.id if term is not None else None


def skills_of(*, session: Session, participant_id: int) -> list[ParticipantSkill]:
    return list(session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id == participant_id).order_by(ParticipantSkill.id)).all())


def replace_skills(*, session: Session, participant: Participant, skills: list[tuple[str, int]], source: str = "coach") -> list[ParticipantSkill]:
    """Make the participant's skills exactly this list of (name, level); duplicates keep the highest level."""
    wanted: dict[str, tuple[str, int]] = {}
    for name, level in skills:
        name = " ".join((name or "").split())
        if not name:
            continue
        key = name.lower()
        if key not in wanted or wanted[key][1] < level:
            wanted[key] = (name, int(level))
    current = {s.name.lower(): s for s in skills_of(session=session, participant_id=participant.id)}
    for key, row in current.items():
        if key not in wanted:
            session.delete(row)
    for key, (name, level) in wanted.items():
        row = current.get(key)
        if row is None:
            row = ParticipantSkill(participant_id=participant.id, name=name, source=source, taxonomy_id=skill_term_id(session=session, name=name))
        row.level = level
        session.add(row)
    session.flush()
    record_audit(session=session, actor_id=current_actor_id(), action="participant.skills_changed", obj=participant,
                 detail={"count": len(skills), "source": source})
    return skills_of(session=session, participant_id=participant.id)


def _apply_profile_fields(participant: Participant, data: dict) -> None:
    """Copy the profile fields present in data; blank text becomes None."""
    for field in PROFILE_FIELDS:
        if field in data:
            value = data[field]
            setattr(participant, field, (value.strip() or None) if isinstance(value, str) else value)


def update_profile(*, session: Session, participant: Participant, data: dict, skills: list[tuple[str, int]] | None = None) -> Participant:
    """Save the profile fields (and skills when given), then refresh this participant's matches."""
    _apply_profile_fields(participant, data)
    participant.updated_at = utcnow()
    session.add(participant)
    session.flush()
    if skills is not None:
        replace_skills(session=session, participant=participant, skills=skills)
    refresh_matches_for_participant(session=session, participant_id=participant.id)
    record_audit(session=session, actor_id=current_actor_id(), action="participant.updated", obj=participant,
                 detail={"fields": sorted(data)})
    return participant


def create_participant(*, session: Session, coach: User, data: dict, skills: list[tuple[str, int]], phase: str = "voortraject", source: str = "coach") -> Participant:
    """Add a participant to the coach's caseload with an open trajectory."""
    participant = Participant(coach_id=coach.id, company_id=None, first_name=data["first_name"], last_name=data["last_name"])
    _apply_profile_fields(participant, data)
    session.add(participant)
    session.flush()
    replace_skills(session=session, participant=participant, skills=skills, source=source)
    start_trajectory(session=session, participant_id=participant.id, coach_id=coach.id, phase=phase)
    record_audit(session=session, actor_id=current_actor_id() or coach.id, action="participant.created", obj=participant,
                 detail={"source": source})
    return participant


def add_note(*, session: Session, participant: Participant, author: User, body: str) -> ParticipantNote:
    """Write a note on the participant's timeline; it counts as contact."""
    note = ParticipantNote(participant_id=participant.id, author_id=author.id, body=body.strip())
    participant.last_contact_at = utcnow()
    session.add(note)
    session.add(participant)
    session.flush()
    record_audit(session=session, actor_id=author.id, action="participant.note_added", obj=participant, detail={"note_id": note.id})
    return note


@dataclass(frozen=True)
class TimelineItem:
    """One dated line on a participant's timeline."""

    at: datetime | object
    kind: str  # note | proposal | phase | evaluation | answer
    data: dict


def place_answers(*, session: Session, participant: Participant) -> list[tuple[PlaceAnswer, StagePlace, Employer | None]]:
    """The participant's own answers to suggested places without a proposal ("Ik wil dit" / "Liever niet"), newest first."""
    return list(
        session.exec(
            select(PlaceAnswer, StagePlace, Employer)
            .join(StagePlace, StagePlace.id == PlaceAnswer.place_id)
            .outerjoin(Employer, Employer.id == StagePlace.employer_id)
            .where(PlaceAnswer.participant_id == participant.id)
            .order_by(PlaceAnswer.answered_at.desc(), PlaceAnswer.id.desc())
        ).all()
    )


def timeline(*, session: Session, participant: Participant) -> list[TimelineItem]:
    """Notes, proposal steps, phase changes, answers to suggested places and evaluations of a participant, newest first."""
    items: list[TimelineItem] = []
    for note, author in session.exec(
        select(ParticipantNote, User).outerjoin(User, User.id == ParticipantNote.author_id).where(ParticipantNote.participant_id == participant.id)
    ).all():
        items.append(TimelineItem(note.created_at, "note", {"body": note.body, "author": author.full_name if author else None}))
    for event, _proposal, place in session.exec(
        select(ProposalEvent, Proposal, StagePlace)
        .join(Proposal, Proposal.id == ProposalEvent.proposal_id)
        .join(StagePlace, StagePlace.id == Proposal.place_id)
        .where(Proposal.participant_id == participant.id)
    ).all():
        items.append(TimelineItem(event.at, "proposal", {"to_state": event.to_state, "place": place.title, "note": event.note}))
    for period in session.exec(
        select(PhasePeriod).join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id).where(Trajectory.participant_id == participant.id)
    ).all():
        items.append(TimelineItem(datetime.combine(period.started_on, datetime.min.time(), tzinfo=utcnow().tzinfo), "phase", {"phase": period.phase, "reason": period.reason}))
    for answer, place, _employer in place_answers(session=session, participant=participant):
        items.append(TimelineItem(answer.answered_at, "answer", {"answer": answer.answer, "reason": answer.reason, "place": place.title,
                                                                  "by_participant": answer.answered_by_id == participant.user_id}))
    for evaluation in session.exec(select(Evaluation).where(Evaluation.participant_id == participant.id, Evaluation.signed_off_at.is_not(None))).all():
        items.append(TimelineItem(evaluation.signed_off_at, "evaluation", {"id": evaluation.id, "decision": evaluation.decision}))
    return sorted(items, key=lambda i: i.at, reverse=True)
