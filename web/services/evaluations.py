"""The uniform doorstroom evaluation: one fixed rubric for everyone, a described 1–4 scale per item, a required
motivation per score, a decision (with a re-evaluation date when not yet ready) and who took part.

A signed-off evaluation is immutable: it can only be followed by a new one (``previous_id``).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from web.models import EVALUATION_DECISIONS, Evaluation, Participant, User, utcnow
from web.services.trajectories import current_trajectory

# item -> (label, {level: meaning}); the order is the order of the form and the printout
RUBRIC: dict[str, tuple] = {
    "work_attitude": (_l("Werkhouding"), {
        1: _l("Houdt zich nog weinig aan afspraken en werkregels."),
        2: _l("Houdt zich aan de meeste afspraken, met geregeld bijsturing."),
        3: _l("Houdt zich aan afspraken en werkregels, met weinig bijsturing."),
        4: _l("Toont een werkhouding zoals in een gewone job, zonder bijsturing."),
    }),
    "pace": (_l("Werktempo"), {
        1: _l("Haalt het gevraagde tempo nog niet."),
        2: _l("Haalt het tempo bij eenvoudige taken."),
        3: _l("Haalt het gevraagde tempo meestal."),
        4: _l("Haalt het tempo van een gewone werkplek."),
    }),
    "independence": (_l("Zelfstandigheid"), {
        1: _l("Heeft bij de meeste taken begeleiding nodig."),
        2: _l("Werkt zelfstandig bij gekende taken."),
        3: _l("Werkt zelfstandig en vraagt hulp wanneer nodig."),
        4: _l("Werkt zelfstandig, ook bij nieuwe taken."),
    }),
    "collaboration": (_l("Samenwerken"), {
        1: _l("Samenwerken loopt vaak moeizaam."),
        2: _l("Werkt samen met vertrouwde collega's."),
        3: _l("Werkt vlot samen in het team."),
        4: _l("Werkt vlot samen en helpt collega's."),
    }),
    "dutch": (_l("Nederlands op de werkvloer"), {
        1: _l("Begrijpt eenvoudige werkopdrachten nog niet goed."),
        2: _l("Begrijpt eenvoudige werkopdrachten."),
        3: _l("Begrijpt werkopdrachten en kan zelf vragen stellen."),
        4: _l("Communiceert vlot over het werk."),
    }),
    "reliability": (_l("Betrouwbaarheid en aanwezigheid"), {
        1: _l("Vaak afwezig of te laat zonder verwittigen."),
        2: _l("Soms afwezig of te laat."),
        3: _l("Zelden afwezig; verwittigt altijd."),
        4: _l("Altijd op tijd en aanwezig."),
    }),
    "motivation": (_l("Motivatie voor een gewone job"), {
        1: _l("Wil (nog) niet naar een gewone job."),
        2: _l("Twijfelt over een gewone job."),
        3: _l("Wil naar een gewone job."),
        4: _l("Wil naar een gewone job en zet er zelf stappen voor."),
    }),
    "support_need": (_l("Nood aan ondersteuning"), {
        1: _l("Heeft intensieve begeleiding nodig."),
        2: _l("Heeft geregeld begeleiding nodig."),
        3: _l("Heeft af en toe ondersteuning nodig."),
        4: _l("Heeft geen bijzondere ondersteuning nodig."),
    }),
}
RUBRIC_ITEMS = tuple(RUBRIC)
DECISION_LABELS = {
    "ready": _l("Klaar voor doorstroom"),
    "ready_with_support": _l("Klaar voor doorstroom met ondersteuning"),
    "not_yet": _l("Nog niet klaar"),
}


class EvaluationError(Exception):
    """An evaluation that cannot be saved or signed off as asked."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def list_evaluations(*, session: Session, participant_id: int) -> list[Evaluation]:
    return list(session.exec(select(Evaluation).where(Evaluation.participant_id == participant_id).order_by(Evaluation.held_on.desc(), Evaluation.id.desc())).all())


def _check(scores: dict, decision: str | None, re_evaluation_on: date | None) -> None:
    if set(scores) != set(RUBRIC_ITEMS):
        raise EvaluationError("incomplete")
    for item in RUBRIC_ITEMS:
        entry = scores[item]
        if entry.get("score") not in (1, 2, 3, 4) or not (entry.get("motivation") or "").strip():
            raise EvaluationError("incomplete")
    if decision not in EVALUATION_DECISIONS:
        raise EvaluationError("decision_required")
    if decision == "not_yet" and re_evaluation_on is None:
        raise EvaluationError("re_evaluation_required")


def save_evaluation(
    *, session: Session, participant: Participant, coach: User, held_on: date, attendees: str | None, scores: dict, decision: str,
    re_evaluation_on: date | None, summary: str | None, evaluation: Evaluation | None = None,
) -> Evaluation:
    """Create a draft evaluation or update a draft; a signed-off one is refused."""
    _check(scores, decision, re_evaluation_on)
    if evaluation is None:
        latest = session.exec(
            select(Evaluation).where(Evaluation.participant_id == participant.id, Evaluation.signed_off_at.is_not(None)).order_by(Evaluation.signed_off_at.desc())
        ).first()
        trajectory = current_trajectory(session=session, participant_id=participant.id)
        evaluation = Evaluation(
            participant_id=participant.id, coach_id=coach.id, held_on=held_on, previous_id=latest.id if latest else None,
            trajectory_id=trajectory.id if trajectory else None,
        )
    elif evaluation.signed_off_at is not None:
        raise EvaluationError("signed_off")
    evaluation.held_on = held_on
    evaluation.attendees = (attendees or "").strip()[:500] or None
    evaluation.scores = {item: {"score": int(scores[item]["score"]), "motivation": scores[item]["motivation"].strip()} for item in RUBRIC_ITEMS}
    evaluation.decision = decision
    evaluation.re_evaluation_on = re_evaluation_on if decision == "not_yet" else None
    evaluation.summary = (summary or "").strip() or None
    session.add(evaluation)
    session.flush()
    return evaluation


def sign_off(*, session: Session, evaluation: Evaluation, coach: User) -> Evaluation:
    """Sign an evaluation off; from then on it cannot be changed."""
    if evaluation.signed_off_at is not None:
        raise EvaluationError("signed_off")
    _check(evaluation.scores or {}, evaluation.decision, evaluation.re_evaluation_on)
    evaluation.signed_off_at = utcnow()
    evaluation.signed_off_by_id = coach.id
    session.add(evaluation)
    session.flush()
    return evaluation
