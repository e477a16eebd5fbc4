"""Views of the admin area: accounts, reference data, settings, the audit log and the monitoring dashboard.

Everything is for admins, except the monitoring dashboard, which coach team leads may also open (for their
own team only).
"""
import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.admin.forms import (
    AuditSearchForm,
    ConfirmForm,
    InviteForm,
    MonitoringFilterForm,
    PremiumForm,
    ReviewForm,
    RoleForm,
    SettingsForm,
    SkillTermForm,
)
from web.db import get_session
from web.labels import audit_action_label, review_status_label
from web.layout import NAVIGATION, add_nav_item
from web.models import PHASES, REVIEW_STATUSES, ROLES, SECTORS, Employer, Premium, SkillTerm, User, utcnow
from web.paging import read_page_request
from web.security import allow_mail_form, role_required
from web.services import admin as admin_service
from web.services import monitoring as monitoring_service
from web.services import vetting
from web.services.jobs import recent_runs
from web.services.proposals import DECLINE_REASONS

bp = Blueprint("admin", __name__)
MONITORING_ENDPOINTS = ("admin.monitoring", "admin.monitoring_csv")

add_nav_item("admin", "admin.users", _l("Gebruikers"))
add_nav_item("admin", "admin.organisations", _l("Organisaties"))
add_nav_item("admin", "admin.skills", _l("Vaardigheden"))
add_nav_item("admin", "admin.premiums", _l("Premies"))
add_nav_item("admin", "admin.settings", _l("Instellingen"))
add_nav_item("admin", "admin.audit", _l("Auditlog"))
add_nav_item("admin", "admin.monitoring", _l("Monitoring"))
add_nav_item("coach", "admin.monitoring", _l("Monitoring"))  # shown to team leads only (see _monitoring_nav)

FUNNEL_LABELS = {"proposed": _l("Voorgesteld"), "intake": _l("Intake"), "stage": _l("Stage gestart"), "hired": _l("Aangeworven")}
OUTCOME_LABELS = {"hired": _l("Aangeworven"), "not_hired": _l("Niet aangeworven"), "stopped": _l("Gestopt"), "unknown": _l("Onbekend")}
DECLINE_LABELS = {
    "skills_mismatch": _l("Vaardigheden passen niet"),
    "no_capacity": _l("Geen plaats meer"),
    "distance": _l("Afstand"),
    "schedule": _l("Uurrooster"),
    "not_interested": _l("Geen interesse"),
    "other": _l("Andere reden"),
    "unknown": _l("Geen reden opgegeven"),
}
SUCCESS_RULE_LABELS = {
    "hired_still_employed": _l("gewoon contract binnen het traject en nog aan het werk aan het einde van de nazorg"),
    "hired": _l("gewoon contract binnen het traject"),
}
assert set(DECLINE_REASONS) <= set(DECLINE_LABELS)


def _may_monitor(user) -> bool:
    return user.role == "admin" or (user.role == "coach" and user.is_team_lead)


@bp.before_request
@role_required(*ROLES)
def _guard():
    if request.endpoint in MONITORING_ENDPOINTS:
        if not _may_monitor(current_user):
            abort(403)
    elif current_user.role != "admin":
        abort(403)
    return None


@bp.app_context_processor
def _monitoring_nav():
    """Show the coach menu's Monitoring entry to team leads only (runs after web.layout's processor)."""
    if not current_user.is_authenticated or current_user.role != "coach" or current_user.is_team_lead:
        return {}
    return {"nav_items": [item for item in NAVIGATION.get("coach", []) if item[0] != "admin.monitoring"]}


@bp.route("/")
def dashboard():
    from web.services.dashboards import admin_overview

    session = get_session()
    return render_template("admin/dashboard.html", overview=admin_overview(session=session), runs=recent_runs(session=session, limit=16))


# --- users ------------------------------------------------------------------------------------------


def _team_choices(session):
    return [("", _("Geen team"))] + [(str(t.id), t.name) for t in admin_service.list_teams(session=session)]


USER_SORT_LABELS = [
    ("naam", _l("Naam")), ("email", _l("E-mailadres")), ("rol", _l("Rol")), ("organisatie", _l("Organisatie")), ("status", _l("Status")),
    ("aangemaakt", _l("Aangemaakt")), ("laatst", _l("Laatst aangemeld")),
]
ORGANISATION_SORT_LABELS = [
    ("naam", _l("Naam")), ("sector", _l("Sector")), ("postcode", _l("Postcode")), ("plaatsen", _l("Stageplaatsen")),
    ("open", _l("Gepubliceerd")), ("leden", _l("Accounts")), ("status", _l("Status")), ("voorstellen", _l("Voorstellen")),
]


@bp.route("/gebruikers")
def users():
    session = get_session()
    role = request.args.get("rol") if request.args.get("rol") in ROLES else None
    query = (request.args.get("q") or "").strip()[:200]
    organisation = (request.args.get("organisatie") or "").strip()[:200]
    active = {"ja": True, "nee": False}.get(request.args.get("actief") or "")
    wanted = read_page_request(request.args, sorts=admin_service.USER_SORTS, default="naam")
    page = admin_service.users_page(session=session, wanted=wanted, role=role, query=query or None, organisation=organisation or None,
                                    active=active)
    return render_template(
        "admin/users.html", page=page, users=page.items, role=role, query=query, organisation=organisation, active=active, roles=ROLES,
        confirm=ConfirmForm(), sort_options=USER_SORT_LABELS,
    )


@bp.route("/organisaties")
def organisations():
    """Every organisation, paged, searched and sorted (members, places, proposals, review status), with the review queue."""
    return _organisations_page(ReviewForm())


def _organisations_page(form: ReviewForm, failed_id: int | None = None):
    session = get_session()
    query = (request.args.get("q") or "").strip()[:200]
    sector = request.args.get("sector") if request.args.get("sector") in SECTORS else None
    status = request.args.get("status") if request.args.get("status") in REVIEW_STATUSES else None
    wanted = read_page_request(request.args, sorts=admin_service.ORGANISATION_SORTS, default="naam")
    page = admin_service.organisations_page(session=session, wanted=wanted, query=query or None, sector=sector, status=status)
    return render_template("admin/organisations.html", page=page, rows=page.items, query=query, sector=sector, sectors=SECTORS,
                           status=status, statuses=REVIEW_STATUSES, sort_options=ORGANISATION_SORT_LABELS, form=form,
                           queue=vetting.review_queue(session=session), failed_id=failed_id)


@bp.route("/gebruikers/uitnodigen", methods=["GET", "POST"])
def invite():
    session = get_session()
    form = InviteForm()
    form.team_id.choices = _team_choices(session)
    if form.validate_on_submit():
        try:
            if not allow_mail_form(session=session, form="invite", user_id=current_user.id, target=form.email.data):
                raise admin_service.AdminError(_("Je verstuurde de laatste tijd te veel uitnodigingen. Probeer het over een uur opnieuw."))
            user = admin_service.invite_staff(
                session=session, admin=current_user, email=form.email.data, full_name=form.full_name.data, role=form.role.data,
                language=form.language.data, team_id=form.team_id.data, is_team_lead=form.is_team_lead.data,
            )
        except admin_service.AdminError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("Uitnodiging verstuurd naar %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


def _user_or_404(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int):
    session = get_session()
    user = _user_or_404(session, user_id)
    form = RoleForm(data={"role": user.role, "team_id": user.team_id, "is_team_lead": user.is_team_lead} if request.method == "GET" else None)
    form.team_id.choices = _team_choices(session)
    if user.role in admin_service.ADMIN_ROLES and form.validate_on_submit():
        try:
            admin_service.change_user_role(
                session=session, admin=current_user, user=user, role=form.role.data, team_id=form.team_id.data,
                is_team_lead=form.is_team_lead.data,
            )
        except admin_service.AdminError as exc:
            form.role.errors.append(str(exc))
        else:
            flash(_("De rol van %(name)s is bewaard.", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.errors else 200
    return render_template("admin/user.html", user=user, form=form, confirm=ConfirmForm(), editable=user.role in admin_service.ADMIN_ROLES), status


@bp.route("/gebruikers/<int:user_id>/actief", methods=["POST"])
def user_active(user_id: int):
    session = get_session()
    user = _user_or_404(session, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        admin_service.set_user_active(session=session, admin=current_user, user=user, active=active)
    except admin_service.AdminError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(name)s is weer actief.", name=user.full_name) if active else _("%(name)s is gedeactiveerd.", name=user.full_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# --- skill vocabulary ------------------------------------------------------------------------------


@bp.record_once
def _review_messages(state):
    with state.app.app_context():
        vetting.register_messages()


@bp.route("/organisaties/<int:employer_id>/beoordeling", methods=["POST"])
def review_organisation(employer_id: int):
    db = get_session()
    employer = db.get(Employer, employer_id)
    if employer is None:
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            vetting.review_employer(session=db, employer=employer, admin=current_user, action=form.action.data, message=form.message.data)
        except vetting.VettingError as exc:
            if exc.code != "message_required":
                abort(400)
            form.message.errors = [*form.message.errors, _("Schrijf de organisatie wat er nog nodig is, of waarom je weigert.")]
        else:
            flash(_("%(name)s: %(status)s.", name=employer.name, status=review_status_label(employer.review_status)), "success")
            return redirect(url_for("admin.organisations"))
    return _organisations_page(form, failed_id=employer.id), 422


@bp.route("/vaardigheden")
def skills():
    session = get_session()
    query = (request.args.get("q") or "").strip()[:200]
    group = (request.args.get("groep") or "").strip()[:40] or None
    terms = admin_service.list_skill_terms(session=session, query=query, group=group)
    return render_template("admin/skills.html", terms=terms, query=query, group=group, groups=admin_service.skill_groups(session=session))


@bp.route("/vaardigheden/nieuw", methods=["GET", "POST"], defaults={"term_id": None})
@bp.route("/vaardigheden/<term_id>", methods=["GET", "POST"])
def skill_edit(term_id):
    session = get_session()
    term = None
    if term_id is not None:
        term = session.get(SkillTerm, term_id)
        if term is None:
            abort(404)
    form = SkillTermForm(data=SkillTermForm.term_data(term) if term is not None and request.method == "GET" else None)
    if term is not None:
        form.id.data = term.id  # the code is the key: never changed
    if form.validate_on_submit():
        try:
            saved = admin_service.save_skill_term(session=session, admin=current_user, term_id=form.id.data, data=form.term_values(),
                                                  is_new=term is None)
        except admin_service.AdminError as exc:
            form.id.errors.append(str(exc))
        else:
            flash(_("Vaardigheid %(label)s is bewaard.", label=saved.label_nl), "success")
            return redirect(url_for("admin.skills", q=saved.id))
    return render_template("admin/skill_form.html", form=form, term=term), 400 if form.errors else 200


# --- premiums ---------------------------------------------------------------------------------------


@bp.route("/premies")
def premiums():
    return render_template("admin/premiums.html", premiums=admin_service.list_premiums(session=get_session()))


@bp.route("/premies/nieuw", methods=["GET", "POST"], defaults={"premium_id": None})
@bp.route("/premies/<int:premium_id>", methods=["GET", "POST"])
def premium_edit(premium_id):
    session = get_session()
    premium = None
    if premium_id is not None:
        premium = session.get(Premium, premium_id)
        if premium is None:
            abort(404)
    form = PremiumForm(obj=premium if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            saved = admin_service.save_premium(session=session, admin=current_user, premium=premium, data=form.premium_values())
        except admin_service.AdminError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Premie %(name)s is bewaard.", name=saved.name_nl), "success")
            return redirect(url_for("admin.premiums"))
    return render_template("admin/premium_form.html", form=form, premium=premium), 400 if form.errors else 200


# --- settings ---------------------------------------------------------------------------------------


@bp.route("/instellingen", methods=["GET", "POST"])
def settings():
    session = get_session()
    data = SettingsForm.settings_data(admin_service.current_settings(session=session)) if request.method == "GET" else None
    form = SettingsForm(data=data)
    if form.validate_on_submit():
        admin_service.save_settings(session=session, admin=current_user, values=form.settings_values())
        flash(_("De instellingen zijn bewaard."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, phases=PHASES), 400 if form.errors else 200


# --- audit log --------------------------------------------------------------------------------------


def _audit_query(form):
    return dict(text=form.q.data or None, action=form.action.data or None, date_from=form.date_from.data, date_to=form.date_to.data,
                actor=form.actor.data or None)


AUDIT_OBJECT_LINKS = {"User": ("admin.user_detail", "user_id", int), "Premium": ("admin.premium_edit", "premium_id", int),
                      "SkillTerm": ("admin.skill_edit", "term_id", str)}


@bp.app_context_processor
def _audit_links():
    def audit_object_url(entry):
        """A link to the object of an audit row, where an admin page for it exists."""
        target = AUDIT_OBJECT_LINKS.get(entry.object_type)
        if target is None or not entry.object_id:
            return None
        endpoint, arg, convert = target
        try:
            return url_for(endpoint, **{arg: convert(entry.object_id)})
        except ValueError:
            return None

    return {"audit_object_url": audit_object_url}


@bp.route("/audit")
def audit():
    session = get_session()
    form = AuditSearchForm(request.args)
    form.action.choices = [("", _("Alle acties"))] + [(a, audit_action_label(a)) for a in admin_service.audit_actions(session=session)]
    form.validate()
    wanted = read_page_request(request.args, sorts=admin_service.AUDIT_SORTS, default="-wanneer")
    page = admin_service.audit_page(session=session, wanted=wanted, **(_audit_query(form) if not form.errors else {}))
    args = {k: v for k, v in request.args.items() if k not in ("pagina", "aantal", "sorteer")}
    return render_template("admin/audit.html", form=form, page=page, rows=page.items, total=page.total, args=args,
                           sort_options=[("wanneer", _l("Wanneer")), ("actie", _l("Actie"))])


@bp.route("/audit.csv")
def audit_csv():
    session = get_session()
    form = AuditSearchForm(request.args)
    form.action.choices = [("", "")] + [(a, a) for a in admin_service.audit_actions(session=session)]
    form.validate()
    rows, _total = admin_service.search_audit(session=session, page=1, page_size=100_000, **(_audit_query(form) if not form.errors else {}))
    header = ["at", "actor_email", "action", "object_type", "object_id", "detail", "ip"]
    data = [[a.at.isoformat(), u.email if u else "", a.action, a.object_type or "", a.object_id or "", a.detail or "", a.ip or ""] for a, u in rows]
    return _csv_response("audit", header, data)


# --- monitoring -------------------------------------------------------------------------------------


def _monitoring_filters(session):
    form = MonitoringFilterForm(request.args)
    choices = monitoring_service.filter_choices(session=session)
    form.team_id.choices = [("", _("Alle teams"))] + [(str(t.id), t.name) for t in choices["teams"]]
    form.company_id.choices = [("", _("Alle bedrijven"))] + [(str(c.id), c.name) for c in choices["companies"]]
    from web.labels import sector_label

    form.sector.choices = [("", _("Alle sectoren"))] + [(s, sector_label(s)) for s in SECTORS]
    form.validate()
    today = utcnow().astimezone(monitoring_service.BRUSSELS).date()
    filters = monitoring_service.default_filters(today)
    if not form.date_from.errors and form.date_from.data:
        filters.date_from = form.date_from.data
    if not form.date_to.errors and form.date_to.data:
        filters.date_to = form.date_to.data
    if filters.date_to < filters.date_from:
        form.date_to.errors = [_("De einddatum moet na de begindatum liggen.")]
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
    filters.team_id = form.team_id.data if not form.team_id.errors else None
    filters.company_id = form.company_id.data if not form.company_id.errors else None
    filters.sector = form.sector.data if form.sector.data in SECTORS else None
    if current_user.role != "admin":  # a team lead sees their own team only
        filters.team_id = current_user.team_id or -1
        form.team_id.choices = [(str(current_user.team_id), name) for value, name in form.team_id.choices if value == str(current_user.team_id)]
    form.date_from.data, form.date_to.data = filters.date_from, filters.date_to
    return form, filters


@bp.route("/monitoring")
def monitoring():
    session = get_session()
    form, filters = _monitoring_filters(session)
    figures = monitoring_service.compute_figures(session=session, filters=filters)
    args = {k: v for k, v in request.args.items() if v}
    return render_template(
        "admin/monitoring.html", form=form, figures=figures, args=args, funnel_labels=FUNNEL_LABELS, outcome_labels=OUTCOME_LABELS,
        decline_labels=DECLINE_LABELS, success_rule_label=SUCCESS_RULE_LABELS.get(figures.success_rule, figures.success_rule),
    )


@bp.route("/monitoring/<table>.csv")
def monitoring_csv(table: str):
    session = get_session()
    _form, filters = _monitoring_filters(session)
    figures = monitoring_service.compute_figures(session=session, filters=filters)
    result = monitoring_service.csv_table(figures, table)
    if result is None:
        abort(404)
    header, rows = result
    return _csv_response(f"monitoring-{table}-{filters.date_from}-{filters.date_to}", header, rows)


def _csv_response(name: str, header: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _csv_safe(v) for v in row])
    return Response(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _csv_safe(value):
    """Neutralise spreadsheet formulas in text cells (OWASP: = + - @ and a leading tab or carriage return)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
