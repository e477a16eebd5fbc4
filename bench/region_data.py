"""The region-size data set: all of Flanders on one database, built deterministically for benchmarks and load tests.

On top of the 1× demo (``web.services.demo.load_demo_data``: reference data, the demo accounts and their
300 participants) it adds, from one seeded ``random.Random``, what a Flemish region holds: 18 more teams of three
coaches around 18 more centres (20 teams, 60 coaches in all), ~9,900 participants (about 86 % active) with postal codes near their team's centre,
skills and several years of closed trajectories, 196 employers with ~3,500 places (~2,070 published), ~30,000
proposals with their events, ~5,100 evaluations and 100,000 audit rows. The stored suggestions come from one
``Engine.rank_all`` call (the engine's fast path), top 50 places per participant.

The rows are written in bulk (Core ``INSERT`` of many rows at once) rather than through the services one by
one: that is what keeps the build under two minutes on PostgreSQL. Only benchmarks use it, never ``make run``.

    python bench/region_data.py --postgres postgresql://postgres@127.0.0.1:5432/postgres --keep
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261201
# 20 centres over Flanders (the demo's own teams sit in Gent and Antwerpen): team name, postal code
CENTRES = [
    ("Brugge", "8000"), ("Oostende", "8400"), ("Kortrijk", "8500"), ("Roeselare", "8800"), ("Ieper", "8900"),
    ("Aalst", "9300"), ("Sint-Niklaas", "9100"), ("Dendermonde", "9200"), ("Oudenaarde", "9700"), ("Mechelen", "2800"),
    ("Turnhout", "2300"), ("Geel", "2440"), ("Lier", "2500"), ("Leuven", "3000"), ("Vilvoorde", "1800"),
    ("Hasselt", "3500"), ("Genk", "3600"), ("Sint-Truiden", "3800"),
]  # 18 new teams of 3 coaches: with the demo's 2 teams and 6 coaches, 20 teams and 60 coaches
COACHES_PER_TEAM = 3
PARTICIPANTS_PER_COACH = (174, 182)
EXTRA_EMPLOYERS = 147  # the demo has 49: 196 in all
PLACES_PER_EMPLOYER = (12, 33)
PUBLISHED_SHARE = 0.60
PROPOSALS_PER_PARTICIPANT = 3.05
EVALUATION_SHARE = 0.48
AUDIT_ROWS = 100_000
FIRST_NAMES = ["Emma", "Noah", "Olivia", "Liam", "Louise", "Arthur", "Mila", "Jules", "Elena", "Finn", "Nora", "Lucas", "Fatima", "Mohamed",
               "Yasmine", "Adam", "Sara", "Amir", "Lotte", "Wout", "Ines", "Milan", "Hanne", "Bram", "Aya", "Youssef", "Julie", "Sem"]
LAST_NAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Lambert",
              "Dupont", "Hermans", "Aerts", "Pauwels", "Vermeulen", "El Amrani", "Yilmaz", "Van den Broeck", "De Vos", "Smets", "Michiels"]
SECTORS = ("logistiek", "schoonmaak", "horeca", "retail", "productie", "groen", "bouw", "zorg", "recyclage", "techniek", "transport")
TITLES = {
    "logistiek": "Magazijnmedewerker", "schoonmaak": "Schoonmaakmedewerker", "horeca": "Keukenhulp", "retail": "Winkelmedewerker",
    "productie": "Productiemedewerker", "groen": "Medewerker groenonderhoud", "bouw": "Hulparbeider bouw", "zorg": "Logistiek assistent zorg",
    "recyclage": "Sorteerder recyclage", "techniek": "Technisch assistent", "transport": "Chauffeur-bijrijder",
}
PROPOSAL_ENDS = [  # final state, path of events, weight
    ("declined", ["proposed", "declined"], 34), ("withdrawn", ["proposed", "participant_agreed", "withdrawn"], 8),
    ("declined", ["proposed", "participant_agreed", "employer_interested", "intake_planned", "declined"], 14),
    ("hired", ["proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running", "stage_completed", "hired"], 12),
    ("not_hired", ["proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running", "stage_completed", "not_hired"], 5),
    ("proposed", ["proposed"], 10), ("participant_agreed", ["proposed", "participant_agreed"], 6),
    ("intake_planned", ["proposed", "participant_agreed", "employer_interested", "intake_planned"], 5),
    ("stage_running", ["proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running"], 6),
]
DECLINE_REASONS = ("skills_mismatch", "no_capacity", "distance", "schedule", "not_interested", "other")


def _kbo(n: int) -> str:
    first8 = f"0{(7_000_000 + n * 7919) % 10_000_000:07d}"
    return f"{first8}{97 - int(first8) % 97:02d}"


def _haversine(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def copy_rows(session, table, rows: list[dict]) -> None:
    """COPY the rows into the table (PostgreSQL): several times faster than INSERTs for the large tables."""
    import orjson

    given = list(rows[0])
    # COPY skips the model's Python-side defaults (an INSERT through SQLAlchemy applies them): fill them in here
    defaults = {c.name: c.default for c in table.columns if c.name not in given and c.default is not None and not c.primary_key}
    columns = given + list(defaults)
    dbapi = session.connection().connection.dbapi_connection
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = [row[c] for c in given] + [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]
            copy.write_row([orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
                            if isinstance(v, dict | list) else v for v in values])


class RegionBuilder:
    """Adds the region on top of the demo, in bulk, from one seed."""

    def __init__(self, session, today: date, password_hash: str):
        self.s = session
        self.today = today
        self.rng = random.Random(SEED)
        self.password_hash = password_hash
        self.now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        with (ROOT / "seeds" / "postal_codes.csv").open(encoding="utf-8") as fh:
            self.codes = {r["postal_code"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh) if r["region"] == "Vlaanderen"}
        with (ROOT / "seeds" / "skills.csv").open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        self.skills_by_group: dict[str, list[str]] = {}
        for r in rows:
            self.skills_by_group.setdefault(r["group"] or "algemeen", []).append(r["label_nl"])
        self.all_skills = [r["label_nl"] for r in rows]
        self.counts: dict[str, int] = {}

    # --- helpers ---------------------------------------------------------------------------------

    def _insert(self, table, rows: list[dict], returning: bool = False):
        from sqlalchemy import insert

        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not rows:
            return []
        if returning:
            ids = []
            for start in range(0, len(rows), 5000):
                chunk = rows[start:start + 5000]
                ids += list(self.s.execute(insert(table).returning(table.c.id), chunk).scalars().all())
            return ids
        if self.s.get_bind().dialect.name == "postgresql" and all(row.keys() == rows[0].keys() for row in rows):
            self._copy(table, rows)
            return []
        for start in range(0, len(rows), 10000):
            self.s.execute(insert(table), rows[start:start + 10000])
        return []

    def _copy(self, table, rows: list[dict]) -> None:
        copy_rows(self.s, table, rows)

    def _near(self, code: str, km: float) -> list[str]:
        centre = self.codes[code]
        return [c for c, pos in self.codes.items() if _haversine(centre, pos) <= km] or [code]

    def _day(self, lo: int, hi: int) -> date:
        return self.today - timedelta(days=self.rng.randint(lo, hi))

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=self.rng.randint(7, 17), minutes=self.rng.randint(0, 59))

    def _skills_for(self, sector: str, n: int) -> list[str]:
        pool = self.skills_by_group.get(sector) or self.all_skills
        chosen = self.rng.sample(pool, min(len(pool), max(1, n - 1)))
        extra = self.rng.sample(self.all_skills, 2)
        return list(dict.fromkeys(chosen + extra))[:n]

    # --- the region --------------------------------------------------------------------------------

    def run(self) -> dict:
        from web.models import SocialEconomyCompany, Team, User

        t = SocialEconomyCompany.__table__
        company_ids = self._insert(t, [{"name": f"Maatwerk {name}", "postal_code": code} for name, code in CENTRES], returning=True)
        team_ids = self._insert(Team.__table__, [{"name": f"Doorstroom {name}", "company_id": cid, "shared_caseload": i % 3 == 0}
                                                 for i, ((name, _code), cid) in enumerate(zip(CENTRES, company_ids, strict=True))], returning=True)
        coach_rows, coach_centre = [], []
        for i, ((_name, code), team_id) in enumerate(zip(CENTRES, team_ids, strict=True)):
            for j in range(COACHES_PER_TEAM):
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                coach_rows.append({"email": f"coach.{i:02d}.{j}@region.stagebrug.be", "password_hash": self.password_hash, "role": "coach",
                                   "full_name": f"{first} {last}", "language": "nl", "is_active": True, "team_id": team_id,
                                   "is_team_lead": j == 0, "created_at": self._at(self._day(400, 1400))})
                coach_centre.append((code, company_ids[i]))
        coach_ids = self._insert(User.__table__, coach_rows, returning=True)
        self._employers_and_places()
        self._participants(list(zip(coach_ids, coach_centre, strict=True)))
        self._proposals()
        self._audit(coach_ids)
        return self.counts

    def _employers_and_places(self) -> None:
        from web.models import CostSheet, Employer, EmployerMember, PlaceSkill, StagePlace, User

        rng = self.rng
        centre_codes = [code for _n, code in CENTRES] + ["9000", "2000"]
        owners, employers = [], []
        for n in range(EXTRA_EMPLOYERS):
            code = rng.choice(self._near(rng.choice(centre_codes), 15))
            sector = rng.choice(SECTORS)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            created = self._at(self._day(200, 1500))
            owners.append({"email": f"werkgever.{n:03d}@region.stagebrug.be", "password_hash": self.password_hash, "role": "employer",
                           "full_name": f"{first} {last}", "language": "nl", "is_active": True, "is_team_lead": False, "created_at": created})
            employers.append({"name": f"{last} {TITLES[sector].split()[0]} {n:03d}", "kbo_number": _kbo(n), "sector": sector, "postal_code": code,
                              "city": None, "contact_name": f"{first} {last}", "created_at": created})
        owner_ids = self._insert(User.__table__, owners, returning=True)
        employer_ids = self._insert(Employer.__table__, employers, returning=True)
        self._insert(EmployerMember.__table__, [{"employer_id": e, "user_id": u, "is_owner": True, "created_at": self.now}
                                                for e, u in zip(employer_ids, owner_ids, strict=True)])
        places = []
        self.place_meta = []
        for employer_id, spec in zip(employer_ids, employers, strict=True):
            for k in range(rng.randint(*PLACES_PER_EMPLOYER)):
                status = "published" if rng.random() < PUBLISHED_SHARE else rng.choice(("draft", "paused", "expired", "closed", "filled", "closed"))
                published = self._at(self._day(5, 50)) if status == "published" else (self._at(self._day(60, 1400)) if status != "draft" else None)
                sector = spec["sector"] if rng.random() < 0.8 else rng.choice(SECTORS)
                places.append({
                    "employer_id": employer_id, "title": f"{TITLES[sector]} {k + 1}", "description": "Meewerken in het team.",
                    "tasks": "Taken volgens de fiche.", "sector": sector, "postal_code": spec["postal_code"],
                    "hours_per_week": rng.choice((19, 24, 30, 32, 38)), "places": rng.choice((1, 1, 1, 2, 3)), "dutch_level": rng.choice(("A1", "A2", "B1")),
                    "driving_licence": rng.random() < 0.15, "status": status, "published_at": published,
                    "expires_at": published + timedelta(days=60) if published else None, "start_date": self.today + timedelta(days=rng.randint(7, 60)),
                    "duration_weeks": rng.choice((4, 6, 8, 12)), "created_at": published or self.now, "updated_at": published or self.now,
                })
                self.place_meta.append((sector, status))
        place_ids = self._insert(StagePlace.__table__, places, returning=True)
        self.place_ids = place_ids
        self._insert(CostSheet.__table__, [{"place_id": p} for p in place_ids])
        skills = []
        for place_id, (sector, _status) in zip(place_ids, self.place_meta, strict=True):
            for pos, name in enumerate(self._skills_for(sector, rng.randint(2, 5))):
                skills.append({"place_id": place_id, "name": name, "required": pos < 2, "min_level": rng.randint(1, 3), "position": pos})
        self._insert(PlaceSkill.__table__, skills)
        self.published = [(p, meta[0]) for p, meta in zip(place_ids, self.place_meta, strict=True) if meta[1] == "published"]
        self.closed_places = [p for p, meta in zip(place_ids, self.place_meta, strict=True) if meta[1] in ("closed", "filled", "expired")]

    def _participants(self, coaches) -> None:
        from web.models import Participant, ParticipantSkill, PhasePeriod, Trajectory

        rng = self.rng
        people, meta = [], []
        for coach_id, (code, company_id) in coaches:
            near = self._near(code, 20)
            for _ in range(rng.randint(*PARTICIPANTS_PER_COACH)):
                active = rng.random() < 0.86
                sectors = rng.sample(SECTORS, 2)
                created = self._at(self._day(30, 1400))
                people.append({
                    "coach_id": coach_id, "company_id": company_id, "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
                    "postal_code": rng.choice(near), "max_distance_km": rng.choice((10, 15, 20, 25, 30, 40)), "hours_per_week": rng.choice((19, 24, 30, 38)),
                    "dutch_level": rng.choice(("A1", "A2", "B1", "B2")), "driving_licence": rng.random() < 0.3, "preferred_sectors": sectors,
                    "consent_level": rng.choice(("skills", "skills_name")), "active": active,
                    "last_contact_at": self._at(self._day(0, 60)) if active else None, "created_at": created, "updated_at": created,
                })
                meta.append((coach_id, active, sectors))
        ids = self._insert(Participant.__table__, people, returning=True)
        skills, trajectories, traj_meta = [], [], []
        for pid, (coach_id, active, sectors) in zip(ids, meta, strict=True):
            for name in self._skills_for(sectors[0], rng.randint(3, 6)):
                skills.append({"participant_id": pid, "name": name, "level": rng.randint(1, 4), "source": "coach"})
            for _ in range(rng.choice((0, 0, 1, 1, 2))):  # closed history over several years
                start = self._day(400, 1800)
                end = start + timedelta(days=rng.randint(60, 330))
                outcome = rng.choices(("hired", "not_hired", "stopped"), (45, 30, 25))[0]
                hired = end - timedelta(days=rng.randint(10, 50)) if outcome == "hired" else None
                trajectories.append({"participant_id": pid, "coach_id": coach_id, "current_phase": "nazorg" if hired else "jobmatching",
                                     "started_on": start, "ended_on": end, "outcome": outcome, "hired_on": hired,
                                     "still_employed_at_end": (rng.random() < 0.8) if hired else None})
                traj_meta.append((start, end, False))
            if active:
                start = self._day(5, 330)
                phase = rng.choices(("voortraject", "jobmatching", "stage", "nazorg"), (12, 55, 18, 15))[0]
                trajectories.append({"participant_id": pid, "coach_id": coach_id, "current_phase": phase, "started_on": start, "ended_on": None,
                                     "outcome": None, "hired_on": None, "still_employed_at_end": None})
                traj_meta.append((start, None, phase))
        self._insert(ParticipantSkill.__table__, skills)
        traj_ids = self._insert(Trajectory.__table__, trajectories, returning=True)
        periods = []
        order = ("voortraject", "jobmatching", "stage", "nazorg")
        maxima = {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90}
        for tid, (start, end, current) in zip(traj_ids, traj_meta, strict=True):
            last = order.index(current) if current else rng.randint(1, 3)
            day = start
            for i, phase in enumerate(order[: last + 1]):
                open_phase = current and i == last
                length = rng.randint(int(maxima[phase] * 0.4), int(maxima[phase] * 1.3))
                ended = None if open_phase else min(day + timedelta(days=length), end or self.today)
                periods.append({"trajectory_id": tid, "phase": phase, "started_on": day, "due_on": day + timedelta(days=maxima[phase]), "ended_on": ended})
                day = ended or day
        self._insert(PhasePeriod.__table__, periods)
        self.participants = [(pid, m[0], m[1]) for pid, m in zip(ids, meta, strict=True)]

    def _proposals(self) -> None:
        from web.models import Evaluation, Proposal, ProposalEvent

        rng = self.rng
        weights = [w for *_x, w in PROPOSAL_ENDS]
        proposals, paths = [], []
        published = [p for p, _s in self.published]
        from web.models import REACHED_STEP

        for pid, coach_id, active in self.participants:
            for _ in range(int(PROPOSALS_PER_PARTICIPANT) + (rng.random() < PROPOSALS_PER_PARTICIPANT % 1)):
                final, path, _w = rng.choices(PROPOSAL_ENDS, weights)[0]
                open_state = final in ("proposed", "participant_agreed", "intake_planned", "stage_running")
                if open_state and not active:
                    final, path = "withdrawn", ["proposed", "withdrawn"]
                place = rng.choice(published) if open_state or rng.random() < 0.4 else rng.choice(self.closed_places)
                created = self._at(self._day(1, 40)) if open_state else self._at(self._day(40, 1500))
                proposals.append({"participant_id": pid, "place_id": place, "coach_id": coach_id, "state": final,
                                  "score": round(rng.uniform(40, 95), 1), "decline_reason": rng.choice(DECLINE_REASONS) if final == "declined" else None,
                                  "declined_by": rng.choice(("employer", "participant")) if final == "declined" else None,
                                  "created_at": created, "updated_at": created + timedelta(days=len(path) * 4),
                                  "reached_step": max(REACHED_STEP.get(state, 0) for state in path)})  # what the event listener keeps
                paths.append((path, created))
        ids = self._insert(Proposal.__table__, proposals, returning=True)
        events = []
        for proposal_id, (path, created) in zip(ids, paths, strict=True):
            at = created
            for frm, to in zip([None, *path], path, strict=False):
                events.append({"proposal_id": proposal_id, "from_state": frm, "to_state": to, "at": at})
                at += timedelta(days=rng.randint(1, 9))
        self._insert(ProposalEvent.__table__, events)
        evaluations = []
        for pid, coach_id, _active in self.participants:
            if rng.random() < EVALUATION_SHARE:
                held = self._day(10, 900)
                evaluations.append({"participant_id": pid, "coach_id": coach_id, "held_on": held,
                                    "decision": rng.choice(("ready", "not_yet", "ready_with_support")),
                                    "summary": "Evaluatie volgens de vaste procedure.", "signed_off_at": self._at(held), "signed_off_by_id": coach_id,
                                    "created_at": self._at(held)})
        self._insert(Evaluation.__table__, evaluations)

    def _audit(self, coach_ids: list[int]) -> None:
        from web.models import AuditLog

        rng = self.rng
        actions = ("user.login", "participant.update", "proposal.create", "proposal.transition", "place.publish", "evaluation.sign_off", "export.csv")
        rows = [{"at": self.now - timedelta(minutes=rng.randint(1, 3 * 365 * 24 * 60)), "actor_id": rng.choice(coach_ids), "action": rng.choice(actions),
                 "object_type": "participant", "object_id": str(rng.randint(1, 10_000)), "ip": "127.0.0.1"} for _ in range(AUDIT_ROWS)]
        self._insert(AuditLog.__table__, rows)


def store_suggestions(session) -> int:
    """Every active participant's stored places exactly as the nightly refresh writes them (top 50 with the excluded
    ones, content hash included), one ``Engine.rank_all`` call per chunk of participants, written with COPY (on
    PostgreSQL); with what they were computed from (``match_input``, ``match_place_input``), so the first nightly
    run on a fresh set skips everyone, as an ordinary night with nothing changed would."""
    from sqlalchemy import insert
    from sqlmodel import select

    import matching
    from web.models import MatchInput, MatchSuggestion, Participant, utcnow
    from web.services import matching as svc

    engine = svc.get_engine(session=session)
    vacancies = svc.open_vacancies(session=session, engine=engine)
    engine_key = svc.engine_digest(engine)
    current, places_digest = svc._current_places(vacancies)
    ids = list(session.exec(select(Participant.id).where(Participant.active.is_(True)).order_by(Participant.id)).all())
    postgres = session.get_bind().dialect.name == "postgresql"
    rebuild = _drop_checks(session, MatchSuggestion.__tablename__) if postgres else []
    now, stored = utcnow(), 0
    for start in range(0, len(ids), svc.REFRESH_CHUNK):
        chunk = ids[start:start + svc.REFRESH_CHUNK]
        people = {p.id: p for p in svc.load_participants(session=session, engine=engine, participant_ids=chunk)}
        declined_all = svc.declined_pairs(session=session, participant_ids=chunk)
        declined: dict[int, list[int]] = {}
        for pid, place_id in sorted(declined_all):
            declined.setdefault(pid, []).append(place_id)
        inputs = [{"participant_id": pid, "fingerprint": svc._participant_digest(engine_key, people.get(pid), declined.get(pid, [])),
                   "places_digest": places_digest} for pid in chunk]
        rows = []
        if people and vacancies:
            ranked = engine.rank_all(list(people.values()), vacancies, top=svc.STORED_PER_PARTICIPANT, include_excluded=True,
                                     vacancy_top=0, declined=declined_all)["by_participant"]
            for _pid, results in ranked.items():
                for r in results:
                    score = float(min(100.0, max(0.0, r.score)))
                    rows.append({"participant_id": int(r.participant_id), "place_id": int(r.vacancy_id), "score": score,
                                 "excluded": bool(r.excluded), "explanation": r.explanation, "engine_version": matching.ENGINE_VERSION,
                                 "computed_at": now, "content_hash": svc.suggestion_hash(score, r.excluded, r.explanation),
                                 "released_to_participant": False})
        if rows:
            if postgres:
                copy_rows(session, MatchSuggestion.__table__, rows)
            else:
                session.execute(insert(MatchSuggestion.__table__), rows)
        session.execute(insert(MatchInput.__table__), inputs)
        stored += len(rows)
    svc._save_place_snapshot(session, current, {})
    for statement in rebuild:  # one pass over the loaded table each, instead of a check and index entries per row
        session.connection().exec_driver_sql(statement)
    return stored


def _drop_checks(session, table: str) -> list[str]:
    """Drop the table's secondary indexes and foreign keys (PostgreSQL); return the statements that re-create them
    exactly as they were (definitions read from the catalog)."""
    conn = session.connection()
    foreign = conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", (table,)
    ).all()
    unique = conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'", (table,)
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", (table,)
    ).all()
    for name, _definition in foreign + unique:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return ([definition for _name, definition in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in unique + foreign])


def build_region(app, *, password: str) -> dict:
    """Load the demo, add the region and store the suggestions; returns row counts and timings."""
    from sqlmodel import Session, func, select

    from web.db import get_engine
    from web.models import (
        AuditLog,
        Employer,
        Evaluation,
        MatchSuggestion,
        Participant,
        Proposal,
        ProposalEvent,
        StagePlace,
        Team,
        User,
    )
    from web.security import hash_password
    from web.services.demo import load_demo_data

    timings = {}
    with app.app_context():
        engine = get_engine()
        started = time.perf_counter()
        password_hash = hash_password(password)
        with Session(engine) as session:
            load_demo_data(session=session, seeds_dir=Path(app.config["SEEDS_DIR"]), password_hash=password_hash)
            session.commit()
            RegionBuilder(session, date.today(), password_hash).run()
            session.commit()
        timings["rows_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with Session(engine) as session:
            stored = store_suggestions(session)
            session.commit()
        timings["suggestions_s"] = round(time.perf_counter() - started, 1)
        with Session(engine) as session:
            counts = {model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
                      for model in (Team, User, Participant, Employer, StagePlace, Proposal, ProposalEvent, Evaluation, AuditLog, MatchSuggestion)}
            counts["participant_active"] = session.exec(select(func.count()).select_from(Participant).where(Participant.active.is_(True))).one()
            counts["stage_place_published"] = session.exec(select(func.count()).select_from(StagePlace).where(StagePlace.status == "published")).one()
        if engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would give a real database after a while
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    return {"counts": counts, "stored": stored, "timings": timings}


def main(argv: list[str] | None = None) -> int:
    import bench_pages

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="server URL; a database stagebrug_bench_<random> is created on it")
    parser.add_argument("--keep", action="store_true", help="keep the database and print its URL last (for the page timings and the load test)")
    parser.add_argument("--drop", metavar="URL", help="drop a database built with --keep")
    args = parser.parse_args(argv)
    if args.drop:
        bench_pages.drop_postgres_database(args.drop)
        return 0
    if not args.postgres:
        parser.error("--postgres or --drop is needed")
    url = bench_pages.create_postgres_database(args.postgres)
    started = time.perf_counter()
    bench_pages.migrate(url)
    app = bench_pages.build_app(url)
    result = build_region(app, password=bench_pages.PASSWORD)
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"region set built in {time.perf_counter() - started:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s of this process, "
          f"load average {os.getloadavg()[0]:.1f} (rows {result['timings']['rows_s']} s, suggestions "
          f"{result['timings']['suggestions_s']} s): {result['counts']}")
    if args.keep:
        print(url)
    else:
        bench_pages.drop_postgres_database(url)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
