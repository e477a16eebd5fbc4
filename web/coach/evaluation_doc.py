"""The doorstroomevaluatie as a PDF in the participant's language, for the coach and for the participant."""
from __future__ import annotations

from flask import Response, current_app, render_template
from flask_babel import force_locale
from sqlmodel import Session

from web.models import Evaluation, Participant, User
from web.services import evaluations as evaluation_service


def evaluation_pdf_response(*, session: Session, evaluation: Evaluation, participant: Participant) -> Response:
    """Render one evaluation to a PDF download in the participant's language (Dutch when unknown)."""
    from web.services.cost_sheets import render_pdf

    account = session.get(User, participant.user_id) if participant.user_id else None
    language = account.language if account and account.language in current_app.config["LANGUAGES"] else "nl"
    with force_locale(language):
        html = render_template(
            "coach/evaluation_document.html", evaluation=evaluation, participant=participant, rubric=evaluation_service.RUBRIC,
            decisions=evaluation_service.DECISION_LABELS, coach=session.get(User, evaluation.coach_id) if evaluation.coach_id else None,
            signer=session.get(User, evaluation.signed_off_by_id) if evaluation.signed_off_by_id else None, current_locale=language,
        )
    pdf = render_pdf(html, stylesheet_path=str(current_app.static_folder) + "/css/evaluation_print.css", base_url=current_app.static_folder)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="doorstroomevaluatie-{evaluation.held_on.isoformat()}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
