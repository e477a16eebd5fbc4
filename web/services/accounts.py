"""Accounts: employer registration, invitations, login and password reset."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlmodel import Session, select

from web.models import Employer, EmployerMember, OneTimeToken, Participant, User, utcnow
from web.security import (
    client_ip,
    consume_token,
    find_token,
    hash_password,
    is_known_device,
    issue_token,
    login_wait_seconds,
    record_login_attempt,
    revoke_sessions,
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


def register_employer(*, session: Session, organisation: dict, user: dict, language: str = "nl") -> User | None:
    """Register an employer organisation with its first member (the owner), who confirms the address by choosing a
    password through the link mailed to it. The caller shows the same answer whatever happens; the real outcome
    goes by e-mail: an address that already has an account, or an organisation (KBO number) that is already
    registered, gets a mail saying so and nothing is created (returns None)."""
    email = normalise_email(user["email"])
    kbo = normalise_kbo(organisation["kbo_number"])
    if find_user_by_email(session=session, email=email) is not None:
        _mail_registration_outcome(session=session, to=email, language=language, known="account")
        return None
    if session.exec(select(Employer).where(Employer.kbo_number == kbo)).first() is not None:
        _mail_registration_outcome(session=session, to=email, language=language, known="organisation")
        return None
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
    password = user.get("password")
    account = User(
        email=email, password_hash=hash_password(password) if password else None, role="employer", full_name=user["full_name"].strip(),
        language=language, email_verified=False,  # confirmed through the mailed link before the first publication
    )
    session.add(employer)
    session.add(account)
    session.flush()
    session.add(EmployerMember(employer_id=employer.id, user_id=account.id, is_owner=True))
    record_audit(session=session, actor_id=account.id, action="employer.registered", obj=employer)
    session.flush()
    if account.password_hash is not None:  # a password given here: the address is confirmed by its own link
        from web.services.vetting import send_verification_email

        send_verification_email(session=session, user=account)
    else:  # the link that sets the password also confirms the address (one e-mail)
        hours = current_app.config["INVITE_TOKEN_HOURS"]
        token = issue_token(session=session, user=account, purpose="invite", lifetime=timedelta(hours=hours))
        with force_locale(language):
            subject = _("Bevestig je registratie op Stagebrug")
            body = _(
                "Dag %(name)s,\n\nJe registreerde %(organisation)s op Stagebrug.\nBevestig je e-mailadres en kies je wachtwoord via deze link (geldig %(hours)s uur, één keer te gebruiken):\n%(link)s\n\nVroeg je dit niet aan? Dan mag je deze e-mail negeren.\n",
                name=account.full_name, organisation=employer.name, hours=hours, link=_link("auth.accept_invite", token),
            )
        queue_email(session=session, to=email, subject=subject, body=body, language=language)
    return account


def _mail_registration_outcome(*, session: Session, to: str, language: str, known: str) -> None:
    """Tell the address why a registration made with it created nothing (the web page does not say)."""
    with force_locale(language):
        subject = _("Je registratie op Stagebrug")
        if known == "account":
            reason = _("Er bestaat al een account met dit e-mailadres. Meld je aan, of vraag een nieuw wachtwoord aan als je het vergeten bent:")
            link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.forgot_password")
        else:
            reason = _("Deze organisatie is al geregistreerd. Vraag een collega die al een account heeft om je uit te nodigen.")
            link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.login")
        body = _("Dag,\n\nIemand registreerde zich op Stagebrug met dit e-mailadres.\n%(reason)s\n%(link)s\n\nWas jij dit niet? Dan mag je deze e-mail negeren.\n",
                 reason=reason, link=link)
    queue_email(session=session, to=to, subject=subject, body=body, language=language)


def tell_existing_account_about_invitation(*, session: Session, user: User, inviter: User, organisation: str) -> None:
    """Tell an address that already has an account that someone tried to invite it (the inviter is not told)."""
    with force_locale(user.language):
        subject = _("Uitnodiging op Stagebrug")
        body = _(
            "Dag %(name)s,\n\n%(inviter)s van %(organisation)s wilde je uitnodigen op Stagebrug, maar je hebt al een account met dit e-mailadres.\nWil je voor %(organisation)s werken op Stagebrug? Neem dan contact op met %(inviter)s of met Stagebrug.\n",
            name=user.full_name, inviter=inviter.full_name, organisation=organisation,
        )
    queue_email(session=session, to=user.email, subject=subject, body=body, language=user.language)


class LoginThrottled(AccountError):
    """Too many failures from this address (or for this account from unknown devices): wait and try again."""


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Return the user for valid credentials; refuse when throttled (not counted as a failure), wrong or deactivated."""
    email = normalise_email(email)
    ip = client_ip()
    wait = login_wait_seconds(session=session, email=email, ip=ip, known_device=is_known_device(email))
    if wait > 0:
        minutes = max(1, (wait + 59) // 60)
        raise LoginThrottled(
            _("Te veel mislukte pogingen. Probeer het over %(minutes)s minuten opnieuw of vraag een nieuw wachtwoord aan.", minutes=minutes)
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


def change_password(*, session: Session, user: User, current_password: str, new_password: str) -> None:
    """Change a logged-in user's password after checking the current one; every other session ends."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Je huidige wachtwoord is niet juist."))
    user.password_hash = hash_password(new_password)
    revoke_sessions(session=session, user=user)
    session.exec(delete(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == "reset", OneTimeToken.used_at.is_(None)))
    record_audit(session=session, actor_id=user.id, action="user.password_changed", obj=user)
    session.flush()


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
    revoke_sessions(session=session, user=user)
    consume_token(session=session, token=token)
    record_audit(session=session, actor_id=user.id, action="user.invite_accepted", obj=user)
    _mark_email_verified(session=session, user=user)
    return user


def _mark_email_verified(*, session: Session, user: User) -> None:
    """A link mailed to the address was used: the address is confirmed."""
    if not user.email_verified:
        user.email_verified = True
        session.add(user)
        record_audit(session=session, actor_id=user.id, action="user.email_verified", obj=user)


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
    revoke_sessions(session=session, user=user)
    consume_token(session=session, token=token)
    record_audit(session=session, actor_id=user.id, action="user.password_reset", obj=user)
    _mark_email_verified(session=session, user=user)  # the reset link reached the address
    return user


def set_language(*, session: Session, user: User, language: str) -> None:
    """Remember a user's interface language."""
    user.language = language
    session.add(user)
    session.flush()
