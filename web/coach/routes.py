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
    jsonify,
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
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from web.brokering.forms import CancelForm, ConfirmForm, MessageForm, RescheduleForm
from web.brokering.forms import ProposeForm as MotivationForm
from web.brokering.views import TRANSITION_ERRORS, ics_response, meeting_block, meeting_message
from web.coach.evaluation_doc import evaluation_pdf_response
from web.coach.explain import explain_lines
from web.coach.forms import (
    MAX_SKILL_ROWS,
    MAX_WISHES,
    HandoverForm,
    HoldForm,
    ImportForm,
    NewParticipantForm,
    NoteForm,
    PhaseForm,
    ProfileForm,
    TransitionForm,
    evaluation_form_class,
)
from web.config import REPO_ROOT
from web.db import get_session
from web.layout import add_nav_item
from web.models import PHASES, SECTORS, Employer, Evaluation, Proposal, SkillTerm, StagePlace, User, utcnow
from web.paging import read_page_request
from web.security import json_endpoint, role_required
from web.services import caseload as caseload_service
from web.services import conversation, cost_sheets
from web.services import evaluations as evaluation_service
from web.services import matching as matching_service
from web.services import meetings as meeting_service
from web.services import occupations as occupation_service
from web.services import places as places_service
from web.services import profiles as profile_service
from web.services import todo as todo_service
from web.services import trajectories as trajectory_service
from web.services.csv_import import COLUMNS, import_caseload
from web.services.dashboards import coach_overview
from web.services.proposals import (
    OPEN_STATES,
    ProposalError,
    TransitionError,
    allowed_targets,
    proposals_of_participant,
    propose_match,
    transition_proposal,
)

bp = Blueprint("coach", __name__)

add_nav_item("coach", "coach.caseload", _l("Caseload"))
add_nav_item("coach", "coach.places", _l("Stageplaatsen"))
add_nav_item("coach", "coach.assignments", _l("Voorgestelde koppelingen"))
add_nav_item("coach", "coach.board", _l("Pijplijn"))

#: caseload filters ``?zonder=``: participants without a signed evaluation or without skills
WITHOUT_FILTERS = ("evaluatie", "vaardigheden")

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
    db = _db()
    todo = todo_service.coach_todo(session=db, coach=current_user, today=trajectory_service.today(), now=utcnow())
    return render_template("coach/dashboard.html", overview=coach_overview(session=db, coach=current_user), todo=todo)


def _int_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/pijplijn")
def board():
    pipeline = todo_service.pipeline_board(session=_db(), coach=current_user, now=utcnow(), coach_id=_int_arg("coach"),
                                           team_id=_int_arg("team"), place_id=_int_arg("plaats"))
    return render_template("coach/board.html", board=pipeline)


@bp.route("/deelnemers")
def caseload():
    db = _db()
    phase = request.args.get("fase") if request.args.get("fase") in PHASES else None
    scope = "own" if request.args.get("wie") == "eigen" else "all"
    without = request.args.get("zonder") if request.args.get("zonder") in WITHOUT_FILTERS else None
    coaches = caseload_service.team_coaches(session=db, coach=current_user)
    coach_id = request.args.get("coach", type=int)
    if coach_id not in {c for c, _name in coaches}:
        coach_id = None
    wanted = read_page_request(request.args, sorts=caseload_service.CASELOAD_SORTS, default="naam")
    page = caseload_service.caseload_page(
        session=db, coach=current_user, wanted=wanted, phase=phase, search=(request.args.get("q") or "").strip()[:100] or None, scope=scope,
        overdue_only=request.args.get("te_laat") == "1", coach_id=coach_id, without=without,
    )
    shared = len(coaches) > 1
    return render_template("coach/caseload.html", page=page, rows=page.items, phase=phase, scope=scope, shared=shared, phases=PHASES,
                           coaches=coaches, coach_id=coach_id, sort_options=CASELOAD_SORT_LABELS, without=without)


CASELOAD_SORT_LABELS = [
    ("naam", _l("Deelnemer")), ("fase", _l("Fase")), ("dagen", _l("Dagen in fase")), ("deadline", _l("Volgende deadline")),
    ("voorstellen", _l("Open voorstellen")), ("contact", _l("Laatste contact")), ("coach", _l("Coach")),
]


def _skill_terms():
    return _db().exec(select(SkillTerm.label_nl).where(SkillTerm.active.is_(True)).order_by(SkillTerm.label_nl).limit(2000)).all()


def _pad_skills(form, extra: int = 3):
    while len(form.skills) < MAX_SKILL_ROWS and sum(1 for row in form.skills if not (row.form.name.data or "").strip()) < extra:
        form.skills.append_entry()
    while len(form.occupations) < MAX_WISHES and not any(not (row.form.name.data or "").strip() for row in form.occupations):
        form.occupations.append_entry()


@bp.route("/suggesties/beroepen")
@json_endpoint
def suggest_occupations():
    """ESCO occupation labels for the wish rows of the profile form (Dutch labels, typos tolerated)."""
    return jsonify(occupation_service.suggest_occupations(request.args.get("q", "")[:100]))


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
    proposals = proposals_of_participant(session=db, participant_id=person.id)
    handover = HandoverForm()
    handover.coach_id.choices = [SelectChoice(c.id, c.full_name) for c in caseload_service.handover_targets(session=db, coach=current_user)]
    return render_template(
        "coach/participant.html", participant=person, trajectory=trajectory, clock=clock,
        history=trajectory_service.phase_history(session=db, trajectory=trajectory) if trajectory else [],
        skills=profile_service.skills_of(session=db, participant_id=person.id), proposals=proposals,
        targets={p.id: allowed_targets(p.state, "coach", buttons=True) for p, _s, _e in proposals},
        meetings=meeting_service.confirmed_by_proposal(session=db, proposal_ids=[p.id for p, _s, _e in proposals]),
        evaluations=evaluation_service.list_evaluations(session=db, participant_id=person.id),
        timeline=profile_service.timeline(session=db, participant=person), note_form=NoteForm(), phase_form=PhaseForm(),
        answers=profile_service.place_answers(session=db, participant=person),
        hold_form=HoldForm(), handover_form=handover, transition_form=TransitionForm(),
        coach=db.get(User, person.coach_id), wishes=occupation_service.recognised_as(person.occupations or []),
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
        while len(form.occupations):
            form.occupations.pop_entry()
        for wish in (person.occupations or [])[:MAX_WISHES]:
            form.occupations.append_entry({"name": wish})
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
    employer_ids = {place.employer_id for _m, place in rows}
    employers = {e.id: e for e in db.exec(select(Employer).where(Employer.id.in_(employer_ids))).all()} if employer_ids else {}
    return render_template(
        "coach/matches.html", participant=person, rows=rows, explain=explain_lines, show_excluded=show_excluded, open_places=open_places,
        matchable=matching_service.is_matchable(person), employers=employers,
    )


@bp.route("/deelnemers/<int:participant_id>/voorstel/<int:place_id>", methods=["GET", "POST"])
def propose(participant_id: int, place_id: int):
    """The confirmation step of a proposal: what the employer will see, and the coach's motivation for them."""
    db = _db()
    person = _participant(participant_id)
    place = db.get(StagePlace, place_id)
    if place is None or place.status != "published":
        abort(404)
    only_if_free = request.values.get("koppeling") == "1"
    form = MotivationForm()
    if form.validate_on_submit():
        try:
            proposal = propose_match(session=db, coach=current_user, participant=person, place_id=place.id, motivation=form.motivation.data,
                                     only_if_free=only_if_free)
        except ProposalError as error:
            messages = {"already_open": _("Er loopt al een voorstel voor deze plaats."),
                        "participant_busy": _("Deze deelnemer heeft al een lopend voorstel."),
                        "place_unavailable": _("Deze stageplaats staat niet meer open.")}
            if error.code in messages:
                flash(messages[error.code], "warning")
                return redirect(url_for("coach.participant", participant_id=person.id))
            form.motivation.errors = list(form.motivation.errors) + [str(TRANSITION_ERRORS.get(error.code, error.code))]
        else:
            flash(_("Voorstel verstuurd voor %(title)s.", title=place.title), "success")
            return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id))
    from web.services.employers import candidate_card

    suggestion = db.exec(select(matching_service.MatchSuggestion).where(
        matching_service.MatchSuggestion.participant_id == person.id, matching_service.MatchSuggestion.place_id == place.id)).first()
    preview = candidate_card(session=db, proposal=Proposal(participant_id=person.id, place_id=place.id), participant=person, place=place)
    status = 422 if form.errors else 200
    return render_template("coach/propose.html", participant=person, place=place, employer=db.get(Employer, place.employer_id), form=form,
                           suggestion=suggestion, explain=explain_lines, preview=preview, only_if_free=only_if_free), status


def _proposal(proposal_id: int) -> Proposal:
    return caseload_service.get_proposal(session=_db(), coach=current_user, proposal_id=proposal_id)


def _render_proposal(proposal: Proposal, *, forms: dict | None = None, status: int = 200):
    db = _db()
    person = _participant(proposal.participant_id)
    place = db.get(StagePlace, proposal.place_id)
    conversation.mark_conversation_read(session=db, proposal=proposal, reader=current_user)
    forms = forms or {}
    return render_template(
        "coach/proposal.html", proposal=proposal, participant=person, place=place, employer=db.get(Employer, place.employer_id),
        targets=allowed_targets(proposal.state, "coach", buttons=True), meetings=meeting_block(session=db, proposal=proposal),
        messages=conversation.conversation(session=db, proposal=proposal, reader=current_user),
        events=trajectory_service.proposal_events(session=db, proposal=proposal) if hasattr(trajectory_service, "proposal_events") else [],
        confirm_form=ConfirmForm(formdata=None), transition_form=forms.get("transition") or TransitionForm(formdata=None),
        reschedule_form=forms.get("reschedule") or RescheduleForm(formdata=None), cancel_form=forms.get("cancel") or CancelForm(formdata=None),
        message_form=forms.get("message") or MessageForm(formdata=None), explain=explain_lines,
        suggestion=db.exec(select(matching_service.MatchSuggestion).where(
            matching_service.MatchSuggestion.participant_id == person.id, matching_service.MatchSuggestion.place_id == place.id)).first(),
    ), status


@bp.route("/voorstellen/<int:proposal_id>")
def proposal_detail(proposal_id: int):
    return _render_proposal(_proposal(proposal_id))


@bp.route("/voorstellen/<int:proposal_id>/status", methods=["POST"])
def transition(proposal_id: int):
    db = _db()
    proposal = _proposal(proposal_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        if form.to_state.data == "stage_agreed":
            return _render_proposal(proposal, forms={"transition": form}, status=422)
        abort(400)
    data = {"reason": form.reason.data} if form.reason.data else None
    try:
        transition_proposal(session=db, proposal=proposal, to_state=form.to_state.data, actor=current_user, actor_role="coach",
                            note=form.note.data or None, data=data, stage_start=form.stage_start.data, stage_end=form.stage_end.data)
    except TransitionError as error:
        if error.code in ("dates_required", "dates_order", "dates_range"):
            form.stage_start.errors = list(form.stage_start.errors) + [str(TRANSITION_ERRORS.get(error.code, error.code))]
            return _render_proposal(proposal, forms={"transition": form}, status=422)
        flash(str(TRANSITION_ERRORS.get(error.code, error.code)), "error")
        return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id))
    flash(_("Status aangepast."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id))


def _meeting(meeting_id: int):
    meeting = meeting_service.get_meeting_for(session=_db(), user=current_user, meeting_id=meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/afspraken/<int:meeting_id>/kiezen", methods=["POST"])
def pick_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting_service.pick_slot(session=_db(), meeting=meeting, actor=current_user)
    except (meeting_service.MeetingError, TransitionError) as error:
        flash(meeting_message(error.code), "error")
        return redirect(url_for("coach.proposal_detail", proposal_id=meeting.proposal_id, _anchor="kennismaking"))
    flash(_("Het moment is vastgelegd. Iedereen krijgt een uitnodiging in de agenda."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=meeting.proposal_id, _anchor="kennismaking"))


@bp.route("/voorstellen/<int:proposal_id>/andere-momenten", methods=["POST"])
def other_times(proposal_id: int):
    proposal = _proposal(proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting_service.ask_other_times(session=_db(), proposal=proposal, actor=current_user)
    except meeting_service.MeetingError as error:
        flash(meeting_message(error.code), "error")
        return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id))
    flash(_("De werkgever wordt gevraagd om andere momenten."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


@bp.route("/afspraken/<int:meeting_id>/verplaatsen", methods=["POST"])
def reschedule_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    proposal = _proposal(meeting.proposal_id)
    form = RescheduleForm()
    valid = form.validate_on_submit()
    slot = form.slot()
    if not valid or slot is None:
        return _render_proposal(proposal, forms={"reschedule": form}, status=422)
    try:
        meeting_service.reschedule(session=_db(), meeting=meeting, actor=current_user, slot=slot, reason=form.reason.data, location=form.location.data)
    except meeting_service.MeetingError as error:
        form.form_errors.append(meeting_message(error.code))
        return _render_proposal(proposal, forms={"reschedule": form}, status=422)
    flash(_("Het gesprek is verplaatst. Iedereen krijgt het nieuwe moment in de agenda."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


@bp.route("/afspraken/<int:meeting_id>/annuleren", methods=["POST"])
def cancel_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    proposal = _proposal(meeting.proposal_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={"cancel": form}, status=422)
    try:
        meeting_service.cancel(session=_db(), meeting=meeting, actor=current_user, reason=form.reason.data)
    except (meeting_service.MeetingError, TransitionError) as error:
        form.form_errors.append(meeting_message(error.code))
        return _render_proposal(proposal, forms={"cancel": form}, status=422)
    flash(_("Het gesprek is geannuleerd. De werkgever kan nieuwe momenten voorstellen."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


@bp.route("/afspraken/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = _meeting(meeting_id)
    if meeting.status not in ("confirmed", "cancelled"):
        abort(404)
    return ics_response(session=_db(), meeting=meeting, user=current_user)


@bp.route("/voorstellen/<int:proposal_id>/berichten", methods=["POST"])
def post_message(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={"message": form}, status=422)
    conversation.post_message(session=_db(), proposal=proposal, author=current_user, body=form.body.data)
    flash(_("Je bericht is verstuurd. De werkgever krijgt een melding."), "success")
    return redirect(url_for("coach.proposal_detail", proposal_id=proposal.id, _anchor="gesprek"))


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
        try:
            evaluation_service.sign_off(session=_db(), evaluation=item, coach=current_user)
        except evaluation_service.EvaluationError as exc:  # never a server error: say what is missing
            missing = exc.missing or [_("Deze evaluatie is nog niet volledig: vul elk onderdeel, de motivatie en de beslissing in voor je afrondt.")]
        else:
            flash(_("Evaluatie afgerond en vastgelegd."), "success")
            return redirect(url_for("coach.evaluation", evaluation_id=item.id))
    status = 422 if request.method == "POST" and missing else 200
    return render_template("coach/evaluation_sign_off.html", evaluation=item, participant=person, missing=missing,
                           decisions=evaluation_service.DECISION_LABELS), status


# --- places, assignments, import ----------------------------------------------------------------


PLACE_SORT_LABELS = [
    ("titel", _l("Titel")), ("werkgever", _l("Werkgever")), ("sector", _l("Sector")), ("postcode", _l("Postcode")),
    ("vrij", _l("Vrije plaatsen")), ("afstand", _l("Afstand")), ("gepubliceerd", _l("Gepubliceerd")),
]


@bp.route("/stageplaatsen")
def places():
    db = _db()
    args = request.args
    near = (args.get("postcode") or "").strip()[:4] or None
    person = None
    if args.get("deelnemer", type=int):
        try:
            person = _participant(args.get("deelnemer", type=int))
        except NotFound:
            person = None
        if person is not None and person.postal_code:
            near = person.postal_code
    sector = args.get("sector") if args.get("sector") in SECTORS else None
    availability = args.get("beschikbaar") if args.get("beschikbaar") in ("free", "full") else None
    employers = places_service.place_employers(session=db)
    employer_id = args.get("werkgever", type=int)
    if employer_id not in {e for e, _name in employers}:
        employer_id = None
    wanted = read_page_request(args, sorts=places_service.PUBLISHED_SORTS, default="afstand" if near else "titel")
    page = places_service.published_places_page(session=db, wanted=wanted, text=(args.get("q") or "").strip()[:100] or None, sector=sector,
                                                employer_id=employer_id, availability=availability, near=near)
    return render_template("coach/places.html", page=page, rows=page.items, near=near, person=person, sectors=SECTORS, sector=sector,
                           employers=employers, employer_id=employer_id, availability=availability, sort_options=PLACE_SORT_LABELS)


@bp.route("/stageplaatsen/<int:place_id>")
def place(place_id: int):
    db = _db()
    item = db.get(StagePlace, place_id)
    if item is None or item.status != "published" or db.get(Employer, item.employer_id).review_status != "approved":
        abort(404)
    show_excluded = request.args.get("uitgesloten") == "1"
    wanted = read_page_request(request.args, sorts=caseload_service.PLACE_CANDIDATE_SORTS, default="-score")
    page = caseload_service.place_candidates_page(session=db, coach=current_user, place_id=item.id, wanted=wanted, include_excluded=show_excluded,
                                                  search=(request.args.get("q") or "").strip()[:100] or None)
    return render_template("coach/place.html", place=item, employer=db.get(Employer, item.employer_id), rows=page.items, page=page,
                           show_excluded=show_excluded, skills=places_service.place_skills(session=db, place=item),
                           doc=cost_sheets.sheet_document(session=db, place=item, labels=cost_sheets.reader_labels()))


@bp.route("/stageplaatsen/<int:place_id>/deelnemers/<int:participant_id>/uitleg")
def place_candidate_reasons(place_id: int, participant_id: int):
    """Why a participant scores what it does for a place: fetched when the coach opens it on the place page."""
    db = _db()
    item = db.get(StagePlace, place_id)
    if item is None or item.status != "published" or db.get(Employer, item.employer_id).review_status != "approved":
        abort(404)
    found = caseload_service.place_candidate(session=db, coach=current_user, place_id=item.id, participant_id=participant_id)
    if found is None:
        abort(404)
    suggestion, person = found
    lines = explain_lines(suggestion.explanation, "coach", person.first_name)
    if request.headers.get("X-Fragment") == "1":
        return render_template("coach/_place_reasons.html", lines=lines, suggestion=suggestion, person=person, place=item)
    return render_template("coach/place_reasons.html", lines=lines, suggestion=suggestion, person=person, place=item)


@bp.route("/stageplaatsen/<int:place_id>/fiche.pdf")
def place_sheet_pdf(place_id: int):
    """The same cost & expectation sheet as the employer's PDF, in the coach's language (or ?lang=)."""
    db = _db()
    item = db.get(StagePlace, place_id)
    if item is None or item.status != "published" or db.get(Employer, item.employer_id).review_status != "approved":
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
    return render_template("coach/assignments.html", rows=rows)


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
            errors = result.errors
            flash(_("Niets geïmporteerd: verbeter de fouten hieronder en probeer opnieuw."), "error")
        else:
            flash(_("%(num)d deelnemers geïmporteerd.", num=len(result.created)), "success")
            return redirect(url_for("coach.caseload"))
    return render_template("coach/import.html", form=form, errors=errors, columns=COLUMNS)
