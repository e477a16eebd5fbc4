"""Views of the notifications area: list, mark as read, e-mail preferences."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from web.db import get_session
from web.models import ROLES
from web.notifications.forms import EmailPreferencesForm
from web.security import is_safe_next, role_required
from web.services.notifications import (
    EMAIL_CATEGORIES,
    PAGE_SIZE,
    list_notifications,
    mark_all_read,
    mark_read,
    notification_link,
    set_email_preferences,
)

bp = Blueprint("notifications", __name__)


@bp.before_request
@role_required(*ROLES)
def _guard():
    return None


def _page_number() -> int:
    raw = request.args.get("pagina", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@bp.route("/")
def index():
    page = _page_number()
    rows, total = list_notifications(session=get_session(), user=current_user, page=page, per_page=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("notifications/index.html", rows=rows, page=min(page, pages), pages=pages, total=total)


@bp.route("/<int:notification_id>/gelezen", methods=["POST"])
def read(notification_id: int):
    note = mark_read(session=get_session(), user=current_user, notification_id=notification_id)
    if note is None:
        abort(404)
    link = notification_link(note)
    if request.form.get("open") and link and is_safe_next(link):
        return redirect(link)
    return redirect(url_for("notifications.index", pagina=_page_number() if _page_number() > 1 else None))


@bp.route("/alles-gelezen", methods=["POST"])
def read_all():
    count = mark_all_read(session=get_session(), user=current_user)
    flash(_("%(num)d melding(en) als gelezen gemarkeerd.", num=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/voorkeuren", methods=["GET", "POST"])
def preferences():
    prefs = current_user.email_preferences or {}
    form = EmailPreferencesForm(data={key: prefs.get(key, True) for key in EMAIL_CATEGORIES})
    if form.validate_on_submit():
        set_email_preferences(session=get_session(), user=current_user, choices={f.name: f.data for f in form.category_fields()})
        flash(_("Je e-mailvoorkeuren zijn bewaard."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form)
