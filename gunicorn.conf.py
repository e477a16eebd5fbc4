"""Gunicorn settings for Stagebrug (the Procfile's ``web:`` uses this file; each value can be set from the environment).

- workers = 2 per core + 1, threads = 2: requests are short and mostly wait on the database (a page sends 3 to 20
  statements), so a few threads per worker overlap those waits without the memory of more processes; every worker
  keeps its own prepared places for re-ranking, so fewer, threaded workers also re-use that cache better.
- the SQLAlchemy pool of each worker (``web.db``) must allow ``threads`` connections at once: workers × threads is
  the number of PostgreSQL connections the web tier uses (10 on 2 cores, well under the default max_connections).
- keep-alive 5 s behind a proxy that reuses connections; timeout 30 s so a stuck request is restarted instead of
  holding a worker (the slowest page, the sheet PDF, takes under a second); graceful timeout for deploys.
- max_requests with jitter recycles workers slowly, so a slow leak cannot grow without bound.
- the access log leaves out the query string: invitation and password-reset links carry one-time tokens in the
  path, and search fields can carry names, so the log keeps the path without tokens, the status and the time only.
"""
import multiprocessing
import os
import re

from gunicorn import glogging

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
