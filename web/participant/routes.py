"""Views of the participant area: my places, my answer, my trajectory, my data.

Every view works on the logged-in participant's own record only; a place that is not suggested to them
is a 404. The coach's two privacy actions (confirm erasure, invite to log in) live in ``coach_actions``
on this blueprint, guarded for coaches.
"""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.brokering.forms import ConfirmForm
from web.brokering.views import ics_response, meeting_block, meeting_message
from web.coach.evaluation_doc import evaluation_pdf_response
from web.db import get_session
from web.layout import add_nav_item
from web.models import Evaluation, Proposal, User
from web.participant.forms import AnswerForm, ConsentForm, EmptyForm, ErasureForm, TakeBackForm
from web.security import role_required
from web.services import cost_sheets, places, privacy
from web.services import meetings as meeting_service
from web.services import my_data as readable_export
from web.services import participant_portal as portal
from web.services.dashboards import participant_for_user
from web.services.evaluations import DECISION_LABELS, list_evaluations
from web.services.proposals import TransitionError

bp = Blueprint("participant", __name__)
COACH_ENDPOINT_PREFIX = "participant.coach_"

add_nav_item("participant", "participant.vacancies", _l("Mijn vacatures"))
add_nav_item("participant", "participant.trajectory", _l("Mijn traject"))
add_nav_item("participant", "participant.my_data", _l("Mijn gegevens"))


@bp.app_template_filter("plain_proposal_state")
def _plain_proposal_state(state: str) -> str:
    return portal.plain_proposal_state(state)


@bp.before_request
def _guard():
    roles = ("coach", "admin") if (request.endpoint or "").startswith(COACH_ENDPOINT_PREFIX) else ("participant",)
    return role_required(*roles)(lambda: None)()


def _me():
    """The logged-in participant's own record (404 when there is none or it was anonymised)."""
    participant = participant_for_user(session=get_session(), user=current_user)
    if participant is None or participant.anonymised_at is not None:
        abort(404)
    return participant


@bp.route("/")
def dashboard():
    db = get_session()
    participant = participant_for_user(session=db, user=current_user)
    coach = db.get(User, participant.coach_id) if participant and participant.coach_id else None
    journey = portal.my_trajectory(session=db, participant=participant) if participant else None
    waiting = journey["waiting"] if journey else 0
    return render_template(
        "participant/dashboard.html", participant=participant, coach=coach,
        trajectory=journey["trajectory"] if journey else None, journey=journey, waiting=waiting,
    )


@bp.route("/vacatures")
def vacancies():
    participant = _me()
    cards = portal.list_my_vacancies(session=get_session(), participant=participant)
    return render_template("participant/vacancies.html", participant=participant, cards=cards)


@bp.route("/vacatures/<int:place_id>")
def vacancy(place_id: int):
    participant = _me()
    card = portal.get_my_vacancy(session=get_session(), participant=participant, place_id=place_id)
    if card is None:
        abort(404)
    meetings = meeting_block(session=get_session(), proposal=card.proposal) if card.proposal and card.proposal.participant_consented_at else None
    return render_template("participant/vacancy.html", participant=participant, card=card, form=AnswerForm(), take_back_form=TakeBackForm(),
                           meetings=meetings, confirm_form=ConfirmForm(formdata=None))


@bp.route("/vacatures/<int:place_id>/fiche")
def vacancy_sheet(place_id: int):
    """The employer's cost & expectation sheet of one of my places: the same sheet the coach and the employer see."""
    db = get_session()
    card = portal.get_my_vacancy(session=db, participant=_me(), place_id=place_id)
    if card is None or card.employer is None:
        abort(404)
    return render_template(
        "participant/vacancy_sheet.html", card=card, employer=card.employer, skills=places.place_skills(session=db, place=card.place),
        doc=cost_sheets.sheet_document(session=db, place=card.place, labels=cost_sheets.reader_labels()),
    )


@bp.route("/vacatures/<int:place_id>/antwoord", methods=["POST"])
def answer(place_id: int):
    participant = _me()
    db = get_session()
    form = AnswerForm()
    if not form.validate_on_submit() or not (form.yes.data or form.no.data):
        abort(400)
    try:
        portal.answer_vacancy(
            session=db, participant=participant, place_id=place_id, interested=bool(form.yes.data), actor=current_user,
            reason=form.reason.data if form.no.data else None,
        )
    except portal.PortalError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(_("Je hebt hier al op geantwoord."), "warning")
        return redirect(url_for(".vacancy", place_id=place_id))
    if form.yes.data:
        flash(_("Goed zo! Je coach weet nu dat je dit wil."), "success")
    else:
        flash(_("Oké. Je coach weet nu dat je dit liever niet wil."), "success")
    return redirect(url_for(".vacancies"))


@bp.route("/vacatures/<int:place_id>/toch-niet", methods=["POST"])
def take_back(place_id: int):
    participant = _me()
    form = TakeBackForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        portal.take_back_yes(session=get_session(), participant=participant, place_id=place_id, actor=current_user, reason=form.reason.data)
    except portal.PortalError as exc:
        if exc.code == "not_found":
            abort(404)
        if exc.code == "stage_agreed":
            flash(_("Dat kan niet meer: de stage is al afgesproken. Praat erover met je coach."), "warning")
        else:
            flash(_("Je hebt hier geen ja gegeven, dus er is niets terug te nemen."), "warning")
        return redirect(url_for(".vacancy", place_id=place_id))
    flash(_("Oké, je zegt toch liever niet. Je coach weet het nu."), "success")
    return redirect(url_for(".vacancies"))


@bp.route("/traject")
def trajectory():
    participant = _me()
    journey = portal.my_trajectory(session=get_session(), participant=participant)
    return render_template("participant/trajectory.html", participant=participant, journey=journey, confirm_form=ConfirmForm(formdata=None))


def _my_meeting(meeting_id: int):
    meeting = meeting_service.get_meeting_for(session=get_session(), user=current_user, meeting_id=meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/afspraken/<int:meeting_id>/kiezen", methods=["POST"])
def pick_meeting(meeting_id: int):
    _me()
    meeting = _my_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting_service.pick_slot(session=get_session(), meeting=meeting, actor=current_user)
    except (meeting_service.MeetingError, TransitionError) as error:
        flash(meeting_message(error.code), "error")
        return redirect(url_for(".trajectory"))
    flash(_("Je gesprek is vastgelegd. Je coach en de werkgever weten het."), "success")
    return redirect(url_for(".trajectory"))


@bp.route("/voorstellen/<int:proposal_id>/andere-momenten", methods=["POST"])
def other_times(proposal_id: int):
    participant = _me()
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None or proposal.participant_id != participant.id or proposal.participant_consented_at is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting_service.ask_other_times(session=get_session(), proposal=proposal, actor=current_user)
    except meeting_service.MeetingError as error:
        flash(meeting_message(error.code), "error")
        return redirect(url_for(".trajectory"))
    flash(_("Oké. De werkgever stelt andere momenten voor. Je coach weet het."), "success")
    return redirect(url_for(".trajectory"))


@bp.route("/afspraken/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    _me()
    meeting = _my_meeting(meeting_id)
    if meeting.status not in ("confirmed", "cancelled"):
        abort(404)
    return ics_response(session=get_session(), meeting=meeting, user=current_user)


@bp.route("/gegevens")
def my_data():
    participant = _me()
    db = get_session()
    journey = portal.my_trajectory(session=db, participant=participant)
    return render_template(
        "participant/my_data.html",
        participant=participant,
        consent_form=ConsentForm(consent_level=participant.consent_level),
        erasure_form=ErasureForm(),
        cancel_form=EmptyForm(),
        views=readable_export.grouped_profile_views(session=db, participant=participant),
        proposals=[line for line in journey["proposals"] if line.proposal.state not in ("declined", "withdrawn")],
        evaluations=[e for e in list_evaluations(session=db, participant_id=participant.id) if e.signed_off_at is not None],
        decision_labels=DECISION_LABELS,
    )


@bp.route("/gegevens/evaluaties/<int:evaluation_id>.pdf")
def evaluation_pdf(evaluation_id: int):
    """One of my own signed-off doorstroomevaluaties as a PDF in my language (a draft or another's is a 404)."""
    participant = _me()
    db = get_session()
    evaluation = db.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.participant_id != participant.id or evaluation.signed_off_at is None:
        abort(404)
    return evaluation_pdf_response(session=db, evaluation=evaluation, participant=participant)


@bp.route("/gegevens/toestemming", methods=["POST"])
def consent():
    participant = _me()
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    privacy.set_consent_level(session=get_session(), participant=participant, level=form.consent_level.data, actor=current_user)
    flash(_("Je keuze is bewaard."), "success")
    return redirect(url_for(".my_data"))


def _attachment(body, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="stagebrug-mijn-gegevens.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/gegevens/download.json")
def export_json():
    data = privacy.export_participant_data(session=get_session(), participant=_me())
    return _attachment(json.dumps(data, ensure_ascii=False, indent=2), "application/json", "json")


@bp.route("/gegevens/download.html")
def export_html():
    readable = readable_export.readable_data(session=get_session(), participant=_me())
    response = Response(render_template("participant/export.html", readable=readable))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/gegevens/download.pdf")
def export_pdf():
    from weasyprint import CSS, HTML  # imported here: heavy, and only this view needs it

    readable = readable_export.readable_data(session=get_session(), participant=_me())
    html = render_template("participant/export_document.html", readable=readable)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=EXPORT_PDF_CSS)])
    return _attachment(pdf, "application/pdf", "pdf")


EXPORT_PDF_CSS = """
@page { size: A4; margin: 18mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #1b2430; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 14pt; border-bottom: 1px solid #ccc; }
h3 { font-size: 11pt; margin: 8pt 0 3pt; } dl { margin: 0; } dl div { display: flex; } dt { font-weight: bold; width: 45%; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 2pt 4pt; border-bottom: 1px solid #eee; vertical-align: top; }
"""


@bp.route("/gegevens/wissen", methods=["POST"])
def request_erasure():
    participant = _me()
    form = ErasureForm()
    if not form.validate_on_submit():
        flash(_("Vink het vakje aan als je zeker bent."), "warning")
        return redirect(url_for(".my_data") + "#wissen")
    privacy.request_erasure(session=get_session(), participant=participant, actor=current_user)
    flash(_("Je vraag is verstuurd. Je coach bevestigt ze en dan wissen we je gegevens."), "success")
    return redirect(url_for(".my_data"))


@bp.route("/gegevens/wissen/annuleren", methods=["POST"])
def cancel_erasure():
    participant = _me()
    if not EmptyForm().validate_on_submit():
        abort(400)
    privacy.cancel_erasure_request(session=get_session(), participant=participant, actor=current_user)
    flash(_("Je vraag om te wissen is ingetrokken."), "success")
    return redirect(url_for(".my_data"))


from web.participant import coach_actions  # noqa: E402,F401  (registers the coach's routes on this blueprint)
