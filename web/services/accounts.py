"""Accounts: employer registration, invitations, login and password reset."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from web.models import Employer, EmployerMember, Participant, User, utcnow
from web.security import (
    client_ip,
    consume_token,
    find_token,
    hash_password,
    issue_token,
    login_throttled,
    record_login_attempt,
    verify_password,
)
from web.services.audit import record_audit
from web.services.mail import queue_email
from web.validators import normalise_kbo


class AccountError(Exception):
    """A refusal with a message for the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def register_employer(*, session: Session, organisation: dict, user: dict, language: str = "nl") -> User:
    """Create an employer organisation with its first member (the owner)."""
    email = normalise_email(user["email"])
    if find_user_by_email(session=session, email=email):
        raise AccountError(_("Er bestaat al een account met dit e-mailadres."))
    kbo = normalise_kbo(organisation["kbo_number"])
    if session.exec(select(Employer).where(Employer.kbo_number == kbo)).first():
        raise AccountError(_("Deze organisatie is al geregistreerd. Vraag een collega om je uit te nodigen."))
    employer = Employer(
        name=organisation["name"].strip(),
        kbo_number=kbo,
        sector=organisation["sector"],
        street=organisation.get("street"),
        postal_code=organisation["postal_code"],
        city=organisation.get("city"),
        contact_name=user["full_name"].strip(),
        contact_email=email,
        contact_phone=organisation.get("contact_phone"),
        size=organisation.get("size"),
        review_status="pending",  # waits for an admin's review before coaches see its places
    )
    account = User(
        email=email, password_hash=hash_password(user["password"]), role="employer", full_name=user["full_name"].strip(), language=language,
        email_verified=False,
    )
    session.add(employer)
    session.add(account)
    session.flush()
    session.add(EmployerMember(employer_id=employer.id, user_id=account.id, is_owner=True))
    record_audit(session=session, actor_id=account.id, action="employer.registered", obj=employer)
    from web.services.vetting import send_verification_email

    send_verification_email(session=session, user=account)
    session.flush()
    return account


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Return the user for valid credentials; refuse when throttled, wrong or deactivated."""
    email = normalise_email(email)
    ip = client_ip()
    if login_throttled(session=session, email=email, ip=ip):
        record_login_attempt(session=session, email=email, ip=ip, success=False)
        raise AccountError(
            _("Te veel mislukte pogingen. Wacht %(minutes)s minuten of vraag een nieuw wachtwoord aan.",
              minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
        )
    user = find_user_by_email(session=session, email=email)
    # one Argon2 verification whether or not the account exists, so the answer time does not tell which e-mails are known
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not password_ok or not user.is_active:
        record_login_attempt(session=session, email=email, ip=ip, success=False)
        raise AccountError(_("E-mailadres of wachtwoord is niet juist."))
    record_login_attempt(session=session, email=email, ip=ip, success=True)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user


def _link(endpoint: str, token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, token=token)


def invite_user(
    *, session: Session, inviter: User, email: str, full_name: str, role: str, language: str = "nl", participant: Participant | None = None,
    employer_id: int | None = None,
) -> User:
    """Create an account without password and mail a one-time link to choose one."""
    email = normalise_email(email)
    if find_user_by_email(session=session, email=email):
        raise AccountError(_("Er bestaat al een account met dit e-mailadres."))
    user = User(email=email, role=role, full_name=full_name.strip(), language=language, team_id=inviter.team_id if role == "coach" else None)
    session.add(user)
    session.flush()
    if participant is not None:
        participant.user_id = user.id
        session.add(participant)
    if employer_id is not None:
        session.add(EmployerMember(employer_id=employer_id, user_id=user.id))
    _send_invite(session=session, inviter=inviter, user=user, language=language)
    record_audit(session=session, actor_id=inviter.id, action="user.invited", obj=user, detail={"role": role})
    return user


def reinvite_former_colleague(*, session: Session, inviter: User, user: User, full_name: str, employer_id: int, language: str = "nl") -> User:
    """Give a former employer colleague (deactivated, in no organisation) access again: a fresh invitation to
    choose a new password; the old one no longer works."""
    user.is_active = True
    user.password_hash = None
    user.full_name = full_name.strip()
    user.language = language
    session.add(user)
    session.add(EmployerMember(employer_id=employer_id, user_id=user.id))
    session.flush()
    _send_invite(session=session, inviter=inviter, user=user, language=language)
    record_audit(session=session, actor_id=inviter.id, action="user.reinvited", obj=user, detail={"role": user.role})
    return user


def _send_invite(*, session: Session, inviter: User, user: User, language: str) -> None:
    email = user.email
    hours = current_app.config["INVITE_TOKEN_HOURS"]
    token = issue_token(session=session, user=user, purpose="invite", lifetime=timedelta(hours=hours))
    with force_locale(language):
        subject = _("Je bent uitgenodigd op Stagebrug")
        body = _(
            "Dag %(name)s,\n\n%(inviter)s nodigt je uit op Stagebrug.\nKies je wachtwoord via deze link (geldig %(hours)s uur, één keer te gebruiken):\n%(link)s\n",
            name=user.full_name, inviter=inviter.full_name, hours=hours, link=_link("auth.accept_invite", token),
        )
    queue_email(session=session, to=email, subject=subject, body=body, language=language)


def accept_invite(*, session: Session, raw_token: str, password: str) -> User:
    """Set the password of an invited user; the link then stops working."""
    token = find_token(session=session, raw=raw_token, purpose="invite")
    if token is None:
        raise AccountError(_("Deze uitnodiging is ongeldig, al gebruikt of verlopen. Vraag een nieuwe uitnodiging."))
    user = session.get(User, token.user_id)
    user.password_hash = hash_password(password)
    session.add(user)
    consume_token(session=session, token=token)
    record_audit(session=session, actor_id=user.id, action="user.invite_accepted", obj=user)
    return user


def request_password_reset(*, session: Session, email: str) -> None:
    """Mail a one-time reset link if the account exists; say nothing either way."""
    user = find_user_by_email(session=session, email=email)
    if user is None or not user.is_active:
        return
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    token = issue_token(session=session, user=user, purpose="reset", lifetime=timedelta(minutes=minutes))
    with force_locale(user.language):
        subject = _("Nieuw wachtwoord voor Stagebrug")
        body = _(
            "Dag %(name)s,\n\nKies een nieuw wachtwoord via deze link (geldig %(minutes)s minuten, één keer te gebruiken):\n%(link)s\n\nVroeg je dit niet aan? Dan mag je deze e-mail negeren.\n",
            name=user.full_name, minutes=minutes, link=_link("auth.reset_password", token),
        )
    queue_email(session=session, to=user.email, subject=subject, body=body, language=user.language)


def reset_password(*, session: Session, raw_token: str, password: str) -> User:
    """Set a new password through a reset link; the link then stops working."""
    token = find_token(session=session, raw=raw_token, purpose="reset")
    if token is None:
        raise AccountError(_("Deze link is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan."))
    user = session.get(User, token.user_id)
    user.password_hash = hash_password(password)
    session.add(user)
    consume_token(session=session, token=token)
    record_audit(session=session, actor_id=user.id, action="user.password_reset", obj=user)
    return user


def set_language(*, session: Session, user: User, language: str) -> None:
    """Remember a user's interface language."""
    user.language = language
    session.add(user)
    session.flush()
