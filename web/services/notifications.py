"""In-app notifications and, through the outbox, e-mail: one call for every part of the product.

A notification stores its ``kind``, a ``payload`` of ids and plain values (never a name), and the page it leads
to as an endpoint with its arguments. Its text is rendered when it is shown, in the reader's language, from the
message registry below (``MESSAGES``); names are looked up then and shown as that reader may see them (a coach
sees the participant's name, an employer only what the consent allows, see ``employers.candidate_name``). The
link is built from the stored endpoint where it is shown, never guessed. Other areas add their own kinds with
``register_message``. E-mail goes through the outbox when the user's ``email_preferences`` allow the kind's
category.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select
from werkzeug.routing import BuildError

from web.models import Employer, Notification, Participant, StagePlace, User, utcnow
from web.services.mail import queue_email

log = logging.getLogger("stagebrug.notifications")

# e-mail categories a user can switch on or off (all on by default)
EMAIL_CATEGORIES = {
    "proposals": _l("Voorstellen en antwoorden"),
    "meetings": _l("Kennismakingsgesprekken"),
    "messages": _l("Berichten over voorstellen"),
    "reminders": _l("Herinneringen over termijnen en fases"),
    "aftercare": _l("Opvolging na aanwerving (nazorg)"),
    "general": _l("Andere meldingen"),
}
PAGE_SIZE = 20


@dataclass(frozen=True)
class Message:
    """How a kind of notification reads: a title and a body with %(name)s placeholders, per reader role if needed.

    Placeholders: ``participant``, ``place`` and ``employer`` are looked up from the payload's ids for the reader;
    ``when``/``old_when`` (from ``starts_at``/``old_starts_at``) and ``due_on`` are formatted for the reader's
    language; ``phase``, ``state``, ``answer`` and ``reason`` codes become labels; other keys are used as they are.
    """

    title: object
    body: object
    category: str = "general"
    bodies: dict = field(default_factory=dict)  # role -> body, when a role reads it differently

    def body_for(self, role: str | None):
        return self.bodies.get(role or "", self.body)


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
        _l("Het voorstel van %(participant)s voor %(place)s bij %(employer)s wacht al %(days)s dagen op een antwoord."),
        "proposals",
        {"participant": _l("Het voorstel voor %(place)s bij %(employer)s wacht al %(days)s dagen op jouw antwoord."),
         "employer": _l("Het voorstel van kandidaat %(participant)s voor %(place)s wacht al %(days)s dagen op een antwoord.")},
    ),
    "reminder.nazorg_checkin": Message(
        _l("Nazorg: tijd voor een opvolggesprek"),
        _l("%(participant)s is %(months)s maand(en) aan de slag bij %(employer)s. Plan een opvolggesprek."),
        "aftercare",
    ),
    "proposal.created": Message(
        _l("Nieuw voorstel voor je stageplaats"),
        _l("Een doorstroomcoach stelt kandidaat %(participant)s voor voor %(place)s. De contactgegevens zie je zodra de kandidaat ja zegt."),
        "proposals",
    ),
    "proposal.participant_agreed": Message(
        _l("De kandidaat zegt ja"),
        _l("Kandidaat %(participant)s wil graag kennismaken voor %(place)s. Je ziet nu de contactgegevens bij het voorstel."),
        "proposals",
    ),
    "proposal.employer_answered": Message(
        _l("Antwoord van een werkgever"),
        _l("%(employer)s antwoordde op het voorstel van %(participant)s voor %(place)s: %(state)s."),
        "proposals",
    ),
    "participant.answered": Message(
        _l("Antwoord van een deelnemer"),
        _l("%(participant)s antwoordde op %(place)s bij %(employer)s: %(answer)s."),
        "proposals",
    ),
    "participant.erasure_requested": Message(
        _l("Vraag om gegevens te wissen"),
        _l("%(participant)s vraagt om de eigen gegevens te wissen. Bekijk de aanvraag."),
        "general",
    ),
    "meeting.options": Message(
        _l("Kies een moment voor de kennismaking"),
        _l("%(employer)s nodigt %(participant)s uit voor een kennismaking voor %(place)s. Kies een van de voorgestelde momenten."),
        "meetings",
        {"participant": _l("%(employer)s wil je leren kennen voor %(place)s. Kies een moment dat jou past.")},
    ),
    "meeting.other_times": Message(
        _l("Andere momenten gevraagd"),
        _l("Geen van de voorgestelde momenten past voor kandidaat %(participant)s (%(place)s). Stel andere momenten voor."),
        "meetings",
    ),
    "meeting.confirmed": Message(
        _l("Kennismaking vastgelegd"),
        _l("De kennismaking van %(participant)s voor %(place)s bij %(employer)s is vastgelegd: %(when)s."),
        "meetings",
        {"participant": _l("Je gesprek bij %(employer)s voor %(place)s is vastgelegd: %(when)s."),
         "employer": _l("De kennismaking met kandidaat %(participant)s voor %(place)s is vastgelegd: %(when)s.")},
    ),
    "meeting.moved": Message(
        _l("Kennismaking verplaatst"),
        _l("De kennismaking van %(participant)s voor %(place)s bij %(employer)s is verplaatst naar %(when)s (was %(old_when)s)."),
        "meetings",
        {"participant": _l("Je gesprek bij %(employer)s voor %(place)s is verplaatst naar %(when)s (was %(old_when)s)."),
         "employer": _l("De kennismaking met kandidaat %(participant)s voor %(place)s is verplaatst naar %(when)s (was %(old_when)s).")},
    ),
    "meeting.cancelled": Message(
        _l("Kennismaking geannuleerd"),
        _l("De kennismaking van %(participant)s voor %(place)s bij %(employer)s op %(when)s gaat niet door."),
        "meetings",
        {"participant": _l("Je gesprek bij %(employer)s voor %(place)s op %(when)s gaat niet door. Je coach laat je weten hoe het verder gaat."),
         "employer": _l("De kennismaking met kandidaat %(participant)s voor %(place)s op %(when)s gaat niet door.")},
    ),
    "meeting.tomorrow": Message(
        _l("Morgen: kennismaking"),
        _l("Morgen is de kennismaking van %(participant)s voor %(place)s bij %(employer)s: %(when)s."),
        "meetings",
        {"participant": _l("Morgen heb je een gesprek bij %(employer)s voor %(place)s: %(when)s."),
         "employer": _l("Morgen komt kandidaat %(participant)s kennismaken voor %(place)s: %(when)s.")},
    ),
    "meeting.outcome": Message(
        _l("Hoe ging de kennismaking?"),
        _l("%(employer)s liet weten hoe de kennismaking met %(participant)s voor %(place)s ging: %(outcome)s."),
        "meetings",
    ),
    "message.new": Message(
        _l("Nieuw bericht over een voorstel"),
        _l("Nieuw bericht over het voorstel van %(participant)s voor %(place)s bij %(employer)s."),
        "messages",
        {"employer": _l("De coach stuurde een bericht over kandidaat %(participant)s voor %(place)s.")},
    ),
}
ANSWER_LABELS = {
    "interested": _l("heeft interesse"),
    "not_interested": _l("liever niet"),
    "took_back": _l("toch liever niet (zei eerst ja)"),
}
OUTCOME_LABELS = {
    "continue": _l("verder naar een stage"),
    "not_retained": _l("niet weerhouden"),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
GENERIC = Message(_l("Nieuwe melding"), _l("Er is iets nieuws op Stagebrug voor jou."), "general")


def register_message(kind: str, title, body, category: str = "general", bodies: dict | None = None) -> None:
    """Teach the registry how a kind of notification reads (lazy strings, placeholders from the payload)."""
    if category not in EMAIL_CATEGORIES:
        raise ValueError(f"unknown e-mail category {category!r}")
    MESSAGES[kind] = Message(title, body, category, bodies or {})


# --- names as each reader may see them ------------------------------------------------------------


@dataclass
class Names:
    """The participants and places that a batch of notifications names, loaded in two statements."""

    participants: dict[int, Participant] = field(default_factory=dict)
    places: dict[int, tuple[StagePlace, Employer | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, payloads: list[dict]) -> Names:
        participant_ids = {p["participant_id"] for p in payloads if isinstance(p.get("participant_id"), int)}
        place_ids = {p["place_id"] for p in payloads if isinstance(p.get("place_id"), int)}
        names = cls()
        if participant_ids:
            names.participants = {p.id: p for p in session.exec(select(Participant).where(Participant.id.in_(participant_ids))).all()}
        if place_ids:
            rows = session.exec(
                select(StagePlace, Employer).outerjoin(Employer, Employer.id == StagePlace.employer_id).where(StagePlace.id.in_(place_ids))
            ).all()
            names.places = {place.id: (place, employer) for place, employer in rows}
        return names

    def participant(self, payload: dict, role: str | None) -> str:
        person = self.participants.get(payload.get("participant_id"))
        if person is None:
            return str(payload.get("participant") or "—")  # rows written before names were looked up
        if role == "employer":
            from web.services.employers import candidate_name

            return candidate_name(person)
        if role == "participant":
            return person.first_name
        if person.anonymised_at is not None:
            return str(_l("(gewiste deelnemer)"))
        return f"{person.first_name} {person.last_name}".strip()

    def place(self, payload: dict) -> str:
        found = self.places.get(payload.get("place_id"))
        return found[0].title if found else str(payload.get("place_title") or payload.get("place") or "—")

    def employer(self, payload: dict) -> str:
        found = self.places.get(payload.get("place_id"))
        if found and found[1] is not None:
            return found[1].name
        return str(payload.get("employer") or "—")


def _format_moment(value) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, "EEEE d MMMM y, HH:mm")
    return "—"


def _format_day(value) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, "d MMMM y") if isinstance(value, date) else "—"


def _fill(template, payload: dict, names: Names, role: str | None) -> str:
    text = str(template)
    from web.labels import PHASE_LABELS, PROPOSAL_STATE_LABELS

    wanted = _PLACEHOLDER.findall(text)
    values: dict[str, object] = {}
    for name in wanted:
        if name == "participant":
            values[name] = names.participant(payload, role)
        elif name == "place":
            values[name] = names.place(payload)
        elif name == "employer":
            values[name] = names.employer(payload)
        elif name in ("when", "old_when"):
            values[name] = _format_moment(payload.get("starts_at" if name == "when" else "old_starts_at"))
        elif name == "due_on":
            values[name] = _format_day(payload.get("due_on"))
        else:
            values[name] = payload.get(name, "—")
    for key, labels in (("phase", PHASE_LABELS), ("state", PROPOSAL_STATE_LABELS), ("answer", ANSWER_LABELS), ("outcome", OUTCOME_LABELS)):
        if values.get(key) in labels:
            values[key] = str(labels[values[key]])
    try:
        return text % values if values else text
    except (KeyError, ValueError, TypeError):
        return text


def render_notification(kind: str, payload: dict | None, *, names: Names | None = None, role: str | None = None) -> tuple[str, str]:
    """The title and body of a notification in the current language, with names as a reader of ``role`` sees them."""
    message = MESSAGES.get(kind, GENERIC)
    payload = payload or {}
    names = names or Names()
    return _fill(message.title, payload, names, role), _fill(message.body_for(role), payload, names, role)


def category_of(kind: str) -> str:
    return MESSAGES.get(kind, GENERIC).category


def wants_email(user: User, kind: str) -> bool:
    """True when the user's preferences allow e-mail for this kind's category (default: yes)."""
    prefs = user.email_preferences or {}
    return bool(prefs.get(category_of(kind), True))


# --- links -----------------------------------------------------------------------------------------


def build_path(endpoint: str | None, args: dict | None) -> str | None:
    """The path of a stored endpoint with its arguments (works in requests and in jobs); None if it no longer exists."""
    if not endpoint or not has_app_context():
        return None
    values = dict(args or {})
    anchor = values.pop("_anchor", None)
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    try:
        return adapter.build(endpoint, values) + (f"#{anchor}" if anchor else "")
    except BuildError:
        log.warning("notification link to unknown endpoint %s", endpoint)
        return None


def notification_link(note: Notification) -> str | None:
    """Where a notification leads: built from its endpoint, or the path stored on older rows."""
    if note.endpoint:
        return build_path(note.endpoint, note.endpoint_args)
    return note.link


# --- sending -----------------------------------------------------------------------------------------


def notify(
    *, session: Session, user_id: int | None, kind: str, payload: dict | None = None, endpoint: str | None = None,
    endpoint_args: dict | None = None, email: bool = True, calendar: tuple[str, str] | None = None,
) -> Notification | None:
    """Create a notification for a user and, if they want it, queue an e-mail in their language.

    ``endpoint``/``endpoint_args`` name the page it leads to; ``calendar`` is an optional (iCalendar text, method)
    sent with the e-mail as an invitation (it is sent even when the user switched that category's e-mail off).
    """
    if user_id is None:
        return None
    note = Notification(user_id=user_id, kind=kind, payload=payload or {}, endpoint=endpoint, endpoint_args=endpoint_args or {})
    session.add(note)
    session.flush()
    if email and has_app_context():
        user = session.get(User, user_id)
        if user is not None and user.is_active and (wants_email(user, kind) or calendar is not None):
            _queue_notification_email(session=session, user=user, note=note, calendar=calendar)
    return note


def _queue_notification_email(*, session: Session, user: User, note: Notification, calendar: tuple[str, str] | None) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    names = Names.load(session, [note.payload or {}])
    with force_locale(user.language or "nl"):
        title, body = render_notification(note.kind, note.payload, names=names, role=user.role)
        lines = [str(_l("Dag %(name)s,", name=user.full_name)), "", body]
        link = notification_link(note)
        if link:
            lines += ["", base + link]
        if calendar is not None:
            lines += ["", str(_l("De uitnodiging zit als agenda-item (.ics) bij deze e-mail."))]
        lines += ["", str(_l("Je e-mailvoorkeuren pas je aan op %(url)s", url=base + "/meldingen/voorkeuren"))]
        queue_email(session=session, to=user.email, subject=f"Stagebrug: {title}", body="\n".join(lines) + "\n", language=user.language,
                    calendar=calendar)


# --- reading -----------------------------------------------------------------------------------------


@dataclass
class NotificationRow:
    note: Notification
    title: str
    body: str
    link: str | None


def list_notifications(*, session: Session, user: User, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[NotificationRow], int]:
    """One page of a user's notifications (unread first, newest first), rendered for them, and the total count."""
    total = session.exec(select(func.count()).select_from(Notification).where(Notification.user_id == user.id)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    notes = list(
        session.exec(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
    )
    names = Names.load(session, [n.payload or {} for n in notes])
    rows = []
    for note in notes:
        title, body = render_notification(note.kind, note.payload, names=names, role=user.role)
        rows.append(NotificationRow(note=note, title=title, body=body, link=notification_link(note)))
    return rows, total


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
    from sqlalchemy import update

    result = session.exec(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
    )
    session.flush()
    return result.rowcount or 0


def set_email_preferences(*, session: Session, user: User, choices: dict[str, bool]) -> None:
    """Store which e-mail categories a user wants."""
    user.email_preferences = {key: bool(choices.get(key, False)) for key in EMAIL_CATEGORIES}
    session.add(user)
    session.flush()
