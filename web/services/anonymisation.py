"""Anonymisation of a participant: the one service used by a confirmed erasure and by the retention purge.

It removes or blanks everything that identifies the participant or says something personal about them — names,
contact details, free text anywhere (notes, evaluations, proposals and their events, phase and hold reasons),
skills, preferred sectors, stored match suggestions, answers, the profile-view log, the login with its tokens,
attempts and notifications — and scrubs their name, e-mail and phone from every other user's notifications and
from the outbox (reminders carried the name in their payload and in the rendered e-mail). It keeps the
anonymised trajectory, phase, evaluation-decision and proposal-state rows, so the outcome figures stay right.
The audit log is append-only and never holds names, only ids.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import String, cast, delete, or_
from sqlmodel import Session, select

from web.models import (
    Evaluation,
    HoldPeriod,
    LoginAttempt,
    MatchSuggestion,
    Meeting,
    Notification,
    OneTimeToken,
    OutboxEmail,
    Participant,
    ParticipantNote,
    ParticipantSkill,
    PhasePeriod,
    PlaceAnswer,
    ProfileView,
    Proposal,
    ProposalEvent,
    ProposalMessage,
    Trajectory,
    User,
    utcnow,
)

ANONYMOUS_NAME = "—"
#: Identifying strings shorter than this are not scrubbed from other rows (a first name "Jo" would blank half the text).
MIN_SCRUB_LENGTH = 4


def _identifying_strings(participant: Participant, account: User | None) -> list[str]:
    """Name, e-mail and phone of a participant (and their login), longest first, as they may appear in text."""
    first, last = (participant.first_name or "").strip(), (participant.last_name or "").strip()
    candidates = {f"{first} {last}".strip(), participant.email, participant.phone, last}
    if account is not None:
        candidates |= {account.email, account.full_name}
    return sorted({c for c in candidates if c and len(c) >= MIN_SCRUB_LENGTH}, key=len, reverse=True)


def _scrub(value, needles: list[str]):
    """Replace every needle in the strings of a JSON-like value by the anonymous name."""
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, ANONYMOUS_NAME)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    return value


def _text_matches(column, needles: list[str]):
    """A SQL condition: the column's text contains one of the needles (also as JSON escapes them)."""
    patterns = set()
    for needle in needles:
        patterns.add(needle)
        patterns.add(json.dumps(needle)[1:-1])
    return or_(*[cast(column, String).contains(p, autoescape=True) for p in patterns])


def _scrub_other_rows(*, session: Session, participant: Participant, needles: list[str]) -> None:
    """Take the participant's name, e-mail and phone out of everybody's notifications and the outbox."""
    if not needles:
        return
    for note in session.exec(select(Notification).where(_text_matches(Notification.payload, needles))).all():
        note.payload = _scrub(note.payload, needles)
        session.add(note)
    for mail in session.exec(
        select(OutboxEmail).where(or_(_text_matches(OutboxEmail.body_text, needles), _text_matches(OutboxEmail.subject, needles)))
    ).all():
        mail.subject = _scrub(mail.subject, needles)[:300]
        mail.body_text = _scrub(mail.body_text, needles)
        session.add(mail)


def _erase_account(*, session: Session, user: User, participant_email: str | None) -> None:
    """Blank and close a participant's login; its row stays only because the audit log points at it."""
    addresses = {user.email, participant_email} - {None}
    session.exec(delete(OneTimeToken).where(OneTimeToken.user_id == user.id))
    session.exec(delete(Notification).where(Notification.user_id == user.id))
    session.exec(delete(LoginAttempt).where(LoginAttempt.email.in_(addresses)))
    user.email = f"erased-{user.id}@invalid.stagebrug"
    user.full_name = ANONYMOUS_NAME
    user.password_hash = None
    user.is_active = False
    user.email_preferences = None
    user.session_version = (user.session_version or 0) + 1
    session.add(user)


def anonymise_participant(*, session: Session, participant: Participant, now: datetime | None = None) -> None:
    """Remove or blank every personal detail of a participant everywhere; keep anonymised figures for monitoring."""
    now = now or utcnow()
    pid = participant.id
    account = session.get(User, participant.user_id) if participant.user_id is not None else None
    needles = _identifying_strings(participant, account)
    addresses = {participant.email, account.email if account else None} - {None}

    for model in (ParticipantSkill, ParticipantNote, MatchSuggestion, PlaceAnswer, ProfileView):
        session.exec(delete(model).where(model.participant_id == pid))
    for evaluation in session.exec(select(Evaluation).where(Evaluation.participant_id == pid)).all():
        evaluation.attendees = None
        evaluation.summary = None
        evaluation.scores = None  # the motivations are free text about the person
        session.add(evaluation)
    proposal_ids = []
    for proposal in session.exec(select(Proposal).where(Proposal.participant_id == pid)).all():
        proposal.decline_note = None
        proposal.motivation = None  # written about the person, for the employer
        session.add(proposal)
        proposal_ids.append(proposal.id)
    if proposal_ids:
        for event in session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id.in_(proposal_ids))).all():
            event.note = None
            event.data = None
            session.add(event)
        # the conversation about the person and the free texts of their meetings go; the meeting times stay for the figures
        session.exec(delete(ProposalMessage).where(ProposalMessage.proposal_id.in_(proposal_ids)))
        for meeting in session.exec(select(Meeting).where(Meeting.proposal_id.in_(proposal_ids))).all():
            meeting.note = meeting.change_reason = meeting.outcome_note = None
            session.add(meeting)
    trajectory_ids = list(session.exec(select(Trajectory.id).where(Trajectory.participant_id == pid)).all())
    if trajectory_ids:
        periods = session.exec(select(PhasePeriod).where(PhasePeriod.trajectory_id.in_(trajectory_ids))).all()
        for period in periods:
            period.reason = None
            session.add(period)
        if periods:
            for hold in session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id.in_([p.id for p in periods]))).all():
                hold.reason = None
                session.add(hold)
    if addresses:
        session.exec(delete(OutboxEmail).where(OutboxEmail.to_address.in_(addresses), OutboxEmail.sent_at.is_(None)))
    if account is not None:
        _erase_account(session=session, user=account, participant_email=participant.email)
    session.flush()
    _scrub_other_rows(session=session, participant=participant, needles=needles)
    # sent mails to the participant stay as a record of delivery, without the address
    for mail in session.exec(select(OutboxEmail).where(OutboxEmail.to_address.in_(addresses))).all() if addresses else []:
        mail.to_address = f"erased-participant-{pid}@invalid.stagebrug"
        mail.subject = _scrub(mail.subject, needles)
        mail.body_text = _scrub(mail.body_text, needles)
        session.add(mail)

    participant.first_name = ANONYMOUS_NAME
    participant.last_name = ANONYMOUS_NAME
    participant.email = None
    participant.phone = None
    participant.postal_code = None
    participant.preferred_sectors = None
    participant.occupations = None
    participant.limitations = None
    participant.support_needs = None
    participant.goals = None
    participant.user_id = None
    participant.active = False
    participant.engine_suggestions_visible = False
    participant.anonymised_at = now
    participant.updated_at = now
    session.add(participant)
    session.flush()
