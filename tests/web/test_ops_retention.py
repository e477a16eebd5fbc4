"""Retention: participants whose trajectory ended long ago are anonymised; old login attempts and read notifications go."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from tests.conftest import make_participant, make_user
from web.models import LoginAttempt, Notification, ParticipantNote, Setting, Trajectory, User
from web.services.retention import purge_expired_data

NOW = datetime(2026, 6, 1, 3, tzinfo=UTC)


def _ended(session, coach, ended_on: date, **fields):
    participant = make_participant(session, coach, **fields)
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == participant.id)).one()
    trajectory.ended_on = ended_on
    trajectory.outcome = "hired"
    session.add(trajectory)
    session.commit()
    return participant


def test_participants_past_the_retention_period_are_anonymised_once(session):
    session.add(Setting(key="retention_days", value=365))
    session.commit()
    coach = make_user(session, "coach")
    login = make_user(session, "participant")
    old = _ended(session, coach, date(2025, 5, 1), user=login, first_name="Oud", email="oud@example.be", goals="Heftruck")
    recent = _ended(session, coach, date(2025, 7, 1), first_name="Recent")
    running = make_participant(session, coach, first_name="Loopt")
    session.add(ParticipantNote(participant_id=old.id, body="Vertrouwelijk"))
    session.commit()

    assert purge_expired_data(session=session, now=NOW)["anonymised"] == 1
    session.commit()
    for p in (old, recent, running):
        session.refresh(p)
    assert (old.first_name, old.email, old.goals, old.active) == ("—", None, None, False)
    assert old.anonymised_at is not None
    assert recent.first_name == "Recent" and running.first_name == "Loopt"
    assert session.exec(select(ParticipantNote)).all() == []
    user = session.get(User, login.id)
    assert (user.is_active, user.password_hash, user.email) == (False, None, f"erased-{user.id}@invalid.stagebrug")
    trajectory = session.exec(select(Trajectory).where(Trajectory.participant_id == old.id)).one()
    assert trajectory.outcome == "hired"  # figures for monitoring stay
    assert purge_expired_data(session=session, now=NOW)["anonymised"] == 0


def test_old_login_attempts_and_old_read_notifications_are_deleted(session):
    coach = make_user(session, "coach")
    session.add_all([
        LoginAttempt(email="a@example.be", ip="1.2.3.4", at=NOW - timedelta(days=31)),
        LoginAttempt(email="a@example.be", ip="1.2.3.4", at=NOW - timedelta(days=1)),
        Notification(user_id=coach.id, kind="x", read_at=NOW - timedelta(days=91)),
        Notification(user_id=coach.id, kind="x", read_at=NOW - timedelta(days=10)),
        Notification(user_id=coach.id, kind="x", created_at=NOW - timedelta(days=400)),  # unread stays
    ])
    session.commit()
    result = purge_expired_data(session=session, now=NOW)
    session.commit()
    assert (result["login_attempts"], result["notifications"]) == (1, 1)
    assert len(session.exec(select(LoginAttempt)).all()) == 1
    assert len(session.exec(select(Notification)).all()) == 2
