"""Intake meetings (kennismakingsgesprekken): the employer offers slots, the coach or participant picks one.

The loop: the employer offers 1–3 slots once the candidate said yes (``offer_slots``); the coach — or the
participant when logged in — picks one (``pick_slot``: the meeting is confirmed and the proposal moves to
``intake_planned``) or asks for other times (``ask_other_times``), after which the employer offers again. A
confirmed meeting can be moved (``reschedule``) or cancelled (``cancel``) by the employer or the coach, always
with a reason all three read; a cancelled meeting sends the proposal back to ``employer_interested`` so new
slots can be offered. After the meeting time the employer records how it went (``record_outcome``): "continue"
tells the coach to agree the stage, "not retained" declines the proposal with a reason.

Every confirmation, change and cancellation notifies the other parties with an iCalendar invitation
(``web.services.calendar``), and the day before the scheduler reminds all three (``remind_tomorrow``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app, has_app_context
from flask_babel import force_locale, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from web.models import Employer, EmployerMember, Meeting, Participant, Proposal, StagePlace, User, utcnow
from web.services.audit import record_audit
from web.services.calendar import BRUSSELS, meeting_calendar
from web.services.notifications import notify
from web.services.proposals import transition_proposal

MAX_SLOTS = 3
MIN_MINUTES = 15
MAX_HOURS = 8
MAX_DAYS_AHEAD = 366
REMIND_FROM_HOUR = 8  # the day-before reminder goes out from this hour (Brussels time)
OUTCOME_DECLINE_REASONS = ("skills_mismatch", "schedule", "not_interested", "other")


class MeetingError(Exception):
    """A meeting step that is not possible; ``code`` says why (views turn it into a message)."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Slot:
    """One offered time: local date and times as the employer typed them."""

    starts_at: datetime
    ends_at: datetime


def slot_from_local(day, start: time, end: time) -> Slot:
    """A slot from a Brussels date and start/end times, as aware UTC datetimes."""
    starts = datetime.combine(day, start, tzinfo=BRUSSELS)
    ends = datetime.combine(day, end, tzinfo=BRUSSELS)
    return Slot(starts.astimezone(UTC), ends.astimezone(UTC))


def check_slot(slot: Slot, *, now: datetime | None = None) -> None:
    """Refuse a slot in the past, too far ahead, ending before it starts, too short or too long."""
    now = now or utcnow()
    if slot.ends_at <= slot.starts_at:
        raise MeetingError("end_before_start")
    if slot.starts_at <= now:
        raise MeetingError("in_past")
    if slot.starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise MeetingError("too_far")
    length = slot.ends_at - slot.starts_at
    if length < timedelta(minutes=MIN_MINUTES) or length > timedelta(hours=MAX_HOURS):
        raise MeetingError("length")


# --- who takes part --------------------------------------------------------------------------


@dataclass
class Parties:
    proposal: Proposal
    place: StagePlace
    employer: Employer
    participant: Participant
    coach: User | None
    employer_users: list[User]
    participant_user: User | None

    def everyone(self) -> list[User]:
        users = [u for u in [self.coach, *self.employer_users, self.participant_user] if u is not None and u.is_active]
        return list({u.id: u for u in users}.values())


def parties_of(*, session: Session, proposal: Proposal) -> Parties:
    """The coach, the employer's active members and the participant's login of a proposal."""
    place = session.get(StagePlace, proposal.place_id)
    employer = session.get(Employer, place.employer_id)
    participant = session.get(Participant, proposal.participant_id)
    members = list(
        session.exec(
            select(User).join(EmployerMember, EmployerMember.user_id == User.id)
            .where(EmployerMember.employer_id == employer.id, User.is_active.is_(True)).order_by(User.id)
        ).all()
    )
    return Parties(
        proposal=proposal, place=place, employer=employer, participant=participant,
        coach=session.get(User, proposal.coach_id or participant.coach_id) if (proposal.coach_id or participant.coach_id) else None,
        employer_users=members,
        participant_user=session.get(User, participant.user_id) if participant.user_id else None,
    )


def side_of(user: User, parties: Parties) -> str:
    """'coach', 'employer' or 'participant': which side of the proposal a user is on."""
    if user.role == "employer":
        return "employer"
    if user.role == "participant":
        return "participant"
    return "coach"


# --- reading --------------------------------------------------------------------------------


def meetings_of(*, session: Session, proposal_id: int) -> list[Meeting]:
    """All meetings of a proposal, oldest first."""
    return list(session.exec(select(Meeting).where(Meeting.proposal_id == proposal_id).order_by(Meeting.starts_at, Meeting.id)).all())


def meetings_of_proposals(*, session: Session, proposal_ids: list[int]) -> dict[int, list[Meeting]]:
    """The meetings of several proposals in one statement, oldest first (as ``meetings_of``)."""
    found: dict[int, list[Meeting]] = {pid: [] for pid in proposal_ids}
    if proposal_ids:
        for meeting in session.exec(select(Meeting).where(Meeting.proposal_id.in_(proposal_ids))
                                    .order_by(Meeting.proposal_id, Meeting.starts_at, Meeting.id)):
            found[meeting.proposal_id].append(meeting)
    return found


def open_options(meetings: list[Meeting]) -> list[Meeting]:
    return [m for m in meetings if m.status == "option"]


def confirmed(meetings: list[Meeting]) -> Meeting | None:
    return next((m for m in meetings if m.status == "confirmed"), None)


def confirmed_by_proposal(*, session: Session, proposal_ids: list[int]) -> dict[int, Meeting]:
    """The confirmed meeting of each of these proposals (one statement)."""
    if not proposal_ids:
        return {}
    rows = session.exec(select(Meeting).where(Meeting.proposal_id.in_(proposal_ids), Meeting.status == "confirmed")).all()
    return {m.proposal_id: m for m in rows}


def outcome_due(meeting: Meeting | None, *, now: datetime | None = None) -> bool:
    """True when the employer can record how a confirmed meeting went (its start has passed, no outcome yet)."""
    return meeting is not None and meeting.status == "confirmed" and meeting.outcome is None and meeting.starts_at <= (now or utcnow())


# --- the steps ------------------------------------------------------------------------------


def offer_slots(
    *, session: Session, proposal: Proposal, actor: User, slots: list[Slot], location: str, contact_person: str | None = None,
    note: str | None = None,
) -> list[Meeting]:
    """The employer offers 1–3 slots for an intake; earlier open options lapse. The coach and participant hear of it."""
    if proposal.participant_consented_at is None or proposal.state not in ("participant_agreed", "employer_interested"):
        raise MeetingError("not_now")
    if not slots or len(slots) > MAX_SLOTS:
        raise MeetingError("slots_required")
    if not (location or "").strip():
        raise MeetingError("location_required", "location")
    for slot in slots:
        check_slot(slot)
    existing = meetings_of(session=session, proposal_id=proposal.id)
    if confirmed(existing) is not None:
        raise MeetingError("already_confirmed")
    if proposal.state == "participant_agreed":
        transition_proposal(session=session, proposal=proposal, to_state="employer_interested", actor=actor, actor_role="employer")
    now = utcnow()
    for option in open_options(existing):
        option.status, option.updated_at = "declined", now
        session.add(option)
    created = []
    for slot in sorted(set(slots), key=lambda s: s.starts_at):
        meeting = Meeting(
            proposal_id=proposal.id, uid=f"{uuid.uuid4()}@stagebrug", status="option", starts_at=slot.starts_at, ends_at=slot.ends_at,
            location=location.strip(), contact_person=(contact_person or "").strip() or None, note=(note or "").strip() or None,
            proposed_by_id=actor.id,
        )
        session.add(meeting)
        created.append(meeting)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="meeting.offered", obj=proposal, detail={"count": len(created)})
    parties = parties_of(session=session, proposal=proposal)
    payload = _payload(parties, created[0])
    notify(session=session, user_id=parties.coach.id if parties.coach else None, kind="meeting.options", payload=payload,
           endpoint="coach.proposal_detail", endpoint_args={"proposal_id": proposal.id})
    if parties.participant_user is not None:
        notify(session=session, user_id=parties.participant_user.id, kind="meeting.options", payload=payload,
               endpoint="participant.trajectory", endpoint_args={})
    return created


def pick_slot(*, session: Session, meeting: Meeting, actor: User) -> Meeting:
    """The coach or the participant picks one offered slot: it is confirmed, the proposal moves to intake_planned."""
    if meeting.status != "option":
        raise MeetingError("not_an_option")
    if meeting.starts_at <= utcnow():
        raise MeetingError("in_past")
    proposal = session.get(Proposal, meeting.proposal_id)
    others = [m for m in meetings_of(session=session, proposal_id=proposal.id) if m.id != meeting.id and m.status == "option"]
    now = utcnow()
    for other in others:
        other.status, other.updated_at = "declined", now
        session.add(other)
    meeting.status, meeting.confirmed_by_id, meeting.confirmed_at, meeting.updated_at = "confirmed", actor.id, now, now
    session.add(meeting)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # another slot of this proposal was confirmed a moment ago
        raise MeetingError("already_confirmed") from exc
    role = "participant" if actor.role == "participant" else "coach"
    transition_proposal(session=session, proposal=proposal, to_state="intake_planned", actor=actor, actor_role=role,
                        data={"meeting_id": meeting.id})
    _tell_everyone(session=session, meeting=meeting, kind="meeting.confirmed", actor=actor, method="REQUEST")
    from web.services.webhooks import enqueue_meeting_event

    enqueue_meeting_event(session=session, meeting=meeting)
    return meeting


def ask_other_times(*, session: Session, proposal: Proposal, actor: User) -> int:
    """None of the slots fits: every open option lapses and the employer is asked for other times."""
    options = open_options(meetings_of(session=session, proposal_id=proposal.id))
    if not options:
        raise MeetingError("no_options")
    now = utcnow()
    for option in options:
        option.status, option.updated_at = "declined", now
        session.add(option)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="meeting.other_times_asked", obj=proposal, detail={"count": len(options)})
    parties = parties_of(session=session, proposal=proposal)
    payload = _payload(parties, options[0])
    for user in parties.employer_users:
        notify(session=session, user_id=user.id, kind="meeting.other_times", payload=payload,
               endpoint="employer.proposal_detail", endpoint_args={"proposal_id": proposal.id})
    if actor.role == "participant" and parties.coach is not None:
        notify(session=session, user_id=parties.coach.id, kind="meeting.other_times", payload=payload,
               endpoint="coach.proposal_detail", endpoint_args={"proposal_id": proposal.id})
    return len(options)


def reschedule(
    *, session: Session, meeting: Meeting, actor: User, slot: Slot, reason: str, location: str | None = None,
) -> Meeting:
    """Move a confirmed meeting (employer or coach), with a reason; calendars get the same event, one sequence up."""
    if meeting.status != "confirmed" or meeting.outcome is not None:
        raise MeetingError("not_confirmed")
    if not (reason or "").strip():
        raise MeetingError("reason_required", "reason")
    check_slot(slot)
    old_starts = meeting.starts_at
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    if location and location.strip():
        meeting.location = location.strip()
    meeting.sequence += 1
    meeting.change_reason, meeting.changed_by_id, meeting.updated_at = reason.strip(), actor.id, utcnow()
    session.add(meeting)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="meeting.rescheduled", obj=meeting,  # the reason is free text: not here
                 detail={"from": old_starts.isoformat(), "to": meeting.starts_at.isoformat()})
    _tell_everyone(session=session, meeting=meeting, kind="meeting.moved", actor=actor, method="REQUEST",
                   extra={"old_starts_at": old_starts.isoformat()})
    from web.services.webhooks import enqueue_meeting_event

    enqueue_meeting_event(session=session, meeting=meeting)
    return meeting


def cancel(*, session: Session, meeting: Meeting, actor: User, reason: str) -> Meeting:
    """Cancel a confirmed meeting (employer or coach), with a reason; the employer can offer new slots."""
    if meeting.status != "confirmed" or meeting.outcome is not None:
        raise MeetingError("not_confirmed")
    if not (reason or "").strip():
        raise MeetingError("reason_required", "reason")
    meeting.status = "cancelled"
    meeting.sequence += 1
    meeting.change_reason, meeting.changed_by_id, meeting.updated_at = reason.strip(), actor.id, utcnow()
    session.add(meeting)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="meeting.cancelled", obj=meeting)  # the reason is free text: not here
    proposal = session.get(Proposal, meeting.proposal_id)
    if proposal.state == "intake_planned":
        role = "employer" if actor.role == "employer" else "coach"
        transition_proposal(session=session, proposal=proposal, to_state="employer_interested", actor=actor, actor_role=role,
                            data={"meeting_id": meeting.id, "cancelled": True})
    _tell_everyone(session=session, meeting=meeting, kind="meeting.cancelled", actor=actor, method="CANCEL")
    return meeting


def record_outcome(
    *, session: Session, meeting: Meeting, actor: User, outcome: str, reason: str | None = None, note: str | None = None
) -> Meeting:
    """After the meeting the employer says how it went: continue to a stage, or not retained (declines the proposal)."""
    if not outcome_due(meeting):
        raise MeetingError("not_yet")
    if outcome not in ("continue", "not_retained"):
        raise MeetingError("unknown_outcome")
    if outcome == "not_retained" and reason not in OUTCOME_DECLINE_REASONS:
        raise MeetingError("reason_required", "reason")
    proposal = session.get(Proposal, meeting.proposal_id)
    meeting.outcome, meeting.outcome_reason = outcome, reason if outcome == "not_retained" else None
    meeting.outcome_note, meeting.updated_at = (note or "").strip() or None, utcnow()
    session.add(meeting)
    session.flush()
    record_audit(session=session, actor_id=actor.id, action="meeting.outcome_recorded", obj=meeting,
                 detail={"outcome": outcome, "reason": meeting.outcome_reason})  # a reason code; the note is free text: not here
    if outcome == "not_retained":
        transition_proposal(session=session, proposal=proposal, to_state="declined", actor=actor, actor_role="employer",
                            note=meeting.outcome_note, data={"reason": reason, "meeting_id": meeting.id})
    parties = parties_of(session=session, proposal=proposal)
    notify(session=session, user_id=parties.coach.id if parties.coach else None, kind="meeting.outcome",
           payload={**_payload(parties, meeting), "outcome": outcome},
           endpoint="coach.proposal_detail", endpoint_args={"proposal_id": proposal.id})
    return meeting


def remind_tomorrow(*, session: Session, now: datetime) -> int:
    """Remind coach, employer and participant the day before each confirmed meeting (once per meeting time)."""
    from web.services.reminders import claim_reminder

    local = now.astimezone(BRUSSELS)
    if local.hour < REMIND_FROM_HOUR:
        return 0
    today = local.date()
    start = datetime.combine(today + timedelta(days=1), time(0), tzinfo=BRUSSELS)
    end = start + timedelta(days=1)
    rows = session.exec(
        select(Meeting).where(Meeting.status == "confirmed", Meeting.outcome.is_(None), Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    sent = 0
    for meeting in rows:
        if not claim_reminder(session=session, kind="meeting", subject_id=meeting.id, threshold=f"day-before@{meeting.starts_at.isoformat()}"):
            continue
        proposal = session.get(Proposal, meeting.proposal_id)
        parties = parties_of(session=session, proposal=proposal)
        for user in parties.everyone():
            notify(session=session, user_id=user.id, kind="meeting.tomorrow", payload=_payload(parties, meeting),
                   **_endpoint_for(user, proposal))
        sent += 1
    return sent


# --- authorisation ------------------------------------------------------------------------------


def get_meeting_for(*, session: Session, user: User, meeting_id: int) -> Meeting | None:
    """The meeting if this user takes part in its proposal (coach's caseload, employer's place, own), else None."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    proposal = session.get(Proposal, meeting.proposal_id)
    return meeting if proposal is not None and can_see_proposal(session=session, user=user, proposal=proposal) else None


def can_see_proposal(*, session: Session, user: User, proposal: Proposal) -> bool:
    """The same rules as the proposal pages: the coach's (or shared team's) caseload, the employer's places, one's own."""
    if user.role == "employer":
        place = session.get(StagePlace, proposal.place_id)
        member = session.exec(select(EmployerMember).where(EmployerMember.user_id == user.id)).first()
        return place is not None and member is not None and place.employer_id == member.employer_id
    if user.role == "participant":
        participant = session.get(Participant, proposal.participant_id)
        return participant is not None and participant.user_id == user.id and proposal.participant_consented_at is not None
    if user.role in ("coach", "admin"):
        from web.services.caseload import visible_coach_ids

        participant = session.get(Participant, proposal.participant_id)
        return participant is not None and participant.coach_id in visible_coach_ids(session=session, coach=user)
    return False


# --- invitations and notifications -------------------------------------------------------------------


def _payload(parties: Parties, meeting: Meeting) -> dict:
    return {"proposal_id": parties.proposal.id, "participant_id": parties.participant.id, "place_id": parties.place.id,
            "meeting_id": meeting.id, "starts_at": meeting.starts_at.isoformat()}


def _endpoint_for(user: User, proposal: Proposal) -> dict:
    if user.role == "employer":
        return {"endpoint": "employer.proposal_detail", "endpoint_args": {"proposal_id": proposal.id}}
    if user.role == "participant":
        return {"endpoint": "participant.trajectory", "endpoint_args": {}}
    return {"endpoint": "coach.proposal_detail", "endpoint_args": {"proposal_id": proposal.id}}


SUMMARIES = {
    "coach": _l("Kennismaking %(participant)s bij %(employer)s (%(place)s)"),
    "employer": _l("Kennismaking met kandidaat %(participant)s (%(place)s)"),
    "participant": _l("Gesprek bij %(employer)s (%(place)s)"),
}


def invitation_for(*, parties: Parties, meeting: Meeting, user: User, method: str) -> str:
    """The iCalendar text of a meeting as this user sees it (their language, names as they may see them)."""
    from web.services.employers import candidate_name

    role = "employer" if user.role == "employer" else ("participant" if user.role == "participant" else "coach")
    person = parties.participant
    shown = {"coach": f"{person.first_name} {person.last_name}".strip(), "employer": candidate_name(person), "participant": person.first_name}[role]
    with force_locale(user.language or "nl"):
        summary = str(SUMMARIES[role]) % {"participant": shown, "employer": parties.employer.name, "place": parties.place.title}
        lines = [str(_l("Stageplaats: %(place)s", place=parties.place.title)), str(_l("Werkgever: %(employer)s", employer=parties.employer.name))]
        if meeting.contact_person:
            lines.append(str(_l("Vraag naar: %(person)s", person=meeting.contact_person)))
        if meeting.note:
            lines.append(str(_l("Van de werkgever: %(note)s", note=meeting.note)))
        if meeting.change_reason:
            lines.append(str(_l("Reden van de wijziging: %(reason)s", reason=meeting.change_reason)))
    organizer = current_app.config.get("MAIL_FROM", "noreply@stagebrug.be") if has_app_context() else "noreply@stagebrug.be"
    return meeting_calendar(meeting=meeting, method=method, summary=summary, description="\n".join(lines), organizer_email=organizer)


def _tell_everyone(*, session: Session, meeting: Meeting, kind: str, actor: User, method: str, extra: dict | None = None) -> None:
    proposal = session.get(Proposal, meeting.proposal_id)
    parties = parties_of(session=session, proposal=proposal)
    payload = {**_payload(parties, meeting), **(extra or {})}
    for user in parties.everyone():
        calendar = (invitation_for(parties=parties, meeting=meeting, user=user, method=method), method)
        notify(session=session, user_id=user.id, kind=kind, payload=payload, calendar=calendar, email=True, **_endpoint_for(user, proposal))


def when_text(meeting: Meeting) -> str:
    """The meeting's date and time in the current language, as people write it."""
    return format_datetime(meeting.starts_at, "EEEE d MMMM y, HH:mm") + "–" + format_datetime(meeting.ends_at, "HH:mm")
