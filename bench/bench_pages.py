"""Benchmark the main pages of every role on the demo data set (run on demand, not in the test suite).

Usage:
    .venv/bin/python bench/bench_pages.py                          # SQLite, 20 runs after 2 warm-ups
    .venv/bin/python bench/bench_pages.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/bench_pages.py --runs 5 --only coach
    .venv/bin/python bench/bench_pages.py --compare bench/out/before.json bench/out/after.json

Method: a fresh database (a temporary SQLite file, or a PostgreSQL database created next to the given URL's and
dropped afterwards) is built with the Alembic chain, filled with the demo data (``seed-demo``: demo rows, then
every participant's matches). The Flask test client logs in as each demo user and requests each page: 2 warm-ups,
then N rounds in which every page is requested once (round robin, so a burst of load on a shared machine
spreads over all pages rather than hitting one). Per page: median and p90 wall time of the whole request
(routing, queries, templates) and the number of SQL statements it sent, counted with a ``before_cursor_execute``
listener on the app's engine. A table is printed and a JSON file written to ``bench/out/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
PASSWORD = "stagebrug-demo"
USERS = {
    "coach": "coach@stagebrug.be",
    "employer": "werkgever@stagebrug.be",
    "participant": "deelnemer@stagebrug.be",
    "admin": "admin@stagebrug.be",
}
SLOW_MS = 100.0
MANY_STATEMENTS = 20


# --- database ---------------------------------------------------------------------------------------


def _pg_url(url: str, name: str) -> str:
    return (
        re.sub(r"/[^/?]+(\?|$)", f"/{name}\\1", url, count=1)
        if re.search(r"//[^/]+/", url)
        else url.rstrip("/") + f"/{name}"
    )


def create_postgres_database(url: str) -> str:
    """Create an empty database for this run on the server of ``url`` and return its URL."""
    from sqlalchemy import create_engine, text

    from web.db import build_engine

    name = f"stagebrug_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(build_engine(_pg_url(url, "postgres")).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _pg_url(url, name)


def drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from web.db import build_engine

    name = build_engine(url).url.database
    admin = create_engine(build_engine(_pg_url(url, "postgres")).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    """Build the schema with the Alembic chain (``alembic -c migrations/alembic.ini upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    from web.db import build_engine

    os.environ["DATABASE_URL"] = url
    engine = build_engine(url)
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()


def seed(app) -> dict:
    """Load the demo data and compute every participant's matches, as ``flask seed-demo`` does."""
    from web.db import get_engine, session_scope
    from web.security import hash_password
    from web.services.demo import load_demo_data
    from web.services.matching import refresh_all_matches

    with app.app_context():
        with session_scope(get_engine()) as session:
            counts = load_demo_data(
                session=session,
                seeds_dir=Path(app.config["SEEDS_DIR"]),
                password_hash=hash_password(PASSWORD),
            )
        with session_scope(get_engine()) as session:
            refresh_all_matches(session=session)
    return counts


def build_app(url: str):
    from web import create_app

    app = create_app(
        {
            "ENV_NAME": "development",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "WTF_CSRF_ENABLED": False,
            "MAIL_BACKEND": "memory",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(
        logging.ERROR
    )  # it warns about the screen-only CSS of every sheet
    return app


class StatementCounter:
    """Count the SQL statements sent through an engine (``before_cursor_execute``)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        self.statements: list[str] = []
        self.keep = False
        self.timings: list[tuple[str, float]] = []  # (statement, ms) of the current request
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "after_cursor_execute", self._on_done)

    def _on_execute(self, _conn, _cursor, statement, _parameters, context, _executemany):
        self.count += 1
        if self.keep:
            self.statements.append(statement)
        context._bench_started = time.perf_counter()

    def _on_done(self, _conn, _cursor, statement, _parameters, context, _executemany):
        started = getattr(context, "_bench_started", None)
        if started is not None:
            self.timings.append((statement, (time.perf_counter() - started) * 1000))


# --- which objects to open ------------------------------------------------------------------------


def pick_objects(app) -> dict:
    """Pick, for each role, the objects whose pages are timed: the ones with the most data behind them."""
    from sqlmodel import Session, func, select

    from web.models import (
        EmployerMember,
        Evaluation,
        MatchSuggestion,
        Participant,
        Proposal,
        StagePlace,
        User,
    )
    from web.services.caseload import visible_coach_ids

    with Session(app.extensions["db_engine"]) as db:
        users = {
            role: db.exec(select(User).where(User.email == email)).one() for role, email in USERS.items()
        }
        coach_ids = visible_coach_ids(session=db, coach=users["coach"])
        n_props = func.count(Proposal.id)
        participant_id = db.exec(
            select(Participant.id)
            .outerjoin(Proposal, Proposal.participant_id == Participant.id)
            .where(
                Participant.coach_id.in_(coach_ids),
                Participant.active.is_(True),
                Participant.anonymised_at.is_(None),
            )
            .group_by(Participant.id)
            .order_by(n_props.desc(), Participant.id)
        ).first()
        place_id = db.exec(
            select(MatchSuggestion.place_id)
            .join(StagePlace, StagePlace.id == MatchSuggestion.place_id)
            .join(Participant, Participant.id == MatchSuggestion.participant_id)
            .where(
                StagePlace.status == "published",
                Participant.coach_id.in_(coach_ids),
                MatchSuggestion.excluded.is_(False),
            )
            .group_by(MatchSuggestion.place_id)
            .order_by(func.count().desc(), MatchSuggestion.place_id)
        ).first()
        evaluation_id = db.exec(
            select(Evaluation.id)
            .join(Participant, Participant.id == Evaluation.participant_id)
            .where(Participant.coach_id.in_(coach_ids))
            .order_by(Evaluation.id.desc())
        ).first()
        employer_id = db.exec(
            select(EmployerMember.employer_id).where(EmployerMember.user_id == users["employer"].id)
        ).first()
        employer_place_id = db.exec(
            select(StagePlace.id)
            .outerjoin(Proposal, Proposal.place_id == StagePlace.id)
            .where(StagePlace.employer_id == employer_id)
            .group_by(StagePlace.id)
            .order_by(func.count(Proposal.id).desc(), StagePlace.id)
        ).first()
        proposal_id = db.exec(
            select(Proposal.id)
            .join(StagePlace, StagePlace.id == Proposal.place_id)
            .where(StagePlace.employer_id == employer_id)
            .order_by(Proposal.id.desc())
        ).first()
        edit_participant = db.get(Participant, participant_id)
        from web.models import ParticipantSkill

        skills = db.exec(
            select(ParticipantSkill)
            .where(ParticipantSkill.participant_id == participant_id)
            .order_by(ParticipantSkill.id)
        ).all()
        profile_form = {
            "first_name": edit_participant.first_name,
            "last_name": edit_participant.last_name,
            "email": edit_participant.email or "",
            "phone": edit_participant.phone or "",
            "postal_code": edit_participant.postal_code,
            "max_distance_km": str(edit_participant.max_distance_km),
            "hours_per_week": str(edit_participant.hours_per_week),
            "dutch_level": edit_participant.dutch_level or "",
            "limitations": edit_participant.limitations or "",
            "support_needs": edit_participant.support_needs or "",
            "goals": edit_participant.goals or "",
        }
        if edit_participant.driving_licence:
            profile_form["driving_licence"] = "y"
        profile_form["preferred_sectors"] = list(edit_participant.preferred_sectors or [])
        for i, skill in enumerate(skills):
            profile_form[f"skills-{i}-name"] = skill.name
            profile_form[f"skills-{i}-level"] = str(skill.level)
    return {
        "participant_id": participant_id,
        "place_id": place_id,
        "evaluation_id": evaluation_id,
        "employer_place_id": employer_place_id,
        "proposal_id": proposal_id,
        "profile_form": profile_form,
    }


def pages_for(role: str, ids: dict, client) -> list[tuple[str, str, str]]:
    """The (name, method, url) of the pages timed for a role."""
    today = date.today()
    monitoring_filters = f"?date_from={today - timedelta(days=365)}&date_to={today}&sector=logistiek"
    if role == "coach":
        pid, place = ids["participant_id"], ids["place_id"]
        return [
            ("coach dashboard", "GET", "/coach/"),
            ("coach caseload", "GET", "/coach/deelnemers"),
            ("coach caseload (days in phase, page 2)", "GET", "/coach/deelnemers?sorteer=-dagen&pagina=2"),
            ("coach places", "GET", "/coach/stageplaatsen"),
            ("coach places by distance from a participant", "GET", f"/coach/stageplaatsen?deelnemer={pid}&sorteer=afstand"),
            ("coach participant", "GET", f"/coach/deelnemers/{pid}"),
            ("coach ranked places", "GET", f"/coach/deelnemers/{pid}/plaatsen"),
            ("coach place + ranked participants", "GET", f"/coach/stageplaatsen/{place}"),
            ("coach suggested assignments", "GET", "/coach/koppelingen"),
            ("coach evaluation", "GET", f"/coach/evaluaties/{ids['evaluation_id']}"),
            ("coach notifications", "GET", "/meldingen/"),
            ("coach profile edit (POST, refreshes matches)", "POST", f"/coach/deelnemers/{pid}/profiel"),
        ]
    if role == "employer":
        place = ids["employer_place_id"]
        return [
            ("employer dashboard", "GET", "/werkgever/"),
            ("employer places", "GET", "/werkgever/plaatsen"),
            ("employer place", "GET", f"/werkgever/plaatsen/{place}"),
            ("employer sheet", "GET", f"/werkgever/plaatsen/{place}/fiche"),
            ("employer sheet PDF", "GET", f"/werkgever/plaatsen/{place}/fiche.pdf"),
            ("employer proposals inbox", "GET", "/werkgever/voorstellen"),
            ("employer proposals waiting for you", "GET", "/werkgever/voorstellen?wacht=1&sorteer=ontvangen"),
            ("employer proposal", "GET", f"/werkgever/voorstellen/{ids['proposal_id']}"),
            ("employer notifications", "GET", "/meldingen/"),
        ]
    if role == "participant":
        listing = client.get("/deelnemer/vacatures").get_data(as_text=True)
        found = re.search(r'/deelnemer/vacatures/(\d+)"', listing)
        pages = [
            ("participant dashboard", "GET", "/deelnemer/"),
            ("participant vacancies", "GET", "/deelnemer/vacatures"),
        ]
        if found:
            pages.append(("participant vacancy", "GET", f"/deelnemer/vacatures/{found.group(1)}"))
        return pages + [
            ("participant trajectory", "GET", "/deelnemer/traject"),
            ("participant my data", "GET", "/deelnemer/gegevens"),
            ("participant JSON export", "GET", "/deelnemer/gegevens/download.json"),
            ("participant notifications", "GET", "/meldingen/"),
        ]
    return [
        ("admin dashboard", "GET", "/admin/"),
        ("admin users", "GET", "/admin/gebruikers"),
        ("admin users (coaches, page 2)", "GET", "/admin/gebruikers?rol=coach&pagina=2&sorteer=organisatie"),
        ("admin organisations", "GET", "/admin/organisaties?sorteer=-plaatsen"),
        ("admin audit log", "GET", "/admin/audit"),
        ("admin audit log (actor, page 3)", "GET", "/admin/audit?actor=coach&pagina=3"),
        ("admin monitoring", "GET", "/admin/monitoring"),
        ("admin monitoring (filtered)", "GET", "/admin/monitoring" + monitoring_filters),
        ("admin monitoring CSV", "GET", "/admin/monitoring/places.csv"),
        ("admin notifications", "GET", "/meldingen/"),
    ]


# --- timing ---------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    method: str
    url: str
    client: object
    data: dict | None = None
    times_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    statement_ms: dict = field(default_factory=dict)  # statement -> [ms per request]
    status: int = 0
    size: int = 0

    def request(self, counter: StatementCounter) -> None:
        counter.count = 0
        counter.timings = []
        started = time.perf_counter()
        response = self.client.open(self.url, method=self.method, data=self.data)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        self.status, self.size = response.status_code, len(body)
        expected = (302,) if self.method == "POST" else (200,)
        if response.status_code not in expected:
            raise SystemExit(f"{self.name}: {self.method} {self.url} answered {response.status_code}")
        self.times_ms.append(elapsed)
        self.statements.append(counter.count)
        self.sql_ms.append(sum(ms for _, ms in counter.timings))
        for statement, ms in counter.timings:
            self.statement_ms.setdefault(statement, []).append(ms)

    def slowest(self, n: int) -> list[tuple[float, str]]:
        """The n statements with the largest median time (ms) per request."""
        medians = [(statistics.median(ms), " ".join(st.split())) for st, ms in self.statement_ms.items()]
        return sorted(medians, reverse=True)[:n]

    def summary(self) -> dict:
        times = sorted(self.times_ms)
        p90 = times[min(len(times) - 1, max(0, round(0.9 * len(times)) - 1))]
        return {
            "name": self.name,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "bytes": self.size,
            "runs": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(p90, 2),
            "min_ms": round(times[0], 2),
            "sql_median_ms": round(statistics.median(self.sql_ms), 2) if self.sql_ms else None,
            "slowest_statements": [{"median_ms": round(ms, 2), "sql": sql[:400]} for ms, sql in self.slowest(3)],
            "statements": max(self.statements),
            "statements_min": min(self.statements),
        }


def login(app, role: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": USERS[role], "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login as {USERS[role]} failed ({response.status_code})")
    return client


REGION_COACH = "coach.00.0@region.stagebrug.be"  # team lead of a shared team of three: about 530 participants


def use_region_users(app) -> None:
    """Time the region's pages as a region coach and as the employer with the most proposals."""
    from sqlmodel import Session, func, select

    from web.models import EmployerMember, Proposal, StagePlace, User

    with Session(app.extensions["db_engine"]) as db:
        owner = db.exec(
            select(User.email).join(EmployerMember, EmployerMember.user_id == User.id)
            .join(StagePlace, StagePlace.employer_id == EmployerMember.employer_id).join(Proposal, Proposal.place_id == StagePlace.id)
            .group_by(User.email).order_by(func.count().desc(), User.email)
        ).first()
    USERS["coach"], USERS["employer"] = REGION_COACH, owner


def run(
    url: str, *, runs: int, warmups: int, only: set[str] | None, backend: str, label: str | None = None, region: bool = False,
    existing: bool = False,
) -> dict:
    started = time.perf_counter()
    if not existing:
        migrate(url)
    app = build_app(url)
    if existing:
        counts = {}
    elif region:
        from region_data import build_region

        counts = build_region(app, password=PASSWORD)["counts"]
    else:
        counts = seed(app)
    if region:
        use_region_users(app)
    setup_s = time.perf_counter() - started
    counter = StatementCounter(app.extensions["db_engine"])
    ids = pick_objects(app)
    pages: list[Page] = []
    for role in USERS:
        if only and role not in only:
            continue
        client = login(app, role)
        for name, method, path in pages_for(role, ids, client):
            pages.append(
                Page(name, method, path, client, data=ids["profile_form"] if method == "POST" else None)
            )
    for _ in range(warmups):
        for page in pages:
            page.request(counter)
    for page in pages:
        page.times_ms.clear()
        page.statements.clear()
        page.sql_ms.clear()
        page.statement_ms.clear()
    for _ in range(runs):
        for page in pages:
            page.request(counter)
    app.extensions["db_engine"].dispose()
    return {
        "meta": meta(
            backend=backend, runs=runs, warmups=warmups, setup_s=round(setup_s, 1), rows=counts, label=label
        ),
        "pages": [p.summary() for p in pages],
    }


def meta(**extra) -> dict:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    if not extra.get("label"):
        extra["label"] = commit or ROOT.name
    return {
        "root": str(ROOT),
        "commit": commit,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **extra,
    }


# --- reporting ------------------------------------------------------------------------------------


def flag(page: dict) -> str:
    marks = []
    if page["median_ms"] > SLOW_MS:
        marks.append("slow")
    if page["statements"] > MANY_STATEMENTS:
        marks.append("many SQL")
    return ", ".join(marks)


def print_table(result: dict) -> None:
    m = result["meta"]
    print(
        f"\n{m['backend']} ({m['label']}): {m['runs']} runs after {m['warmups']} warm-ups; load {m['load_average']}; "
        f"setup {m['setup_s']}s"
    )
    width = max(len(p["name"]) for p in result["pages"])
    print(f"{'page':<{width}}  {'median ms':>9}  {'p90 ms':>8}  {'SQL ms':>7}  {'SQL':>4}  flags")
    for p in result["pages"]:
        sql_ms = p.get("sql_median_ms")
        sql_ms = f"{sql_ms:>7.1f}" if sql_ms is not None else f"{'-':>7}"
        print(
            f"{p['name']:<{width}}  {p['median_ms']:>9.1f}  {p['p90_ms']:>8.1f}  {sql_ms}  {p['statements']:>4}  {flag(p)}"
        )


def print_slowest(result: dict) -> None:
    """For every slow page, its three slowest statements (median ms per request)."""
    for p in result["pages"]:
        if p["median_ms"] > SLOW_MS and p.get("slowest_statements"):
            print(f"\n{p['name']} ({p['median_ms']:.0f} ms, SQL {p.get('sql_median_ms') or 0:.0f} ms):")
            for st in p["slowest_statements"]:
                print(f"  {st['median_ms']:7.1f} ms  {st['sql'][:160]}")


def print_comparison(before: dict, after: dict) -> None:
    """Print two result files side by side (medians, p90 and statement counts)."""
    rows = {p["name"]: p for p in before["pages"]}
    width = max(len(p["name"]) for p in after["pages"])
    print(
        f"{before['meta']['backend']}: before = {before['meta']['label']} ({before['meta']['at']}, load {before['meta']['load_average']}); "
        f"after = {after['meta']['label']} ({after['meta']['at']}, load {after['meta']['load_average']})"
    )
    print(
        f"{'page':<{width}}  {'median before':>13}  {'median after':>12}  {'p90 before':>10}  {'p90 after':>9}  {'SQL before':>10}  {'SQL after':>9}"
    )
    for p in after["pages"]:
        b = rows.get(p["name"])
        bm, bp, bs = (
            (f"{b['median_ms']:.1f}", f"{b['p90_ms']:.1f}", str(b["statements"])) if b else ("-", "-", "-")
        )
        print(
            f"{p['name']:<{width}}  {bm:>13}  {p['median_ms']:>12.1f}  {bp:>10}  {p['p90_ms']:>9.1f}  {bs:>10}  {p['statements']:>9}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed requests per page first (default 2)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL: a database is created on this server and dropped",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run (with --postgres)")
    parser.add_argument("--region", action="store_true", help="the region-size set (bench/region_data.py) instead of the demo; PostgreSQL only")
    parser.add_argument("--database", metavar="URL", help="time an existing database (built with --region and kept) without building one")
    parser.add_argument(
        "--only", action="append", choices=sorted(USERS), help="time only this role's pages (repeatable)"
    )
    parser.add_argument("--out", type=Path, help="JSON file to write (default bench/out/pages-<time>.json)")
    parser.add_argument("--label", help="name of this run in reports (default: the git commit)")
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("BEFORE", "AFTER"),
        help="print two result files side by side",
    )
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        for b, a in zip(before["results"], after["results"], strict=False):
            print_comparison(b, a)
            print()
        return 0
    results = []
    only = set(args.only) if args.only else None
    if args.database:
        results.append(run(args.database, runs=args.runs, warmups=args.warmups, only=only, backend="postgresql", label=args.label,
                           region=args.region, existing=True))
        print_table(results[-1])
        print_slowest(results[-1])
    elif args.region:
        args.no_sqlite = True
    if not args.no_sqlite and not args.database:
        with tempfile.TemporaryDirectory(prefix="stagebrug-bench-") as tmp:
            results.append(
                run(
                    f"sqlite:///{Path(tmp) / 'bench.db'}",
                    runs=args.runs,
                    warmups=args.warmups,
                    only=only,
                    backend="sqlite",
                    label=args.label,
                )
            )
        print_table(results[-1])
        print_slowest(results[-1])
    if args.postgres:
        url = create_postgres_database(args.postgres)
        try:
            results.append(
                run(
                    url,
                    runs=args.runs,
                    warmups=args.warmups,
                    only=only,
                    backend="postgresql",
                    label=args.label,
                    region=args.region,
                )
            )
        finally:
            drop_postgres_database(url)
        print_table(results[-1])
        print_slowest(results[-1])
    OUT.mkdir(parents=True, exist_ok=True)
    out = args.out or OUT / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"results": results}, indent=2, ensure_ascii=False))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
