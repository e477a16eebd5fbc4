"""Views of the coach area: caseload, profiles, evaluations, matches, proposals, phases, assignments and import.

Views are thin: they check the form, call one service and redirect. Every object is fetched through
``web.services.caseload`` which answers 404 for participants outside the coach's (or shared team's) caseload.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from web.coach.evaluation_doc import evaluation_pdf_response
from web.coach.explain import explain_lines
from web.coach.forms import (
    MAX_SKILL_ROWS,
    AcceptAssignmentForm,
    HandoverForm,
    HoldForm,
    ImportForm,
    NewParticipantForm,
    NoteForm,
    PhaseForm,
    ProfileForm,
    ProposeForm,
    TransitionForm,
    evaluation_form_class,
)
from web.config import REPO_ROOT
from web.db import get_session
from web.layout import add_nav_item
from web.models import PHASES, Employer, Evaluation, Proposal, SkillTerm, StagePlace, User
from web.security import role_required
from web.services import caseload as caseload_service
from web.services import cost_sheets
from web.services import evaluations as evaluation_service
from web.services import matching as matching_service
from web.services import places as places_service
from web.services import profiles as profile_service
from web.services import trajectories as trajectory_service
from web.services.csv_import import COLUMNS, import_caseload
from web.services.dashboards import coach_overview
from web.services.proposals import (
    OPEN_STATES,
    TransitionError,
    allowed_targets,
    create_proposal,
    transition_proposal,
)

bp = Blueprint("coach", __name__)

add_nav_item("coach", "coach.caseload", _l("Caseload"))
add_nav_item("coach", "coach.places", _l("Stageplaatsen"))
add_nav_item("coach", "coach.assignments", _l("Voorgestelde koppelingen"))

TRANSITION_ERRORS = {
    "not_allowed": _l("Deze stap is vanuit deze status niet mogelijk."),
    "not_your_step": _l("Deze stap is niet aan jou."),
    "place_full": _l("Alle plaatsen van deze stageplaats zijn al ingenomen."),
    "reason_required": _l("Geef een reden op."),
}
PHASE_ERRORS = {
    "same_phase": _l("De deelnemer zit al in die fase."),
    "already_on_hold": _l("Het traject staat al in pauze."),
    "not_on_hold": _l("Het traject staat niet in pauze."),
}


DECLINE_REASON_LABELS = {
    "skills_mismatch": _l("Vaardigheden passen niet"),
    "no_capacity": _l("Geen plaats meer"),
    "distance": _l("Te ver"),
    "schedule": _l("Uren of rooster passen niet"),
    "not_interested": _l("Geen interesse"),
    "other": _l("Andere reden"),
}


@bp.before_request
@role_required("coach")
def _guard():
    return None


ANSWER_LABELS = {"interested": _l("Wil dit graag"), "not_interested": _l("Liever niet")}


@bp.context_processor
def _coach_labels():
    return {"decision_labels": evaluation_service.DECISION_LABELS, "decline_reasons": DECLINE_REASON_LABELS, "answer_labels": ANSWER_LABELS}


def _db():
    return get_session()


def _participant(participant_id: int):
    return caseload_service.get_participant(session=_db(), coach=current_user, participant_id=participant_id)


@bp.route("/")
def dashboard():
    return render_template("coach/dashboard.html", overview=coach_overview(session=_db(), coach=current_user))


@bp.route("/deelnemers")
def caseload():
    phase = request.args.get("fase") if request.args.get("fase") in PHASES else None
    scope = "own" if request.args.get("wie") == "eigen" else "all"
    rows = caseload_service.caseload_rows(
        session=_db(), coach=current_user, phase=phase, search=(request.args.get("q") or "").strip()[:100] or None, scope=scope,
        overdue_only=request.args.get("te_laat") == "1",
    )
    shared = len(caseload_service.visible_coach_ids(session=_db(), coach=current_user)) > 1
    return render_template("coach/caseload.html", rows=rows, phase=phase, scope=scope, shared=shared, phases=PHASES)


def _skill_terms():
    return _db().exec(select(SkillTerm.label_nl).where(SkillTerm.active.is_(True)).order_by(SkillTerm.label_nl).limit(2000)).all()


def _pad_skills(form, extra: int = 3):
    while len(form.skills) < MAX_SKILL_ROWS and sum(1 for row in form.skills if not (row.form.name.data or "").strip()) < extra:
        form.skills.append_entry()


@bp.route("/deelnemers/nieuw", methods=["GET", "POST"])
def new_participant():
    form = NewParticipantForm()
    if form.validate_on_submit():
        participant = profile_service.create_participant(
            session=_db(), coach=current_user, data=form.profile_data(), skills=form.skill_list(), phase=form.phase.data
        )
        matching_service.refresh_matches_for_participant(session=_db(), participant_id=participant.id)
        flash(_("Deelnemer toegevoegd."), "success")
        return redirect(url_for("coach.participant", participant_id=participant.id))
    _pad_skills(form)
    return render_template("coach/profile_form.html", form=form, participant=None, skill_terms=_skill_terms())


@bp.route("/deelnemers/<int:participant_id>")
def participant(participant_id: int):
    db = _db()
    person = _participant(participant_id)
    trajectory = trajectory_service.current_trajectory(session=db, participant_id=person.id)
    clock = trajectory_service.phase_clock(session=db, trajectory=trajectory) if trajectory else None
    proposals = db.exec(
        select(Proposal, StagePlace, Employer).join(StagePlace, StagePlace.id == Proposal.place_id).join(Employer, Employer.id == StagePlace.employer_id)
        .where(Proposal.participant_id == person.id).order_by(Proposal.created_at.desc())
    ).all()
    handover = HandoverForm()
    handover.coach_id.choices = [SelectChoice(c.id, c.full_name) for c in caseload_service.handover_targets(session=db, coach=current_user)]
    return render_template(
        "coach/participant.html", participant=person, trajectory=trajectory, clock=clock,
        history=trajectory_service.phase_history(session=db, trajectory=trajectory) if trajectory else [],
        skills=profile_service.skills_of(session=db, participant_id=person.id), proposals=proposals,
        targets={p.id: allowed_targets(p.state, "coach") for p, _s, _e in proposals},
        evaluations=evaluation_service.list_evaluations(session=db, participant_id=person.id),
        timeline=profile_service.timeline(session=db, participant=person), note_form=NoteForm(), phase_form=PhaseForm(),
        answers=profile_service.place_answers(session=db, participant=person),
        hold_form=HoldForm(), handover_form=handover, transition_form=TransitionForm(),
        coach=db.get(User, person.coach_id),
    )


@bp.route("/deelnemers/<int:participant_id>/profiel", methods=["GET", "POST"])
def edit_profile(participant_id: int):
    db = _db()
    person = _participant(participant_id)
    form = ProfileForm(obj=person)
    if request.method == "GET":
        while len(form.skills):
            form.skills.pop_entry()
        for skill in profile_service.skills_of(session=db, participant_id=person.id)[:MAX_SKILL_ROWS]:
            form.skills.append_entry({"name": skill.name, "level": str(skill.level)})
    if form.validate_on_submit():
        profile_service.update_profile(session=db, participant=person, data=form.profile_data(), skills=form.skill_list())
        flash(_("Profiel bewaard. De passende plaatsen zijn opnieuw berekend."), "success")
        return redirect(url_for("coach.matches", participant_id=person.id))
    _pad_skills(form)
    return render_template("coach/profile_form.html", form=form, participant=person, skill_terms=_skill_terms())


@bp.route("/deelnemers/<int:participant_id>/plaatsen")
def matches(participant_id: int):
    db = _db()
    person = _participant(participant_id)
    show_excluded = request.args.get("uitgesloten") == "1"
    rows = matching_service.suggestions_for_participant(session=db, participant_id=person.id, include_excluded=show_excluded, limit=50 if show_excluded else 20)
    open_places = set(db.exec(select(Proposal.place_id).where(Proposal.participant_id == person.id, Proposal.state.in_(OPEN_STATES))).all())
    return render_template(
        "coach/matches.html", participant=person, rows=rows, explain=explain_lines, show_excluded=show_excluded, open_places=open_places,
        matchable=matching_service.is_matchable(person), propose_form=ProposeForm(),
    )


@bp.route("/deelnemers/<int:participant_id>/voorstel", methods=["POST"])
def propose(participant_id: int):
    db = _db()
    person = _participant(participant_id)
    form = ProposeForm()
    if not form.validate_on_submit() or not form.place_id.data.isdigit():
        abort(400)
    place = db.get(StagePlace, int(form.place_id.data))
    if place is None or place.status != "published":
        abort(404)
    existing = db.exec(select(Proposal).where(Proposal.participant_id == person.id, Proposal.place_id == place.id, Proposal.state.in_(OPEN_STATES))).first()
    if existing is not None:
        flash(_("Er loopt al een voorstel voor deze plaats."), "warning")
        return redirect(url_for("coach.participant", participant_id=person.id))
    suggestion = db.exec(select(matching_service.MatchSuggestion).where(
        matching_service.MatchSuggestion.participant_id == person.id, matching_service.MatchSuggestion.place_id == place.id)).first()
    create_proposal(session=db, participant_id=person.id, place_id=place.id, coach=current_user, score=suggestion.score if suggestion else None,
                    note=form.note.data or None)
    flash(_("Voorstel verstuurd voor %(title)s.", title=place.title), "success")
    return redirect(url_for("coach.participant", participant_id=person.id))


@bp.route("/voorstellen/<int:proposal_id>/status", methods=["POST"])
def transition(proposal_id: int):
    db = _db()
    proposal = caseload_service.get_proposal(session=db, coach=current_user, proposal_id=proposal_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.to_state.data == "stage_agreed":
        proposal.stage_start = form.stage_start.data or proposal.stage_start
        proposal.stage_end = form.stage_end.data or proposal.stage_end
    data = {"reason": form.reason.data} if form.reason.data else None
    try:
        transition_proposal(session=db, proposal=proposal, to_state=form.to_state.data, actor=current_user, actor_role="coach", note=form.note.data or None, data=data)
    except TransitionError as error:
        db.rollback()
        flash(str(TRANSITION_ERRORS.get(error.code, error.code)), "error")
        return redirect(url_for("coach.participant", participant_id=proposal.participant_id))
    flash(_("Status aangepast."), "success")
    return redirect(url_for("coach.participant", participant_id=proposal.participant_id))


@bp.route("/deelnemers/<int:participant_id>/notities", methods=["POST"])
def add_note(participant_id: int):
    person = _participant(participant_id)
    form = NoteForm()
    if form.validate_on_submit():
        profile_service.add_note(session=_db(), participant=person, author=current_user, body=form.body.data)
        flash(_("Notitie bewaard."), "success")
    else:
        flash(_("Schrijf eerst een notitie."), "error")
    return redirect(url_for("coach.participant", participant_id=person.id) + "#tijdlijn")


def _trajectory_or_404(person):
    trajectory = trajectory_service.current_trajectory(session=_db(), participant_id=person.id)
    if trajectory is None:
        abort(404)
    return trajectory


@bp.route("/deelnemers/<int:participant_id>/fase", methods=["POST"])
def change_phase(participant_id: int):
    person = _participant(participant_id)
    trajectory = _trajectory_or_404(person)
    form = PhaseForm()
    if not form.validate_on_submit():
        flash(_("Kies een fase en geef een reden."), "error")
    else:
        try:
            trajectory_service.change_phase(session=_db(), trajectory=trajectory, to_phase=form.phase.data, reason=form.reason.data)
            flash(_("Fase aangepast."), "success")
        except trajectory_service.PhaseError as error:
            flash(str(PHASE_ERRORS.get(error.code, error.code)), "error")
    return redirect(url_for("coach.participant", participant_id=person.id))


@bp.route("/deelnemers/<int:participant_id>/pauze", methods=["POST"])
def hold(participant_id: int):
    person = _participant(participant_id)
    trajectory = _trajectory_or_404(person)
    form = HoldForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("action") == "resume":
            trajectory_service.resume(session=_db(), trajectory=trajectory)
            flash(_("Het traject loopt weer."), "success")
        else:
            trajectory_service.put_on_hold(session=_db(), trajectory=trajectory, reason=form.reason.data or "")
            flash(_("Het traject staat in pauze; de klok van de fase staat stil."), "success")
    except trajectory_service.PhaseError as error:
        flash(str(PHASE_ERRORS.get(error.code, error.code)), "error")
    return redirect(url_for("coach.participant", participant_id=person.id))


@bp.route("/deelnemers/<int:participant_id>/overdragen", methods=["POST"])
def hand_over(participant_id: int):
    db = _db()
    person = _participant(participant_id)
    form = HandoverForm()
    form.coach_id.choices = [SelectChoice(c.id, c.full_name) for c in caseload_service.handover_targets(session=db, coach=current_user)]
    if not form.validate_on_submit():
        flash(_("Kies een coach van je team."), "error")
        return redirect(url_for("coach.participant", participant_id=person.id))
    target = caseload_service.hand_over(session=db, coach=current_user, participant=person, to_coach_id=form.coach_id.data)
    flash(_("%(name)s is overgedragen aan %(coach)s.", name=person.first_name, coach=target.full_name), "success")
    return redirect(url_for("coach.caseload"))


# --- evaluations ------------------------------------------------------------------------------


def _evaluation(evaluation_id: int) -> Evaluation:
    evaluation = _db().get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    _participant(evaluation.participant_id)
    return evaluation


@bp.route("/deelnemers/<int:participant_id>/evaluaties/nieuw", methods=["GET", "POST"])
def new_evaluation(participant_id: int):
    person = _participant(participant_id)
    form = evaluation_form_class()()
    if form.validate_on_submit():
        evaluation = evaluation_service.save_evaluation(
            session=_db(), participant=person, coach=current_user, held_on=form.held_on.data, attendees=form.attendees.data, scores=form.scores(),
            decision=form.decision.data, re_evaluation_on=form.re_evaluation_on.data, summary=form.summary.data,
        )
        flash(_("Evaluatie bewaard als ontwerp. Rond ze af om ze vast te leggen."), "success")
        return redirect(url_for("coach.evaluation", evaluation_id=evaluation.id))
    return render_template("coach/evaluation_form.html", form=form, participant=person, evaluation=None, rubric=evaluation_service.RUBRIC)


@bp.route("/evaluaties/<int:evaluation_id>")
def evaluation(evaluation_id: int):
    item = _evaluation(evaluation_id)
    person = _participant(item.participant_id)
    return render_template("coach/evaluation.html", evaluation=item, participant=person, rubric=evaluation_service.RUBRIC,
                           decisions=evaluation_service.DECISION_LABELS, coach=_db().get(User, item.coach_id) if item.coach_id else None,
                           signer=_db().get(User, item.signed_off_by_id) if item.signed_off_by_id else None,
                           missing=evaluation_service.missing_for_sign_off(item))


@bp.route("/evaluaties/<int:evaluation_id>.pdf")
def evaluation_pdf(evaluation_id: int):
    """The evaluation as a PDF in the participant's language."""
    item = _evaluation(evaluation_id)
    return evaluation_pdf_response(session=_db(), evaluation=item, participant=_participant(item.participant_id))


@bp.route("/evaluaties/<int:evaluation_id>/bewerken", methods=["GET", "POST"])
def edit_evaluation(evaluation_id: int):
    item = _evaluation(evaluation_id)
    person = _participant(item.participant_id)
    if item.signed_off_at is not None:
        if request.method == "POST":
            abort(409)
        flash(_("Een afgeronde evaluatie kan niet meer veranderen. Start een nieuwe evaluatie."), "warning")
        return redirect(url_for("coach.evaluation", evaluation_id=item.id))
    form_class = evaluation_form_class()
    data = {"held_on": item.held_on, "attendees": item.attendees, "decision": item.decision, "re_evaluation_on": item.re_evaluation_on, "summary": item.summary}
    for key, entry in (item.scores or {}).items():
        data[f"{key}_score"] = str(entry["score"]) if entry.get("score") else None
        data[f"{key}_motivation"] = entry.get("motivation")
    form = form_class(data=data) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        evaluation_service.save_evaluation(
            session=_db(), participant=person, coach=current_user, held_on=form.held_on.data, attendees=form.attendees.data, scores=form.scores(),
            decision=form.decision.data, re_evaluation_on=form.re_evaluation_on.data, summary=form.summary.data, evaluation=item,
        )
        flash(_("Evaluatie bewaard."), "success")
        return redirect(url_for("coach.evaluation", evaluation_id=item.id))
    return render_template("coach/evaluation_form.html", form=form, participant=person, evaluation=item, rubric=evaluation_service.RUBRIC)


@bp.route("/evaluaties/<int:evaluation_id>/afronden", methods=["GET", "POST"])
def sign_off_evaluation(evaluation_id: int):
    """Sign-off in two steps: a page naming the consequences (or what is missing), then the confirmed POST."""
    item = _evaluation(evaluation_id)
    if item.signed_off_at is not None:
        if request.method == "POST":
            abort(409)
        return redirect(url_for("coach.evaluation", evaluation_id=item.id))
    person = _participant(item.participant_id)
    missing = evaluation_service.missing_for_sign_off(item)
    if request.method == "POST" and request.form.get("confirmed") == "1" and not missing:
        evaluation_service.sign_off(session=_db(), evaluation=item, coach=current_user)
        flash(_("Evaluatie afgerond en vastgelegd."), "success")
        return redirect(url_for("coach.evaluation", evaluation_id=item.id))
    status = 422 if request.method == "POST" and missing else 200
    return render_template("coach/evaluation_sign_off.html", evaluation=item, participant=person, missing=missing,
                           decisions=evaluation_service.DECISION_LABELS), status


# --- places, assignments, import ----------------------------------------------------------------


@bp.route("/stageplaatsen")
def places():
    db = _db()
    rows = db.exec(
        select(StagePlace, Employer).join(Employer, Employer.id == StagePlace.employer_id).where(StagePlace.status == "published")
        .where(Employer.review_status == "approved").order_by(StagePlace.title, StagePlace.id)
    ).all()
    return render_template("coach/places.html", rows=rows)


@bp.route("/stageplaatsen/<int:place_id>")
def place(place_id: int):
    db = _db()
    item = db.get(StagePlace, place_id)
    if item is None or item.status != "published" or db.get(Employer, item.employer_id).review_status != "approved":
        abort(404)
    coach_ids = caseload_service.visible_coach_ids(session=db, coach=current_user)
    show_excluded = request.args.get("uitgesloten") == "1"
    rows = matching_service.suggestions_for_place(session=db, place_id=item.id, coach_ids=coach_ids, include_excluded=show_excluded)
    return render_template("coach/place.html", place=item, employer=db.get(Employer, item.employer_id), rows=rows, explain=explain_lines,
                           show_excluded=show_excluded, propose_form=ProposeForm(), skills=places_service.place_skills(session=db, place=item),
                           doc=cost_sheets.sheet_document(session=db, place=item, labels=cost_sheets.reader_labels()))


@bp.route("/stageplaatsen/<int:place_id>/fiche.pdf")
def place_sheet_pdf(place_id: int):
    """The same cost & expectation sheet as the employer's PDF, in the coach's language (or ?lang=)."""
    db = _db()
    item = db.get(StagePlace, place_id)
    if item is None or item.status != "published":
        abort(404)
    lang = request.args.get("lang") if request.args.get("lang") in current_app.config["LANGUAGES"] else str(get_locale())
    with force_locale(lang):
        html = render_template("employer/sheet_document.html", pdf=True, employer=db.get(Employer, item.employer_id),
                               skills=places_service.place_skills(session=db, place=item),
                               doc=cost_sheets.sheet_document(session=db, place=item, labels=cost_sheets.reader_labels()))
    pdf = cost_sheets.render_pdf(html, stylesheet_path=str(current_app.static_folder) + "/css/sheet.css", base_url=current_app.static_folder)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="fiche-stageplaats-{item.id}-{lang}.pdf"'
    return response


@bp.route("/koppelingen")
def assignments():
    db = _db()
    coach_ids = caseload_service.visible_coach_ids(session=db, coach=current_user)
    rows = matching_service.suggest_assignments(session=db, coach_ids=coach_ids)
    return render_template("coach/assignments.html", rows=rows, form=AcceptAssignmentForm())


@bp.route("/koppelingen/aanvaarden", methods=["POST"])
def accept_assignment():
    form = AcceptAssignmentForm()
    if not form.validate_on_submit() or not (form.participant_id.data.isdigit() and form.place_id.data.isdigit()):
        abort(400)
    db = _db()
    person = _participant(int(form.participant_id.data))
    place = db.get(StagePlace, int(form.place_id.data))
    if place is None or place.status != "published":
        abort(404)
    if db.exec(select(Proposal).where(Proposal.participant_id == person.id, Proposal.state.in_(OPEN_STATES))).first() is not None:
        flash(_("Deze deelnemer heeft al een lopend voorstel."), "warning")
        return redirect(url_for("coach.assignments"))
    suggestion = db.exec(select(matching_service.MatchSuggestion).where(
        matching_service.MatchSuggestion.participant_id == person.id, matching_service.MatchSuggestion.place_id == place.id)).first()
    create_proposal(session=db, participant_id=person.id, place_id=place.id, coach=current_user, score=suggestion.score if suggestion else None)
    flash(_("Voorstel verstuurd: %(name)s voor %(title)s.", name=person.first_name, title=place.title), "success")
    return redirect(url_for("coach.assignments"))


@bp.route("/import/voorbeeld.csv")
def import_sample():
    return send_file(REPO_ROOT / "seeds" / "caseload_sample.csv", mimetype="text/csv", as_attachment=True, download_name="caseload_voorbeeld.csv")


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        result = import_caseload(session=_db(), coach=current_user, content=form.file.data.read())
        if result.errors:
            _db().rollback()
            errors = result.errors
            flash(_("Niets geïmporteerd: verbeter de fouten hieronder en probeer opnieuw."), "error")
        else:
            flash(_("%(num)d deelnemers geïmporteerd.", num=len(result.created)), "success")
            return redirect(url_for("coach.caseload"))
    return render_template("coach/import.html", form=form, errors=errors, columns=COLUMNS)
