"""Private iCalendar feeds (RFC 5545, built with the icalendar library) of a user's deadlines.

A user enables a feed and gets an address with a secret in it (shown once, stored hashed); enabling again replaces
the secret, revoking removes it. What a feed holds comes from ``FEED_SOURCES``: small functions that each give the
entries of one kind for a user, written in the user's language and showing only what the user may see in the app:

* employers: the expiry date of their published places, and proposals waiting for their answer;
* coaches: phase due dates of their own caseload, and follow-ups of proposals that wait for an answer;
* participants: the due date of their current phase.

* everyone who takes part: the confirmed intake meetings of their proposals, with the meeting's own UID so the
  feed and the e-mailed invitation are the same calendar event.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlmodel import Session, select

from web.models import (
    CalendarFeed,
    EmployerMember,
    Participant,
    PhasePeriod,
    Proposal,
    StagePlace,
    Trajectory,
    User,
    utcnow,
)
from web.services.audit import record_audit
from web.services.reminders import PROPOSAL_WAIT_DAYS, WAITING_STATES

HORIZON_DAYS = 365
PRODID = "-//Stagebrug//Kalender//NL"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def enable_feed(*, session: Session, user: User) -> str:
    """Give the user a (new) feed secret and return it; an older address stops working."""
    raw = secrets.token_urlsafe(32)
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token_hash=_hash(raw))
    else:
        feed.token_hash, feed.created_at, feed.last_used_at = _hash(raw), utcnow(), None
    session.add(feed)
    session.flush()
    record_audit(session=session, actor_id=user.id, action="calendar_feed.enabled", obj=user)
    return raw


def revoke_feed(*, session: Session, user: User) -> bool:
    """Switch the user's feed off; its address stops working at once."""
    feed = get_feed(session=session, user=user)
    if feed is None:
        return False
    session.delete(feed)
    session.flush()
    record_audit(session=session, actor_id=user.id, action="calendar_feed.revoked", obj=user)
    return True


def get_feed(*, session: Session, user: User) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()


def user_for_feed(*, session: Session, raw: str) -> User | None:
    """The active user whose feed has this secret (stamping its last use), else None."""
    if not raw or len(raw) > 100:
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(raw))).first()
    if feed is None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    feed.last_used_at = utcnow()
    session.add(feed)
    session.flush()
    return user


# --- entries --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One calendar item: a stable uid, a date (all-day) or a moment, a title and a description."""

    uid: str
    start: date | datetime
    summary: str
    description: str = ""
    end: datetime | None = None


def place_expiries(session: Session, user: User, today: date) -> Iterable[FeedEntry]:
    """An employer's published places on the day they go offline."""
    if user.role != "employer":
        return []
    rows = session.exec(
        select(StagePlace).join(EmployerMember, EmployerMember.employer_id == StagePlace.employer_id)
        .where(EmployerMember.user_id == user.id, StagePlace.status == "published", StagePlace.expires_at.is_not(None))
    ).all()
    return [
        FeedEntry(f"place-expiry-{p.id}-{p.expires_at.date().isoformat()}@stagebrug", p.expires_at.date(),
                  _("Stageplaats verloopt: %(title)s", title=p.title), _("Verleng de stageplaats als ze online moet blijven."))
        for p in rows
    ]


def phase_deadlines(session: Session, user: User, today: date) -> Iterable[FeedEntry]:
    """The due dates of open phases: a coach's own caseload, or a participant's own trajectory."""
    if user.role not in ("coach", "participant"):
        return []
    query = (select(PhasePeriod, Participant).join(Trajectory, Trajectory.id == PhasePeriod.trajectory_id)
             .join(Participant, Participant.id == Trajectory.participant_id)
             .where(PhasePeriod.ended_on.is_(None), Trajectory.ended_on.is_(None), Participant.anonymised_at.is_(None)))
    if user.role == "coach":
        query = query.where(Participant.coach_id == user.id, Participant.active.is_(True))
    else:
        query = query.where(Participant.user_id == user.id)
    from web.labels import PHASE_LABELS

    entries = []
    for period, participant in session.exec(query).all():
        phase = str(PHASE_LABELS.get(period.phase, period.phase))
        if user.role == "coach":
            name = " ".join(filter(None, (participant.first_name, participant.last_name)))
            summary = _("Einde fase %(phase)s: %(name)s", phase=phase, name=name)
        else:
            summary = _("Einde van je fase %(phase)s", phase=phase)
        entries.append(FeedEntry(f"phase-{period.id}-{period.due_on.isoformat()}@stagebrug", period.due_on, summary))
    return entries


def proposal_followups(session: Session, user: User, today: date) -> Iterable[FeedEntry]:
    """Proposals that wait for an answer: the day a reminder is due (employer: theirs to answer; coach: their own)."""
    if user.role not in ("coach", "employer"):
        return []
    query = select(Proposal, StagePlace).join(StagePlace, StagePlace.id == Proposal.place_id).where(Proposal.state.in_(WAITING_STATES))
    if user.role == "employer":
        query = query.join(EmployerMember, EmployerMember.employer_id == StagePlace.employer_id).where(
            EmployerMember.user_id == user.id, Proposal.state.in_(("proposed", "participant_agreed")))
    else:
        query = query.where(Proposal.coach_id == user.id)
    entries = []
    for proposal, place in session.exec(query).all():
        since = proposal.updated_at or proposal.created_at
        due = (since + timedelta(days=PROPOSAL_WAIT_DAYS)).date()
        summary = (_("Voorstel voor %(title)s wacht op je antwoord", title=place.title) if user.role == "employer"
                   else _("Opvolgen: voorstel voor %(title)s", title=place.title))
        entries.append(FeedEntry(f"proposal-{proposal.id}-{proposal.state}@stagebrug", max(due, today), summary))
    return entries


def intake_meetings(session: Session, user: User, today: date) -> Iterable[FeedEntry]:
    """Confirmed intake meetings the user takes part in (as the proposal pages decide), named as that user may see them."""
    from web.models import Employer, Meeting
    from web.services.employers import candidate_name
    from web.services.meetings import SUMMARIES

    query = (select(Meeting, Proposal, StagePlace, Employer, Participant)
             .join(Proposal, Proposal.id == Meeting.proposal_id).join(StagePlace, StagePlace.id == Proposal.place_id)
             .join(Employer, Employer.id == StagePlace.employer_id).join(Participant, Participant.id == Proposal.participant_id)
             .where(Meeting.status == "confirmed", Participant.anonymised_at.is_(None)))
    if user.role == "employer":
        query = query.join(EmployerMember, EmployerMember.employer_id == StagePlace.employer_id).where(EmployerMember.user_id == user.id)
        role = "employer"
    elif user.role == "participant":
        query = query.where(Participant.user_id == user.id, Proposal.participant_consented_at.is_not(None))
        role = "participant"
    elif user.role == "coach":
        query = query.where(Participant.coach_id == user.id)
        role = "coach"
    else:
        return []
    entries = []
    for meeting, _proposal, place, employer, person in session.exec(query).all():
        shown = {"coach": f"{person.first_name} {person.last_name}".strip(), "employer": candidate_name(person),
                 "participant": person.first_name}[role]
        summary = str(SUMMARIES[role]) % {"participant": shown, "employer": employer.name, "place": place.title}
        description = "\n".join(filter(None, (meeting.location, meeting.contact_person and _("Vraag naar: %(person)s", person=meeting.contact_person))))
        entries.append(FeedEntry(meeting.uid, meeting.starts_at, summary, description, meeting.ends_at))
    return entries


#: Every kind of entry a feed holds; a new kind is one more function here.
FEED_SOURCES: list[Callable[[Session, User, date], Iterable[FeedEntry]]] = [place_expiries, phase_deadlines, proposal_followups, intake_meetings]


def feed_entries(*, session: Session, user: User, today: date | None = None) -> list[FeedEntry]:
    """The user's entries from every source, within a year back and ahead, in date order."""
    today = today or utcnow().date()
    low, high = today - timedelta(days=HORIZON_DAYS), today + timedelta(days=HORIZON_DAYS)
    with force_locale(user.language or "nl"):
        entries = [e for source in FEED_SOURCES for e in source(session, user, today)]
    def day(e):
        return e.start.date() if isinstance(e.start, datetime) else e.start
    return sorted((e for e in entries if low <= day(e) <= high), key=lambda e: (day(e), e.uid))


def render_calendar(*, user: User, entries: list[FeedEntry], now: datetime | None = None) -> bytes:
    """The feed as an RFC 5545 calendar."""
    now = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Stagebrug")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("summary", entry.summary)
        event.add("dtstart", entry.start)
        if isinstance(entry.start, datetime):
            event.add("dtend", entry.end or entry.start + timedelta(hours=1))
        else:
            event.add("dtend", entry.start + timedelta(days=1))
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    return calendar.to_ical()
