"""The scheduler process (Procfile ``clock:``): runs background jobs, never inside web workers."""
from __future__ import annotations

import logging
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("stagebrug.clock")


def build_scheduler(app) -> BlockingScheduler:
    """Create the scheduler with every registered job."""
    scheduler = BlockingScheduler(timezone="Europe/Brussels", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    try:
        from web.jobs import register_jobs
    except ImportError:  # no jobs registered yet
        return scheduler
    register_jobs(scheduler, app)
    return scheduler


def main() -> int:
    from web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    scheduler = build_scheduler(app)

    def _stop(signum, _frame):
        log.info("clock: signal %s received, stopping", signum)
        if scheduler.running:  # a second signal (e.g. to the whole process group) must not raise
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("clock: starting with %d job(s)", len(scheduler.get_jobs()))
    scheduler.start()
    log.info("clock: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
