"""Views of the coach area."""
from flask import Blueprint, render_template
from flask_login import current_user

from web.db import get_session
from web.security import role_required
from web.services.dashboards import coach_overview

bp = Blueprint("coach", __name__)


@bp.before_request
@role_required("coach")
def _guard():
    return None


@bp.route("/")
def dashboard():
    return render_template("coach/dashboard.html", overview=coach_overview(session=get_session(), coach=current_user))
