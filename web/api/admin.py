"""API for administrators: reference data (skill vocabulary, premiums, settings) and the monitoring figures.

Reading and writing go through the admin services and forms the admin pages use, so an API client gets the pages'
checks, messages and audit rows: a vocabulary entry is created, changed or deactivated (``active: false``) with the
skill form, a premium created or changed with the premium form, the settings changed with the settings form.
Every change needs the ETag of what it changes in If-Match (412 when someone changed it since).
"""
from __future__ import annotations

import re

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from web.admin.forms import PremiumForm, SettingsForm, SkillTermForm
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
from web.models import Premium, SkillTerm
from web.services import admin as admin_service
from web.services import monitoring

TAG = "admin"
#: a vocabulary code as the skill form accepts it; anything else cannot exist, so it is 404 without a lookup
TERM_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def _form_errors(form) -> ApiProblem:
    return ApiProblem(422, errors=form_field_errors(form.errors))


def _code_taken(exc: Exception, field: str) -> ApiProblem:
    return ApiProblem(422, errors=[{"pointer": f"/{field}", "field": field, "code": "taken", "detail": str(exc)}])


# --- skill vocabulary -------------------------------------------------------------------------------------


def _term_or_404(term_id: str) -> SkillTerm:
    term = get_session().get(SkillTerm, term_id) if TERM_CODE.match(term_id) else None
    if term is None:
        raise NotFound()
    return term


def _term_out(term: SkillTerm) -> s.SkillTermOut:
    return s.SkillTermOut.model_validate(term)


def _validated_term_form(values: dict) -> SkillTermForm:
    """The skill form, filled as the page would post it (variants one per line, the checkbox only when active)."""
    data = MultiDict()
    for name in ("id", "label_nl", "label_en", "group", "esco_uri"):
        if values.get(name) is not None:
            data.add(name, str(values[name]))
    for name in ("variants_nl", "variants_en"):
        data.add(name, "\n".join(values.get(name) or []))
    if values.get("active"):
        data.add("active", "y")
    form = SkillTermForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise _form_errors(form)
    return form


@bp.get("/admin/skills")
@api_role("admin")
@api_spec.validate(query=s.SkillTermQuery, resp=responses(HTTP_200=s.SkillTermList), tags=[TAG])
def admin_skills():
    """The skill vocabulary, by group and label; search in labels, codes and variants, filter by group and active."""
    query: s.SkillTermQuery = request.context.query
    stmt = admin_service.skill_terms_statement(query=query.q, group=query.group, active=query.active)
    page = sql_page(get_session(), stmt, query, {"group": [SkillTerm.group, SkillTerm.label_nl]}, sort="group", tiebreak=[SkillTerm.id],
                    convert=_term_out)
    return s.SkillTermList(**page)


@bp.post("/admin/skills")
@api_role("admin")
@api_spec.validate(json=s.SkillTermCreate, resp=responses(HTTP_201=s.SkillTermOut), tags=[TAG])
def admin_skill_create():
    """Add a vocabulary entry (the skill form's checks; 422 when the code exists); the change is audited."""
    form = _validated_term_form(body_fields(request.context.json) | {"active": request.context.json.active})
    try:
        term = admin_service.save_skill_term(session=get_session(), admin=api_user(), term_id=form.id.data, data=form.term_values(), is_new=True)
    except admin_service.AdminError as exc:
        raise _code_taken(exc, "id") from None
    return with_etag(_term_out(term), 201)


@bp.get("/admin/skills/<string(maxlength=80):term_id>")
@api_role("admin")
@api_spec.validate(resp=responses(HTTP_200=s.SkillTermOut), tags=[TAG])
def admin_skill(term_id: str):
    """Read one vocabulary entry."""
    return with_etag(_term_out(_term_or_404(term_id)))


@bp.patch("/admin/skills/<string(maxlength=80):term_id>")
@api_role("admin")
@api_spec.validate(json=s.SkillTermUpdate, resp=responses(HTTP_200=s.SkillTermOut), tags=[TAG])
def admin_skill_update(term_id: str):
    """Change a vocabulary entry, or deactivate it with ``active: false`` (If-Match required); the change is audited."""
    term = _term_or_404(term_id)
    current = _term_out(term)
    require_if_match(current)
    form = _validated_term_form({**current.model_dump(), **body_fields(request.context.json)})
    admin_service.save_skill_term(session=get_session(), admin=api_user(), term_id=term.id, data=form.term_values(), is_new=False)
    return with_etag(_term_out(term))


# --- premiums ---------------------------------------------------------------------------------------------


@bp.get("/admin/premiums")
@api_role("admin")
@api_spec.validate(resp=responses(HTTP_200=s.PremiumList), tags=[TAG])
def admin_premiums():
    """Every premium with its amounts, conditions and validity."""
    return s.PremiumList(items=[s.PremiumOut.model_validate(p) for p in admin_service.list_premiums(session=get_session())])


def _premium_or_404(premium_id: int) -> Premium:
    premium = get_session().get(Premium, premium_id)
    if premium is None:
        raise NotFound()
    return premium


@bp.get(f"/admin/premiums/<int(min=1, max={MAX_ID}):premium_id>")
@api_role("admin")
@api_spec.validate(resp=responses(HTTP_200=s.PremiumOut), tags=[TAG])
def admin_premium(premium_id: int):
    """Read one premium."""
    return with_etag(s.PremiumOut.model_validate(_premium_or_404(premium_id)))


def _validated_premium_form(values: dict) -> PremiumForm:
    """The premium form, filled as the page would post it."""
    data = MultiDict((k, v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in values.items() if v is not None and k != "id")
    form = PremiumForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise _form_errors(form)
    return form


@bp.post("/admin/premiums")
@api_role("admin")
@api_spec.validate(json=s.PremiumCreate, resp=responses(HTTP_201=s.PremiumOut), tags=[TAG])
def admin_premium_create():
    """Add a premium (the premium form's checks; 422 when the code exists); the change is audited."""
    form = _validated_premium_form(body_fields(request.context.json))
    try:
        premium = admin_service.save_premium(session=get_session(), admin=api_user(), premium=None, data=form.premium_values())
    except admin_service.AdminError as exc:
        raise _code_taken(exc, "code") from None
    return with_etag(s.PremiumOut.model_validate(premium), 201)


@bp.patch(f"/admin/premiums/<int(min=1, max={MAX_ID}):premium_id>")
@api_role("admin")
@api_spec.validate(json=s.PremiumUpdate, resp=responses(HTTP_200=s.PremiumOut), tags=[TAG])
def admin_premium_update(premium_id: int):
    """Change a premium's amounts, conditions or validity (If-Match required); the change is audited."""
    premium = _premium_or_404(premium_id)
    current = s.PremiumOut.model_validate(premium)
    require_if_match(current)
    form = _validated_premium_form({**current.model_dump(), **body_fields(request.context.json)})
    try:
        admin_service.save_premium(session=get_session(), admin=api_user(), premium=premium, data=form.premium_values())
    except admin_service.AdminError as exc:
        raise _code_taken(exc, "code") from None
    return with_etag(s.PremiumOut.model_validate(premium))


# --- settings ---------------------------------------------------------------------------------------------

#: where a settings form field sits in the API's body (for the pointers of its errors)
SETTINGS_POINTERS = {name: f"/{key}/{inner}" if inner else f"/{key}" for name, (key, inner) in SettingsForm.STORED_AS.items()}


def _settings_out() -> s.SettingsOut:
    return s.SettingsOut(values=s.SettingsValues.model_validate(admin_service.current_settings(session=get_session())))


@bp.get("/admin/settings")
@api_role("admin")
@api_spec.validate(resp=responses(HTTP_200=s.SettingsOut), tags=[TAG])
def admin_settings():
    """The admin settings (phase maxima, success definition, retention, place expiry) with their values or defaults."""
    return with_etag(_settings_out())


@bp.patch("/admin/settings")
@api_role("admin")
@api_spec.validate(json=s.SettingsUpdate, resp=responses(HTTP_200=s.SettingsOut), tags=[TAG])
def admin_settings_update():
    """Change some settings (If-Match required), with the settings form's checks; what changed is audited."""
    current = _settings_out()
    require_if_match(current)
    values = current.values.model_dump()
    for key, value in body_fields(request.context.json).items():
        values[key] = {**values[key], **value} if isinstance(value, dict) else value
    data = MultiDict((name, str(value)) for name, value in SettingsForm.settings_data(values).items() if value is not None)
    form = SettingsForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise ApiProblem(422, errors=[
            {**error, "pointer": SETTINGS_POINTERS.get(error["field"], error["pointer"]),
             "field": SETTINGS_POINTERS.get(error["field"], error["pointer"]).strip("/").replace("/", ".")}
            for error in form_field_errors(form.errors)
        ])
    admin_service.save_settings(session=get_session(), admin=api_user(), values=form.settings_values())
    return with_etag(_settings_out())


@bp.get("/admin/monitoring")
@api_role("admin")
@api_spec.validate(query=s.MonitoringQuery, resp=responses(HTTP_200=s.MonitoringOut), tags=[TAG])
def admin_monitoring():
    """The monitoring figures for a period (default: the last twelve months): results against the target, phases, funnel."""
    from web.models import utcnow

    query: s.MonitoringQuery = request.context.query
    filters = monitoring.default_filters(utcnow().astimezone(monitoring.BRUSSELS).date())
    if query.date_from:
        filters.date_from = query.date_from
    if query.date_to:
        filters.date_to = query.date_to
    if filters.date_to < filters.date_from:
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
    figures = monitoring.compute_figures(session=get_session(), filters=filters)
    return s.MonitoringOut(
        date_from=filters.date_from, date_to=filters.date_to, success_rule=figures.success_rule, target_pct=figures.target_pct,
        started=figures.started, ended=figures.ended, successes=figures.successes, result_pct=figures.result_pct, outcomes=figures.outcomes,
        phase_times=figures.phase_times, funnel=figures.funnel, decline_reasons=figures.decline_reasons,
    )
