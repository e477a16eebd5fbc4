"""The deterministic demo data set for Flanders: reference data, accounts, employers, places and trajectories.

Everything is generated from one seeded ``random.Random`` and dates relative to a reference ``today``, so two
loads with the same ``today`` give the same rows. Texts and templates live in ``seeds/demo/``; reference data
(skills, premiums) in ``seeds/``. The loader only flushes: the caller commits.
"""
from __future__ import annotations

import csv
import json
import logging
import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, func, select

from web.models import (
    CostLine,
    CostSheet,
    Employer,
    EmployerMember,
    Evaluation,
    HoldPeriod,
    Meeting,
    Notification,
    Participant,
    ParticipantNote,
    ParticipantSkill,
    PhasePeriod,
    PlaceSkill,
    Premium,
    Proposal,
    ProposalEvent,
    Setting,
    SheetPremium,
    SkillTerm,
    SocialEconomyCompany,
    StagePlace,
    Team,
    Trajectory,
    User,
)
from web.services.proposals import CAPACITY_STATES

log = logging.getLogger(__name__)

SEED = 20261127
ADMIN_EMAIL = "admin@stagebrug.be"
COACH_EMAIL = "coach@stagebrug.be"
EMPLOYER_EMAIL = "werkgever@stagebrug.be"
PARTICIPANT_EMAIL = "deelnemer@stagebrug.be"
DEMO_DOMAIN = "demo.stagebrug.be"

PHASE_MAX_DAYS = {"voortraject": 30, "jobmatching": 90, "stage": 90, "nazorg": 90}
SETTINGS: dict[str, Any] = {
    "phase_max_days": PHASE_MAX_DAYS,
    "success_definition": {"contract": "regular", "within_trajectory": True, "still_employed_end_of_nazorg": True},
    "retention_days": 730,
    "place_expiry_days": 60,
}
PLACE_EXPIRY_DAYS = SETTINGS["place_expiry_days"]
RUBRIC_ITEMS = ("work_attitude", "pace", "independence", "collaboration", "dutch", "reliability", "motivation", "support_need")
SOFT_SKILLS = ("stiptheid", "teamwerk", "zelfstandig", "nauwkeurig", "werktempo", "nederlands", "flexibel", "instructies", "veiligheid")
SECTOR_WEIGHTS = {
    "logistiek": 14, "schoonmaak": 10, "horeca": 9, "retail": 8, "productie": 10, "groen": 7, "bouw": 5,
    "zorg": 5, "recyclage": 6, "wasserij": 4, "techniek": 4, "administratie": 3, "transport": 5,
}
HOURS = (19, 20, 24, 25, 28, 30, 32, 35, 36, 38)
DECLINE_BY_EMPLOYER = ("skills_mismatch", "skills_mismatch", "no_capacity", "schedule", "other")
DECLINE_BY_PARTICIPANT = ("distance", "schedule", "not_interested", "other", "distance")

# Per coach: how many participants are in which situation (49 per coach; coach@ gets a few more).
SCENARIO_MIX = {
    "voortraject": 6, "jobmatching": 21, "jm_stage_agreed": 2, "stage_running": 5, "stage_completed": 1,
    "nazorg": 6, "ended_hired": 4, "ended_not_hired": 1, "back_to_jobmatching": 1, "stopped": 2,
}
MAIN_COACH_EXTRA = {"voortraject": 1, "jobmatching": 2, "stage_running": 1, "nazorg": 1}

# Used only when seeds/postal_codes.csv is missing: real Flemish postal codes with approximate coordinates.
FALLBACK_POSTAL_CODES = {
    "9000": ("Gent", 51.0500, 3.7167), "9030": ("Gent", 51.0700, 3.6700), "9031": ("Gent", 51.0650, 3.6200),
    "9032": ("Gent", 51.0850, 3.7100), "9040": ("Gent", 51.0600, 3.7600), "9041": ("Gent", 51.0900, 3.7800),
    "9042": ("Gent", 51.1200, 3.7800), "9050": ("Gent", 51.0300, 3.7600), "9052": ("Gent", 51.0100, 3.7000),
    "9070": ("Destelbergen", 51.0500, 3.8000), "9080": ("Lochristi", 51.1000, 3.8300), "9090": ("Merelbeke-Melle", 51.0000, 3.8100),
    "9100": ("Sint-Niklaas", 51.1600, 4.1400), "9200": ("Dendermonde", 51.0300, 4.1000), "9230": ("Wetteren", 51.0000, 3.8800),
    "9300": ("Aalst", 50.9400, 4.0400), "9800": ("Deinze", 50.9800, 3.5300), "9810": ("Nazareth-De Pinte", 50.9600, 3.6000),
    "9820": ("Merelbeke-Melle", 50.9900, 3.7500), "9840": ("Nazareth-De Pinte", 50.9900, 3.6500), "9880": ("Aalter", 51.0900, 3.4500),
    "9940": ("Evergem", 51.1100, 3.7100), "9900": ("Eeklo", 51.1900, 3.5600), "9890": ("Gavere", 50.9300, 3.6600),
    "2000": ("Antwerpen", 51.2200, 4.4000), "2018": ("Antwerpen", 51.2100, 4.4200), "2030": ("Antwerpen", 51.2600, 4.3900),
    "2070": ("Beveren-Kruibeke-Zwijndrecht", 51.2200, 4.3300), "2100": ("Antwerpen", 51.2100, 4.4700),
    "2160": ("Wommelgem", 51.2000, 4.5200), "2170": ("Antwerpen", 51.2500, 4.4400), "2500": ("Lier", 51.1300, 4.5700),
    "2550": ("Kontich", 51.1300, 4.4500), "2600": ("Antwerpen", 51.1900, 4.4300), "2610": ("Antwerpen", 51.1700, 4.3900),
    "2630": ("Aartselaar", 51.1300, 4.3800), "2650": ("Edegem", 51.1600, 4.4400), "2660": ("Antwerpen", 51.1700, 4.3400),
    "2800": ("Mechelen", 51.0300, 4.4800), "2850": ("Boom", 51.0900, 4.3700), "2880": ("Bornem", 51.1000, 4.2400),
    "2900": ("Schoten", 51.2500, 4.5000), "2950": ("Kapellen", 51.3200, 4.4300), "2960": ("Brecht", 51.3500, 4.6400),
}


@dataclass
class _Area:
    postal_code: str
    municipality: str
    lat: float
    lon: float


@dataclass
class _PlaceInfo:
    obj: StagePlace
    employer: Employer
    area: _Area
    template: dict
    skills: list[tuple[str, str, bool, int]]  # key, phrase, required, min level
    owner: User
    designated: str
    active: int = 0  # proposals that hold one of the place's capacity (CAPACITY_STATES)
    proposal_dates: list[datetime] = field(default_factory=list)


@dataclass
class _PartInfo:
    obj: Participant
    coach: User
    user: User | None
    area: _Area
    region: str
    sectors: list[str]
    scenario: str
    overdue: bool = False
    hold: bool = False
    forced_places: dict[str, _PlaceInfo] = field(default_factory=dict)
    tied_places: list[_PlaceInfo] = field(default_factory=list)
    used_places: list[int] = field(default_factory=list)


@dataclass
class _Phase:
    phase: str
    started_on: date
    ended_on: date | None = None
    reason: str | None = None
    holds: list[tuple[date, date | None, str]] = field(default_factory=list)


@dataclass
class _TrajPlan:
    phases: list[_Phase]
    current_phase: str
    ended_on: date | None = None
    outcome: str | None = None
    hired_on: date | None = None
    still_employed: bool | None = None
    contract_type: str | None = None


@dataclass
class _ProposalPlan:
    part: _PartInfo
    place: _PlaceInfo
    state: str
    events: list[tuple[str, datetime]]
    info: dict
    score: float
    decline_reason: str | None = None
    decline_note: str | None = None
    declined_by: str | None = None
    withdraw_note: str | None = None


def load_demo_data(*, session: Session, seeds_dir: Path, password_hash: str, today: date | None = None) -> dict:
    """Load the demo data set through the session (flush only) and return row counts per table."""
    if session.exec(select(User.id).where(User.email == ADMIN_EMAIL)).first() is not None:
        return {"skipped": True}
    builder = _DemoBuilder(session=session, seeds_dir=Path(seeds_dir), password_hash=password_hash, today=today or date.today())
    return builder.run()


def kbo_is_valid(number: str) -> bool:
    """Check a KBO/BCE enterprise number: 10 digits, leading 0 or 1, mod-97 check on the last two."""
    if len(number) != 10 or not number.isdigit() or number[0] not in "01":
        return False
    return int(number[8:]) == 97 - int(number[:8]) % 97


def _haversine(a: _Area, b: _Area) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum() or ch == "-")


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _combine(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


class _DemoBuilder:
    """Builds the demo rows step by step; one instance per load."""

    def __init__(self, *, session: Session, seeds_dir: Path, password_hash: str, today: date):
        self.session = session
        self.seeds = seeds_dir
        self.demo = seeds_dir / "demo"
        self.password_hash = password_hash
        self.today = today
        self.rng = random.Random(SEED)
        self.counts: Counter[str] = Counter()
        self.emails: set[str] = set()
        self.kbos: set[str] = set()
        self.names = self._json(self.demo / "names.json")
        self.orgs = self._json(self.demo / "organisations.json")
        self.templates = self._json(self.demo / "places.json")["templates"]
        self.phrases = self._json(self.demo / "skill_phrases.json")
        self.texts = self._json(self.demo / "texts.json")
        self.areas = self._load_areas()
        self.occupations = self._load_occupations()
        self.skill_index: dict[str, str] = {}
        self._distances: dict[tuple[str, str], float] = {}
        self._forced_now: _PlaceInfo | None = None
        self.premiums: dict[str, Premium] = {}

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _json(path: Path) -> Any:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)

    def _add(self, rows: list[SQLModel], flush: bool = True) -> None:
        self.session.add_all(rows)
        for row in rows:
            self.counts[row.__tablename__] += 1
        if flush:
            self.session.flush()

    def _at(self, day: date, hour: tuple[int, int] = (8, 16)) -> datetime:
        return _combine(day, time(self.rng.randint(*hour), self.rng.choice((0, 10, 15, 30, 40, 45))))

    def _ago(self, lo: int, hi: int) -> date:
        return self.today - _days(self.rng.randint(lo, hi))

    def _pick(self, seq: list | tuple) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def _weighted(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _phrase(self, key: str, canonical_share: float = 0.55) -> str:
        variants = self.phrases[key]
        if self.rng.random() < canonical_share:
            return variants[0]
        return self._pick(variants)

    def _email(self, first: str, last: str, domain: str = DEMO_DOMAIN) -> str:
        base = f"{_slug(first)}.{_slug(last)}"
        email, n = f"{base}@{domain}", 2
        while email in self.emails:
            email, n = f"{base}{n}@{domain}", n + 1
        self.emails.add(email)
        return email

    def _person(self) -> tuple[str, str]:
        return self._pick(self.names["first_names"]), self._pick(self.names["last_names"])

    def _kbo(self) -> str:
        while True:
            base = self.rng.randint(2_000_000, 9_999_999)
            number = f"{base:08d}{97 - base % 97:02d}"
            if number not in self.kbos:
                self.kbos.add(number)
                return number

    def _load_areas(self) -> dict[str, _Area]:
        path = self.seeds / "postal_codes.csv"
        if not path.exists():
            log.warning("%s not found; using the built-in list of Flemish postal codes", path)
            return {pc: _Area(pc, m, lat, lon) for pc, (m, lat, lon) in FALLBACK_POSTAL_CODES.items()}
        areas: dict[str, _Area] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["region"] == "Vlaanderen":
                    areas[row["postal_code"]] = _Area(row["postal_code"], row["municipality"], float(row["lat"]), float(row["lon"]))
        return areas

    def _load_occupations(self) -> dict[str, str]:
        path = self.seeds / "occupations.csv"
        if not path.exists():
            log.info("%s not found; stage places get no ESCO occupation", path)
            return {}
        index: dict[str, str] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for label in [row["label_nl"], *row.get("alt_labels_nl", "").split("|")]:
                    if label.strip():
                        index.setdefault(label.strip().lower(), row["esco_uri"])
        return index

    def _area(self, postal_code: str) -> _Area:
        area = self.areas.get(postal_code) or self.areas.get(postal_code[:2] + "00")
        if area is None:
            raise ValueError(f"unknown Flemish postal code in demo seeds: {postal_code}")
        return area

    # --- the whole load -----------------------------------------------------------------------

    def run(self) -> dict:
        self._load_reference_data()
        self._build_organisations()
        self._build_employers()
        self._build_places()
        self._build_participants()
        self._plan_trajectories()
        self._finish_places()
        self._write_place_children()
        self._write_trajectories()
        self._write_proposals()
        self._write_evaluations()
        self._write_notes()
        self._write_notifications()
        self.session.flush()
        return dict(sorted(self.counts.items()))

    # --- reference data -------------------------------------------------------------------------

    def _load_reference_data(self) -> None:
        session = self.session
        if session.exec(select(func.count()).select_from(SkillTerm)).one() == 0:
            path = self.seeds / "skills.csv"
            if not path.exists():
                log.warning("%s not found; skipping the skill vocabulary (skills keep their free text)", path)
            else:
                terms, seen = [], set()
                with path.open(encoding="utf-8", newline="") as fh:
                    for row in csv.DictReader(fh):
                        if not (row.get("id") or "").strip() or not (row.get("label_nl") or "").strip() or row["id"].strip() in seen:
                            continue
                        seen.add(row["id"].strip())
                        terms.append(
                            SkillTerm(
                                id=row["id"].strip(),
                                label_nl=row["label_nl"].strip(),
                                variants_nl=[v.strip() for v in (row.get("variants_nl") or "").split("|") if v.strip()],
                                label_en=(row.get("label_en") or row["label_nl"]).strip(),
                                variants_en=[v.strip() for v in (row.get("variants_en") or "").split("|") if v.strip()],
                                esco_uri=(row.get("esco_uri") or "").strip() or None,
                                group=(row.get("group") or "other").strip(),
                            )
                        )
                self._add(terms)
        for term in session.exec(select(SkillTerm).where(SkillTerm.active.is_(True)).order_by(SkillTerm.id)).all():
            for label in [term.label_nl, *(term.variants_nl or [])]:
                self.skill_index.setdefault(label.lower(), term.id)

        if session.exec(select(func.count()).select_from(Premium)).one() == 0:
            rows = []
            for item in self._json(self.seeds / "premiums.json")["premiums"]:
                data = {k: v for k, v in item.items() if not k.startswith("_")}
                for key in ("valid_from", "valid_to"):
                    if data.get(key):
                        data[key] = date.fromisoformat(data[key])
                rows.append(Premium(**data))
            self._add(rows)
        self.premiums = {p.code: p for p in session.exec(select(Premium).order_by(Premium.id)).all()}

        stamp = self._at(self.today - _days(400))
        new = [Setting(key=k, value=v, updated_at=stamp) for k, v in SETTINGS.items() if session.get(Setting, k) is None]
        self._add(new)

    # --- organisations, teams and staff ---------------------------------------------------------

    def _user(self, email: str, role: str, full_name: str, created: datetime, **extra: Any) -> User:
        self.emails.add(email)
        return User(email=email, password_hash=self.password_hash, role=role, full_name=full_name, created_at=created, **extra)

    def _build_organisations(self) -> None:
        companies = [SocialEconomyCompany(name=c["name"], postal_code=c["postal_code"]) for c in self.orgs["social_economy_companies"]]
        self._add(companies)
        self.companies = {c["key"]: obj for c, obj in zip(self.orgs["social_economy_companies"], companies, strict=True)}
        self.region_companies = {
            region: [self.companies[c["key"]] for c in self.orgs["social_economy_companies"] if c["region"] == region]
            for region in ("gent", "antwerpen")
        }
        teams = []
        self.team_center: dict[str, _Area] = {}
        for t in self.orgs["teams"]:
            teams.append(Team(name=t["name"], company_id=self.companies[t["company"]].id, shared_caseload=t["shared_caseload"]))
            self.team_center[t["key"]] = _Area("", t["name"], *t["center"])
        self._add(teams)
        team_by_key = {t["key"]: obj for t, obj in zip(self.orgs["teams"], teams, strict=True)}

        created = self._at(self.today - _days(420))
        self.admin = self._user(ADMIN_EMAIL, "admin", "Ann Admin", created)
        gent, antwerpen = team_by_key["gent"], team_by_key["antwerpen"]
        self.main_coach = self._user(COACH_EMAIL, "coach", "Kris Coach", created, team_id=gent.id, is_team_lead=True)
        others = self.names["coach_names"]
        plan = [(gent, False), (gent, False), (antwerpen, True), (antwerpen, False), (antwerpen, False)]
        self.coaches = [self.main_coach]
        for (first, last), (team, lead) in zip(others, plan, strict=True):
            created = self._at(self.today - _days(self.rng.randint(200, 400)))
            self.coaches.append(self._user(self._email(first, last), "coach", f"{first} {last}", created, team_id=team.id, is_team_lead=lead))
        self._add([self.admin, *self.coaches])
        self.coach_region = {c.id: ("gent" if c.team_id == gent.id else "antwerpen") for c in self.coaches}

    # --- employers and their members --------------------------------------------------------------

    def _phone(self, postal_code: str) -> str:
        prefix = {"9300": "053", "9200": "052", "2800": "015"}.get(postal_code) or ("09" if postal_code.startswith("9") else "03")
        digits = "".join(str(self.rng.randint(0, 9)) for _ in range(9 - len(prefix)))
        if len(prefix) == 2:
            return f"{prefix} {digits[:3]} {digits[3:5]} {digits[5:]}"
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]}"

    def _build_employers(self) -> None:
        self.employers: list[tuple[dict, Employer, _Area]] = []
        owners: list[User] = []
        seconds: list[tuple[int, User]] = []
        for spec in self.orgs["employers"]:
            area = self._area(spec["postal_code"])
            created = self._at(self.today - _days(self.rng.randint(120, 700)))
            if spec.get("key") == "van_damme":
                owner = self._user(EMPLOYER_EMAIL, "employer", "Wim Werkgever", created)
            else:
                first, last = self._person()
                owner = self._user(self._email(first, last), "employer", f"{first} {last}", created)
            employer = Employer(
                name=spec["name"],
                kbo_number=self._kbo(),
                sector=spec["sector"],
                street=spec["street"],
                postal_code=spec["postal_code"],
                city=area.municipality,
                contact_name=owner.full_name,
                contact_email=owner.email,
                contact_phone=self._phone(spec["postal_code"]),
                size=spec["size"],
                created_at=created,
            )
            self.employers.append((spec, employer, area))
            owners.append(owner)
            if self.rng.random() < 0.3:
                first, last = self._person()
                seconds.append((len(owners) - 1, self._user(self._email(first, last), "employer", f"{first} {last}", created + _days(self.rng.randint(5, 60)))))
        self._add([e for _, e, _ in self.employers])
        self._add(owners + [u for _, u in seconds])
        members = [EmployerMember(employer_id=e.id, user_id=o.id, is_owner=True, created_at=e.created_at) for (_, e, _), o in zip(self.employers, owners, strict=True)]
        members += [EmployerMember(employer_id=self.employers[i][1].id, user_id=u.id, is_owner=False, created_at=u.created_at) for i, u in seconds]
        self._add(members, flush=False)
        self.owners = {e.id: o for (_, e, _), o in zip(self.employers, owners, strict=True)}

    # --- stage places ---------------------------------------------------------------------------------

    def _build_places(self) -> None:
        self.places: list[_PlaceInfo] = []
        self.van_damme: dict[str, _PlaceInfo] = {}
        current = {"published": 80, "draft": 8, "paused": 6, "expired": 6}
        suffixes = ["(avondploeg)", "(vroege ploeg)", "(tweede vestiging)", "(weekendploeg)"]
        for spec, employer, area in self.employers:
            templates = self.templates[spec["sector"]]
            order = self.rng.sample(range(len(templates)), len(templates))
            if spec.get("key") == "van_damme":
                plan = [(t, "published") for t in templates] + [(templates[1], "draft")]
            else:
                n = 3 + (self.rng.random() < 0.6)
                plan = [(templates[order[i % len(order)]], self._weighted(current)) for i in range(n)]
            # earlier vacancies, now filled or closed: where most stages and hires of the past took place
            n_old = 2 if spec.get("key") == "van_damme" else self.rng.choice((1, 1, 2))
            plan += [(templates[order[-1 - i % len(order)]], ("filled", "closed")[i % 2] if n_old == 2 else self.rng.choice(("filled", "closed")))
                     for i in range(n_old)]
            seen: Counter[str] = Counter()
            for template, status in plan:
                title = template["title"]
                if seen[title]:
                    title = f"{title} {suffixes[(seen[title] - 1) % len(suffixes)]}"
                seen[template["title"]] += 1
                info = self._make_place(employer, area, template, title, status)
                if spec.get("key") == "van_damme" and status == "published":
                    self.van_damme[template["title"]] = info
                self.places.append(info)

    def _make_place(self, employer: Employer, area: _Area, template: dict, title: str, status: str) -> _PlaceInfo:
        rng = self.rng
        lo, hi = template["hours"]
        hours = rng.choice([h for h in HOURS if lo <= h <= hi] or [hi])
        dutch = template["dutch_level"]
        if rng.random() < 0.15:
            dutch = {"A1": "A2", "A2": "B1", "B1": "A2", "B2": "B1"}.get(dutch, dutch)
        capacity = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        created, published, expires, start = self._place_dates(status)
        place = StagePlace(
            employer_id=employer.id,
            title=title,
            title_esco_uri=self.occupations.get(template["title"].lower()) or self.occupations.get(template.get("occupation", "").lower()),
            description=template["description"],
            tasks=template["tasks"],
            sector=employer.sector,
            postal_code=employer.postal_code,
            hours_per_week=hours,
            schedule=template["schedule"],
            start_date=start,
            duration_weeks=rng.randint(*template["duration_weeks"]),
            places=capacity,
            dutch_level=dutch,
            driving_licence=rng.random() < template["driving_licence"],
            physical_demands=template["physical_demands"],
            status=status,
            published_at=published,
            expires_at=expires,
            created_by_id=self.owners[employer.id].id,
            created_at=created,
            updated_at=published or created,
        )
        skills = []
        for key, required, level in template["skills"]:
            if not required and rng.random() < 0.25:
                continue  # employers leave out some nice-to-haves
            level = max(1, min(4, level + rng.choice((0, 0, 0, -1, 1))))
            skills.append((key, self._phrase(key), required, level))
        return _PlaceInfo(place, employer, area, template, skills, self.owners[employer.id], designated=status)

    def _place_dates(self, status: str) -> tuple[datetime, datetime | None, datetime | None, date | None]:
        """Return created, published, expires and start dates that agree with the status."""
        rng = self.rng
        if status == "draft":
            created = self._at(self._ago(1, 30))
            return created, None, None, self.today + _days(rng.randint(20, 60))
        if status == "expired":
            published = self._at(self._ago(PLACE_EXPIRY_DAYS + 2, 160))
        elif status == "closed":
            published = self._at(self._ago(70, 200))
        elif status == "published":
            published = self._at(self._ago(3, 50))
        else:  # paused, filled
            published = self._at(self._ago(20, 55))
        created = published - _days(rng.randint(1, 10))
        expires = published + _days(PLACE_EXPIRY_DAYS)
        start = published.date() + _days(rng.randint(14, 45))
        return created, published, expires, start

    # --- participants -----------------------------------------------------------------------------------

    def _region_codes(self, region: str) -> list[str]:
        center = self.team_center[region]
        return [pc for pc, area in self.areas.items() if _haversine(center, area) <= 22]

    def _build_participants(self) -> None:
        rng = self.rng
        region_codes = {r: self._region_codes(r) for r in ("gent", "antwerpen")}
        specs: list[tuple[User, str]] = []
        for coach in self.coaches:
            mix = Counter(SCENARIO_MIX)
            if coach is self.main_coach:
                mix.update(MAIN_COACH_EXTRA)
            scenarios = [s for s in SCENARIO_MIX for _ in range(mix[s])]
            rng.shuffle(scenarios)
            specs += [(coach, s) for s in scenarios]

        self.parts: list[_PartInfo] = []
        self.participant_users: list[User] = []
        users = self.participant_users
        sector_keys = list(SECTOR_WEIGHTS)
        for coach, scenario in specs:
            region = self.coach_region[coach.id]
            first, last = self._person()
            area = self._area(self._pick(region_codes[region]))
            n_sectors = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
            sectors: list[str] = []
            while len(sectors) < n_sectors:
                s = rng.choices(sector_keys, weights=[SECTOR_WEIGHTS[k] for k in sector_keys])[0]
                if s not in sectors:
                    sectors.append(s)
            user = None
            if rng.random() < 0.5:
                user = self._user(self._email(first, last), "participant", f"{first} {last}", datetime(2000, 1, 1, tzinfo=UTC))
                users.append(user)
            obj = self._participant_row(first, last, area, sectors, coach, region, user)
            self.parts.append(_PartInfo(obj, coach, user, area, region, sectors, scenario))

        # The demo participant: jobmatching in Gent, a logistics profile that fits Logistiek Van Damme.
        demo_user = self._user(PARTICIPANT_EMAIL, "participant", "Dana Deelnemer", datetime(2000, 1, 1, tzinfo=UTC))
        users.append(demo_user)
        obj = self._participant_row("Dana", "Deelnemer", self._area("9040"), ["logistiek", "productie"], self.main_coach, "gent", demo_user)
        obj.max_distance_km, obj.hours_per_week, obj.dutch_level, obj.driving_licence = 25, 36, "B1", False
        obj.limitations, obj.engine_suggestions_visible, obj.consent_level = None, True, "skills_name"
        obj.goals = "Een vaste job als heftruckchauffeur of orderpicker in een magazijn in de buurt van Gent."
        obj.occupations = ["heftruckchauffeur", "orderpicker"]
        obj.support_needs = "Duidelijke afspraken over de uren in de eerste weken; werkt graag met een vaste collega."
        self.demo_part = _PartInfo(obj, self.main_coach, demo_user, self._area("9040"), "gent", ["logistiek", "productie"], "demo")
        self.parts.insert(0, self.demo_part)
        self._mark_situations()

    def _participant_row(self, first: str, last: str, area: _Area, sectors: list[str], coach: User, region: str, user: User | None) -> Participant:
        rng = self.rng
        licence = rng.random() < 0.4
        texts = self.texts
        return Participant(
            coach_id=coach.id,
            company_id=self._pick(self.region_companies[region]).id,
            first_name=first,
            last_name=last,
            phone=f"04{rng.randint(60, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}" if rng.random() < 0.8 else None,
            postal_code=area.postal_code,
            max_distance_km=rng.choice((15, 20, 25, 30, 40) if licence else (10, 15, 15, 20, 25)),
            hours_per_week=rng.choice(HOURS),
            dutch_level=rng.choices(("A2", "B1", "B2", "C1"), weights=(25, 40, 25, 10))[0],
            driving_licence=licence,
            preferred_sectors=sectors,
            limitations=self._pick(texts["limitations"]) if rng.random() < 0.25 else None,
            support_needs=self._pick(texts["support_needs"]) if rng.random() < 0.4 else None,
            goals=self._pick(texts["goals"]) if rng.random() < 0.7 else None,
            consent_level=rng.choices(("skills", "skills_name"), weights=(6, 4))[0],
            engine_suggestions_visible=rng.random() < 0.5,
        )

    def _mark_situations(self) -> None:
        """Choose who is overdue or on hold, and tie a few of coach@'s participants to Logistiek Van Damme."""
        rng = self.rng
        for p in self.parts[1:]:
            if p.scenario in ("voortraject", "jobmatching"):
                p.overdue = rng.random() < 0.05
                p.hold = not p.overdue and rng.random() < 0.13
            elif p.scenario == "nazorg":
                p.overdue = rng.random() < 0.05
        wanted = [
            ("stage_running", "Reachtruckchauffeur", "stage_running"),
            ("nazorg", "Medewerker expeditie", "hired"),
            ("jobmatching", "Magazijnmedewerker inslag", "employer_interested"),
            ("jobmatching", "Magazijnmedewerker retouren", "intake_planned"),
        ]
        for scenario, title, state in wanted:
            for p in self.parts[1:]:
                if p.coach is self.main_coach and p.scenario == scenario and not p.forced_places and not p.hold:
                    p.forced_places[state] = self.van_damme[title]
                    p.tied_places.append(self.van_damme[title])
                    if "logistiek" not in p.sectors:
                        p.sectors.insert(0, "logistiek")
                        p.obj.preferred_sectors = list(p.sectors)
                    break

    # --- skills of participants --------------------------------------------------------------------------

    def _participant_skills(self, p: _PartInfo, has_evaluation: bool) -> list[ParticipantSkill]:
        rng = self.rng
        if p is self.demo_part:
            fixed = [("heftruck", "heftruck rijden", 3), ("orderpicking", "orderpicking", 3), ("stiptheid", "stiptheid", 4),
                     ("teamwerk", "werken in team", 3), ("nederlands", "Nederlands spreken", 3), ("handscanner", "handscanner", 3),
                     ("laden_lossen", "laden en lossen", 3), ("palletwagen", "elektrische palletwagen", 2),
                     ("veiligheid", "veiligheidsregels volgen", 3)]
            return [ParticipantSkill(participant_id=p.obj.id, name=phrase, taxonomy_id=self.skill_index.get(phrase.lower()), level=level, source="evaluation" if i < 4 else "coach")
                    for i, (_key, phrase, level) in enumerate(fixed)]
        domain: list[str] = []
        for sector in p.sectors:
            for template in self.templates[sector]:
                for key, _, _ in template["skills"]:
                    if key not in domain and key not in SOFT_SKILLS:
                        domain.append(key)
        for place in p.tied_places:
            for key, _, required, _ in place.skills:
                if required and key not in domain and key not in SOFT_SKILLS:
                    domain.insert(0, key)
        n_total = rng.randint(3, 8)
        n_domain = min(len(domain), max(1, n_total - rng.randint(1, 3)))
        keys = domain[: min(2, n_domain)] if p.tied_places else []
        keys += [k for k in rng.sample(domain, len(domain)) if k not in keys][: n_domain - len(keys)]
        keys += rng.sample(SOFT_SKILLS, n_total - len(keys))
        sources = {"coach": 50, "participant": 20, "evaluation": 25 if has_evaluation else 0, "import": 5}
        rows = []
        for key in keys:
            phrase = self._phrase(key, canonical_share=0.5)
            rows.append(ParticipantSkill(participant_id=p.obj.id, name=phrase, taxonomy_id=self.skill_index.get(phrase.lower()),
                                         level=rng.choices((1, 2, 3, 4), weights=(1, 4, 4, 2))[0], source=self._weighted(sources)))
        return rows

    # --- trajectories and proposals -------------------------------------------------------------------------

    def _walk(self, path: list[str], duration_weeks: int) -> tuple[list[tuple[str, datetime]], dict]:
        """Walk a proposal through the states of ``path`` from an arbitrary start; the caller shifts it in time."""
        rng = self.rng
        events = [("proposed", self._at(date(2000, 1, 3)))]
        info: dict[str, Any] = {"intake_options": None, "intake_at": None, "stage_start": None, "stage_end": None}
        for state in path[1:]:
            prev_state, prev = events[-1]
            if state == "participant_agreed":
                t = self._at(prev.date() + _days(rng.randint(1, 4)))
            elif state == "employer_interested":
                t = self._at(prev.date() + _days(rng.randint(1, 6)))
            elif state == "intake_planned":  # the employer offers intake moments; one is chosen
                t = self._at(prev.date() + _days(rng.randint(1, 3)))
                first = t.date() + _days(rng.randint(3, 7))
                days = sorted({0, rng.randint(1, 2), rng.randint(3, 5)})
                info["intake_options"] = [_combine(first + _days(d), time(rng.choice((9, 10, 14, 15)))) for d in days]
                info["intake_at"] = rng.choice(info["intake_options"])
            elif state == "stage_agreed":
                t = info["intake_at"] + timedelta(days=rng.randint(0, 3), hours=3)
                info["stage_start"] = t.date() + _days(rng.randint(3, 7))
                info["stage_end"] = info["stage_start"] + timedelta(weeks=duration_weeks) - _days(3)
            elif state == "stage_running":
                t = _combine(info["stage_start"], time(8, 30))
            elif state == "stage_completed":
                t = _combine(info["stage_end"], time(16, 0))
            elif state in ("hired", "not_hired"):
                t = self._at(info["stage_end"] + _days(rng.randint(1, 4)))
            elif state == "declined" and prev_state == "intake_planned":
                t = info["intake_at"] + timedelta(days=rng.randint(0, 2), hours=4)
            elif state == "declined":
                t = self._at(prev.date() + _days(rng.randint(1, 5)))
            elif state == "withdrawn":
                t = self._at(prev.date() + _days(rng.randint(1, 10)))
            else:
                raise ValueError(state)
            events.append((state, t))
        return events, info

    @staticmethod
    def _shift(events: list[tuple[str, datetime]], info: dict, days: int) -> tuple[list[tuple[str, datetime]], dict]:
        delta = _days(days)
        moved = {k: (v + delta if isinstance(v, date | datetime) else v) for k, v in info.items()}
        if info.get("intake_options"):
            moved["intake_options"] = [o + delta for o in info["intake_options"]]
        return [(s, t + delta) for s, t in events], moved

    @staticmethod
    def _path(final: str, declined_from: str = "proposed") -> list[str]:
        main = ["proposed", "participant_agreed", "employer_interested", "intake_planned", "stage_agreed", "stage_running", "stage_completed"]
        if final in main:
            return main[: main.index(final) + 1]
        if final in ("hired", "not_hired"):
            return [*main, final]
        return [*main[: main.index(declined_from) + 1], final]

    def _candidates(self, p: _PartInfo, statuses: tuple[str, ...], need_capacity: bool, keep_open: bool = True) -> list[_PlaceInfo]:
        """Rank places for a participant: within reach first, then by the order of ``statuses``, sector and distance.

        With ``keep_open``, a published place only takes a stage while it keeps room for another one, so that
        published vacancies stay open; the caller retries without it when nothing else is left.
        """
        ranked = []
        for place in self.places:
            if place.obj.status not in statuses or id(place) in p.used_places:
                continue
            if need_capacity and place.active >= place.obj.places:
                continue
            if need_capacity and keep_open and place.obj.status == "published" and place.active + 1 >= place.obj.places:
                continue
            key = (p.area.postal_code, place.area.postal_code)
            dist = self._distances.get(key)
            if dist is None:
                dist = self._distances[key] = _haversine(p.area, place.area)
            if dist > 60:
                continue
            in_sector = place.obj.sector in p.sectors
            reachable = dist <= (p.obj.max_distance_km or 25) + 5
            ranked.append(((not reachable, statuses.index(place.obj.status), not in_sector, round(dist)), place))
        ranked.sort(key=lambda r: r[0])
        top = [place for _, place in ranked[:6]]
        self.rng.shuffle(top)
        return top + [place for _, place in ranked[6:]]

    def _propose(self, p: _PartInfo, final: str, anchor, statuses: tuple[str, ...], *, declined_from: str = "proposed") -> _ProposalPlan | None:
        """Plan one proposal ending in ``final``; ``anchor(events, info, place)`` returns the day shift or None."""
        need_capacity = final in CAPACITY_STATES
        forced = p.forced_places.pop(final, None)
        if forced is not None and (id(forced) in p.used_places or (need_capacity and forced.active >= forced.obj.places)):
            forced = None
        candidates = self._candidates(p, statuses, need_capacity) or self._candidates(p, statuses, need_capacity, keep_open=False)
        if forced is not None:
            candidates = [forced, *(c for c in candidates if c is not forced)]
        for place in candidates[:12]:
            self._forced_now = forced
            events, info = self._walk(self._path(final, declined_from), place.obj.duration_weeks or 8)
            shift = anchor(events, info, place)
            if shift is None:
                continue
            events, info = self._shift(events, info, shift)
            plan = _ProposalPlan(p, place, final, events, info, score=round(self.rng.uniform(55, 96), 1))
            if final == "declined":
                by_employer = declined_from != "proposed" and (declined_from != "intake_planned" or self.rng.random() < 0.7)
                plan.declined_by = "employer" if by_employer else ("participant" if p.user is not None else "coach")
                plan.decline_reason = self._pick(DECLINE_BY_EMPLOYER if by_employer else DECLINE_BY_PARTICIPANT)
                notes = self.texts["decline_notes"]
                plan.decline_note = self._pick(notes.get(f"{plan.decline_reason}_employer", notes[plan.decline_reason]) if by_employer else notes[plan.decline_reason])
            elif final == "withdrawn":
                plan.withdraw_note = self._pick(self.texts["withdraw_notes"])
            p.used_places.append(id(place))
            if need_capacity:
                place.active += 1
            place.proposal_dates += [t for _, t in events]
            self.proposals.append(plan)
            return plan
        return None

    def _in_window(self, lo: date, hi: date):
        """Anchor: the whole chain lies within [lo, hi]; its last event falls on a random fitting day."""
        def anchor(events, info, place):
            first, last = events[0][1].date(), events[-1][1].date()
            length = (last - first).days
            lo_eff, hi_eff = lo, hi
            if place.obj.status == "expired":
                lo_eff = max(lo_eff, place.obj.published_at.date() + _days(1))
                hi_eff = min(hi_eff, place.obj.expires_at.date() - _days(1))
            elif place.obj.status in ("published", "paused") and place is not self._forced_now:
                lo_eff = max(lo_eff, place.obj.published_at.date() + _days(1))  # keep open vacancies recent
            latest, earliest = hi_eff, lo_eff + _days(length)
            if earliest > latest:
                return None
            target = earliest + _days(self.rng.randint(0, (latest - earliest).days))
            return (target - last).days
        return anchor

    def _on_day(self, state: str, day: date, field_name: str | None = None):
        """Anchor: the event ``state`` (or the info field) falls on ``day``."""
        def anchor(events, info, place):
            current = info[field_name] if field_name else next(t for s, t in events if s == state)
            current = current.date() if isinstance(current, datetime) else current
            return (day - current).days
        return anchor

    def _before_future(self, state: str, field_name: str):
        """Anchor: the event ``state`` happened recently and the info field is still in the future."""
        def anchor(events, info, place):
            at = next(t for s, t in events if s == state).date()
            future = info[field_name]
            future = future.date() if isinstance(future, datetime) else future
            gap = (future - at).days
            back = self.rng.randint(1, max(1, min(6, gap - 1)))
            return (self.today - _days(back) - at).days
        return anchor

    def _history(self, p: _PartInfo, lo: date, hi: date, count: int) -> None:
        """Add earlier declined or withdrawn proposals within the jobmatching window [lo, hi]."""
        for _ in range(count):
            if self.rng.random() < 0.7:
                start = self._pick(("proposed", "proposed", "participant_agreed", "employer_interested", "intake_planned"))
                self._propose(p, "declined", self._in_window(lo, hi), ("published", "paused", "closed", "expired"), declined_from=start)
            else:
                start = self._pick(("proposed", "participant_agreed", "employer_interested"))
                self._propose(p, "withdrawn", self._in_window(lo, hi), ("published", "paused", "closed", "expired"), declined_from=start)

    def _voortraject_before(self, jm_start: date) -> _Phase:
        start = jm_start - _days(self.rng.randint(12, 30))
        end = jm_start
        if self.rng.random() < 0.2 and jm_start + _days(6) < self.today:
            end = jm_start + _days(self.rng.randint(1, 5))  # phases overlap in practice
        return _Phase("voortraject", start, end)

    def _plan_trajectories(self) -> None:
        self.proposals: list[_ProposalPlan] = []
        plans: dict[int, _TrajPlan] = {}
        # Participants tied to Logistiek Van Damme go first so that its places still have room for them.
        order = sorted(range(len(self.parts)), key=lambda i: not (self.parts[i].forced_places or self.parts[i] is self.demo_part))
        for i in order:
            p = self.parts[i]
            plans[i] = getattr(self, f"_scenario_{p.scenario}")(p)
        self.trajectories: list[tuple[_PartInfo, _TrajPlan]] = [(p, plans[i]) for i, p in enumerate(self.parts)]

    def _add_hold(self, phase: _Phase, allow_open: bool) -> None:
        rng = self.rng
        elapsed = (self.today - phase.started_on).days
        if elapsed < 12:
            return
        start = phase.started_on + _days(rng.randint(3, elapsed - 6))
        reason = self._pick(self.texts["hold_reasons"])
        if allow_open and rng.random() < 0.5:
            phase.holds.append((start, None, reason))
        else:
            end = start + _days(rng.randint(4, max(4, min(21, (self.today - start).days - 1))))
            phase.holds.append((start, min(end, self.today - _days(1)), reason))

    def _scenario_demo(self, p: _PartInfo) -> _TrajPlan:
        today = self.today
        jm_start = today - _days(34)
        vt = _Phase("voortraject", jm_start - _days(24), jm_start)
        window_hi = today - _days(1)
        other = next(pl for pl in self.places if pl.obj.sector == "logistiek" and pl.obj.status == "published"
                     and pl.owner.email != EMPLOYER_EMAIL and _haversine(p.area, pl.area) <= 30)
        p.forced_places = {"declined": other, "participant_agreed": self.van_damme["Heftruckchauffeur"], "proposed": self.van_damme["Orderpicker"]}
        self._propose(p, "declined", self._in_window(jm_start + _days(2), today - _days(12)), ("published",), declined_from="participant_agreed")
        self._propose(p, "participant_agreed", self._in_window(today - _days(6), window_hi), ("published",))
        self._propose(p, "proposed", self._in_window(today - _days(2), window_hi), ("published",))
        return _TrajPlan([vt, _Phase("jobmatching", jm_start)], "jobmatching")

    def _scenario_voortraject(self, p: _PartInfo) -> _TrajPlan:
        elapsed = self.rng.randint(33, 55) if p.overdue else self.rng.randint(0, 27)
        phase = _Phase("voortraject", self.today - _days(elapsed))
        if p.hold:
            self._add_hold(phase, allow_open=True)
        return _TrajPlan([phase], "voortraject")

    def _scenario_jobmatching(self, p: _PartInfo) -> _TrajPlan:
        rng = self.rng
        today = self.today
        n_current = 0 if p.hold and rng.random() < 0.5 else rng.choice((0, 1, 1, 1, 2))
        if p.forced_places:  # tied to a Logistiek Van Damme place
            n_current = max(n_current, 1)
        elapsed = rng.randint(95, 130) if p.overdue else rng.randint(20 if n_current else 2, 85)
        jm_start = today - _days(elapsed)
        phase = _Phase("jobmatching", jm_start)
        states = {"proposed": 3, "participant_agreed": 3, "employer_interested": 2, "intake_planned": 2}
        finals = list(p.forced_places)[:1]
        finals += [self._weighted(states) for _ in range(n_current - len(finals))]
        for final in finals:
            if final == "intake_planned":
                anchor = self._before_future("intake_planned", "intake_at")
            elif final == "employer_interested":
                anchor = self._in_window(max(jm_start + _days(1), today - _days(4)), today - _days(1))
            else:
                anchor = self._in_window(max(jm_start + _days(1), today - _days(25)), today - _days(1))
            plan = self._propose(p, final, anchor, ("published",))
            if plan is not None and plan.events[0][1].date() <= jm_start:
                jm_start = plan.events[0][1].date() - _days(rng.randint(1, 5))
                phase.started_on = jm_start
        self._history(p, jm_start + _days(1), today - _days(1), rng.choice((0, 0, 1, 1, 2)))
        if p.hold:
            self._add_hold(phase, allow_open=n_current == 0)
        return _TrajPlan([self._voortraject_before(jm_start), phase], "jobmatching")

    def _stage_based(self, p: _PartInfo, final: str, anchor, statuses: tuple[str, ...]) -> tuple[_ProposalPlan, date, date]:
        """Plan the proposal that carries a stage; return it with the start of jobmatching and the day the stage was agreed."""
        plan = self._propose(p, final, anchor, statuses)
        if plan is None:
            raise RuntimeError(f"no stage place available for a {final} proposal")
        first = plan.events[0][1].date()
        jm_start = first - _days(self.rng.randint(5, 35))
        agreed = next(t for s, t in plan.events if s == "stage_agreed").date()
        self._history(p, jm_start + _days(1), first - _days(1), self.rng.choice((0, 0, 1)))
        return plan, jm_start, agreed

    def _stage_phases(self, jm_start: date, agreed: date, stage_end: date | None = None) -> list[_Phase]:
        """Voortraject, jobmatching until the stage was agreed, then the stage phase (as the pipeline moves it)."""
        return [self._voortraject_before(jm_start), _Phase("jobmatching", jm_start, agreed), _Phase("stage", agreed, stage_end)]

    def _scenario_jm_stage_agreed(self, p: _PartInfo) -> _TrajPlan:
        _, jm_start, agreed = self._stage_based(p, "stage_agreed", self._before_future("stage_agreed", "stage_start"), ("published", "filled"))
        return _TrajPlan(self._stage_phases(jm_start, agreed), "stage")

    def _scenario_stage_running(self, p: _PartInfo) -> _TrajPlan:
        def anchor(events, info, place):
            length = (info["stage_end"] - info["stage_start"]).days
            day = self.today - _days(self.rng.randint(1, max(1, length - 1)))
            return (day - info["stage_start"]).days
        _, jm_start, agreed = self._stage_based(p, "stage_running", anchor, ("filled", "published"))
        return _TrajPlan(self._stage_phases(jm_start, agreed), "stage")

    def _scenario_stage_completed(self, p: _PartInfo) -> _TrajPlan:
        end = self._ago(1, 6)
        _, jm_start, agreed = self._stage_based(p, "stage_completed", self._on_day("stage_completed", end), ("filled", "published"))
        return _TrajPlan(self._stage_phases(jm_start, agreed), "stage")

    def _hired_phases(self, p: _PartInfo, hired_on: date, statuses: tuple[str, ...]) -> list[_Phase]:
        _, jm_start, agreed = self._stage_based(p, "hired", self._on_day("hired", hired_on), statuses)
        return self._stage_phases(jm_start, agreed, hired_on)
    def _contract(self) -> str:
        return self.rng.choices(("open_ended", "fixed_term", "temporary_agency"), weights=(7, 2, 1))[0]

    def _scenario_nazorg(self, p: _PartInfo) -> _TrajPlan:
        hired_on = self._ago(92, 100) if p.overdue else self._ago(1, 85)
        phases = self._hired_phases(p, hired_on, ("filled", "closed", "published"))
        phases.append(_Phase("nazorg", hired_on))
        return _TrajPlan(phases, "nazorg", outcome="hired", hired_on=hired_on, contract_type=self._contract())

    def _scenario_ended_hired(self, p: _PartInfo) -> _TrajPlan:
        end = self._ago(1, 240)
        hired_on = end - _days(PHASE_MAX_DAYS["nazorg"])
        phases = self._hired_phases(p, hired_on, ("closed", "filled", "published"))
        phases.append(_Phase("nazorg", hired_on, end))
        p.obj.active = False
        still = self.rng.random() < 0.8
        return _TrajPlan(phases, "nazorg", ended_on=end, outcome="hired", hired_on=hired_on, still_employed=still, contract_type=self._contract())

    def _not_hired_phases(self, p: _PartInfo, decided: date) -> list[_Phase]:
        _, jm_start, agreed = self._stage_based(p, "not_hired", self._on_day("not_hired", decided), ("closed", "filled", "published"))
        return self._stage_phases(jm_start, agreed, decided)

    def _scenario_ended_not_hired(self, p: _PartInfo) -> _TrajPlan:
        decided = self._ago(15, 200)
        phases = self._not_hired_phases(p, decided)
        p.obj.active = False
        phases[-1].reason = "Geen aanwerving na de stage."
        return _TrajPlan(phases, "stage", ended_on=decided, outcome="not_hired")

    def _scenario_back_to_jobmatching(self, p: _PartInfo) -> _TrajPlan:
        decided = self._ago(5, 40)
        phases = self._not_hired_phases(p, decided)
        phases.append(_Phase("jobmatching", decided, reason="Geen aanwerving na de stage: terug naar jobmatching."))
        if self.rng.random() < 0.5:
            self._propose(p, "proposed", self._in_window(decided + _days(1), self.today - _days(1)), ("published",))
        return _TrajPlan(phases, "jobmatching")

    def _scenario_stopped(self, p: _PartInfo) -> _TrajPlan:
        rng = self.rng
        stop = self._ago(5, 200)
        reason = self._pick(self.texts["stop_reasons"])
        p.obj.active = False
        if rng.random() < 0.4:
            phase = _Phase("voortraject", stop - _days(rng.randint(10, 30)), stop, reason)
            return _TrajPlan([phase], "voortraject", ended_on=stop, outcome="stopped")
        jm_start = stop - _days(rng.randint(20, 85))
        if rng.random() < 0.5:
            start = self._pick(("proposed", "participant_agreed", "employer_interested"))
            self._propose(p, "withdrawn", self._on_day("withdrawn", stop), ("published", "paused", "closed"), declined_from=start)
        self._history(p, jm_start + _days(1), stop - _days(1), rng.choice((0, 1)))
        phases = [self._voortraject_before(jm_start), _Phase("jobmatching", jm_start, stop, reason)]
        return _TrajPlan(phases, "jobmatching", ended_on=stop, outcome="stopped")

    # --- places: dates and status after proposals ---------------------------------------------------------

    def _finish_places(self) -> None:
        """Make publication dates agree with the proposals made on each place, and settle full places."""
        rng = self.rng
        for place in self.places:
            obj = place.obj
            if obj.status == "filled" and place.active == 0:
                obj.status = "closed"
            elif obj.status == "filled":
                obj.places = place.active
            elif obj.status == "published" and place.active >= obj.places:
                obj.status = "filled"  # every place taken: the employer marked it filled
            if place.proposal_dates and obj.status in ("published", "paused", "filled", "closed"):
                earliest = min(place.proposal_dates)
                if obj.published_at > earliest - _days(2):
                    obj.published_at = self._at(earliest.date() - _days(rng.randint(2, 12)))
                    obj.created_at = obj.published_at - _days(rng.randint(1, 10))
                    obj.start_date = obj.published_at.date() + _days(rng.randint(14, 45))
                obj.expires_at = obj.published_at + _days(PLACE_EXPIRY_DAYS)
            if obj.status == "published" and obj.expires_at <= _combine(self.today, time(0)):
                obj.expires_at = _combine(self.today + _days(rng.randint(5, 40)), obj.published_at.time())  # renewed
            if obj.status == "closed":
                last = max(place.proposal_dates) if place.proposal_dates else obj.published_at + _days(rng.randint(20, 50))
                obj.updated_at = min(last + _days(rng.randint(1, 10)), _combine(self.today - _days(1), time(17)))
            elif obj.published_at is not None:
                obj.updated_at = max([obj.published_at, *place.proposal_dates])
        self._add([p.obj for p in self.places])

    def _write_place_children(self) -> None:
        rng = self.rng
        texts = self.texts["sheet"]
        skills, sheets = [], []
        for place in self.places:
            obj = place.obj
            for i, (_key, phrase, required, level) in enumerate(place.skills):
                skills.append(PlaceSkill(place_id=obj.id, name=phrase, taxonomy_id=self.skill_index.get(phrase.lower()), required=required, min_level=level, position=i))
            sheets.append(self._sheet(place, texts))
        self._add(skills, flush=False)
        self._add(sheets)
        lines, links = [], []
        for place, sheet in zip(self.places, sheets, strict=True):
            lines += self._cost_lines(place, sheet)
            if place.obj.status == "draft":
                continue
            chosen = []
            if rng.random() < 0.45:
                chosen.append("imw_loonpremie")
                if rng.random() < 0.6:
                    chosen.append("imw_begeleidingspremie")
            if rng.random() < 0.08:
                chosen.append("dgv_oudere_werkzoekenden")
            if rng.random() < 0.05:
                chosen.append("vdab_ibo")
            links += [SheetPremium(sheet_id=sheet.id, premium_id=self.premiums[c].id) for c in chosen if c in self.premiums]
        self._add(lines, flush=False)
        self._add(links, flush=False)

    def _sheet(self, place: _PlaceInfo, texts: dict) -> CostSheet:
        rng = self.rng
        obj = place.obj
        mode = rng.choices(("hour", "none", "month"), weights=(5, 4, 1))[0]
        amount = {"hour": round(rng.uniform(3.5, 6.5), 2), "month": float(rng.randrange(400, 750, 25)), "none": None}[mode]
        first, last = self._person()
        complete = obj.status != "draft" or rng.random() < 0.3
        intention = rng.choices(("hire", "probably", "no"), weights=(5, 4, 1))[0] if complete else None
        stamp = obj.updated_at if obj.status != "draft" else obj.created_at
        return CostSheet(
            place_id=obj.id,
            wage_mode=mode,
            wage_amount=amount,
            wage_payer="se_employer" if mode == "none" else "stage_employer",
            mentor_hours_per_week=rng.choice((2.0, 2.5, 3.0, 4.0, 5.0, 6.0)),
            mentor_hourly_cost=float(rng.randrange(32, 49)),
            mentor_payer="stage_employer",
            coach_visits=self._pick(texts["coach_visits"]),
            se_support=self._pick(texts["se_support"]),
            mentor_name=f"{first} {last}",
            first_day_plan=self._pick(texts["first_day_plan"]) if complete else None,
            feedback_moments=self._pick(texts["feedback_moments"]) if complete else None,
            employer_tasks_schedule=(f"De mentor voorziet {rng.choice((10, 15, 20))} minuten per dag voor uitleg en opvolging; "
                                     f"werkrooster: {obj.schedule}.") if complete else None,
            participant_tasks=obj.tasks,
            participant_pace=self._pick(texts["participant_pace"]) if complete else None,
            participant_hours=f"{obj.hours_per_week} uur per week - {obj.schedule}",
            participant_language=f"Nederlands niveau {obj.dutch_level}: werkinstructies begrijpen en vragen kunnen stellen.",
            safety_rules=place.template["safety"],
            intention=intention,
            contract_type=self._pick(texts["contract_types"]) if intention in ("hire", "probably") else None,
            checklist=[{"item": item, "done": complete and rng.random() < 0.8} for item in texts["checklist"]],
            updated_at=stamp,
        )

    def _cost_lines(self, place: _PlaceInfo, sheet: CostSheet) -> list[CostLine]:
        rng = self.rng
        sector = place.obj.sector
        lines = [("onboarding", "Onthaal en opleiding door de mentor (eerste week)", round(sheet.mentor_hourly_cost * rng.choice((4, 6, 8)), 2), "once", "stage_employer")]
        if sector in ("logistiek", "bouw", "productie", "recyclage", "groen", "techniek", "transport"):
            lines.append(("clothing", "Veiligheidsschoenen S3", float(rng.randrange(65, 100, 5)), "once", "stage_employer"))
        elif sector in ("horeca", "zorg", "wasserij", "schoonmaak"):
            lines.append(("clothing", "Werkkledij (2 sets)", float(rng.randrange(40, 85, 5)), "once", rng.choice(("stage_employer", "se_employer"))))
        lines.append(("travel", "Woon-werkverkeer (abonnement De Lijn of fietsvergoeding)", float(rng.randrange(30, 65, 5)), "month", "se_employer"))
        if sector == "logistiek" and any(k in ("heftruck", "reachtruck") for k, *_ in place.skills):
            lines.append(("other", "Heftruckattest (opleiding 2 dagen)", float(rng.randrange(250, 360, 10)), "once", rng.choice(("stage_employer", "government"))))
        elif sector == "bouw" and rng.random() < 0.7:
            lines.append(("other", "VCA-basisopleiding en examen", float(rng.randrange(150, 210, 10)), "once", rng.choice(("government", "se_employer"))))
        return [CostLine(sheet_id=sheet.id, kind=k, label=label, amount=amount, period=period, payer=payer, position=i)
                for i, (k, label, amount, period, payer) in enumerate(lines)]

    # --- trajectories, phases and holds -------------------------------------------------------------------

    def _write_trajectories(self) -> None:
        rng = self.rng
        for p, plan in self.trajectories:
            started = plan.phases[0].started_on
            p.obj.created_at = self._at(started - _days(rng.randint(0, 7)))
            last_contact = plan.ended_on or self._ago(1, 30)
            p.obj.last_contact_at = self._at(max(last_contact, started))
            p.obj.updated_at = p.obj.last_contact_at
            if p.user is not None:
                p.user.created_at = p.obj.created_at + _days(rng.randint(1, 5))
                if p.obj.active and rng.random() < 0.7:
                    p.user.last_login_at = self._at(self._ago(1, 20))
        self._add(self.participant_users)
        for p in self.parts:
            if p.user is not None:
                p.obj.user_id = p.user.id
                p.obj.email = p.user.email
        self._add([p.obj for p in self.parts])
        skills = []
        for p, _plan in self.trajectories:
            skills += self._participant_skills(p, has_evaluation=p.scenario not in ("voortraject",))
        self._add(skills, flush=False)

        rows = []
        for p, plan in self.trajectories:
            rows.append(Trajectory(
                participant_id=p.obj.id, coach_id=p.coach.id, current_phase=plan.current_phase, started_on=plan.phases[0].started_on,
                ended_on=plan.ended_on, outcome=plan.outcome, hired_on=plan.hired_on, still_employed_at_end=plan.still_employed,
                contract_type=plan.contract_type,
            ))
        self._add(rows)
        self.trajectory_rows = {id(p): row for (p, _), row in zip(self.trajectories, rows, strict=True)}
        periods, hold_specs = [], []
        for (_p, plan), traj in zip(self.trajectories, rows, strict=True):
            for phase in plan.phases:
                ended = phase.ended_on
                if ended is None and plan.ended_on is not None:
                    ended = plan.ended_on
                period = PhasePeriod(trajectory_id=traj.id, phase=phase.phase, started_on=phase.started_on,
                                     due_on=phase.started_on + _days(PHASE_MAX_DAYS[phase.phase]), ended_on=ended, reason=phase.reason)
                periods.append(period)
                hold_specs += [(period, h) for h in phase.holds]
        self._add(periods)
        self._add([HoldPeriod(phase_period_id=period.id, started_on=s, ended_on=e, reason=r) for period, (s, e, r) in hold_specs], flush=False)

    # --- proposals and their events -------------------------------------------------------------------------

    def _actor(self, plan: _ProposalPlan, state: str, prev: str | None) -> tuple[User | None, dict | None]:
        part, owner = plan.part, plan.place.owner
        if state == "participant_agreed":
            return (part.user, None) if part.user is not None else (part.coach, {"on_behalf_of_participant": True})
        if state in ("employer_interested", "intake_planned", "hired", "not_hired"):
            return owner, None
        if state == "declined":
            if plan.declined_by == "employer":
                return owner, {"reason": plan.decline_reason}
            if plan.declined_by == "participant":
                return part.user, {"reason": plan.decline_reason}
            return part.coach, {"reason": plan.decline_reason, "on_behalf_of_participant": True}
        return part.coach, None

    def _write_proposals(self) -> None:
        rows = []
        for plan in self.proposals:
            info = plan.info
            consented = next((t for s, t in plan.events if s == "participant_agreed"), None)
            rows.append(Proposal(
                participant_id=plan.part.obj.id, place_id=plan.place.obj.id, coach_id=plan.part.coach.id, state=plan.state,
                score=plan.score, participant_consented_at=consented, decline_reason=plan.decline_reason,
                decline_note=plan.decline_note if plan.declined_by == "employer" else None, declined_by=plan.declined_by,
                motivation=self._motivation(plan), stage_start=info["stage_start"], stage_end=info["stage_end"],
                created_at=plan.events[0][1], updated_at=plan.events[-1][1],
            ))
        self._add(rows)
        self.proposal_rows = list(zip(self.proposals, rows, strict=True))
        self._write_meetings()
        events = []
        for plan, row in self.proposal_rows:
            prev = None
            for state, at in plan.events:
                actor, data = self._actor(plan, state, prev)
                note = plan.decline_note if state == "declined" else plan.withdraw_note if state == "withdrawn" else None
                if state == "intake_planned":
                    data = {"meeting_id": self.meeting_ids.get(row.id)}
                elif state == "stage_agreed":
                    data = {"stage_start": plan.info["stage_start"].isoformat(), "stage_end": plan.info["stage_end"].isoformat()}
                events.append(ProposalEvent(proposal_id=row.id, from_state=prev, to_state=state, actor_id=actor.id if actor else None, note=note, data=data, at=at))
                prev = state
        self._add(events, flush=False)

    @staticmethod
    def _motivation(plan) -> str:
        asks = [phrase for _key, phrase, required, _level in plan.place.skills if required][:2]
        if asks:
            return f"{plan.part.obj.first_name} kan {' en '.join(asks)} en wil graag in deze job groeien."
        return f"{plan.part.obj.first_name} wil graag in deze job groeien en leert snel bij."

    def _write_meetings(self) -> None:
        """The intake meetings as the employer offered them and the coach confirmed them (one hour each)."""
        rows: list[Meeting] = []
        for plan, row in self.proposal_rows:
            info = plan.info
            states = [s for s, _t in plan.events]
            if plan.state == "employer_interested" and "participant_agreed" in states:
                rows.extend(self._offered_slots(plan, row))
            if not info.get("intake_at"):
                continue
            employer = plan.place.employer
            location = ", ".join(x for x in (employer.street, f"{employer.postal_code} {employer.city or ''}".strip()) if x)
            picked = info["intake_at"]
            confirmed_at = next((t for s, t in plan.events if s == "intake_planned"), None)
            outcome = None
            if any(s in states for s in ("stage_agreed", "stage_running", "stage_completed", "hired", "not_hired")):
                outcome = "continue"
            elif states[-1] == "declined" and plan.declined_by == "employer" and "intake_planned" in states:
                outcome = "not_retained"
            for option in info.get("intake_options") or [picked]:
                chosen = option == picked
                rows.append(Meeting(
                    proposal_id=row.id, uid=f"demo-{row.id}-{int(option.timestamp())}@stagebrug", status="confirmed" if chosen else "declined",
                    starts_at=option, ends_at=option + timedelta(hours=1), location=location or employer.name,
                    contact_person="Onthaal", proposed_by_id=None, confirmed_by_id=plan.part.coach.id if chosen else None,
                    confirmed_at=confirmed_at if chosen else None, outcome=outcome if chosen else None,
                    outcome_reason=plan.decline_reason if chosen and outcome == "not_retained" else None,
                    created_at=(confirmed_at or option) - timedelta(days=1), updated_at=confirmed_at or option,
                ))
        self._add(rows)
        self.meeting_ids = {m.proposal_id: m.id for m in rows if m.status == "confirmed"}

    def _offered_slots(self, plan, row) -> list[Meeting]:
        """Two slots the employer offered for an intake that nobody picked yet (the coach can pick one in the demo)."""
        employer = plan.place.employer
        location = ", ".join(x for x in (employer.street, f"{employer.postal_code} {employer.city or ''}".strip()) if x) or employer.name
        offered_at = plan.events[-1][1]
        first = _combine(self.today + _days(self.rng.randint(3, 6)), time(self.rng.choice((9, 10, 14))))
        return [
            Meeting(proposal_id=row.id, uid=f"demo-{row.id}-option-{n}@stagebrug", status="option", starts_at=start,
                    ends_at=start + timedelta(hours=1), location=location, contact_person="Onthaal", created_at=offered_at, updated_at=offered_at)
            for n, start in enumerate((first, first + _days(1) + timedelta(hours=4)))
        ]

    # --- evaluations, notes and notifications --------------------------------------------------------------

    def _scores(self, base: int) -> dict:
        motivations = self.texts["evaluation"]["motivations"]
        scores = {}
        for item in RUBRIC_ITEMS:
            score = max(1, min(4, base + self.rng.choice((-1, 0, 0, 1))))
            scores[item] = {"score": score, "motivation": motivations[item][score - 1]}
        return scores

    @staticmethod
    def _decision(scores: dict) -> str:
        mean = sum(v["score"] for v in scores.values()) / len(scores)
        return "ready" if mean >= 3 else "ready_with_support" if mean >= 2.4 else "not_yet"

    def _write_evaluations(self) -> None:
        rng = self.rng
        ev_texts = self.texts["evaluation"]
        first_round: list[tuple[_PartInfo, Evaluation, dict]] = []
        for p, plan in self.trajectories:
            traj = self.trajectory_rows[id(p)]
            vt = plan.phases[0]
            jm = next((ph for ph in plan.phases if ph.phase == "jobmatching"), None)
            base = {"attendees": self._pick(ev_texts["attendees"]), "participant_id": p.obj.id, "trajectory_id": traj.id, "coach_id": p.coach.id}
            if jm is not None and (p is self.demo_part or rng.random() < 0.7):
                held = jm.started_on - _days(rng.randint(1, 5))
                scores = self._scores(3 if p is self.demo_part else rng.choice((2, 3, 3, 4)))
                decision = self._decision(scores)
                if decision == "not_yet":  # people in jobmatching passed their evaluation
                    for item, v in scores.items():
                        v["score"] = min(4, v["score"] + 1)
                        v["motivation"] = ev_texts["motivations"][item][v["score"] - 1]
                    decision = self._decision(scores)
                previous = None
                if rng.random() < 0.12:  # an earlier "not yet", followed by this one
                    p_held = held - _days(rng.randint(50, 70))
                    p_scores = self._scores(2)
                    previous = Evaluation(**base, held_on=p_held, scores=p_scores, decision="not_yet", re_evaluation_on=p_held + _days(60),
                                          summary=ev_texts["summaries"]["not_yet"], signed_off_at=self._at(p_held + _days(rng.randint(0, 3)), (15, 17)),
                                          signed_off_by_id=p.coach.id, created_at=self._at(p_held))
                current = Evaluation(**base, held_on=held, scores=scores, decision=decision, summary=ev_texts["summaries"][decision],
                                     signed_off_at=self._at(min(held + _days(rng.randint(0, 3)), jm.started_on), (15, 17)),
                                     signed_off_by_id=p.coach.id, created_at=self._at(held))
                first_round.append((p, current, {"previous": previous}))
            elif plan.current_phase == "voortraject" and plan.outcome is None and rng.random() < 0.35:
                held = max(vt.started_on, self._ago(1, 6))
                scores = self._scores(rng.choice((2, 2, 3)))
                if rng.random() < 0.5:  # drafted, not yet signed off
                    first_round.append((p, Evaluation(**base, held_on=held, scores=scores, summary=None, created_at=self._at(held)), {"previous": None}))
                else:
                    first_round.append((p, Evaluation(**base, held_on=held, scores=scores, decision="not_yet", re_evaluation_on=held + _days(45),
                                                      summary=ev_texts["summaries"]["not_yet"], signed_off_at=self._at(held, (15, 17)),
                                                      signed_off_by_id=p.coach.id, created_at=self._at(held)), {"previous": None}))
        previous_rows = [extra["previous"] for _, _, extra in first_round if extra["previous"] is not None]
        self._add(previous_rows)
        for _, ev, extra in first_round:
            if extra["previous"] is not None:
                ev.previous_id = extra["previous"].id
        self._add([ev for _, ev, _ in first_round], flush=False)

    def _write_notes(self) -> None:
        rng = self.rng
        notes = []
        for p, plan in self.trajectories:
            start = plan.phases[0].started_on
            end = plan.ended_on or self.today - _days(1)
            span = max(0, (end - start).days)
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                day = start + _days(rng.randint(0, span))
                notes.append(ParticipantNote(participant_id=p.obj.id, author_id=p.coach.id, body=self._pick(self.texts["notes"]), created_at=self._at(day)))
            if plan.outcome == "stopped":
                reason = next((ph.reason for ph in plan.phases if ph.reason), None)
                notes.append(ParticipantNote(participant_id=p.obj.id, author_id=p.coach.id, body=f"Traject stopgezet. {reason or ''}".strip(), created_at=self._at(plan.ended_on)))
        notes.sort(key=lambda n: n.created_at)
        self._add(notes, flush=False)

    def _write_notifications(self) -> None:
        """Tell coaches about employers' answers of the last two weeks, as the employer area does."""
        rng = self.rng
        rows = []
        recent = _combine(self.today - _days(14), time(0))
        answers = {"employer_interested": "interested", "intake_planned": "intake", "declined": "decline"}
        for plan, row in self.proposal_rows:
            for state, at in plan.events:
                if at < recent or state not in answers or (state == "declined" and plan.declined_by != "employer"):
                    continue
                payload = {"proposal_id": row.id, "participant_id": row.participant_id, "place_id": row.place_id, "answer": answers[state],
                           "state": state, "reason": plan.decline_reason if state == "declined" else None}
                created = at + timedelta(minutes=1)
                read = created + timedelta(hours=rng.randint(1, 30)) if at.date() < self.today - _days(3) and rng.random() < 0.6 else None
                rows.append(Notification(user_id=plan.part.coach.id, kind="proposal.employer_answered", payload=payload, created_at=created,
                                         read_at=read, endpoint="coach.proposal_detail", endpoint_args={"proposal_id": row.id}))
        rows.sort(key=lambda n: n.created_at)
        self._add(rows, flush=False)
