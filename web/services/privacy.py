"""The participant's data rights: what employers may see, a copy of all data, erasure confirmed by the coach.

Consent has two layers: ``Participant.consent_level`` says what an employer may see before an intake
(``skills`` or ``skills_name``), and ``Proposal.participant_consented_at`` (set when the participant says
"Ik wil dit" to that proposal) lets the coach pass name and contact to that one employer.

Erasure is asked by the participant and confirmed by their own coach. It removes or blanks everything that is
not needed to account for the trajectory (names, contact, free text, skills, notes, suggestions, answers,
the profile-view log, the login) and keeps anonymised trajectory, phase, evaluation-decision and proposal-state
rows so the outcome figures stay right.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from web.models import (
    CONSENT_LEVELS,
    Employer,
    Evaluation,
    HoldPeriod,
    MatchSuggestion,
    Notification,
    Participant,
    ParticipantNote,
    ParticipantSkill,
    PhasePeriod,
    PlaceAnswer,
    ProfileView,
    Proposal,
    ProposalEvent,
    StagePlace,
    Trajectory,
    User,
    utcnow,
)
from web.services.anonymisation import ANONYMOUS_NAME, anonymise_participant  # noqa: F401  (re-exported)
from web.services.audit import record_audit
from web.services.notifications import notify


class PrivacyError(Exception):
    """A privacy action that is not possible now, or not by this person."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def set_consent_level(*, session: Session, participant: Participant, level: str, actor: User) -> None:
    """Choose what employers may see before an intake: skills only, or skills and first name."""
    if level not in CONSENT_LEVELS:
        raise PrivacyError("invalid_level")
    if participant.consent_level != level:
        participant.consent_level = level
        participant.updated_at = utcnow()
        session.add(participant)
        record_audit(session=session, actor_id=actor.id, action="participant.consent_changed", obj=participant, detail={"level": level})
    session.flush()


def profile_views(*, session: Session, participant: Participant) -> list[tuple[ProfileView, Employer | None]]:
    """Every logged view of the participant's profile by an employer, newest first."""
    views = session.exec(
        select(ProfileView).where(ProfileView.participant_id == participant.id).order_by(ProfileView.at.desc(), ProfileView.id.desc())
    ).all()
    employers = {e.id: e for e in session.exec(select(Employer).where(Employer.id.in_({v.employer_id for v in views if v.employer_id}))).all()}
    return [(view, employers.get(view.employer_id)) for view in views]


# --- a copy of all data ---------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj, exclude: tuple[str, ...] = ()) -> dict:
    return {key: _plain(value) for key, value in obj.model_dump().items() if key not in exclude}


def export_participant_data(*, session: Session, participant: Participant) -> dict:
    """Gather every stored fact about a participant into one JSON-ready dict."""
    pid = participant.id
    coach = session.get(User, participant.coach_id) if participant.coach_id else None
    account = session.get(User, participant.user_id) if participant.user_id else None
    trajectories = session.exec(select(Trajectory).where(Trajectory.participant_id == pid).order_by(Trajectory.started_on)).all()
    periods_by_trajectory: dict[int, list[PhasePeriod]] = {t.id: [] for t in trajectories}
    holds_by_period: dict[int, list[HoldPeriod]] = {}
    if trajectories:
        periods = session.exec(
            select(PhasePeriod).where(PhasePeriod.trajectory_id.in_(list(periods_by_trajectory))).order_by(PhasePeriod.started_on)
        ).all()
        for period in periods:
            periods_by_trajectory[period.trajectory_id].append(period)
            holds_by_period[period.id] = []
        if periods:
            for hold in session.exec(select(HoldPeriod).where(HoldPeriod.phase_period_id.in_(list(holds_by_period))).order_by(HoldPeriod.id)).all():
                holds_by_period[hold.phase_period_id].append(hold)
    trajectory_rows = [
        {**_row(trajectory), "phases": [{**_row(period), "holds": [_row(h) for h in holds_by_period[period.id]]}
                                         for period in periods_by_trajectory[trajectory.id]]}
        for trajectory in trajectories
    ]
    proposal_rows = session.exec(select(Proposal).where(Proposal.participant_id == pid).order_by(Proposal.created_at)).all()
    suggestion_rows = session.exec(select(MatchSuggestion).where(MatchSuggestion.participant_id == pid).order_by(MatchSuggestion.score.desc())).all()
    answer_rows = session.exec(select(PlaceAnswer).where(PlaceAnswer.participant_id == pid).order_by(PlaceAnswer.answered_at)).all()
    place_ids = {row.place_id for row in (*proposal_rows, *suggestion_rows, *answer_rows)}
    places = {place_id: {"place_id": place_id, "title": None, "employer": None} for place_id in place_ids}
    if place_ids:
        for place_id, title, employer_name in session.exec(
            select(StagePlace.id, StagePlace.title, Employer.name).outerjoin(Employer, Employer.id == StagePlace.employer_id)
            .where(StagePlace.id.in_(place_ids))
        ).all():
            places[place_id] = {"place_id": place_id, "title": title, "employer": employer_name}
    events_by_proposal: dict[int, list[ProposalEvent]] = {p.id: [] for p in proposal_rows}
    if proposal_rows:
        for event in session.exec(
            select(ProposalEvent).where(ProposalEvent.proposal_id.in_(list(events_by_proposal))).order_by(ProposalEvent.at)
        ).all():
            events_by_proposal[event.proposal_id].append(event)
    proposals = [
        {**_row(proposal), "place": places[proposal.place_id], "events": [_row(e, ("actor_id",)) for e in events_by_proposal[proposal.id]]}
        for proposal in proposal_rows
    ]
    suggestions = [{**_row(s), "place": places[s.place_id]} for s in suggestion_rows]
    answers = [{**_row(a, ("answered_by_id",)), "place": places[a.place_id]} for a in answer_rows]
    views = [
        {"at": _plain(view.at), "employer": employer.name if employer else None, "proposal_id": view.proposal_id}
        for view, employer in profile_views(session=session, participant=participant)
    ]
    notifications = (
        [_row(n, ("user_id",)) for n in session.exec(select(Notification).where(Notification.user_id == account.id).order_by(Notification.created_at)).all()]
        if account
        else []
    )
    return {
        "format": "stagebrug-participant-export/1",
        "exported_at": _plain(utcnow()),
        "participant": _row(participant, ("user_id", "coach_id", "company_id")),
        "coach": {"name": coach.full_name, "email": coach.email} if coach else None,
        "account": {"email": account.email, "language": account.language, "created_at": _plain(account.created_at),
                    "last_login_at": _plain(account.last_login_at)} if account else None,
        "skills": [_row(s, ("participant_id",)) for s in session.exec(select(ParticipantSkill).where(ParticipantSkill.participant_id == pid)).all()],
        "trajectories": trajectory_rows,
        "evaluations": [
            _row(e, ("coach_id", "signed_off_by_id"))
            for e in session.exec(select(Evaluation).where(Evaluation.participant_id == pid).order_by(Evaluation.held_on)).all()
        ],
        "notes": [
            _row(n, ("author_id",))
            for n in session.exec(select(ParticipantNote).where(ParticipantNote.participant_id == pid).order_by(ParticipantNote.created_at)).all()
        ],
        "proposals": proposals,
        "suggestions": suggestions,
        "answers": answers,
        "profile_views": views,
        "notifications": notifications,
    }


# --- erasure --------------------------------------------------------------------------------------


def request_erasure(*, session: Session, participant: Participant, actor: User) -> None:
    """Ask for erasure; the participant's coach is notified and has to confirm it."""
    if participant.anonymised_at is not None:
        raise PrivacyError("already_anonymised")
    if participant.erasure_requested_at is None:
        participant.erasure_requested_at = utcnow()
        session.add(participant)
        record_audit(session=session, actor_id=actor.id, action="participant.erasure_requested", obj=participant)
        notify(
            session=session, user_id=participant.coach_id, kind="participant.erasure_requested",
            payload={"participant_id": participant.id}, endpoint="participant.coach_erasure_requests",
        )
    session.flush()


def cancel_erasure_request(*, session: Session, participant: Participant, actor: User) -> None:
    """Take back an erasure request before the coach confirmed it."""
    if participant.anonymised_at is not None:
        raise PrivacyError("already_anonymised")
    if participant.erasure_requested_at is not None:
        participant.erasure_requested_at = None
        session.add(participant)
        record_audit(session=session, actor_id=actor.id, action="participant.erasure_cancelled", obj=participant)
    session.flush()


def pending_erasures(*, session: Session, coach: User) -> list[Participant]:
    """The coach's participants who asked for erasure and wait for confirmation."""
    query = select(Participant).where(Participant.erasure_requested_at.is_not(None), Participant.anonymised_at.is_(None))
    if coach.role != "admin":
        query = query.where(Participant.coach_id == coach.id)
    return list(session.exec(query.order_by(Participant.erasure_requested_at)).all())


def confirm_erasure(*, session: Session, participant: Participant, coach: User) -> None:
    """Confirm a participant's erasure request as their coach (or an admin) and anonymise them."""
    if coach.role not in ("coach", "admin") or (coach.role == "coach" and participant.coach_id != coach.id):
        raise PrivacyError("not_your_participant")
    if participant.anonymised_at is not None:
        raise PrivacyError("already_anonymised")
    if participant.erasure_requested_at is None:
        raise PrivacyError("not_requested")
    anonymise_participant(session=session, participant=participant)
    record_audit(session=session, actor_id=coach.id, action="participant.anonymised", obj=participant)
