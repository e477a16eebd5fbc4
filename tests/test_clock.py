"""The clock process: two real scheduler processes on one database run every firing exactly once."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from web.jobs import JOBS
from web.models import JobRun

REPO = Path(__file__).resolve().parent.parent
LINE = re.compile(r"job (\w+) firing (\S+): (ran|skipped|failed)")


def _start_clock(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "STAGEBRUG_CLOCK_INTERVAL": "1", "MAIL_BACKEND": "memory", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "web.clock"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _collect(clock: subprocess.Popen, lines: list[str]) -> threading.Thread:
    thread = threading.Thread(target=lambda: lines.extend(iter(clock.stdout.readline, "")), daemon=True)
    thread.start()
    return thread


def test_two_scheduler_processes_run_each_firing_once(app):
    url = app.config["DATABASE_URL"]
    clocks = [_start_clock(url), _start_clock(url)]
    logs: list[list[str]] = [[], []]
    readers = [_collect(clock, lines) for clock, lines in zip(clocks, logs, strict=True)]
    deadline = time.monotonic() + 90  # a loaded machine may take a while to import and start
    while not all(any("clock: starting" in line for line in lines) for lines in logs):
        if time.monotonic() > deadline:
            for clock in clocks:
                clock.kill()
                clock.wait()
                clock.stdout.close()
            raise AssertionError("the clocks did not start")
        time.sleep(0.2)
    # Let both clocks run until every job has run at least three firings (a loaded machine is slower), at most 120 s.
    expected_jobs = {job.name for job in JOBS}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(1)
        with Session(app.extensions["db_engine"]) as session:
            done = Counter(r.job_name for r in session.exec(select(JobRun)).all() if r.finished_at is not None)
        if set(done) >= expected_jobs and min(done[name] for name in expected_jobs) >= 3:
            break
    for clock in clocks:
        clock.send_signal(signal.SIGTERM)
    outputs = []
    for clock, reader, lines in zip(clocks, readers, logs, strict=True):
        clock.wait(timeout=30)
        reader.join(timeout=10)
        clock.stdout.close()
        out = "".join(lines)
        outputs.append(out)
        assert clock.returncode == 0, out[-2000:]
    assert all(f"clock: starting with {len(JOBS)} job(s)" in out for out in outputs), outputs[0][-2000:]

    results = [m.groups() for out in outputs for m in LINE.finditer(out)]
    ran = Counter((job, firing) for job, firing, result in results if result == "ran")
    assert ran, outputs[0][-2000:]
    assert max(ran.values()) == 1  # no firing ran in both processes
    assert not [r for r in results if r[2] == "failed"]
    # both processes tried the same firings: every firing one process ran, the other skipped (or had not started yet)
    assert any(result == "skipped" for _, _, result in results)
    with Session(app.extensions["db_engine"]) as session:
        runs = session.exec(select(JobRun)).all()
    assert len(runs) == len(ran)
    assert {(r.job_name, r.scheduled_for.isoformat()) for r in runs} == set(ran)
    assert all(r.outcome == "ok" and r.finished_at is not None for r in runs)
    per_job = Counter(r.job_name for r in runs)
    assert set(per_job) == {
        "refresh_matches", "refresh_matches_full", "expire_places", "remind_phases", "remind_proposals", "remind_nazorg",
        "deliver_outbox", "deliver_webhooks", "announce_expiring_places", "purge_data", "remind_meetings",
    }
    assert min(per_job.values()) >= 3
