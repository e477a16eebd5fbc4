"""Views of the employer area."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from web.db import get_session
from web.security import role_required
from web.services.dashboards import employer_for_user, employer_overview

bp = Blueprint("employer", __name__)


@bp.before_request
@role_required("employer")
def _guard():
    return None


@bp.route("/")
def dashboard():
    db = get_session()
    employer = employer_for_user(session=db, user=current_user)
    if employer is None:
        abort(403)
    return render_template("employer/dashboard.html", employer=employer, overview=employer_overview(session=db, employer=employer))
