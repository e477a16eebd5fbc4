"""Views of the employer area: organisation, stage places with their sheet, the PDF, and the proposals inbox."""
from __future__ import annotations

from datetime import datetime

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
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.brokering.forms import CancelForm, MessageForm, OutcomeForm, RescheduleForm, SlotsForm
from web.brokering.views import fit_for_employer, ics_response, meeting_block, meeting_message
from web.db import get_session
from web.employer import texts
from web.employer.forms import (
    MAX_CHECKLIST_ROWS,
    MAX_COST_LINE_ROWS,
    MAX_SKILL_ROWS,
    DeclineForm,
    InterestedForm,
    InviteColleagueForm,
    OrganisationForm,
    PlaceForm,
    SheetForm,
)
from web.formatting import format_date
from web.layout import add_nav_item
from web.models import PROPOSAL_STATES
from web.paging import read_page_request
from web.security import allow_mail_form, json_endpoint, role_required
from web.services import conversation, cost_sheets, employers, places, vetting
from web.services import meetings as meeting_service
from web.services.accounts import AccountError
from web.services.dashboards import employer_overview
from web.services.geo import lookup_postal_code
from web.services.proposals import TransitionError

bp = Blueprint("employer", __name__)
BLANK_SKILL_ROWS = 3
BLANK_LINE_ROWS = 2
BLANK_CHECKLIST_ROWS = 2

add_nav_item("employer", "employer.places", _l("Stageplaatsen"))
add_nav_item("employer", "employer.proposals", _l("Voorstellen"))
add_nav_item("employer", "employer.organisation", _l("Organisatie"))


@bp.record_once
def _filters(state):
    state.app.jinja_env.filters.update(texts.TEMPLATE_FILTERS)
    state.app.jinja_env.filters["iso_datetime"] = lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v


@bp.before_request
@role_required("employer")
def _guard():
    return None


def _employer():
    employer = employers.employer_for_user(session=get_session(), user=current_user)
    if employer is None:
        abort(403)
    return employer


def _place_or_404(place_id: int):
    place = places.get_place(session=get_session(), employer=_employer(), place_id=place_id)
    if place is None:
        abort(404)
    return place


def _proposal_or_404(proposal_id: int):
    proposal = employers.get_proposal(session=get_session(), employer=_employer(), proposal_id=proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _cost_labels() -> dict[str, str]:
    return {"wage": _("Doorgerekend deel van het loon"), "mentor": _("Tijd van de mentor")}


@bp.route("/")
def dashboard():
    db = get_session()
    employer = _employer()
    return render_template("employer/dashboard.html", employer=employer, overview=employer_overview(session=db, employer=employer),
                           resend_form=InterestedForm())


@bp.route("/bevestiging-opnieuw", methods=["POST"])
def resend_verification():
    """Send the e-mail confirmation link again."""
    if not InterestedForm().validate_on_submit():
        abort(400)
    if not current_user.email_verified:
        vetting.send_verification_email(session=get_session(), user=current_user)
    flash(_("We stuurden de link opnieuw naar %(email)s.", email=current_user.email), "success")
    return redirect(url_for("employer.dashboard"))


# --- organisation -------------------------------------------------------------------------------


@bp.route("/organisatie", methods=["GET", "POST"])
def organisation():
    db = get_session()
    employer = _employer()
    form = OrganisationForm(obj=employer)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or None) for name in employers.PROFILE_FIELDS if hasattr(form, name)}
        values["name"] = form.name.data
        area = lookup_postal_code(form.postal_code.data)
        values["postal_code"] = form.postal_code.data.strip()
        values["city"] = area.municipality if area else employer.city
        employers.update_employer_profile(session=db, employer=employer, actor=current_user, values=values)
        flash(_("Het profiel van je organisatie is bewaard."), "success")
        return redirect(url_for("employer.organisation"))
    return _organisation_page(employer, form, InviteColleagueForm(formdata=None), 422 if form.is_submitted() else 200)


def _organisation_page(employer, form, invite_form, status: int):
    members = employers.list_members(session=get_session(), employer=employer)
    i_own = any(member.is_owner and user.id == current_user.id for member, user in members)
    return render_template(
        "employer/organisation.html", employer=employer, form=form, invite_form=invite_form, members=members, i_own=i_own
    ), status


@bp.route("/organisatie/uitnodigen", methods=["POST"])
def invite_colleague():
    db = get_session()
    employer = _employer()
    form = InviteColleagueForm()
    if form.validate_on_submit():
        try:
            if not allow_mail_form(session=db, form="invite", user_id=current_user.id, target=form.email.data):
                raise AccountError(_("Je verstuurde de laatste tijd te veel uitnodigingen. Probeer het over een uur opnieuw."))
            # the same answer for a new address and one that already has an account (that address is told by e-mail)
            employers.invite_colleague(session=db, employer=employer, inviter=current_user, email=form.email.data, full_name=form.full_name.data,
                                       language=str(get_locale()))
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("Je collega krijgt een e-mail met een link om een wachtwoord te kiezen."), "success")
            return redirect(url_for("employer.organisation"))
    return _organisation_page(employer, OrganisationForm(formdata=None, obj=employer), form, 422)


def _member_action(action, member_id: int):
    """Run a colleague change for the owner: 404 for another organisation's member, 403 for a non-owner."""
    try:
        user = action(session=get_session(), employer=_employer(), actor=current_user, member_id=member_id)
    except PermissionError:
        abort(403)
    except employers.MemberError as exc:
        flash(str(exc), "error")
        return None, redirect(url_for("employer.organisation"))
    if user is None:
        abort(404)
    return user, redirect(url_for("employer.organisation"))


@bp.route("/organisatie/collegas/<int:member_id>/verwijderen", methods=["POST"])
def remove_colleague(member_id: int):
    user, response = _member_action(employers.remove_colleague, member_id)
    if user is not None:
        flash(_("%(name)s heeft geen toegang meer tot jullie organisatie.", name=user.full_name), "success")
    return response


@bp.route("/organisatie/collegas/<int:member_id>/eigenaar", methods=["POST"])
def make_owner(member_id: int):
    user, response = _member_action(employers.make_owner, member_id)
    if user is not None:
        flash(_("%(name)s is nu eigenaar van jullie organisatie.", name=user.full_name), "success")
    return response


# --- stage places -------------------------------------------------------------------------------


@bp.route("/plaatsen", endpoint="places")
def places_index():
    return render_template("employer/places.html", rows=places.list_places(session=get_session(), employer=_employer()))


def _place_form(place=None) -> PlaceForm:
    if request.method == "POST":
        return PlaceForm(stored_start_date=place.start_date if place else None)
    rows = []
    if place is not None:
        rows = [{"name": s.name, "required": "1" if s.required else "0", "min_level": str(s.min_level)}
                for s in places.place_skills(session=get_session(), place=place)]
    rows = (rows + [{"name": "", "required": "1", "min_level": "2"}] * BLANK_SKILL_ROWS)[:MAX_SKILL_ROWS]
    form = PlaceForm(obj=place, data={"skills": rows}, stored_start_date=place.start_date if place else None)
    if place is None:
        employer = _employer()
        form.postal_code.data = employer.postal_code
        form.sector.data = employer.sector
    return form


def _render_place_form(form, place, status=200):
    return render_template("employer/place_form.html", form=form, place=place), status


@bp.route("/plaatsen/nieuw", methods=["GET", "POST"])
def place_new():
    form = _place_form()
    if form.validate_on_submit():
        place = places.save_place(session=get_session(), employer=_employer(), actor=current_user, values=form.place_values(),
                                  skills=form.skill_values())
        flash(_("Het ontwerp is bewaard. Vul nu de kosten- en verwachtingenfiche in."), "success")
        return redirect(url_for("employer.sheet_edit", place_id=place.id))
    return _render_place_form(form, None, 422 if form.is_submitted() else 200)


@bp.route("/plaatsen/<int:place_id>/bewerken", methods=["GET", "POST"])
def place_edit(place_id: int):
    place = _place_or_404(place_id)
    if place.status not in places.EDITABLE_STATES:
        flash(_("Een ingevulde of afgesloten stageplaats kan je niet meer wijzigen. Maak een kopie."), "warning")
        return redirect(url_for("employer.place_detail", place_id=place.id))
    form = _place_form(place)
    if form.validate_on_submit():
        online_until = place.expires_at
        places.save_place(session=get_session(), employer=_employer(), actor=current_user, values=form.place_values(),
                          skills=form.skill_values(), place=place)
        flash(_("De stageplaats is bewaard."), "success")
        if online_until is not None and place.expires_at != online_until:
            flash(_("De plaats bleef anders niet online tot de startdatum: ze staat nu online tot %(date)s.",
                    date=format_date(place.expires_at)), "warning")
        return redirect(url_for("employer.place_detail", place_id=place.id))
    return _render_place_form(form, place, 422 if form.is_submitted() else 200)


def _sheet_form(place) -> SheetForm:
    db = get_session()
    premium_choices = [(p.id, p.name_en if str(get_locale()) == "en" else p.name_nl)
                       for p in cost_sheets.available_premiums(session=db)]
    if request.method == "POST":
        return SheetForm(premium_choices=premium_choices)
    sheet = cost_sheets.get_or_create_sheet(session=db, place=place)
    lines = [{"kind": li.kind, "label": li.label, "amount": li.amount, "period": li.period, "payer": li.payer}
             for li in cost_sheets.sheet_lines(session=db, sheet=sheet)]
    if not lines:
        lines = [{"kind": "onboarding", "label": "", "period": "once"}, {"kind": "clothing", "label": "", "period": "once"},
                 {"kind": "travel", "label": "", "period": "month"}]
    lines = (lines + [{"kind": "other", "label": "", "period": "once"}] * BLANK_LINE_ROWS)[:MAX_COST_LINE_ROWS]
    checklist = (list(sheet.checklist or []) + [{"document": "", "signer": "", "due": ""}] * BLANK_CHECKLIST_ROWS)[:MAX_CHECKLIST_ROWS]
    premiums = [p.id for p in cost_sheets.sheet_premiums(session=db, sheet=sheet)]
    data = {name: getattr(sheet, name) for name in cost_sheets.SHEET_FIELDS}
    data.update(lines=lines, checklist=checklist, premiums=premiums)
    return SheetForm(data=data, premium_choices=premium_choices)


@bp.route("/plaatsen/<int:place_id>/fiche/bewerken", methods=["GET", "POST"])
def sheet_edit(place_id: int):
    place = _place_or_404(place_id)
    if place.status not in places.EDITABLE_STATES:
        return redirect(url_for("employer.place_detail", place_id=place.id))
    form = _sheet_form(place)
    check = None
    if form.validate_on_submit():
        check = cost_sheets.check_sheet(values=form.sheet_values(), lines=form.line_values(), hours_per_week=place.hours_per_week,
                                        duration_weeks=place.duration_weeks)
        for name, message in check.errors.items():
            target = form.field_for(name)
            target.errors = [*target.errors, message]
        if check.ok and (not check.warnings or form.confirm_unusual.data):
            cost_sheets.save_sheet(session=get_session(), place=place, values=form.sheet_values(), lines=form.line_values(),
                                   premium_ids=form.premiums.data or [], checklist=form.checklist_values())
            flash(_("De kosten- en verwachtingenfiche is bewaard."), "success")
            return redirect(url_for("employer.place_detail", place_id=place.id))
    premiums = cost_sheets.available_premiums(session=get_session())
    warnings = [(form.field_for(name), message) for name, message in check.warnings.items()] if check and check.ok else []
    if form.is_submitted():
        totals = check.summary if check is not None else None  # the figures as sent, when they could be read
    else:
        totals = cost_sheets.sheet_document(session=get_session(), place=place, labels=_cost_labels())["summary"]
    return render_template("employer/sheet_form.html", form=form, place=place, premiums={p.id: p for p in premiums}, check=check,
                           warnings=warnings, totals=totals), (422 if form.is_submitted() else 200)


@bp.route("/plaatsen/<int:place_id>")
def place_detail(place_id: int):
    db = get_session()
    place = _place_or_404(place_id)
    return render_template(
        "employer/place_detail.html", place=place, employer=_employer(), skills=places.place_skills(session=db, place=place),
        doc=cost_sheets.sheet_document(session=db, place=place, labels=_cost_labels()),
        problems=(places.publish_problems(session=db, place=place) + vetting.publish_blockers(employer=_employer(), actor=current_user))
        if place.status in ("draft", "paused", "expired") else [],
        actions=places.allowed_actions(place), editable=place.status in places.EDITABLE_STATES,
        proposals=employers.list_proposals(session=db, employer=_employer(), place_id=place.id),
    )


@bp.route("/plaatsen/<int:place_id>/status", methods=["POST"])
def place_status(place_id: int):
    place = _place_or_404(place_id)
    action = request.form.get("action", "")
    try:
        places.change_place_status(session=get_session(), place=place, action=action, actor=current_user)
    except places.PlaceError as exc:
        if exc.code == "incomplete":
            flash(_("Je kan nog niet publiceren. Vul eerst aan wat hieronder ontbreekt."), "error")
        else:
            flash(_("Dat kan niet in deze status."), "error")
        return redirect(url_for("employer.place_detail", place_id=place.id))
    flash(str(texts.ACTION_DONE[action]), "success")
    return redirect(url_for("employer.place_detail", place_id=place.id))


@bp.route("/plaatsen/<int:place_id>/dupliceren", methods=["POST"])
def place_duplicate(place_id: int):
    place = _place_or_404(place_id)
    copy = places.duplicate_place(session=get_session(), place=place, actor=current_user)
    flash(_("Er is een kopie gemaakt als ontwerp. Pas aan wat nodig is."), "success")
    return redirect(url_for("employer.place_edit", place_id=copy.id))


def _sheet_html(place, *, pdf: bool) -> str:
    db = get_session()
    return render_template(
        "employer/sheet_document.html", pdf=pdf, employer=_employer(), skills=places.place_skills(session=db, place=place),
        doc=cost_sheets.sheet_document(session=db, place=place, labels=_cost_labels()),
    )


def _language() -> str:
    lang = request.args.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else str(get_locale())


@bp.route("/plaatsen/<int:place_id>/fiche")
def sheet_print(place_id: int):
    place = _place_or_404(place_id)
    with force_locale(_language()):
        return _sheet_html(place, pdf=False)


@bp.route("/plaatsen/<int:place_id>/fiche.pdf")
def sheet_pdf(place_id: int):
    place = _place_or_404(place_id)
    lang = _language()
    with force_locale(lang):
        html = _sheet_html(place, pdf=True)
    pdf = cost_sheets.render_pdf(html, stylesheet_path=str(current_app.static_folder) + "/css/sheet.css", base_url=current_app.static_folder)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="fiche-stageplaats-{place.id}-{lang}.pdf"'
    return response


# --- autocomplete -------------------------------------------------------------------------------


@bp.route("/suggesties/beroepen")
@json_endpoint
def suggest_occupations():
    return jsonify(places.suggest_occupations(request.args.get("q", "")[:100]))


@bp.route("/suggesties/vaardigheden")
@json_endpoint
def suggest_skills():
    return jsonify(places.suggest_skills(session=get_session(), query=request.args.get("q", "")[:100]))


# --- proposals inbox ----------------------------------------------------------------------------


@bp.route("/voorstellen")
def proposals():
    db = get_session()
    employer = _employer()
    places_with_proposals = employers.employer_place_choices(session=db, employer=employer)
    place_id = request.args.get("plaats", type=int)
    if place_id not in {p for p, _title in places_with_proposals}:
        place_id = None
    state = request.args.get("status") if request.args.get("status") in PROPOSAL_STATES else None
    waiting = request.args.get("wacht") == "1"
    wanted = read_page_request(request.args, sorts=employers.PROPOSAL_SORTS, default="-ontvangen")
    page = employers.proposals_page(session=db, employer=employer, wanted=wanted, state=state, waiting=waiting, place_id=place_id)
    return render_template("employer/proposals.html", rows=page.items, page=page, states=PROPOSAL_STATES, state=state, waiting=waiting,
                           places=places_with_proposals, place_id=place_id,
                           sort_options=[("ontvangen", _l("Ontvangen")), ("status", _l("Status")), ("plaats", _l("Stageplaats"))])


def _render_proposal(proposal, *, forms=None, status=200):
    db = get_session()
    employer = _employer()
    from web.models import Participant, StagePlace, User

    place = db.get(StagePlace, proposal.place_id)
    participant = db.get(Participant, proposal.participant_id)
    employers.record_profile_view(session=db, proposal=proposal, viewer=current_user, employer=employer)
    conversation.mark_conversation_read(session=db, proposal=proposal, reader=current_user)
    forms = forms or {}
    return render_template(
        "employer/proposal_detail.html", proposal=proposal, place=place,
        card=employers.candidate_card(session=db, proposal=proposal, participant=participant, place=place),
        answers=employers.employer_answers(proposal),
        coach=db.get(User, proposal.coach_id) if proposal.coach_id else None,
        fit=fit_for_employer(session=db, proposal=proposal),
        meetings=meeting_block(session=db, proposal=proposal),
        messages=conversation.conversation(session=db, proposal=proposal, reader=current_user),
        interested_form=forms.get("interested") or InterestedForm(formdata=None),
        slots_form=forms.get("slots") or SlotsForm(formdata=None),
        decline_form=forms.get("decline") or DeclineForm(formdata=None),
        reschedule_form=forms.get("reschedule") or RescheduleForm(formdata=None),
        cancel_form=forms.get("cancel") or CancelForm(formdata=None),
        outcome_form=forms.get("outcome") or OutcomeForm(formdata=None),
        message_form=forms.get("message") or MessageForm(formdata=None),
    ), status


@bp.route("/voorstellen/<int:proposal_id>")
def proposal_detail(proposal_id: int):
    return _render_proposal(_proposal_or_404(proposal_id))


@bp.route("/voorstellen/<int:proposal_id>/antwoord/<answer>", methods=["POST"])
def proposal_answer(proposal_id: int, answer: str):
    proposal = _proposal_or_404(proposal_id)
    form_class = {"interested": InterestedForm, "decline": DeclineForm}.get(answer)
    if form_class is None:
        abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={answer: form}, status=422)
    kwargs = {"note": form.note.data or None}
    if answer == "decline":
        kwargs["reason"] = form.reason.data
    try:
        employers.answer_proposal(session=get_session(), proposal=proposal, actor=current_user, answer=answer, **kwargs)
    except TransitionError as exc:
        flash(meeting_message(exc.code) if exc.code in ("place_unavailable",) else _("Dit antwoord kan niet meer in de huidige stap van het voorstel."),
              "error")
        return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id))
    flash(_("Je antwoord is bewaard. De coach krijgt een melding."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id))


@bp.route("/voorstellen/<int:proposal_id>/momenten", methods=["POST"])
def offer_slots(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = SlotsForm()
    slots = form.slots() if form.validate_on_submit() else (form.slots() and None)
    if slots is None:
        return _render_proposal(proposal, forms={"slots": form}, status=422)
    try:
        meeting_service.offer_slots(session=get_session(), proposal=proposal, actor=current_user, slots=slots, location=form.location.data,
                                    contact_person=form.contact_person.data, note=form.note.data)
    except (meeting_service.MeetingError, TransitionError) as exc:
        form.form_errors.append(meeting_message(exc.code))
        return _render_proposal(proposal, forms={"slots": form}, status=422)
    flash(_("Je uitnodiging is verstuurd. De coach en de kandidaat kiezen een moment."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


def _meeting_or_404(meeting_id: int):
    meeting = meeting_service.get_meeting_for(session=get_session(), user=current_user, meeting_id=meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/afspraken/<int:meeting_id>/verplaatsen", methods=["POST"])
def reschedule_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    proposal = _proposal_or_404(meeting.proposal_id)
    form = RescheduleForm()
    valid = form.validate_on_submit()
    slot = form.slot()
    if not valid or slot is None:
        return _render_proposal(proposal, forms={"reschedule": form}, status=422)
    try:
        meeting_service.reschedule(session=get_session(), meeting=meeting, actor=current_user, slot=slot, reason=form.reason.data,
                                   location=form.location.data)
    except meeting_service.MeetingError as exc:
        form.form_errors.append(meeting_message(exc.code))
        return _render_proposal(proposal, forms={"reschedule": form}, status=422)
    flash(_("Het gesprek is verplaatst. Iedereen krijgt het nieuwe moment in de agenda."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


@bp.route("/afspraken/<int:meeting_id>/annuleren", methods=["POST"])
def cancel_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    proposal = _proposal_or_404(meeting.proposal_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={"cancel": form}, status=422)
    try:
        meeting_service.cancel(session=get_session(), meeting=meeting, actor=current_user, reason=form.reason.data)
    except (meeting_service.MeetingError, TransitionError) as exc:
        form.form_errors.append(meeting_message(exc.code))
        return _render_proposal(proposal, forms={"cancel": form}, status=422)
    flash(_("Het gesprek is geannuleerd. Je kan nieuwe momenten voorstellen."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id, _anchor="kennismaking"))


@bp.route("/afspraken/<int:meeting_id>/verloop", methods=["POST"])
def meeting_outcome(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    proposal = _proposal_or_404(meeting.proposal_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={"outcome": form}, status=422)
    try:
        meeting_service.record_outcome(session=get_session(), meeting=meeting, actor=current_user, outcome=form.outcome.data,
                                       reason=form.reason.data or None, note=form.note.data)
    except (meeting_service.MeetingError, TransitionError) as exc:
        form.form_errors.append(meeting_message(exc.code))
        return _render_proposal(proposal, forms={"outcome": form}, status=422)
    flash(_("Bewaard. De coach krijgt een melding."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id))


@bp.route("/afspraken/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    if meeting.status not in ("confirmed", "cancelled"):
        abort(404)
    return ics_response(session=get_session(), meeting=meeting, user=current_user)


@bp.route("/voorstellen/<int:proposal_id>/berichten", methods=["POST"])
def post_message(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, forms={"message": form}, status=422)
    conversation.post_message(session=get_session(), proposal=proposal, author=current_user, body=form.body.data)
    flash(_("Je bericht is verstuurd. De coach krijgt een melding."), "success")
    return redirect(url_for("employer.proposal_detail", proposal_id=proposal.id, _anchor="gesprek"))
