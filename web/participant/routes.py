"""Views of the participant area."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlmodel import select

from web.db import get_session
from web.models import Trajectory, User
from web.security import role_required
from web.services.dashboards import participant_for_user

bp = Blueprint("participant", __name__)


@bp.before_request
@role_required("participant")
def _guard():
    return None


@bp.route("/")
def dashboard():
    db = get_session()
    participant = participant_for_user(session=db, user=current_user)
    coach = db.get(User, participant.coach_id) if participant and participant.coach_id else None
    trajectory = (
        db.exec(select(Trajectory).where(Trajectory.participant_id == participant.id).order_by(Trajectory.started_on.desc())).first()
        if participant
        else None
    )
    return render_template("participant/dashboard.html", participant=participant, coach=coach, trajectory=trajectory)
