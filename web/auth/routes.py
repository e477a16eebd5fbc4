"""Views for login, logout, employer registration, invitations and password reset."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from web.auth.forms import LoginForm, RegisterEmployerForm, ResetRequestForm, SetPasswordForm
from web.db import get_session
from web.security import find_token, is_safe_next
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
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
            return render_template("auth/login.html", form=form), 200
        session.clear()
        login_user(user, remember=False)
        target = form.next.data
        return redirect(target if is_safe_next(target) else _home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/registreren", methods=["GET", "POST"])
def register():
    form = RegisterEmployerForm()
    if form.validate_on_submit():
        db = get_session()
        area = lookup_postal_code(form.postal_code.data)
        try:
            user = accounts.register_employer(
                session=db,
                organisation={
                    "name": form.organisation_name.data,
                    "kbo_number": form.kbo_number.data,
                    "sector": form.sector.data,
                    "street": form.street.data,
                    "postal_code": form.postal_code.data.strip(),
                    "city": area.municipality if area else None,
                },
                user={"full_name": form.full_name.data, "email": form.email.data, "password": form.password.data},
                language=session.get("lang", "nl"),
            )
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
            return render_template("auth/register.html", form=form), 422
        db.flush()
        session.clear()
        login_user(user)
        flash(_("Welkom bij Stagebrug! Je organisatie is geregistreerd."), "success")
        return redirect(url_for("main.dashboard"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    db = get_session()
    if find_token(session=db, raw=token, purpose="invite") is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = accounts.accept_invite(session=db, raw_token=token, password=form.password.data)
        session.clear()
        login_user(user)
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
        accounts.request_password_reset(session=get_session(), email=form.email.data)
        flash(_("Als dit e-mailadres bij ons bekend is, krijg je een e-mail met een link."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    db = get_session()
    if find_token(session=db, raw=token, purpose="reset") is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(session=db, raw_token=token, password=form.password.data)
        flash(_("Je wachtwoord is gewijzigd. Meld je nu aan."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, title=_("Kies een nieuw wachtwoord"))


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
