"""Views for login, logout, employer registration, invitations and password reset."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from web.auth import start_session
from web.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    RegisterEmployerForm,
    ResetRequestForm,
    SetPasswordForm,
)
from web.db import get_session
from web.security import allow_mail_form, find_token, is_safe_next, remember_device, revoke_sessions
from web.services import accounts
from web.services.geo import lookup_postal_code

bp = Blueprint("auth", __name__)


def _home_for(user) -> str:
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        try:
            user = accounts.authenticate(session=db, email=form.email.data, password=form.password.data)
        except accounts.LoginThrottled as exc:
            form.password.errors.append(str(exc))
            return render_template("auth/login.html", form=form), 429
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
            return render_template("auth/login.html", form=form), 200
        start_session(user)
        target = form.next.data
        response = make_response(redirect(target if is_safe_next(target) else _home_for(user)))
        remember_device(response, user.email)
        return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        revoke_sessions(session=get_session(), user=current_user._get_current_object())  # a copy of this cookie stops working too
    logout_user()
    session.clear()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/registreren", methods=["GET", "POST"])
def register():
    form = RegisterEmployerForm()
    if form.validate_on_submit():
        db = get_session()
        if not allow_mail_form(session=db, form="register", target=form.email.data):
            form.email.errors.append(_("Er werden van hieruit te veel e-mails verstuurd. Probeer het over een uur opnieuw."))
            return render_template("auth/register.html", form=form), 429
        area = lookup_postal_code(form.postal_code.data)
        accounts.register_employer(
            session=db,
            organisation={
                "name": form.organisation_name.data,
                "kbo_number": form.kbo_number.data,
                "sector": form.sector.data,
                "street": form.street.data,
                "postal_code": form.postal_code.data.strip(),
                "city": area.municipality if area else None,
            },
            user={"full_name": form.full_name.data, "email": form.email.data},
            language=session.get("lang", "nl"),
        )
        # the same page whether the organisation was registered or the address or KBO number was known already
        return render_template("auth/check_mail.html", email=form.email.data.strip())
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


TOKEN_SESSION_KEYS = {"invite": "_invite_token", "reset": "_reset_token"}


def _token_page(purpose: str, token: str | None, endpoint: str):
    """Take a one-time token out of the address: a GET with the token in the path stores it in the session and
    redirects to the same page without it (so it stays out of later requests, access logs and referrers).
    Returns (raw token or None, redirect response or None)."""
    key = TOKEN_SESSION_KEYS[purpose]
    raw = token if token is not None else session.get(key)
    if not raw or find_token(session=get_session(), raw=raw, purpose=purpose) is None:
        session.pop(key, None)
        return None, (render_template("auth/link_invalid.html"), 410)
    if token is not None and request.method == "GET":
        session[key] = token
        return None, redirect(url_for(endpoint))
    return raw, None


@bp.route("/uitnodiging", methods=["GET", "POST"], defaults={"token": None})
@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invite(token: str | None):
    raw, response = _token_page("invite", token, "auth.accept_invite")
    if response is not None:
        return response
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = accounts.accept_invite(session=get_session(), raw_token=raw, password=form.password.data)
        start_session(user)
        flash(_("Je wachtwoord is ingesteld. Welkom!"), "success")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/set_password.html", form=form, title=_("Kies je wachtwoord"))


@bp.route("/bevestigen/<token>")
def verify_email(token: str):
    """Confirm an e-mail address from the signed link in the confirmation e-mail."""
    from web.services.vetting import VettingError
    from web.services.vetting import verify_email as confirm

    try:
        confirm(session=get_session(), token=token)
    except VettingError:
        return render_template("auth/link_invalid.html"), 410
    flash(_("Je e-mailadres is bevestigd. Je kan nu publiceren."), "success")
    return redirect(url_for("main.dashboard"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        db = get_session()
        if allow_mail_form(session=db, form="reset", target=form.email.data):
            accounts.request_password_reset(session=db, email=form.email.data)
        # the same answer whether the address is known, unknown or over its limit
        flash(_("Als dit e-mailadres bij ons bekend is, krijg je een e-mail met een link."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/wachtwoord", methods=["GET", "POST"], defaults={"token": None})
@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def reset_password(token: str | None):
    raw, response = _token_page("reset", token, "auth.reset_password")
    if response is not None:
        return response
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(session=get_session(), raw_token=raw, password=form.password.data)
        session.pop(TOKEN_SESSION_KEYS["reset"], None)
        flash(_("Je wachtwoord is gewijzigd. Meld je nu aan."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, title=_("Kies een nieuw wachtwoord"))


@bp.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            accounts.change_password(session=db, user=current_user._get_current_object(), current_password=form.current_password.data, new_password=form.password.data)
        except accounts.AccountError as exc:
            form.current_password.errors.append(str(exc))
            return render_template("auth/change_password.html", form=form), 422
        start_session(current_user._get_current_object())  # this session goes on with the new version; every other one has ended
        flash(_("Je wachtwoord is gewijzigd. Je bent op je andere toestellen afgemeld."), "success")
        return redirect(url_for("main.dashboard"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/taal", methods=["POST"])
def set_language():
    language = request.form.get("lang")
    if language not in ("nl", "en"):
        abort(400)
    session["lang"] = language
    if current_user.is_authenticated:
        accounts.set_language(session=get_session(), user=current_user, language=language)
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("main.index"))
