"""The scheduled jobs of the clock process and ``register_jobs``, which puts them on the scheduler.

Every job runs through ``web.services.jobs.run_firing``: its own app context and session, one ``JobRun``
row per (job, scheduled time) so two clock processes never run the same firing, failures logged and
recorded, never fatal. Firings sit on a fixed UTC grid so every process computes the same scheduled time.
``STAGEBRUG_CLOCK_INTERVAL`` (seconds) runs every job on that short interval, for tests and demos.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from web.models import utcnow
from web.services.jobs import EPOCH, firing_time, run_firing

log = logging.getLogger("stagebrug.jobs")
MINUTE, HOUR, DAY = 60, 3600, 86400


# --- the jobs: each takes session=, app=, now=, since= and returns a small summary ---------------------


def refresh_matches_incremental(*, session, app, now, since):
    """Rescore what changed since the last successful run."""
    try:
        from web.services.matching import refresh_all_matches
    except ImportError:
        log.warning("refresh_matches: web.services.matching.refresh_all_matches is not available yet; skipped")
        return {"skipped": "matching service missing"}
    return refresh_all_matches(session=session, changed_since=since, on_chunk=session.commit)


def refresh_matches_full(*, session, app, now, since):
    """Rescore every open place against every active participant (nightly)."""
    try:
        from web.services.matching import refresh_all_matches
    except ImportError:
        log.warning("refresh_matches_full: web.services.matching.refresh_all_matches is not available yet; skipped")
        return {"skipped": "matching service missing"}
    return refresh_all_matches(session=session, changed_since=None, on_chunk=session.commit)


def expire_places(*, session, app, now, since):
    """Mark stage places past their date expired."""
    try:
        from web.services.places import expire_places as expire
    except ImportError:
        log.warning("expire_places: web.services.places.expire_places is not available yet; skipped")
        return {"skipped": "places service missing"}
    return expire(session, now)


def remind_phases(*, session, app, now, since):
    """Remind coaches of phase deadlines."""
    from web.services.reminders import remind_phase_deadlines

    return {"sent": remind_phase_deadlines(session=session, today=_local_date(now))}


def remind_proposals(*, session, app, now, since):
    """Remind about proposals without an answer for 7 days."""
    from web.services.reminders import remind_waiting_proposals

    return {"sent": remind_waiting_proposals(session=session, now=now)}


def remind_nazorg(*, session, app, now, since):
    """Ask for nazorg check-ins 1, 3 and 6 months after hiring."""
    from web.services.reminders import remind_nazorg_checkins

    return {"sent": remind_nazorg_checkins(session=session, today=_local_date(now))}


def remind_meetings(*, session, app, now, since):
    """Remind coach, employer and participant the day before an intake meeting (once per meeting time)."""
    from web.services.meetings import remind_tomorrow

    return {"sent": remind_tomorrow(session=session, now=now)}


def deliver_outbox(*, session, app, now, since):
    """Send the e-mails waiting in the outbox."""
    from web.services.mail import deliver_outbox as deliver

    return {"sent": deliver(session=session, app=app)}


def deliver_webhooks(*, session, app, now, since):
    """Send the webhook deliveries that are due (first attempts and retries)."""
    from web.services.webhooks import deliver_due_webhooks

    return deliver_due_webhooks(session=session, now=now)


def announce_expiring_places(*, session, app, now, since):
    """Queue a place.expiring webhook for places that expire within a week."""
    from web.services.webhooks import enqueue_expiring_places

    return {"queued": enqueue_expiring_places(session=session, now=now)}


def purge_data(*, session, app, now, since):
    """Apply the retention period."""
    from web.services.retention import purge_expired_data

    return purge_expired_data(session=session, now=now)


def _local_date(now: datetime):
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo("Europe/Brussels")).date()


@dataclass(frozen=True)
class JobSpec:
    """A job and its place on the firing grid (period and offset from the grid's start, in seconds)."""

    name: str
    func: object
    period: int
    offset: int = 0


JOBS = (
    JobSpec("refresh_matches", refresh_matches_incremental, 15 * MINUTE),
    JobSpec("refresh_matches_full", refresh_matches_full, DAY, 2 * HOUR),  # 02:00 UTC
    JobSpec("expire_places", expire_places, HOUR, 5 * MINUTE),
    JobSpec("remind_phases", remind_phases, DAY, 6 * HOUR),  # 06:00 UTC, before the working day
    JobSpec("remind_proposals", remind_proposals, DAY, 6 * HOUR + 10 * MINUTE),
    JobSpec("remind_nazorg", remind_nazorg, DAY, 6 * HOUR + 20 * MINUTE),
    JobSpec("remind_meetings", remind_meetings, HOUR, 15 * MINUTE),  # sends from 08:00 Brussels time the day before
    JobSpec("deliver_outbox", deliver_outbox, MINUTE),
    JobSpec("deliver_webhooks", deliver_webhooks, MINUTE),
    JobSpec("announce_expiring_places", announce_expiring_places, HOUR, 10 * MINUTE),
    JobSpec("purge_data", purge_data, DAY, 3 * HOUR),
)


def job_specs() -> list[JobSpec]:
    """The jobs with their grid; every job on a short grid when STAGEBRUG_CLOCK_INTERVAL is set."""
    interval = os.environ.get("STAGEBRUG_CLOCK_INTERVAL")
    if interval:
        seconds = max(1, int(interval))
        return [JobSpec(spec.name, spec.func, seconds, 0) for spec in JOBS]
    return list(JOBS)


def run_job(app, spec: JobSpec, now: datetime | None = None) -> str:
    """Run the firing of a job that covers ``now`` (at most once across processes)."""
    moment = now or utcnow()
    return run_firing(app=app, job_name=spec.name, scheduled_for=firing_time(moment, spec.period, spec.offset), func=spec.func, now=now)


def register_jobs(scheduler, app) -> None:
    """Put every job on the scheduler, on a grid shared by all clock processes."""
    for spec in job_specs():
        trigger = IntervalTrigger(seconds=spec.period, start_date=EPOCH + timedelta(seconds=spec.offset), timezone="UTC")
        scheduler.add_job(_safe_run, trigger, args=(app, spec), id=spec.name, name=spec.name, replace_existing=True)


def _safe_run(app, spec: JobSpec) -> None:
    try:
        run_job(app, spec)
    except Exception:  # even the bookkeeping failing (database down) must not stop the scheduler
        log.exception("job %s: could not run", spec.name)
