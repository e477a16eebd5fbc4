"""Views of the account area: create, name, scope and revoke API tokens; switch the calendar feed on or off; the feed."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.account.forms import ConfirmForm, NewTokenForm
from web.db import get_session
from web.layout import add_nav_item
from web.models import ROLES
from web.security import role_required
from web.services import api_tokens, calendar_feeds

bp = Blueprint("account", __name__)

for _role in ("employer", "coach", "participant", "admin"):
    add_nav_item(_role, "account.index", _l("Account"))


def _page(new_token: str | None = None, new_feed: str | None = None, form: NewTokenForm | None = None, status: int = 200):
    db = get_session()
    feed = calendar_feeds.get_feed(session=db, user=current_user)
    return render_template(
        "account/index.html", form=form or NewTokenForm(), confirm=ConfirmForm(), tokens=api_tokens.list_tokens(session=db, user=current_user),
        new_token=new_token, feed=feed, new_feed=new_feed, now=api_tokens.utcnow(),
    ), status


@bp.route("/account/")
@role_required(*ROLES)
def index():
    return _page()


@bp.route("/account/sleutels", methods=["POST"])
@role_required(*ROLES)
def create_token():
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    try:
        _token, raw = api_tokens.create_token(session=get_session(), user=current_user, name=form.name.data, scope=form.scope.data,
                                              lifetime_days=form.lifetime_days.data)
    except api_tokens.TokenError:
        flash(_("Je hebt al het maximale aantal sleutels. Trek er eerst een in."), "error")
        return _page(form=form, status=422)
    flash(_("De sleutel is gemaakt. Kopieer hem nu: je ziet hem maar één keer."), "success")
    return _page(new_token=raw, form=NewTokenForm(formdata=None))


@bp.route("/account/sleutels/<int:token_id>/intrekken", methods=["POST"])
@role_required(*ROLES)
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if api_tokens.revoke_token(session=get_session(), user=current_user, token_id=token_id) is None:
        abort(404)
    flash(_("De sleutel is ingetrokken. Hij werkt niet meer."), "success")
    return redirect(url_for("account.index"))


@bp.route("/account/kalender", methods=["POST"])
@role_required(*ROLES)
def enable_feed():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    raw = calendar_feeds.enable_feed(session=get_session(), user=current_user)
    flash(_("Je kalenderadres is klaar. Kopieer het nu: je ziet het maar één keer."), "success")
    return _page(new_feed=url_for("account.calendar_feed", token=raw, _external=True))


@bp.route("/account/kalender/uit", methods=["POST"])
@role_required(*ROLES)
def revoke_feed():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    calendar_feeds.revoke_feed(session=get_session(), user=current_user)
    flash(_("Je kalenderadres werkt niet meer."), "success")
    return redirect(url_for("account.index"))


@bp.route("/kalender/<token>.ics")
def calendar_feed(token: str):
    """The private feed: the secret in the address is the only key (no login, no cookie)."""
    db = get_session()
    user = calendar_feeds.user_for_feed(session=db, raw=token)
    if user is None:
        abort(404)
    body = calendar_feeds.render_calendar(user=user, entries=calendar_feeds.feed_entries(session=db, user=user))
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="stagebrug.ics"'
    return response
