"""The nightly re-match as the clock runs it, on an existing database: wall time, peak memory, rows written, table size.

Each measurement runs in a child process of its own (so its peak RSS, ``ru_maxrss``, is the job's and not this
script's) that builds the app exactly as ``web.clock`` does and runs one firing of ``refresh_matches_full``
through ``web.services.jobs.run_firing`` (own session, commit per chunk of participants, a ``JobRun`` row). The
first run brings the stored suggestions up to date; the second changes nothing and must write nothing, so the
table must not grow. ``--change-places`` / ``--change-participants`` change that many published places and active
participants before each run, as a typical night finds them (hours per week one up or down, stamped as the services
do); ``--runs 0`` with them only applies the change. Then one changed participant and one changed place are refreshed the way a profile save and
a place edit do (``refresh_matches_for_participant`` / ``refresh_matches_for_place``), timed in the same child
after its engine is warm, as in a web worker.

    python bench/bench_nightly.py --database postgresql://postgres@127.0.0.1:5432/stagebrug_bench_xxxx
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _table_size(url: str) -> dict:
    from sqlalchemy import text

    from web.db import build_engine

    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM match_suggestion")).scalar_one()
            size = None
            if engine.dialect.name == "postgresql":
                size = conn.execute(text("SELECT pg_total_relation_size('match_suggestion')")).scalar_one()
    finally:
        engine.dispose()
    return {"rows": int(rows), "bytes": int(size) if size is not None else None}


def change_rows(url: str, places: int, participants: int, salt: int) -> None:
    """Change the hours of ``places`` published places and ``participants`` active participants, spread over the ids."""
    from sqlalchemy import text

    from web.db import build_engine

    engine = build_engine(url)
    try:
        with engine.begin() as conn:
            for table, condition, count in (("stage_place", "status = 'published'", places), ("participant", "active", participants)):
                if not count:
                    continue
                ids = conn.execute(text(f"SELECT id FROM {table} WHERE {condition} ORDER BY id")).scalars().all()
                step = max(1, len(ids) // count)
                chosen = [ids[(salt * 7 + k * step) % len(ids)] for k in range(min(count, len(ids)))]
                conn.execute(text(f"UPDATE {table} SET hours_per_week = CASE WHEN hours_per_week >= 30 THEN hours_per_week - 1 "
                                  f"ELSE hours_per_week + 1 END, updated_at = now() WHERE id = ANY(:ids)"), {"ids": chosen})
    finally:
        engine.dispose()


def child(url: str, scheduled_for: str, singles: int) -> dict:
    """Run one nightly firing in this process, then time single refreshes; print the figures as JSON."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("STAGEBRUG_ENV", "development")
    os.environ.setdefault("MAIL_BACKEND", "memory")
    from sqlmodel import Session, select

    from web import create_app
    from web.jobs import refresh_matches_full
    from web.models import JobRun, Participant, StagePlace
    from web.services.jobs import run_firing
    from web.services.matching import refresh_matches_for_participant, refresh_matches_for_place

    app = create_app({"DATABASE_URL": url})
    engine = app.extensions["db_engine"]
    firing = datetime.fromisoformat(scheduled_for)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = run_firing(app=app, job_name="refresh_matches_full", scheduled_for=firing, func=refresh_matches_full)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    with Session(engine) as session:
        run = session.exec(select(JobRun).where(JobRun.job_name == "refresh_matches_full", JobRun.scheduled_for == firing)).one()
        summary = run.detail
    single_participant, single_place = [], []
    if singles:
        with app.app_context(), Session(engine) as session:
            people = session.exec(select(Participant.id).where(Participant.active.is_(True)).order_by(Participant.id).limit(singles)).all()
            places = session.exec(select(StagePlace.id).where(StagePlace.status == "published").order_by(StagePlace.id).limit(singles)).all()
            for pid in people:
                t = time.perf_counter()
                refresh_matches_for_participant(session=session, participant_id=pid)
                session.commit()
                single_participant.append((time.perf_counter() - t) * 1000)
            for place_id in places:
                t = time.perf_counter()
                refresh_matches_for_place(session=session, place_id=place_id)
                session.commit()
                single_place.append((time.perf_counter() - t) * 1000)
    engine.dispose()
    return {"outcome": outcome, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak_mb, 1), "summary": summary,
            "participant_ms": single_participant, "place_ms": single_place}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--runs", type=int, default=2, help="nightly firings, one after the other (default 2)")
    parser.add_argument("--singles", type=int, default=5, help="single participants and places refreshed after the last run")
    parser.add_argument("--child", metavar="SCHEDULED_FOR", help=argparse.SUPPRESS)
    parser.add_argument("--change-places", type=int, default=0, metavar="N", help="published places changed before each run")
    parser.add_argument("--change-participants", type=int, default=0, metavar="N", help="active participants changed before each run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.database, args.child, args.singles), default=str))
        return 0
    results = []
    base = datetime(2000, 1, 1, 2, 0, tzinfo=UTC) + timedelta(minutes=int(time.time()) % 100_000)  # a firing of its own
    if not args.runs and (args.change_places or args.change_participants):
        change_rows(args.database, args.change_places, args.change_participants, int(time.time()))
    for index in range(args.runs):
        if args.change_places or args.change_participants:
            change_rows(args.database, args.change_places, args.change_participants, int(time.time()) + index)
        before = _table_size(args.database)
        scheduled = (base + timedelta(days=index)).isoformat()
        singles = args.singles if index == args.runs - 1 else 0
        out = subprocess.run([sys.executable, __file__, "--database", args.database, "--child", scheduled, "--singles", str(singles)],
                             check=True, capture_output=True, text=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        figures["cpu_s"] = round(float(figures.get("cpu_s", 0)), 2)
        after = _table_size(args.database)
        figures.update(rows_before=before["rows"], rows_after=after["rows"], bytes_before=before["bytes"], bytes_after=after["bytes"])
        results.append(figures)
        size = (f", table {before['bytes'] / 2**20:.0f} -> {after['bytes'] / 2**20:.0f} MB" if before["bytes"] is not None else "")
        print(f"nightly run {index + 1}: {figures['outcome']} in {figures['wall_s']:.1f} s (CPU {figures['cpu_s']:.1f} s), peak RSS {figures['peak_rss_mb']:.0f} MB, "
              f"rows {before['rows']:,} -> {after['rows']:,}{size}; {figures['summary']}")
        if figures["participant_ms"]:
            print(f"one participant refreshed: median {statistics.median(figures['participant_ms']):.0f} ms "
                  f"(max {max(figures['participant_ms']):.0f}); one place: median {statistics.median(figures['place_ms']):.0f} ms "
                  f"(max {max(figures['place_ms']):.0f}), {len(figures['place_ms'])} each")
    print(f"load average {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "load_average": os.getloadavg()}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
