"""API for administrators: reference data (skill vocabulary, premiums, settings) and the monitoring figures.

The data come from the admin services the admin pages use; changing reference data stays on the pages for now.
"""
from __future__ import annotations

from flask import request

from web.api import schemas as s
from web.api.core import api_role, api_spec, bp, paginate, responses
from web.db import get_session
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
