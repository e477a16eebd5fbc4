"""What the coach, employer and participant pages share about a proposal: its meeting block, the fit, the
calendar download, and the messages for refused steps."""
from __future__ import annotations

from flask import Response
from flask_babel import lazy_gettext as _l

from web.brokering.forms import MEETING_ERRORS
from web.models import MatchSuggestion, Meeting, Proposal, User
from web.services import meetings as meeting_service

TRANSITION_ERRORS = {
    "not_allowed": _l("Deze stap is vanuit deze status niet mogelijk."),
    "not_your_step": _l("Deze stap is niet aan jou."),
    "place_full": _l("Alle plaatsen van deze stageplaats zijn al ingenomen."),
    "place_unavailable": _l("Deze stageplaats is ingevuld, gesloten of verlopen: het voorstel kan niet verder."),
    "reason_required": _l("Geef een reden op."),
    "meeting_required": _l("Leg eerst een moment voor de kennismaking vast."),
    "dates_required": _l("Vul de begin- en einddatum van de stage in."),
    "dates_order": _l("De einddatum moet na de begindatum liggen."),
    "dates_range": _l("Kies datums binnen de komende vijf jaar."),
}


def meeting_message(code: str) -> str:
    return str(MEETING_ERRORS.get(code) or TRANSITION_ERRORS.get(code) or code)


def meeting_block(*, session, proposal: Proposal) -> dict:
    """The meetings of a proposal as the pages show them: open options, the confirmed one, the history."""
    meetings = meeting_service.meetings_of(session=session, proposal_id=proposal.id)
    confirmed = meeting_service.confirmed(meetings)
    return {
        "options": meeting_service.open_options(meetings),
        "confirmed": confirmed,
        "outcome_due": meeting_service.outcome_due(confirmed),
        "past": [m for m in meetings if m.status == "cancelled"],
        "all": meetings,
    }


def fit_for_employer(*, session, proposal: Proposal) -> dict | None:
    """How the candidate meets the place's skills (the engine's explanation), without any identity data."""
    explanation = session.exec(
        MatchSuggestion.__table__.select().with_only_columns(MatchSuggestion.explanation)
        .where(MatchSuggestion.participant_id == proposal.participant_id, MatchSuggestion.place_id == proposal.place_id)
    ).first()
    if not explanation or not explanation[0]:
        return None
    data = explanation[0]
    return {"matched": data.get("matched") or [], "missing": data.get("missing") or []}


def ics_response(*, session, meeting: Meeting, user: User) -> Response:
    """The meeting as an .ics file for this user (a cancelled one as a cancellation)."""
    proposal = session.get(Proposal, meeting.proposal_id)
    parties = meeting_service.parties_of(session=session, proposal=proposal)
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    text = meeting_service.invitation_for(parties=parties, meeting=meeting, user=user, method=method)
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Content-Disposition"] = f'attachment; filename="kennismaking-{meeting.id}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
