"""In-app notifications and, through the outbox, e-mail: one call for every part of the product.

A notification stores only its ``kind`` and ``payload``; its text is rendered in the reader's language
from the message registry below (``MESSAGES``). Other areas add their own kinds with ``register_message``.
E-mail goes through the outbox when the user's ``email_preferences`` allow the kind's category.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from web.models import Notification, User, utcnow
from web.services.mail import queue_email

log = logging.getLogger("stagebrug.notifications")

# e-mail categories a user can switch on or off (all on by default)
EMAIL_CATEGORIES = {
    "proposals": _l("Voorstellen en antwoorden"),
    "reminders": _l("Herinneringen over termijnen en fases"),
    "aftercare": _l("Opvolging na aanwerving (nazorg)"),
    "general": _l("Andere meldingen"),
}


@dataclass(frozen=True)
class Message:
    """How a kind of notification reads: a title and a body with %(name)s placeholders from the payload."""

    title: object
    body: object
    category: str = "general"


MESSAGES: dict[str, Message] = {
    "reminder.phase_due": Message(
        _l("Fase loopt binnenkort af"),
        _l("De fase %(phase)s van %(participant)s loopt af op %(due_on)s (nog %(days)s dagen)."),
        "reminders",
    ),
    "reminder.phase_overdue": Message(
        _l("Fase over tijd"),
        _l("De fase %(phase)s van %(participant)s is over tijd sinds %(due_on)s."),
        "reminders",
    ),
    "reminder.proposal_waiting": Message(
        _l("Voorstel wacht op antwoord"),
        _l("Het voorstel voor %(place)s wacht al %(days)s dagen op een antwoord."),
        "proposals",
    ),
    "reminder.nazorg_checkin": Message(
        _l("Nazorg: tijd voor een opvolggesprek"),
        _l("%(participant)s is %(months)s maand(en) aan de slag bij %(employer)s. Plan een opvolggesprek."),
        "aftercare",
    ),
    # kinds sent by the other areas (new proposals, employer answers, participant answers, erasure requests)
    "proposal.created": Message(
        _l("Nieuw voorstel voor je stageplaats"),
        _l("Een doorstroomcoach stelt een kandidaat voor voor %(place_title)s. De contactgegevens zie je zodra de kandidaat ja zegt."),
        "proposals",
    ),
    "proposal.participant_agreed": Message(
        _l("De kandidaat zegt ja"),
        _l("De kandidaat voor %(place_title)s wil graag kennismaken. Je ziet nu de contactgegevens bij het voorstel."),
        "proposals",
    ),
    "proposal.employer_answered": Message(
        _l("Antwoord van een werkgever"),
        _l("De werkgever antwoordde op het voorstel voor %(place_title)s: %(state)s."),
        "proposals",
    ),
    "participant.answered": Message(
        _l("Antwoord van een deelnemer"),
        _l("Een deelnemer antwoordde op de vacature %(place_title)s: %(answer)s."),
        "proposals",
    ),
    "participant.erasure_requested": Message(
        _l("Vraag om gegevens te wissen"),
        _l("Een deelnemer vraagt om de eigen gegevens te wissen. Bekijk de aanvraag."),
        "general",
    ),
}
ANSWER_LABELS = {
    "interested": _l("heeft interesse"),
    "not_interested": _l("liever niet"),
    "took_back": _l("toch liever niet (zei eerst ja)"),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
GENERIC = Message(_l("Nieuwe melding"), _l("Er is iets nieuws op Stagebrug voor jou."), "general")


def register_message(kind: str, title, body, category: str = "general") -> None:
    """Teach the registry how a kind of notification reads (lazy strings, placeholders from the payload)."""
    if category not in EMAIL_CATEGORIES:
        raise ValueError(f"unknown e-mail category {category!r}")
    MESSAGES[kind] = Message(title, body, category)


def _fill(template, payload: dict) -> str:
    text = str(template)
    from web.labels import PHASE_LABELS, PROPOSAL_STATE_LABELS

    values = {name: payload.get(name, "—") for name in _PLACEHOLDER.findall(text)}
    for key, labels in (("phase", PHASE_LABELS), ("state", PROPOSAL_STATE_LABELS), ("answer", ANSWER_LABELS)):
        if values.get(key) in labels:
            values[key] = str(labels[values[key]])
    try:
        return text % values if values else text
    except (KeyError, ValueError, TypeError):
        return text


def render_notification(kind: str, payload: dict | None) -> tuple[str, str]:
    """The title and body of a notification in the current language."""
    message = MESSAGES.get(kind, GENERIC)
    payload = payload or {}
    return _fill(message.title, payload), _fill(message.body, payload)


def category_of(kind: str) -> str:
    return MESSAGES.get(kind, GENERIC).category


def wants_email(user: User, kind: str) -> bool:
    """True when the user's preferences allow e-mail for this kind's category (default: yes)."""
    prefs = user.email_preferences or {}
    return bool(prefs.get(category_of(kind), True))


def notify(
    *, session: Session, user_id: int | None, kind: str, payload: dict | None = None, link: str | None = None, email: bool = True
) -> Notification | None:
    """Create a notification for a user and, if they want it, queue an e-mail in their language."""
    if user_id is None:
        return None
    note = Notification(user_id=user_id, kind=kind, payload=payload or {}, link=link)
    session.add(note)
    session.flush()
    if email and has_app_context():
        user = session.get(User, user_id)
        if user is not None and user.is_active and wants_email(user, kind):
            _queue_notification_email(session=session, user=user, note=note)
    return note


def _queue_notification_email(*, session: Session, user: User, note: Notification) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(user.language or "nl"):
        title, body = render_notification(note.kind, note.payload)
        lines = [str(_l("Dag %(name)s,", name=user.full_name)), "", body]
        if note.link:
            lines += ["", base + note.link]
        lines += ["", str(_l("Je e-mailvoorkeuren pas je aan op %(url)s", url=base + "/meldingen/voorkeuren"))]
        queue_email(session=session, to=user.email, subject=f"Stagebrug: {title}", body="\n".join(lines) + "\n", language=user.language)


def list_notifications(*, session: Session, user: User, limit: int = 100) -> list[Notification]:
    """A user's notifications, unread first, newest first."""
    return list(
        session.exec(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        ).all()
    )


def count_unread(*, session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).one()


def mark_read(*, session: Session, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs (or does not exist)."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
        session.add(note)
        session.flush()
    return note


def mark_all_read(*, session: Session, user: User) -> int:
    """Mark every unread notification of a user read; return how many."""
    notes = session.exec(select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))).all()
    now = utcnow()
    for note in notes:
        note.read_at = now
        session.add(note)
    session.flush()
    return len(notes)


def set_email_preferences(*, session: Session, user: User, choices: dict[str, bool]) -> None:
    """Store which e-mail categories a user wants."""
    user.email_preferences = {key: bool(choices.get(key, False)) for key in EMAIL_CATEGORIES}
    session.add(user)
    session.flush()
