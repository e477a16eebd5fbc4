"""The coach's side of the participant's privacy and login: confirm an erasure, invite to log in.

These routes sit on the participant blueprint (``/deelnemer/coach/...``) so the privacy flow stays in one
area; the blueprint guard lets only coaches and admins reach endpoints named ``coach_*``, and every route
checks that the participant is the coach's own (404 otherwise).
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.db import get_session
from web.layout import add_nav_item
from web.models import Participant
from web.participant.forms import EmptyForm, InviteParticipantForm
from web.participant.routes import bp
from web.security import allow_mail_form
from web.services import privacy
from web.services.accounts import AccountError, invite_user

add_nav_item("coach", "participant.coach_erasure_requests", _l("Wisverzoeken"))


def _my_participant(participant_id: int) -> Participant:
    """A participant of the logged-in coach (admins: any), else 404."""
    participant = get_session().get(Participant, participant_id)
    if participant is None or participant.anonymised_at is not None:
        abort(404)
    if current_user.role != "admin" and participant.coach_id != current_user.id:
        abort(404)
    return participant


@bp.route("/coach/wisverzoeken")
def coach_erasure_requests():
    pending = privacy.pending_erasures(session=get_session(), coach=current_user)
    return render_template("participant/coach_erasures.html", pending=pending, form=EmptyForm())


@bp.route("/coach/<int:participant_id>/wissen", methods=["POST"])
def coach_confirm_erasure(participant_id: int):
    participant = _my_participant(participant_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        privacy.confirm_erasure(session=get_session(), participant=participant, coach=current_user)
    except privacy.PrivacyError as exc:
        if exc.code == "not_your_participant":
            abort(404)
        flash(_("Deze deelnemer vroeg niet om te wissen."), "warning")
        return redirect(url_for(".coach_erasure_requests"))
    flash(_("De gegevens zijn gewist. Alleen anonieme cijfers over het traject blijven bewaard."), "success")
    return redirect(url_for(".coach_erasure_requests"))


@bp.route("/coach/<int:participant_id>/uitnodigen", methods=["GET", "POST"])
def coach_invite(participant_id: int):
    participant = _my_participant(participant_id)
    if participant.user_id is not None:
        flash(_("Deze deelnemer heeft al een account."), "info")
        return redirect(url_for("coach.dashboard"))
    form = InviteParticipantForm(email=participant.email)
    if form.validate_on_submit():
        try:
            if not allow_mail_form(session=get_session(), form="invite", user_id=current_user.id, target=form.email.data):
                raise AccountError(_("Je verstuurde de laatste tijd te veel uitnodigingen. Probeer het over een uur opnieuw."))
            invite_user(
                session=get_session(), inviter=current_user, email=form.email.data, role="participant",
                full_name=f"{participant.first_name} {participant.last_name}", language=form.language.data, participant=participant,
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("De uitnodiging is verstuurd."), "success")
            return redirect(url_for("coach.dashboard"))
    return render_template("participant/coach_invite.html", participant=participant, form=form)
