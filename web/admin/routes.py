"""Views of the admin area."""
from flask import Blueprint, render_template

from web.db import get_session
from web.security import role_required
from web.services.dashboards import admin_overview

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required("admin")
def _guard():
    return None


@bp.route("/")
def dashboard():
    return render_template("admin/dashboard.html", overview=admin_overview(session=get_session()))
