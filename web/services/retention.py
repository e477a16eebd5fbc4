"""Data retention: anonymise participants whose trajectory ended long ago (the same service as an erasure),
delete old login attempts, read notifications and used rate-limit counters."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, func, select

from web.models import (
    LoginAttempt,
    Notification,
    Participant,
    RateEvent,
    Trajectory,
    utcnow,
)
from web.services.anonymisation import anonymise_participant
from web.services.audit import record_audit
from web.services.settings import get_setting

LOGIN_ATTEMPT_DAYS = 30  # throttling needs minutes; a month is kept for security questions
READ_NOTIFICATION_DAYS = 90


def purge_expired_data(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    """Apply the retention period; return what was anonymised or deleted."""
    now = now or utcnow()
    today = now.date()
    retention_days = int(get_setting(session=session, key="retention_days"))
    cutoff: date = today - timedelta(days=retention_days)
    still_open = select(Trajectory.participant_id).where(Trajectory.ended_on.is_(None))
    last_end = (
        select(Trajectory.participant_id, func.max(Trajectory.ended_on).label("last_end"))
        .group_by(Trajectory.participant_id).subquery()
    )
    participants = session.exec(
        select(Participant)
        .join(last_end, last_end.c.participant_id == Participant.id)
        .where(Participant.anonymised_at.is_(None), last_end.c.last_end < cutoff, Participant.id.not_in(still_open))
    ).all()
    for participant in participants:
        anonymise_participant(session=session, participant=participant, now=now)
    session.exec(delete(RateEvent).where(RateEvent.at < now - timedelta(days=1)))
    attempts = session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=LOGIN_ATTEMPT_DAYS))).rowcount
    notes = session.exec(
        delete(Notification).where(Notification.read_at.is_not(None), Notification.read_at < now - timedelta(days=READ_NOTIFICATION_DAYS))
    ).rowcount
    session.flush()
    record_audit(session=session, actor_id=None, action="retention.purged", detail={"anonymised": len(participants), "login_attempts": attempts,
                                                                             "notifications": notes})
    return {"anonymised": len(participants), "login_attempts": attempts, "notifications": notes}
