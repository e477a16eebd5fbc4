"""The uniform doorstroom evaluation: one fixed rubric for everyone, a described 1–4 scale per item, a required
motivation per score, a decision (with a re-evaluation date when not yet ready) and who took part.

A draft saves whatever is filled in, so it can be written during the conversation; everything is required only
at sign-off, and ``missing_for_sign_off`` names what is still missing. A signed-off evaluation is immutable: it
can only be followed by a new one (``previous_id``). Saving and signing off write an audit row.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from web.models import EVALUATION_DECISIONS, Evaluation, Participant, User, utcnow
from web.services.audit import record_audit
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
    """An evaluation that cannot be saved or signed off as asked (``missing``: what sign-off still needs)."""

    def __init__(self, code: str, missing: list[str] | None = None):
        super().__init__(code)
        self.code = code
        self.missing = missing or []


def list_evaluations(*, session: Session, participant_id: int) -> list[Evaluation]:
    return list(session.exec(select(Evaluation).where(Evaluation.participant_id == participant_id).order_by(Evaluation.held_on.desc(), Evaluation.id.desc())).all())


def missing_for_sign_off(evaluation: Evaluation) -> list[str]:
    """What an evaluation still needs before it can be signed off, in the reader's language (empty when complete)."""
    missing: list[str] = []
    if not (evaluation.attendees or "").strip():
        missing.append(_("Wie nam deel"))
    scores = evaluation.scores or {}
    for item, (label, _levels) in RUBRIC.items():
        entry = scores.get(item) or {}
        if entry.get("score") not in (1, 2, 3, 4):
            missing.append(_("%(item)s: een niveau", item=label))
        if not (entry.get("motivation") or "").strip():
            missing.append(_("%(item)s: de motivering", item=label))
    if evaluation.decision not in EVALUATION_DECISIONS:
        missing.append(_("De beslissing"))
    elif evaluation.decision == "not_yet" and evaluation.re_evaluation_on is None:
        missing.append(_("De datum van de nieuwe evaluatie"))
    return missing


def _clean_scores(scores: dict) -> dict:
    """Keep what is filled in per rubric item: a level 1–4 and/or a motivation."""
    cleaned = {}
    for item in RUBRIC_ITEMS:
        entry = scores.get(item) or {}
        score = entry.get("score")
        score = int(score) if str(score or "").isdigit() and int(score) in (1, 2, 3, 4) else None
        motivation = (entry.get("motivation") or "").strip()
        if score is not None or motivation:
            cleaned[item] = {"score": score, "motivation": motivation}
    return cleaned


def save_evaluation(
    *, session: Session, participant: Participant, coach: User, held_on: date | None, attendees: str | None, scores: dict,
    decision: str | None, re_evaluation_on: date | None, summary: str | None, evaluation: Evaluation | None = None,
) -> Evaluation:
    """Create a draft evaluation or update a draft with whatever is filled in; a signed-off one is refused."""
    held_on = held_on or date.today()
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
    creating = evaluation.id is None
    evaluation.held_on = held_on
    evaluation.attendees = (attendees or "").strip()[:500] or None
    evaluation.scores = _clean_scores(scores)
    evaluation.decision = decision if decision in EVALUATION_DECISIONS else None
    evaluation.re_evaluation_on = re_evaluation_on if evaluation.decision == "not_yet" else None
    evaluation.summary = (summary or "").strip() or None
    session.add(evaluation)
    session.flush()
    record_audit(session=session, actor_id=coach.id, action="evaluation.created" if creating else "evaluation.updated", obj=evaluation,
                 detail={"participant_id": participant.id, "filled": len(evaluation.scores), "decision": evaluation.decision})
    return evaluation


def sign_off(*, session: Session, evaluation: Evaluation, coach: User) -> Evaluation:
    """Sign an evaluation off when it is complete; from then on it cannot be changed."""
    if evaluation.signed_off_at is not None:
        raise EvaluationError("signed_off")
    missing = missing_for_sign_off(evaluation)
    if missing:
        raise EvaluationError("incomplete", missing)
    evaluation.signed_off_at = utcnow()
    evaluation.signed_off_by_id = coach.id
    session.add(evaluation)
    record_audit(session=session, actor_id=coach.id, action="evaluation.signed_off", obj=evaluation,
                 detail={"participant_id": evaluation.participant_id, "decision": evaluation.decision})
    session.flush()
    return evaluation
