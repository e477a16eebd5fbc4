"""Load test against gunicorn on PostgreSQL: start the server with gunicorn.conf.py, run locust headless, stop both.

    python bench/load_test.py --database postgresql://postgres@127.0.0.1:5432/stagebrug_bench_xxxx --users 50 --seconds 60

The database must hold the region set (``bench/region_data.py --keep``). The server listens on 127.0.0.1 only,
locust stops by itself after ``--seconds``, and the server is stopped afterwards. Prints requests per second,
failures and the 50th/95th/99th percentile per request name and in all, and the load average before and after.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/auth/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds} s")


def _forget_logins(url: str) -> None:
    """Empty the benchmark database's login attempts, so an earlier run's logins do not throttle this one's."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from web.db import build_engine

    name = make_url(url).database or ""
    if not (name.startswith("stagebrug_bench_") or name.endswith(".db")):
        raise SystemExit(f"refusing to clear the login attempts of {name!r}: the load test runs on a benchmark database "
                         "(stagebrug_bench_*, made by bench/region_data.py) or a SQLite file")
    engine = build_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM login_attempt"))
    finally:
        engine.dispose()


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL of a database with the region set")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--out", type=Path, help="JSON summary to write (default bench/out/load-<time>.json)")
    parser.add_argument("--with-ramp-up", dest="steady", action="store_false",
                        help="keep the ramp-up (the users' logins) in the figures instead of restarting them once all are spawned")
    args = parser.parse_args(argv)
    host = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DATABASE_URL": args.database, "SECRET_KEY": secrets.token_hex(32), "GUNICORN_BIND": f"127.0.0.1:{args.port}",
           "GUNICORN_ACCESS_LOG": os.devnull, "MAIL_BACKEND": "memory", "SESSION_COOKIE_SECURE": "0",
           # a local benchmark over plain HTTP: the development settings, also when run outside make
           "STAGEBRUG_ENV": os.environ.get("STAGEBRUG_ENV", "development")}
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    _forget_logins(args.database)  # the login throttle counts attempts per address: every run logs 50 users in from 127.0.0.1
    load_before = os.getloadavg()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    server_log = (ROOT / "bench" / "out" / "load-gunicorn.log").open("w")
    server = subprocess.Popen([str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")], cwd=ROOT, env=env,
                              stdout=server_log, stderr=server_log, start_new_session=True)
    try:
        wait_until_up(host)
        with tempfile.TemporaryDirectory(prefix="stagebrug-load-") as tmp:
            prefix = Path(tmp) / "run"
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
                 "-t", f"{args.seconds}s", "--host", host, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
                 # the figures are the steady state: statistics restart once every user is spawned, and again once
                 # every user has logged in and read its first lists (bench/locustfile.py, _Member._ready)
                 *(["--reset-stats"] if args.steady else [])],
                cwd=ROOT, check=False, timeout=args.seconds + 120, env={**os.environ, "STAGEBRUG_LOAD_RAMP_UP": "0" if args.steady else "1"},
            )
            rows = read_stats(prefix)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
    load_after = os.getloadavg()
    summary = []
    print(f"\n{'request':40} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in rows:
        item = {"name": row["Name"], "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"], "p99": row["99%"]}
        summary.append(item)
        print(f"{item['name'][:40]:40} {item['count']:7} {item['failures']:5} {item['rps']:7.1f} {item['p50']:>6} {item['p95']:>6} {item['p99']:>6}")
    print(f"load average before {load_before[0]:.1f} / after {load_after[0]:.1f} (1 min); {os.cpu_count()} cores")
    out = args.out or ROOT / "bench" / "out" / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"users": args.users, "seconds": args.seconds, "steady_state": args.steady, "load_before": load_before, "load_after": load_after,
                               "requests": summary}, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
