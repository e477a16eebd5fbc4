"""API for administrators: reference data (skill vocabulary, premiums, settings) and the monitoring figures.

The data come from the admin services the admin pages use; a premium's amounts and validity can be changed here
with the premium form's checks (the skill vocabulary and the settings are changed on the pages).
"""
from __future__ import annotations

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from web.admin.forms import PremiumForm
from web.api import schemas as s
from web.api.core import (
    MAX_ID,
    api_role,
    api_spec,
    api_user,
    body_fields,
    bp,
    paginate,
    require_if_match,
    responses,
    with_etag,
)
from web.api.problems import ApiProblem, form_field_errors
from web.db import get_session
from web.models import Premium
from web.services import admin as admin_service
from web.services import monitoring

TAG = "admin"


@bp.get("/admin/skills")
@api_role("admin")
@api_spec.validate(query=s.SkillTermQuery, resp=responses(HTTP_200=s.SkillTermList), tags=[TAG])
def admin_skills():
    """The skill vocabulary, by group and label; search in labels, codes and variants."""
    query: s.SkillTermQuery = request.context.query
    terms = admin_service.list_skill_terms(session=get_session(), query=query.q, group=query.group)
    page = paginate(terms, query.page, query.per_page)
    page["items"] = [s.SkillTermOut.model_validate(t) for t in page["items"]]
    return s.SkillTermList(**page)


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


@bp.patch(f"/admin/premiums/<int(min=1, max={MAX_ID}):premium_id>")
@api_role("admin")
@api_spec.validate(json=s.PremiumUpdate, resp=responses(HTTP_200=s.PremiumOut), tags=[TAG])
def admin_premium_update(premium_id: int):
    """Change a premium's amounts, conditions or validity (If-Match required); the change is audited."""
    premium = _premium_or_404(premium_id)
    current = s.PremiumOut.model_validate(premium)
    require_if_match(current)
    values = current.model_dump()
    values.update(body_fields(request.context.json))
    data = MultiDict((k, v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in values.items() if v is not None and k != "id")
    form = PremiumForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise ApiProblem(422, errors=form_field_errors(form.errors))
    try:
        admin_service.save_premium(session=get_session(), admin=api_user(), premium=premium, data=form.premium_values())
    except admin_service.AdminError as exc:
        raise ApiProblem(422, errors=[{"pointer": "/code", "field": "code", "code": "taken", "detail": str(exc)}]) from None
    return with_etag(s.PremiumOut.model_validate(premium))


@bp.get("/admin/settings")
@api_role("admin")
@api_spec.validate(resp=responses(HTTP_200=s.SettingsOut), tags=[TAG])
def admin_settings():
    """The admin settings (phase maxima, success definition, retention, place expiry) with their values or defaults."""
    return s.SettingsOut(values=admin_service.current_settings(session=get_session()))


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
