"""Run-once-per-firing bookkeeping for scheduled jobs.

Every firing of a job has a scheduled time on a fixed grid (``firing_time``). Before running, a process
inserts a ``JobRun`` row for (job, scheduled time) in its own transaction; the unique constraint lets only
one scheduler process win, so two clocks never run the same firing twice. The job then runs in its own
session; its outcome (ok or failed, with the error) is written back to the row. A failed firing is not
retried on its own: the next firing runs the (idempotent) job again.
"""
from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from web.models import JobRun, utcnow

log = logging.getLogger("stagebrug.jobs")
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def firing_time(now: datetime, period_seconds: int, offset_seconds: int = 0) -> datetime:
    """The scheduled time of the firing that covers ``now`` on the grid EPOCH + offset + k * period."""
    start = EPOCH + timedelta(seconds=offset_seconds)
    elapsed = (now - start).total_seconds()
    return start + timedelta(seconds=period_seconds * int(elapsed // period_seconds))


def claim_firing(*, engine, job_name: str, scheduled_for: datetime) -> int | None:
    """Record the start of a firing; return its JobRun id, or None when another process has it."""
    with Session(engine) as session:
        run = JobRun(job_name=job_name, scheduled_for=scheduled_for, started_at=utcnow(), outcome="running")
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return run.id


def last_success(*, session: Session, job_name: str) -> datetime | None:
    """When the last successful firing of a job started, or None."""
    return session.exec(
        select(JobRun.started_at).where(JobRun.job_name == job_name, JobRun.outcome == "ok").order_by(JobRun.started_at.desc()).limit(1)
    ).first()


def finish_firing(*, engine, run_id: int, outcome: str, detail: str | None) -> None:
    """Write a firing's outcome and end time."""
    with Session(engine) as session:
        run = session.get(JobRun, run_id)
        run.outcome = outcome
        run.finished_at = utcnow()
        run.detail = (detail or "")[:2000] or None
        session.add(run)
        session.commit()


def run_firing(
    *, app, job_name: str, scheduled_for: datetime, func: Callable[..., object], now: datetime | None = None
) -> str:
    """Run one firing of a job at most once across processes; return "ran", "failed" or "skipped".

    ``func(session=, app=, now=, since=)`` gets a session of its own (committed on success, rolled back on
    error) and ``since``, the start of the job's last successful firing.
    """
    from web.db import session_scope

    engine = app.extensions["db_engine"]
    with app.app_context():
        run_id = claim_firing(engine=engine, job_name=job_name, scheduled_for=scheduled_for)
        if run_id is None:
            log.info("job %s firing %s: skipped (claimed elsewhere)", job_name, scheduled_for.isoformat())
            return "skipped"
        started = time.perf_counter()
        try:
            with Session(engine) as lookup:
                since = last_success(session=lookup, job_name=job_name)
            with session_scope(engine) as session:
                result = func(session=session, app=app, now=now or utcnow(), since=since)
        except Exception as exc:  # a failing job must never stop the scheduler
            log.exception("job %s firing %s: failed", job_name, scheduled_for.isoformat())
            detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
            finish_firing(engine=engine, run_id=run_id, outcome="failed", detail=detail)
            return "failed"
        finish_firing(engine=engine, run_id=run_id, outcome="ok", detail=_describe(result))
        log.info("job %s firing %s: ran in %.2fs (%s)", job_name, scheduled_for.isoformat(), time.perf_counter() - started, _describe(result))
        return "ran"


def _describe(result) -> str | None:
    if result is None:
        return None
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in result.items())
    return str(result)


def recent_runs(*, session: Session, limit: int = 50) -> list[JobRun]:
    """The latest firings of every job, newest first."""
    return list(session.exec(select(JobRun).order_by(JobRun.scheduled_for.desc(), JobRun.job_name).limit(limit)).all())
