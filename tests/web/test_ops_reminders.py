"""Reminders with time travel: each is sent once per (subject, threshold), holds stop the phase clock."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlmodel import select

from tests.conftest import make_employer, make_participant, make_place, make_proposal, make_user
from web.models import (
    HoldPeriod,
    Notification,
    OutboxEmail,
    PhasePeriod,
    ProposalEvent,
    ReminderSent,
    Trajectory,
)
from web.services.reminders import (
    add_months,
    remind_nazorg_checkins,
    remind_phase_deadlines,
    remind_waiting_proposals,
)

START = date(2026, 1, 5)


def _at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _phase_setup(session, due: date):
    coach = make_user(session, "coach")
    participant = make_participant(session, coach, first_name="An", last_name="Peeters")
    period = session.exec(select(PhasePeriod).join(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    period.started_on, period.due_on = START, due
    session.add(period)
    session.commit()
    return coach, participant, period


def _notes(session, user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return session.exec(query.order_by(Notification.id)).all()


def _remind_phases_on(app, session, day: date) -> int:
    with time_machine.travel(_at(day), tick=False), app.app_context():
        sent = remind_phase_deadlines(session=session, today=day)
        session.commit()
    return sent


def test_phase_deadline_reminders_at_14_and_3_days_and_overdue_once_each(app, session):
    due = date(2026, 3, 31)
    coach, _participant, _period = _phase_setup(session, due)
    assert _remind_phases_on(app, session, due - timedelta(days=15)) == 0
    assert _remind_phases_on(app, session, due - timedelta(days=14)) == 1
    assert _remind_phases_on(app, session, due - timedelta(days=13)) == 0
    assert _remind_phases_on(app, session, due - timedelta(days=4)) == 0
    assert _remind_phases_on(app, session, due - timedelta(days=3)) == 1
    assert _remind_phases_on(app, session, due - timedelta(days=3)) == 0
    assert _remind_phases_on(app, session, due) == 0
    assert _remind_phases_on(app, session, due + timedelta(days=1)) == 1
    assert _remind_phases_on(app, session, due + timedelta(days=30)) == 0
    notes = _notes(session, coach)
    assert [n.kind for n in notes] == ["reminder.phase_due", "reminder.phase_due", "reminder.phase_overdue"]
    assert [n.payload["days"] for n in notes] == [14, 3, -1]
    assert "participant" not in notes[0].payload  # names are looked up when shown, never stored
    assert notes[0].endpoint == "coach.participant"


def test_a_hold_stops_the_phase_clock(app, session):
    due = date(2026, 3, 31)
    coach, _participant, period = _phase_setup(session, due)
    session.add(HoldPeriod(phase_period_id=period.id, started_on=date(2026, 3, 1), ended_on=date(2026, 3, 11)))
    session.commit()
    # 10 days on hold: the 14-day reminder moves from 17 March to 27 March
    assert _remind_phases_on(app, session, date(2026, 3, 17)) == 0
    assert _remind_phases_on(app, session, date(2026, 3, 27)) == 1
    assert _notes(session, coach)[0].payload["due_on"] == "2026-04-10"


def test_no_phase_reminder_while_on_hold(app, session):
    due = date(2026, 3, 31)
    coach, _participant, period = _phase_setup(session, due)
    session.add(HoldPeriod(phase_period_id=period.id, started_on=date(2026, 3, 20)))
    session.commit()
    assert _remind_phases_on(app, session, date(2026, 4, 5)) == 0
    assert _notes(session, coach) == []


def test_ended_phase_gets_no_reminder(app, session):
    due = date(2026, 3, 31)
    coach, _participant, period = _phase_setup(session, due)
    period.ended_on = date(2026, 3, 1)
    session.add(period)
    session.commit()
    assert _remind_phases_on(app, session, due + timedelta(days=2)) == 0


def test_phase_reminder_is_mailed_in_the_coachs_language(app, session):
    due = date(2026, 3, 31)
    coach, _participant, _period = _phase_setup(session, due)
    coach.language = "en"
    session.add(coach)
    session.commit()
    _remind_phases_on(app, session, due - timedelta(days=3))
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == coach.email)).one()
    assert mail.language == "en"
    assert "Phase ends soon" in mail.subject
    assert "The Job matching phase of An Peeters ends on 31 March 2026 (3 days left)." in mail.body_text


def _proposal_setup(session, created: datetime):
    coach = make_user(session, "coach")
    participant_user = make_user(session, "participant")
    participant = make_participant(session, coach, user=participant_user)
    employer_user = make_user(session, "employer")
    employer = make_employer(session, user=employer_user)
    place = make_place(session, employer, title="Heftruckchauffeur")
    proposal = make_proposal(session, participant, place, created_at=created, updated_at=created)
    return coach, participant_user, employer_user, proposal


def _remind_proposals_at(app, session, moment: datetime) -> int:
    with time_machine.travel(moment, tick=False), app.app_context():
        sent = remind_waiting_proposals(session=session, now=moment)
        session.commit()
    return sent


def test_proposal_without_answer_for_7_days_is_reminded_once(app, session):
    created = datetime(2026, 2, 2, 9, tzinfo=UTC)
    coach, participant_user, employer_user, _proposal = _proposal_setup(session, created)
    assert _remind_proposals_at(app, session, created + timedelta(days=6, hours=23)) == 0
    assert _remind_proposals_at(app, session, created + timedelta(days=7)) == 1
    assert _remind_proposals_at(app, session, created + timedelta(days=8)) == 0
    for user in (coach, participant_user, employer_user):
        notes = _notes(session, user, "reminder.proposal_waiting")
        assert len(notes) == 1, user.role
        assert notes[0].payload["days"] == 7 and notes[0].payload["place_id"] == _proposal.place_id
        assert notes[0].endpoint == {"coach": "coach.proposal_detail", "participant": "participant.vacancy",
                                     "employer": "employer.proposal_detail"}[user.role]


def test_proposal_reminder_restarts_after_a_new_step(app, session):
    created = datetime(2026, 2, 2, 9, tzinfo=UTC)
    coach, participant_user, employer_user, proposal = _proposal_setup(session, created)
    assert _remind_proposals_at(app, session, created + timedelta(days=7)) == 1
    agreed = created + timedelta(days=9)
    proposal.state = "participant_agreed"
    proposal.updated_at = agreed
    session.add(proposal)
    session.add(ProposalEvent(proposal_id=proposal.id, from_state="proposed", to_state="participant_agreed", at=agreed))
    session.commit()
    assert _remind_proposals_at(app, session, agreed + timedelta(days=6)) == 0
    assert _remind_proposals_at(app, session, agreed + timedelta(days=7)) == 1
    # now only the employer must answer (and the coach is told)
    assert len(_notes(session, participant_user, "reminder.proposal_waiting")) == 1
    assert len(_notes(session, employer_user, "reminder.proposal_waiting")) == 2
    assert len(_notes(session, coach, "reminder.proposal_waiting")) == 2


def test_answered_proposal_gets_no_reminder(app, session):
    created = datetime(2026, 2, 2, 9, tzinfo=UTC)
    _coach, _p, _e, proposal = _proposal_setup(session, created)
    proposal.state = "intake_planned"
    session.add(proposal)
    session.commit()
    assert _remind_proposals_at(app, session, created + timedelta(days=20)) == 0


def _hired(session, hired_on: date):
    coach = make_user(session, "coach")
    participant = make_participant(session, coach, phase="nazorg")
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    trajectory.hired_on = hired_on
    session.add(trajectory)
    session.commit()
    return coach, trajectory


def _remind_nazorg_on(app, session, day: date) -> int:
    with time_machine.travel(_at(day), tick=False), app.app_context():
        sent = remind_nazorg_checkins(session=session, today=day)
        session.commit()
    return sent


def test_nazorg_checkins_at_1_3_and_6_months_once_each(app, session):
    coach, trajectory = _hired(session, date(2026, 1, 31))
    assert _remind_nazorg_on(app, session, date(2026, 2, 27)) == 0
    assert _remind_nazorg_on(app, session, date(2026, 2, 28)) == 1  # 31 January + 1 month
    assert _remind_nazorg_on(app, session, date(2026, 3, 15)) == 0
    assert _remind_nazorg_on(app, session, date(2026, 4, 30)) == 1
    assert _remind_nazorg_on(app, session, date(2026, 5, 1)) == 0
    assert _remind_nazorg_on(app, session, date(2026, 7, 31)) == 1
    assert _remind_nazorg_on(app, session, date(2026, 12, 31)) == 0
    assert [n.payload["months"] for n in _notes(session, coach)] == [1, 3, 6]
    keys = session.exec(select(ReminderSent.threshold).where(ReminderSent.subject_id == trajectory.id)).all()
    assert sorted(keys) == ["1m", "3m", "6m"]


def test_nazorg_job_started_late_sends_only_the_latest_checkin(app, session):
    coach, _trajectory = _hired(session, date(2026, 1, 10))
    assert _remind_nazorg_on(app, session, date(2026, 5, 1)) == 1
    assert [n.payload["months"] for n in _notes(session, coach)] == [3]


def test_add_months_keeps_the_day_or_takes_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 8, 15), 6) == date(2027, 2, 15)


def test_nazorg_checkins_long_past_are_not_sent(app, session):
    coach, _trajectory = _hired(session, date(2024, 1, 10))
    assert _remind_nazorg_on(app, session, date(2026, 5, 1)) == 0
    assert _notes(session, coach) == []
