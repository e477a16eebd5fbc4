"""Home page, the dashboard dispatcher and the health check."""
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.db import get_engine

bp = Blueprint("main", __name__)

DASHBOARDS = {
    "employer": "employer.dashboard",
    "coach": "coach.dashboard",
    "participant": "participant.dashboard",
    "admin": "admin.dashboard",
}


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    return redirect(url_for(DASHBOARDS[current_user.role]))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own (PDF viewers, bookmarks): send the site icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
