"""Employer onboarding and vetting: e-mail confirmation before the first publication, and the admin's review of a
new organisation before coaches see its places.

A self-registered account starts with ``email_verified = False`` and gets a signed link (no database row: the
signature and the address inside it are the proof; the link stops working when the address changes). A
self-registered organisation starts ``pending``; an admin approves it, asks for more information or refuses it,
with a message the owners receive. Only places of ``approved`` organisations reach coaches, the engine and
participants (``approved_employer_ids``).
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from web.models import REVIEW_STATUSES, Employer, EmployerMember, StagePlace, User, utcnow
from web.services.audit import record_audit
from web.services.mail import queue_email
from web.services.notifications import notify, register_message

VERIFY_SALT = "stagebrug-verify-email"
VERIFY_MAX_AGE = 7 * 24 * 3600
REVIEW_ACTIONS = {"approve": "approved", "more_info": "more_info", "refuse": "refused"}


class VettingError(Exception):
    """A review or confirmation that is not possible (``code`` says why)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def verification_token(user: User) -> str:
    """A signed token for confirming this user's current e-mail address."""
    return _serializer().dumps({"u": user.id, "e": user.email})


def send_verification_email(*, session: Session, user: User) -> None:
    """Queue the e-mail with the confirmation link, in the user's language."""
    link = url_for("auth.verify_email", token=verification_token(user), _external=True)
    with force_locale(user.language):
        subject = _("Bevestig je e-mailadres voor Stagebrug")
        body = _("Dag %(name)s,\n\nBevestig je e-mailadres via deze link (7 dagen geldig):\n%(link)s\n\n"
                 "Daarna kan je je eerste stageplaats publiceren.\n", name=user.full_name, link=link)
    queue_email(session=session, to=user.email, subject=subject, body=body, language=user.language)


def verify_email(*, session: Session, token: str) -> User:
    """Confirm the address in a signed link; raises VettingError('expired' or 'invalid')."""
    try:
        data = _serializer().loads(token, max_age=VERIFY_MAX_AGE)
    except SignatureExpired as exc:
        raise VettingError("expired") from exc
    except BadSignature as exc:
        raise VettingError("invalid") from exc
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("e") or not user.is_active:
        raise VettingError("invalid")
    if not user.email_verified:
        user.email_verified = True
        session.add(user)
        record_audit(session=session, actor_id=user.id, action="user.email_verified", obj=user)
        session.flush()
    return user


def approved_employer_ids():
    """A subquery of the organisations whose places coaches, the engine and participants may see."""
    return select(Employer.id).where(Employer.review_status == "approved")


def review_queue(*, session: Session) -> list[Employer]:
    """Organisations waiting for a review (new ones and those asked for more information), oldest first."""
    return list(session.exec(
        select(Employer).where(Employer.review_status.in_(("pending", "more_info"))).order_by(Employer.created_at, Employer.id)
    ).all())


def review_employer(*, session: Session, employer: Employer, admin: User, action: str, message: str | None) -> Employer:
    """Approve an organisation, ask it for more information or refuse it; its owners get the message."""
    if admin.role != "admin":
        raise VettingError("not_admin")
    if action not in REVIEW_ACTIONS:
        raise VettingError("unknown_action")
    target = REVIEW_ACTIONS[action]
    message = (message or "").strip()[:2000] or None
    if target in ("more_info", "refused") and not message:
        raise VettingError("message_required")
    before = employer.review_status
    employer.review_status = target
    employer.review_message = message
    employer.reviewed_at = utcnow()
    employer.reviewed_by_id = admin.id
    session.add(employer)
    if target == "approved":  # the engine's incremental run picks the places up
        for place in session.exec(select(StagePlace).where(StagePlace.employer_id == employer.id)).all():
            place.updated_at = utcnow()
            session.add(place)
    record_audit(session=session, actor_id=admin.id, action="employer.reviewed", obj=employer, detail={"from": before, "to": target})
    for user_id in session.exec(select(EmployerMember.user_id).where(EmployerMember.employer_id == employer.id, EmployerMember.is_owner)).all():
        notify(session=session, user_id=user_id, kind=f"employer.review_{target}", payload={"message": message or "—", "name": employer.name},
               endpoint="employer.dashboard", endpoint_args={})
    session.flush()
    return employer


def publish_blockers(*, employer: Employer, actor: User) -> list[str]:
    """Why this employer user may not publish yet (an unconfirmed address or a refused organisation)."""
    problems = []
    if not actor.email_verified:
        problems.append(_("Bevestig eerst je e-mailadres via de link in je mailbox."))
    if employer.review_status == "refused":
        problems.append(_("Je organisatie werd niet aanvaard. Je kan geen stageplaatsen publiceren."))
    return problems


def register_messages() -> None:
    """Teach the notification registry how review outcomes read (called from the app factory)."""
    from flask_babel import lazy_gettext as _l

    register_message("employer.review_approved", _l("Je organisatie is aanvaard"),
                     _l("%(name)s is nagekeken en aanvaard. Coaches zien nu je gepubliceerde stageplaatsen."), "general")
    register_message("employer.review_more_info", _l("We hebben meer informatie nodig"),
                     _l("Over %(name)s: %(message)s"), "general")
    register_message("employer.review_refused", _l("Je organisatie werd niet aanvaard"),
                     _l("Over %(name)s: %(message)s"), "general")


assert set(REVIEW_ACTIONS.values()) <= set(REVIEW_STATUSES)
