"""API for employers: stage places with skills and status actions, the cost & expectation sheet, proposals, webhooks.

Each route finds its object through the same service lookups as the employer pages (another organisation's place or
proposal is 404) and validates with the same forms, so an API client gets the pages' messages in its own language.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import request
from flask_babel import get_locale
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
from web.db import get_session
from web.employer.forms import PlaceForm, SheetForm
from web.models import Proposal, StagePlace, WebhookDelivery
from web.services import cost_sheets, employers, places, webhooks
from web.services import meetings as meeting_service
from web.services.proposals import TransitionError

ID = f"int(min=1, max={MAX_ID})"
TAG = "employer"


def _employer():
    employer = employers.employer_for_user(session=get_session(), user=api_user())
    if employer is None:
        raise ApiProblem(403)
    return employer


def _place_or_404(place_id: int) -> StagePlace:
    place = places.get_place(session=get_session(), employer=_employer(), place_id=place_id)
    if place is None:
        raise NotFound()
    return place


# --- places -----------------------------------------------------------------------------------------------


def place_out(place: StagePlace, open_proposals: int | None = None, *, skills: list | None = None, sheet=None, sheet_loaded: bool = False
              ) -> s.PlaceOut:
    """A place as the API shows it; a list passes the skills and sheet it loaded for all its places at once."""
    db = get_session()
    skills = places.place_skills(session=db, place=place) if skills is None else skills
    check = {"sheet": sheet} if sheet_loaded else {}
    return s.PlaceOut(
        **{name: getattr(place, name) for name in (
            "id", "title", "description", "tasks", "sector", "postal_code", "hours_per_week", "schedule", "start_date", "duration_weeks",
            "places", "dutch_level", "driving_licence", "physical_demands", "occupation", "status", "published_at", "expires_at", "created_at", "updated_at")},
        skills=[s.SkillOut.model_validate(k) for k in skills],
        actions=places.allowed_actions(place),
        publish_problems=[str(p) for p in places.publish_problems(session=db, place=place, has_skills=bool(skills), **check)]
        if place.status in ("draft", "paused", "expired") else [],
        open_proposals=open_proposals,
    )


def _place_formdata(values: dict) -> MultiDict:
    """The place's values as the place form would post them."""
    data = MultiDict()
    for name in places.PLACE_FIELDS:
        value = values.get(name)
        if name == "driving_licence":
            if value:
                data.add(name, "y")
        elif value is not None:
            data.add(name, value.isoformat() if hasattr(value, "isoformat") else str(value))
    for index, skill in enumerate(values.get("skills") or []):
        data.add(f"skills-{index}-name", skill["name"])
        data.add(f"skills-{index}-required", "1" if skill.get("required", True) else "0")
        data.add(f"skills-{index}-min_level", str(skill.get("min_level", 2)))
    return data


def _validated_place_form(values: dict, stored_start_date=None) -> PlaceForm:
    form = PlaceForm(formdata=_place_formdata(values), meta={"csrf": False}, stored_start_date=stored_start_date)
    if not form.validate():
        raise ApiProblem(422, errors=form_field_errors(form.errors))
    return form


@bp.get("/employer/places")
@api_role("employer")
@api_spec.validate(query=s.PlaceListQuery, resp=responses(HTTP_200=s.PlaceList), tags=[TAG])
def employer_places():
    """List the organisation's places, filtered by status and sorted (paged in the database; places without the sort value last)."""
    db = get_session()
    query: s.PlaceListQuery = request.context.query
    stmt = places.places_statement(employer=_employer(), status=query.status)
    page = sql_page(db, stmt, query, sort=query.sort, **places.place_list_order(query.sort))
    ids = [place.id for place, _open in page["items"]]
    skills, sheets = places.skills_of_places(session=db, place_ids=ids), places.sheets_of_places(session=db, place_ids=ids)
    page["items"] = [place_out(place, open_n, skills=skills[place.id], sheet=sheets.get(place.id), sheet_loaded=True)
                     for place, open_n in page["items"]]
    return s.PlaceList(**page)


@bp.post("/employer/places")
@api_role("employer")
@api_spec.validate(json=s.PlaceCreate, resp=responses(HTTP_201=s.PlaceOut), tags=[TAG])
def employer_place_create():
    """Create a place as a draft, with its skills (the same checks as the place form)."""
    employer = _employer()
    values = {"places": 1, "sector": employer.sector, "postal_code": employer.postal_code, **body_fields(request.context.json)}
    form = _validated_place_form(values)
    place = places.save_place(session=get_session(), employer=employer, actor=api_user(), values=form.place_values(), skills=form.skill_values())
    return with_etag(place_out(place), 201)


@bp.get(f"/employer/places/<{ID}:place_id>")
@api_role("employer")
@api_spec.validate(resp=responses(HTTP_200=s.PlaceOut), tags=[TAG])
def employer_place(place_id: int):
    """Read one place with its skills, the actions open to it and what it still misses for publishing."""
    return with_etag(place_out(_place_or_404(place_id)))


@bp.patch(f"/employer/places/<{ID}:place_id>")
@api_role("employer")
@api_spec.validate(json=s.PlaceUpdate, resp=responses(HTTP_200=s.PlaceOut), tags=[TAG])
def employer_place_update(place_id: int):
    """Change some fields of a place (If-Match required; skills replace the list when given)."""
    place = _place_or_404(place_id)
    current = place_out(place)
    require_if_match(current)
    if place.status not in places.EDITABLE_STATES:
        raise ApiProblem(409, code="not_editable")
    values = current.model_dump()
    values.update(body_fields(request.context.json))
    values["skills"] = [dict(k) for k in values.get("skills") or []]
    form = _validated_place_form(values, stored_start_date=place.start_date)
    places.save_place(session=get_session(), employer=_employer(), actor=api_user(), values=form.place_values(), skills=form.skill_values(),
                      place=place)
    return with_etag(place_out(place))


@bp.post(f"/employer/places/<{ID}:place_id>/actions")
@api_role("employer")
@api_spec.validate(json=s.PlaceActionIn, resp=responses(HTTP_200=s.PlaceOut), tags=[TAG])
def employer_place_action(place_id: int):
    """Publish, renew, pause, mark filled or close a place, as the status table allows (409 otherwise)."""
    place = _place_or_404(place_id)
    action = request.context.json.action
    try:
        places.change_place_status(session=get_session(), place=place, action=action, actor=api_user())
    except places.PlaceError as exc:
        errors = [{"pointer": "/action", "field": "action", "code": exc.code, "detail": str(p)} for p in exc.problems]
        raise ApiProblem(422 if exc.code == "incomplete" else 409, errors=errors, code=exc.code) from None
    return with_etag(place_out(place))


# --- the cost & expectation sheet -------------------------------------------------------------------------


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def sheet_out(place: StagePlace) -> s.SheetOut:
    db = get_session()
    doc = cost_sheets.sheet_document(session=db, place=place, labels=cost_sheets.reader_labels())
    sheet, summary = doc["sheet"], doc["summary"]
    english = str(get_locale()) == "en"

    def total(t):
        return s.PayerTotalOut(per_month=_money(t.per_month), once=_money(t.once), whole_stage=_money(t.whole_stage))

    return s.SheetOut(
        place_id=place.id,
        **{name: getattr(sheet, name) for name in cost_sheets.SHEET_FIELDS},
        lines=[s.CostLineOut.model_validate(line) for line in doc["lines"]],
        premiums=[s.PremiumRef(id=p.id, code=p.code, name=p.name_en if english else p.name_nl) for p in doc["premiums"]],
        checklist=list(sheet.checklist or []),
        totals_per_payer={payer: total(t) for payer, t in summary.per_payer.items()},
        total=total(summary.total),
        updated_at=sheet.updated_at,
    )


def _sheet_formdata(values: dict) -> MultiDict:
    data = MultiDict()
    for name in cost_sheets.SHEET_FIELDS:
        value = values.get(name)
        if value is not None:
            data.add(name, str(value))
    for index, line in enumerate(values.get("lines") or []):
        for key in ("kind", "label", "amount", "period", "payer"):
            if line.get(key) is not None:
                data.add(f"lines-{index}-{key}", str(line[key]))
    for premium_id in values.get("premium_ids") or []:
        data.add("premiums", str(premium_id))
    for index, row in enumerate(values.get("checklist") or []):
        for key in ("document", "signer", "due"):
            if row.get(key) is not None:
                data.add(f"checklist-{index}-{key}", str(row[key]))
    return data


@bp.get(f"/employer/places/<{ID}:place_id>/sheet")
@api_role("employer")
@api_spec.validate(resp=responses(HTTP_200=s.SheetOut), tags=[TAG])
def employer_sheet(place_id: int):
    """Read a place's cost & expectation sheet with the computed totals per payer."""
    return with_etag(sheet_out(_place_or_404(place_id)))


@bp.patch(f"/employer/places/<{ID}:place_id>/sheet")
@api_role("employer")
@api_spec.validate(json=s.SheetUpdate, resp=responses(HTTP_200=s.SheetOut), tags=[TAG])
def employer_sheet_update(place_id: int):
    """Change the sheet (If-Match required): the same checks as the sheet form; the totals are computed again."""
    db = get_session()
    place = _place_or_404(place_id)
    current = sheet_out(place)
    require_if_match(current)
    if place.status not in places.EDITABLE_STATES:
        raise ApiProblem(409, code="not_editable")
    values = current.model_dump()
    values["premium_ids"] = [p["id"] for p in values.pop("premiums")]
    values.update(body_fields(request.context.json))
    choices = [(p.id, p.name_nl) for p in cost_sheets.available_premiums(session=db)]
    form = SheetForm(formdata=_sheet_formdata(values), meta={"csrf": False}, premium_choices=choices)
    if not form.validate():
        raise ApiProblem(422, errors=form_field_errors(form.errors))
    cost_sheets.save_sheet(session=db, place=place, values=form.sheet_values(), lines=form.line_values(), premium_ids=form.premiums.data or [],
                           checklist=form.checklist_values())
    return with_etag(sheet_out(place))


# --- proposals ----------------------------------------------------------------------------------------------


def employer_proposal_out(proposal: Proposal, place: StagePlace, participant, *, skills: list | None = None, meetings: list | None = None
                          ) -> s.EmployerProposalOut:
    """A proposal as the employer sees it; a list passes the candidates' skills and the meetings it loaded at once."""
    card = employers.candidate_card(session=get_session(), proposal=proposal, participant=participant, place=place, skills=skills)
    card["skills"] = [{"name": name, "level": level} for name, level in card["skills"]]
    if meetings is None:
        meetings = meeting_service.meetings_of(session=get_session(), proposal_id=proposal.id)
    return s.EmployerProposalOut(
        id=proposal.id, state=proposal.state, place_id=place.id, place_title=place.title, created_at=proposal.created_at,
        updated_at=proposal.updated_at, answers=employers.employer_answers(proposal),
        intake_options=[m.starts_at.isoformat() for m in meetings if m.status in ("option", "confirmed")] or None,
        candidate=s.CandidateOut(**card),
    )


def _proposal_or_404(proposal_id: int):
    db = get_session()
    proposal = employers.get_proposal(session=db, employer=_employer(), proposal_id=proposal_id)
    if proposal is None:
        raise NotFound()
    return proposal


@bp.get("/employer/proposals")
@api_role("employer")
@api_spec.validate(query=s.ProposalListQuery, resp=responses(HTTP_200=s.EmployerProposalList), tags=[TAG])
def employer_proposals():
    """List the proposals for the organisation's places, newest first; the candidate as the employer may see them (paged in the database)."""
    db = get_session()
    query: s.ProposalListQuery = request.context.query
    stmt = employers.proposals_statement(employer=_employer(), state=query.state, place_id=query.place_id)
    page = sql_page(db, stmt, query, {"created_at": [Proposal.created_at]}, sort="-created_at", tiebreak=[Proposal.id.desc()])
    skills = employers.candidate_skills(session=db, participant_ids=sorted({participant.id for _p, _pl, participant in page["items"]}))
    meetings = meeting_service.meetings_of_proposals(session=db, proposal_ids=[proposal.id for proposal, _pl, _pa in page["items"]])
    page["items"] = [employer_proposal_out(proposal, place, participant, skills=skills[participant.id], meetings=meetings[proposal.id])
                     for proposal, place, participant in page["items"]]
    return s.EmployerProposalList(**page)


@bp.get(f"/employer/proposals/<{ID}:proposal_id>")
@api_role("employer")
@api_spec.validate(resp=responses(HTTP_200=s.EmployerProposalOut), tags=[TAG])
def employer_proposal(proposal_id: int):
    """Read one proposal; the view is recorded for the participant, as on the page."""
    db = get_session()
    proposal = _proposal_or_404(proposal_id)
    place = db.get(StagePlace, proposal.place_id)
    participant = db.get(employers.Participant, proposal.participant_id)
    employers.record_profile_view(session=db, proposal=proposal, viewer=api_user(), employer=_employer())
    return with_etag(employer_proposal_out(proposal, place, participant))


@bp.post(f"/employer/proposals/<{ID}:proposal_id>/answer")
@api_role("employer")
@api_spec.validate(json=s.AnswerIn, resp=responses(HTTP_200=s.EmployerProposalOut), tags=[TAG])
def employer_proposal_answer(proposal_id: int):
    """Answer a proposal: interested, propose intake moments, or decline with a reason (409 when not possible now)."""
    db = get_session()
    proposal = _proposal_or_404(proposal_id)
    body: s.AnswerIn = request.context.json
    options = body.intake_options or []
    if any(o.tzinfo is None for o in options):
        raise ApiProblem(422, errors=[{"pointer": "/intake_options", "field": "intake_options", "code": "timezone_aware",
                                       "detail": _timezone_message()}])
    try:
        if body.answer == "intake":
            if not options:
                raise TransitionError("intake_options_required")
            employer = _employer()
            location = (body.location or "").strip() or ", ".join(
                x for x in (employer.street, f"{employer.postal_code} {employer.city or ''}".strip()) if x) or employer.name
            slots = [meeting_service.Slot(o, o + timedelta(minutes=body.duration_minutes or 60)) for o in options]
            meeting_service.offer_slots(session=db, proposal=proposal, actor=api_user(), slots=slots, location=location,
                                        contact_person=body.contact_person, note=body.note)
        else:
            employers.answer_proposal(session=db, proposal=proposal, actor=api_user(), answer=body.answer, reason=body.reason, note=body.note)
    except meeting_service.MeetingError as exc:
        code = {"in_past": "intake_in_past", "slots_required": "intake_options_required"}.get(exc.code, exc.code)
        raise ApiProblem(422 if exc.code in ("in_past", "too_far", "length", "end_before_start", "slots_required", "location_required")
                         else 409, code=code) from None
    except TransitionError as exc:
        raise ApiProblem(422 if exc.code in ("intake_options_required", "intake_in_past", "reason_required") else 409, code=exc.code) from None
    place = db.get(StagePlace, proposal.place_id)
    return with_etag(employer_proposal_out(proposal, place, db.get(employers.Participant, proposal.participant_id)))


def _timezone_message() -> str:
    from flask_babel import gettext as _

    return _("Vul een geldige datum en tijd in (ISO 8601, met tijdzone).")


# --- webhooks -----------------------------------------------------------------------------------------------


def _webhook_or_404(webhook_id: int):
    endpoint = webhooks.get_endpoint(session=get_session(), employer=_employer(), endpoint_id=webhook_id)
    if endpoint is None:
        raise NotFound()
    return endpoint


@bp.get("/employer/webhooks")
@api_role("employer")
@api_spec.validate(resp=responses(HTTP_200=s.WebhookList), tags=[TAG])
def employer_webhooks():
    """List the organisation's webhook endpoints."""
    items = webhooks.list_endpoints(session=get_session(), employer=_employer())
    return s.WebhookList(items=[s.WebhookOut.model_validate(e) for e in items])


@bp.post("/employer/webhooks")
@api_role("employer")
@api_spec.validate(json=s.WebhookCreate, resp=responses(HTTP_201=s.WebhookCreated), tags=[TAG])
def employer_webhook_create():
    """Register an HTTPS endpoint for events; the signing secret is in this answer only."""
    body: s.WebhookCreate = request.context.json
    try:
        endpoint, secret = webhooks.create_endpoint(session=get_session(), employer=_employer(), actor=api_user(), url=body.url,
                                                    events=list(body.events))
    except webhooks.WebhookError as exc:
        raise ApiProblem(422, errors=[{"pointer": "/url", "field": "url", "code": exc.code, "detail": exc.message()}]) from None
    return s.WebhookCreated(**s.WebhookOut.model_validate(endpoint).model_dump(), secret=secret), 201


@bp.post(f"/employer/webhooks/<{ID}:webhook_id>/secret")
@api_role("employer")
@api_spec.validate(json=s.WebhookRotate, resp=responses(HTTP_200=s.WebhookCreated), tags=[TAG])
def employer_webhook_rotate_secret(webhook_id: int):
    """Replace the endpoint's signing secret: the new one is in this answer only and signs every delivery from now on."""
    endpoint = _webhook_or_404(webhook_id)
    secret = webhooks.rotate_secret(session=get_session(), endpoint=endpoint, actor=api_user())
    return s.WebhookCreated(**s.WebhookOut.model_validate(endpoint).model_dump(), secret=secret)


@bp.delete(f"/employer/webhooks/<{ID}:webhook_id>")
@api_role("employer")
@api_spec.validate(resp=responses(HTTP_204=None), tags=[TAG])
def employer_webhook_delete(webhook_id: int):
    """Remove an endpoint; nothing more is sent to it."""
    webhooks.delete_endpoint(session=get_session(), endpoint=_webhook_or_404(webhook_id), actor=api_user())
    return "", 204


@bp.get(f"/employer/webhooks/<{ID}:webhook_id>/deliveries")
@api_role("employer")
@api_spec.validate(query=s.PageQuery, resp=responses(HTTP_200=s.DeliveryList), tags=[TAG])
def employer_webhook_deliveries(webhook_id: int):
    """The delivery log of an endpoint, newest first: attempts, last status and error."""
    db = get_session()
    endpoint = _webhook_or_404(webhook_id)
    query: s.PageQuery = request.context.query
    total = db.exec(select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).one()
    rows = webhooks.list_deliveries(session=db, endpoint=endpoint, offset=(query.page - 1) * query.per_page, limit=query.per_page)
    return s.DeliveryList(items=[s.DeliveryOut.model_validate(r) for r in rows], page=query.page, per_page=query.per_page, total=total)
