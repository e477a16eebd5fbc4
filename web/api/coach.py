"""API for coaches: the caseload's participants (profile and skills), ranked places and participants, proposals.

Every participant and proposal goes through the caseload service's lookups (a participant of another team is 404),
profile changes through the coach's profile form and ``update_profile``, proposals through ``create_proposal`` and
``transition_proposal`` with the one transition table.
"""
from __future__ import annotations

from flask import request
from sqlmodel import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from web.api import schemas as s
from web.api.core import (
    MAX_ID,
    api_role,
    api_spec,
    api_user,
    body_fields,
    bp,
    require_if_match,
    responses,
    sql_page,
    with_etag,
)
from web.api.problems import ApiProblem, form_field_errors
from web.coach.forms import ProfileForm
from web.db import get_session
from web.models import MatchSuggestion, Participant, Proposal, StagePlace
from web.services import caseload, matching, profiles, trajectories
from web.services.proposals import (
    TransitionError,
    allowed_targets,
    create_proposal,
    open_proposal_for,
    proposable_place,
    transition_proposal,
)

ID = f"int(min=1, max={MAX_ID})"
TAG = "coach"


_LOAD = object()


def participant_out(participant: Participant, *, trajectory=_LOAD, skills: list | None = None) -> s.ParticipantOut:
    """A participant as the API shows them; a list passes the trajectory and skills it loaded for all its rows at once."""
    db = get_session()
    if trajectory is _LOAD:
        trajectory = trajectories.current_trajectory(session=db, participant_id=participant.id)
    if skills is None:
        skills = profiles.skills_of(session=db, participant_id=participant.id)
    fields = {name: getattr(participant, name) for name in profiles.PROFILE_FIELDS}
    return s.ParticipantOut(
        id=participant.id, consent_level=participant.consent_level, coach_id=participant.coach_id, updated_at=participant.updated_at,
        phase=trajectory.current_phase if trajectory else None,
        skills=[s.ParticipantSkillOut.model_validate(k) for k in skills],
        **fields,
    )


def _participant(participant_id: int) -> Participant:
    return caseload.get_participant(session=get_session(), coach=api_user(), participant_id=participant_id)


@bp.get("/coach/participants")
@api_role("coach")
@api_spec.validate(query=s.ParticipantListQuery, resp=responses(HTTP_200=s.ParticipantList), tags=[TAG])
def coach_participants():
    """List the participants of the caseload (own, or the team's when it shares), by name; filter by phase or search.

    The same people as the caseload page, paged and sorted in the database (a fixed number of statements)."""
    db = get_session()
    query: s.ParticipantListQuery = request.context.query
    stmt = caseload.caseload_participants_statement(session=db, coach=api_user(), phase=query.phase, search=(query.q or "").strip() or None)
    page = sql_page(db, stmt, query, sort=query.sort, **caseload.participant_order(query.sort))
    ids = [p.id for p in page["items"]]
    current = caseload.current_trajectories(session=db, participant_ids=ids)
    skills = caseload.skills_of_participants(session=db, participant_ids=ids)
    page["items"] = [participant_out(p, trajectory=current.get(p.id), skills=skills[p.id]) for p in page["items"]]
    return s.ParticipantList(**page)


@bp.get(f"/coach/participants/<{ID}:participant_id>")
@api_role("coach")
@api_spec.validate(resp=responses(HTTP_200=s.ParticipantOut), tags=[TAG])
def coach_participant(participant_id: int):
    """Read a participant's profile and skills."""
    return with_etag(participant_out(_participant(participant_id)))


def _profile_formdata(values: dict) -> MultiDict:
    data = MultiDict()
    for name in profiles.PROFILE_FIELDS:
        value = values.get(name)
        if name == "driving_licence":
            if value:
                data.add(name, "y")
        elif name == "preferred_sectors":
            for sector in value or []:
                data.add(name, sector)
        elif name == "occupations":
            for index, wish in enumerate(value or []):
                data.add(f"occupations-{index}-name", wish)
        elif value is not None:
            data.add(name, str(value))
    for index, skill in enumerate(values.get("skills") or []):
        data.add(f"skills-{index}-name", skill["name"])
        data.add(f"skills-{index}-level", str(skill.get("level", 2)))
    return data


@bp.patch(f"/coach/participants/<{ID}:participant_id>")
@api_role("coach")
@api_spec.validate(json=s.ParticipantUpdate, resp=responses(HTTP_200=s.ParticipantOut), tags=[TAG])
def coach_participant_update(participant_id: int):
    """Change profile fields (If-Match required), with the profile form's checks; the matches are refreshed."""
    db = get_session()
    participant = _participant(participant_id)
    current = participant_out(participant)
    require_if_match(current)
    values = current.model_dump()
    values.update(body_fields(request.context.json))
    form = ProfileForm(formdata=_profile_formdata(values), meta={"csrf": False})
    if not form.validate():
        errors = form_field_errors(form.errors)
        for error in errors:  # a wish is a string in the API, a row with a name field in the form
            if error["pointer"].startswith("/occupations/") and error["pointer"].endswith("/name"):
                error["pointer"] = error["pointer"].removesuffix("/name")
                error["field"] = error["field"].removesuffix(".name")
        raise ApiProblem(422, errors=errors)
    profiles.update_profile(session=db, participant=participant, data=form.profile_data(), skills=form.skill_list())
    return with_etag(participant_out(participant))


@bp.get(f"/coach/participants/<{ID}:participant_id>/places")
@api_role("coach")
@api_spec.validate(query=s.MatchQuery, resp=responses(HTTP_200=s.PlaceMatchList), tags=[TAG])
def coach_participant_places(participant_id: int):
    """The ranked places for a participant, best first, with score and explanation."""
    participant = _participant(participant_id)
    query: s.MatchQuery = request.context.query
    rows = matching.suggestions_for_participant(session=get_session(), participant_id=participant.id, include_excluded=query.include_excluded,
                                                limit=50)
    return s.PlaceMatchList(items=[
        s.PlaceMatchOut(place_id=place.id, title=place.title, employer_id=place.employer_id, score=m.score, excluded=m.excluded,
                        explanation=m.explanation, computed_at=m.computed_at)
        for m, place in rows
    ])


@bp.get(f"/coach/places/<{ID}:place_id>/participants")
@api_role("coach")
@api_spec.validate(query=s.MatchQuery, resp=responses(HTTP_200=s.ParticipantMatchList), tags=[TAG])
def coach_place_participants(place_id: int):
    """The ranked participants of the caseload for a published place, best first."""
    db = get_session()
    place = proposable_place(session=db, place_id=place_id)
    if place is None:
        raise NotFound()
    query: s.MatchQuery = request.context.query
    coach_ids = caseload.visible_coach_ids(session=db, coach=api_user())
    rows = matching.suggestions_for_place(session=db, place_id=place.id, coach_ids=coach_ids, include_excluded=query.include_excluded)
    return s.ParticipantMatchList(items=[
        s.ParticipantMatchOut(participant_id=p.id, name=f"{p.first_name} {p.last_name}", score=m.score, excluded=m.excluded,
                              explanation=m.explanation, computed_at=m.computed_at)
        for m, p in rows
    ])


# --- proposals ----------------------------------------------------------------------------------------------


def coach_proposal_out(proposal: Proposal, place: StagePlace | None = None) -> s.CoachProposalOut:
    place = place or get_session().get(StagePlace, proposal.place_id)
    return s.CoachProposalOut(
        id=proposal.id, participant_id=proposal.participant_id, place_id=proposal.place_id, place_title=place.title, state=proposal.state,
        score=proposal.score, stage_start=proposal.stage_start, stage_end=proposal.stage_end, created_at=proposal.created_at,
        updated_at=proposal.updated_at, allowed_targets=allowed_targets(proposal.state, "coach"),
    )


@bp.get("/coach/proposals")
@api_role("coach")
@api_spec.validate(query=s.ProposalListQuery, resp=responses(HTTP_200=s.CoachProposalList), tags=[TAG])
def coach_proposals():
    """List the proposals of the caseload's participants, newest first."""
    db = get_session()
    query: s.ProposalListQuery = request.context.query
    coach_ids = caseload.visible_coach_ids(session=db, coach=api_user())
    stmt = (select(Proposal, StagePlace).join(StagePlace, StagePlace.id == Proposal.place_id)
            .join(Participant, Participant.id == Proposal.participant_id).where(Participant.coach_id.in_(coach_ids)))
    if query.place_id:
        stmt = stmt.where(Proposal.place_id == query.place_id)
    if query.state:
        stmt = stmt.where(Proposal.state == query.state)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(Proposal.created_at.desc(), Proposal.id.desc()).offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    return s.CoachProposalList(items=[coach_proposal_out(p, place) for p, place in rows], page=query.page, per_page=query.per_page, total=total)


@bp.post("/coach/proposals")
@api_role("coach")
@api_spec.validate(json=s.ProposalCreate, resp=responses(HTTP_201=s.CoachProposalOut), tags=[TAG])
def coach_proposal_create():
    """Propose a published place to a participant of the caseload (409 when a proposal for the pair is still running)."""
    db = get_session()
    body: s.ProposalCreate = request.context.json
    participant = _participant(body.participant_id)
    place = proposable_place(session=db, place_id=body.place_id)
    if place is None:
        raise NotFound()
    if open_proposal_for(session=db, participant_id=participant.id, place_id=place.id) is not None:
        raise ApiProblem(409, code="already_open")
    suggestion = db.exec(select(MatchSuggestion).where(MatchSuggestion.participant_id == participant.id, MatchSuggestion.place_id == place.id)).first()
    proposal = create_proposal(session=db, participant_id=participant.id, place_id=place.id, coach=api_user(),
                               score=suggestion.score if suggestion else None, note=body.note or None, motivation=body.motivation)
    return with_etag(coach_proposal_out(proposal, place), 201)


@bp.get(f"/coach/proposals/<{ID}:proposal_id>")
@api_role("coach")
@api_spec.validate(resp=responses(HTTP_200=s.CoachProposalOut), tags=[TAG])
def coach_proposal(proposal_id: int):
    """Read one proposal with the states the coach may move it to."""
    return with_etag(coach_proposal_out(caseload.get_proposal(session=get_session(), coach=api_user(), proposal_id=proposal_id)))


@bp.post(f"/coach/proposals/<{ID}:proposal_id>/transitions")
@api_role("coach")
@api_spec.validate(json=s.TransitionIn, resp=responses(HTTP_200=s.CoachProposalOut), tags=[TAG])
def coach_proposal_transition(proposal_id: int):
    """Move a proposal to a new state as the transition table allows (409 otherwise; a decline needs a reason)."""
    db = get_session()
    proposal = caseload.get_proposal(session=db, coach=api_user(), proposal_id=proposal_id)
    body: s.TransitionIn = request.context.json
    if body.to_state == "stage_agreed":
        proposal.stage_start = body.stage_start or proposal.stage_start
        proposal.stage_end = body.stage_end or proposal.stage_end
    try:
        transition_proposal(session=db, proposal=proposal, to_state=body.to_state, actor=api_user(), actor_role="coach", note=body.note or None,
                            data={"reason": body.reason} if body.reason else None)
    except TransitionError as exc:
        raise ApiProblem(422 if exc.code == "reason_required" else 409, code=exc.code) from None
    return with_etag(coach_proposal_out(proposal))
