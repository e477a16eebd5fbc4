"""Gunicorn settings for Stagebrug (the Procfile's ``web:`` uses this file; each value can be set from the environment).

- workers = cores + 1, threads = 4 (on the 2-core machine: 3 × 4). A page is mostly Python on one core (the GIL)
  and partly waiting on PostgreSQL (3 to 20 statements), and PostgreSQL runs on the same cores. Two processes
  already keep both cores busy with Python; a third covers the time one waits on the database; more processes
  only queue on the cores and each needs its own database connections. Four threads per worker overlap the
  database waits of one worker's requests (a thread holds the GIL only while it runs Python), so a slow request
  (the sheet PDF, a profile save that re-ranks) does not hold up the others of its worker. The former
  2 × cores + 1 = 5 workers × 2 threads had every worker build its own engine on its first request.
- preload_app: the app is built once in the master, and ``when_ready`` warms it there (``web.services.matching.warm``:
  the engine with its vocabulary and postal codes, the open places and active participants, prepared) before the
  workers are forked: every worker starts warm and shares those structures copy-on-write. The master's database
  connections are closed before the fork, and each worker drops any inherited pool in ``post_fork``. With the
  app preloaded, new code needs a restart of gunicorn (a HUP re-forks the workers from the old master's code).
- the SQLAlchemy pool of each worker (``web.db``: 5 + 5 overflow) allows ``threads`` connections at once: workers ×
  threads is the number of PostgreSQL connections the web tier uses (12 on 2 cores, well under max_connections).
- keep-alive 5 s behind a proxy that reuses connections; timeout 30 s so a stuck request is restarted instead of
  holding a worker (the slowest page, the sheet PDF, takes under a second); graceful timeout for deploys.
- max_requests with jitter recycles workers slowly, so a slow leak cannot grow without bound; a recycled worker is
  forked from the warm master again.
- the access log leaves out the query string: invitation and password-reset links carry one-time tokens in the
  path, and search fields can carry names, so the log keeps the path without tokens, the status and the time only.
"""
import multiprocessing
import os
import re

from gunicorn import glogging

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
wsgi_app = "web:create_app()"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# remote address, time, method, path (no query string), status, bytes, duration in ms
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_TOKEN_PATH = re.compile(r"/(uitnodiging|wachtwoord)/[^/?\s\"]+")


class TokenlessLogger(glogging.Logger):
    """The access log with one-time tokens in invitation and reset paths replaced by '…' and no query string."""

    def atoms(self, resp, req, environ, request_time):
        values = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if key in values:
                values[key] = _TOKEN_PATH.sub(r"/\1/…", values[key].split("?", 1)[0] if key == "U" else values[key])
        values["q"] = ""
        return values


logger_class = TokenlessLogger


def when_ready(server):
    """Warm the preloaded app in the master, once, before the workers are forked (see the docstring above)."""
    if not preload_app:
        return
    import time

    from web.services.matching import warm

    started = time.perf_counter()
    try:
        figures = warm(server.app.wsgi())
    except Exception:  # a database that is not reachable yet: the workers build what they need on first use
        server.log.exception("warming the app failed; workers start cold")
        return
    server.log.info("app warmed in %.1f s: %s", time.perf_counter() - started, figures)


def post_fork(server, worker):
    """A forked worker never uses the master's database connections (there are none left after warming)."""
    if preload_app:
        app = server.app.wsgi()
        engine = app.extensions.get("db_engine")
        if engine is not None:
            engine.dispose(close=False)
