"""Job bookkeeping: one JobRun per firing, failures recorded and retried at the next firing, never fatal."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

import web.jobs as jobs
from web.jobs import JobSpec, register_jobs, run_job
from web.models import JobRun, OutboxEmail
from web.services.jobs import firing_time, run_firing

NOW = datetime(2026, 3, 10, 6, 0, 30, tzinfo=UTC)


def test_firing_time_is_on_a_grid_shared_by_all_processes():
    assert firing_time(datetime(2026, 3, 10, 6, 0, 30, tzinfo=UTC), 86400, 6 * 3600) == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert firing_time(datetime(2026, 3, 10, 5, 59, 59, tzinfo=UTC), 86400, 6 * 3600) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    assert firing_time(datetime(2026, 3, 10, 6, 14, 59, tzinfo=UTC), 900) == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


def test_a_firing_runs_once_even_when_started_twice(app, session):
    calls = []

    def job(*, session, app, now, since):
        calls.append(now)
        return {"done": 1}

    spec = JobSpec("demo", job, 3600)
    assert run_job(app, spec, now=NOW) == "ran"
    assert run_job(app, spec, now=NOW + timedelta(minutes=5)) == "skipped"
    assert len(calls) == 1
    run = session.exec(select(JobRun)).one()
    assert (run.job_name, run.outcome, run.detail) == ("demo", "ok", "done=1")
    assert run.scheduled_for == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert run.finished_at >= run.started_at


def test_a_failing_job_is_recorded_and_runs_again_at_its_next_firing(app, session):
    attempts = []

    def flaky(*, session, app, now, since):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("smtp down")
        return {"ok": True}

    spec = JobSpec("flaky", flaky, 3600)
    assert run_job(app, spec, now=NOW) == "failed"
    assert run_job(app, spec, now=NOW + timedelta(hours=1)) == "ran"
    runs = session.exec(select(JobRun).order_by(JobRun.scheduled_for)).all()
    assert [r.outcome for r in runs] == ["failed", "ok"]
    assert "RuntimeError: smtp down" in runs[0].detail


def test_a_failing_job_rolls_back_its_own_work(app, session):
    def half_done(*, session, app, now, since):
        session.add(OutboxEmail(to_address="a@example.be", subject="x", body_text="y"))
        session.flush()
        raise ValueError("boom")

    assert run_firing(app=app, job_name="half", scheduled_for=NOW, func=half_done) == "failed"
    assert session.exec(select(OutboxEmail)).all() == []


def test_incremental_job_gets_the_start_of_its_last_successful_run(app):
    seen = []

    def job(*, session, app, now, since):
        seen.append(since)

    spec = JobSpec("incremental", job, 900)
    run_job(app, spec, now=NOW)
    run_job(app, spec, now=NOW + timedelta(minutes=15))
    assert seen[0] is None
    assert seen[1] is not None


def test_a_failing_job_never_stops_the_scheduler(app, session, monkeypatch):
    def broken(*, session, app, now, since):
        raise RuntimeError("always fails")

    monkeypatch.setattr(jobs, "JOBS", (JobSpec("broken", broken, 1),))
    monkeypatch.setenv("STAGEBRUG_CLOCK_INTERVAL", "1")
    scheduler = BackgroundScheduler(timezone="UTC")
    register_jobs(scheduler, app)
    scheduler.start()
    try:
        time.sleep(3.5)
        assert scheduler.running
    finally:
        scheduler.shutdown(wait=True)
    runs = session.exec(select(JobRun).where(JobRun.job_name == "broken")).all()
    assert len(runs) >= 2
    assert {r.outcome for r in runs} == {"failed"}


def test_jobs_whose_services_are_missing_skip_with_a_clear_reason(app, session, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_services(name, *args, **kwargs):
        if name in ("web.services.matching", "web.services.places"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_services)
    assert jobs.refresh_matches_incremental(session=session, app=app, now=NOW, since=None) == {"skipped": "matching service missing"}
    assert jobs.expire_places(session=session, app=app, now=NOW, since=None) == {"skipped": "places service missing"}


def test_outbox_job_delivers_waiting_mail(app, session):
    session.add(OutboxEmail(to_address="a@example.be", subject="Hallo", body_text="Tekst"))
    session.commit()
    spec = next(s for s in jobs.JOBS if s.name == "deliver_outbox")
    assert run_job(app, spec, now=NOW) == "ran"
    mail = session.exec(select(OutboxEmail)).one()
    session.refresh(mail)
    assert mail.sent_at is not None


@pytest.mark.parametrize("name", [s.name for s in jobs.JOBS])
def test_every_registered_job_runs_on_an_empty_database(app, session, name):
    spec = next(s for s in jobs.JOBS if s.name == name)
    assert run_job(app, spec, now=NOW) == "ran"
