"""Shared fixtures: an app with its own database per test, a client, a session, login helper and builders.

SQLite (default): a fresh database file per test, copied from a schema built once per test process.
PostgreSQL (``TEST_DATABASE_URL``): a database created for this test run, tables created once, every table emptied
after each test (DELETE with triggers off and sequences reset: TRUNCATE of every table cost 0.6–1.2 s a test).
"""
from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlmodel import SQLModel

from web import create_app
from web.config import TestConfig
from web.db import build_engine
from web.models import (
    CostSheet,
    Employer,
    EmployerMember,
    Participant,
    ParticipantSkill,
    PhasePeriod,
    PlaceSkill,
    Proposal,
    StagePlace,
    Trajectory,
    User,
    utcnow,
)

TEST_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def _cache_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Every test creates its own app, and werkzeug compiles two builder functions (an AST and ``compile``) for each
    of the app's ~800 rules: most of the 0.2–0.8 s that ``create_app`` took per test. The builder depends only on
    the rule's text, its parsed parts and its defaults, which are the same for every app of this code, and it is
    bound to its rule on use, so a compiled one can be shared. If werkzeug changes the private method, nothing is
    patched and the suite is only slower.
    """
    from werkzeug.routing.rules import Rule

    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "_stagebrug_cached", False):
        return
    compiled: dict = {}

    @functools.wraps(original)
    def _compile_builder(self, append_unknown: bool = True):
        key = (self.rule, self.subdomain, self.host, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        builder = compiled.get(key)
        if builder is None:
            builder = compiled[key] = original(self, append_unknown)
        return builder

    _compile_builder._stagebrug_cached = True  # type: ignore[attr-defined]
    Rule._compile_builder = _compile_builder  # type: ignore[method-assign]


_cache_url_builders()


def _cheap_password_hashing() -> None:
    """Hash and verify the tests' passwords with the cheapest Argon2id parameters.

    Production keeps argon2-cffi's defaults (RFC 9106: 64 MiB, 3 passes, 4 lanes): one verification took about
    0.3 s, and nearly every test logs in through the real form. Verification reads the parameters from the stored
    hash, so the tests' hashes are made cheap here; `test_production_password_hashing_stays_strong` checks the
    production parameters.
    """
    from argon2 import PasswordHasher

    from web import security

    security.PRODUCTION_HASHER = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


_cheap_password_hashing()

# Empties every table of the test database in one round trip: triggers (the audit log's append-only guard and the
# foreign keys) are off for this transaction only, and every sequence starts again at 1 as TRUNCATE … RESTART
# IDENTITY did.
_PG_EMPTY_ALL = """DO $$DECLARE r record; BEGIN
SET LOCAL session_replication_role = replica;
FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
  EXECUTE format('DELETE FROM %I', r.tablename);
END LOOP;
FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
  PERFORM setval(format('%I', r.sequencename)::regclass, 1, false);
END LOOP;
END$$"""


def _pg_admin_url(url: str) -> str:
    return re.sub(r"/[^/]+$", "/postgres", url)


@pytest.fixture(scope="session")
def postgres_url():
    """Create a throwaway PostgreSQL database for this test run (None on SQLite)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"stagebrug_test_{uuid.uuid4().hex[:10]}"
    admin = sa_create_engine(build_engine(_pg_admin_url(base)).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database: commits need not wait for the disk.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = re.sub(r"/[^/]+$", f"/{name}", base)
    engine = build_engine(url)
    import web.models  # noqa: F401

    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory, postgres_url):
    """A SQLite file holding the whole schema (tables, indexes, the audit triggers), built once per test process."""
    if postgres_url is not None:
        return None
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    engine = build_engine(f"sqlite:///{path}")
    import web.models  # noqa: F401

    SQLModel.metadata.create_all(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def app(tmp_path, postgres_url, sqlite_schema):
    """An app bound to a database of its own."""
    if postgres_url is None:
        shutil.copyfile(sqlite_schema, tmp_path / "test.db")
    url = postgres_url or f"sqlite:///{tmp_path / 'test.db'}"
    application = create_app(TestConfig)
    application.config["DATABASE_URL"] = url
    engine = build_engine(url)
    application.extensions["db_engine"].dispose()
    application.extensions["db_engine"] = engine
    yield application
    if postgres_url is not None:
        with engine.begin() as conn:
            conn.execute(text(_PG_EMPTY_ALL))
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A session of its own on the test's database (requests use theirs; refresh objects to see their changes)."""
    from sqlmodel import Session

    db = Session(app.extensions["db_engine"])
    yield db
    db.rollback()
    db.close()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def login(client, email: str, password: str = TEST_PASSWORD, follow: bool = False):
    """Log a test client in through the real login form."""
    return client.post("/auth/login", data={"email": email, "password": password}, follow_redirects=follow)


@pytest.fixture
def login_as(client):
    def _login(user: User):
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


_PASSWORD_HASH = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from web.security import hash_password

        _PASSWORD_HASH = hash_password(TEST_PASSWORD)
    return _PASSWORD_HASH


def make_user(session, role: str = "coach", **fields) -> User:
    n = next(_counter)
    values = {"email": f"{role}{n}@example.be", "full_name": f"{role.title()} {n}", "role": role, "password_hash": _password_hash()}
    values.update(fields)
    user = User(**values)
    session.add(user)
    session.commit()
    return user


def _kbo_from(base: int) -> str:
    first8 = f"{base:08d}"
    first8 = "0" + first8[1:]
    check = 97 - int(first8) % 97
    return f"{first8}{check:02d}"


def make_employer(session, user: User | None = None, **fields) -> Employer:
    n = next(_counter)
    values = {"name": f"Werkgever {n}", "kbo_number": _kbo_from(4000000 + n * 7919), "sector": "logistiek", "postal_code": "9000", "city": "Gent"}
    values.update(fields)
    employer = Employer(**values)
    session.add(employer)
    session.flush()
    if user is None:
        user = make_user(session, "employer")
    session.add(EmployerMember(employer_id=employer.id, user_id=user.id, is_owner=True))
    session.commit()
    return employer


def make_place(session, employer: Employer, skills=(("heftruck rijden", True, 2),), **fields) -> StagePlace:
    values = {
        "employer_id": employer.id,
        "title": "Magazijnmedewerker",
        "description": "Orders klaarzetten in het magazijn.",
        "tasks": "Orderpicking, laden en lossen.",
        "sector": "logistiek",
        "postal_code": "9000",
        "hours_per_week": 30,
        "start_date": date.today() + timedelta(days=14),
        "duration_weeks": 8,
        "places": 1,
        "dutch_level": "A2",
        "status": "published",
        "published_at": utcnow(),
        "expires_at": utcnow() + timedelta(days=60),
    }
    values.update(fields)
    place = StagePlace(**values)
    session.add(place)
    session.flush()
    for i, (name, required, level) in enumerate(skills):
        session.add(PlaceSkill(place_id=place.id, name=name, required=required, min_level=level, position=i))
    session.add(CostSheet(place_id=place.id))
    session.commit()
    return place


def make_participant(session, coach: User, skills=(("heftruck", 3),), user: User | None = None, phase: str = "jobmatching", **fields) -> Participant:
    n = next(_counter)
    values = {
        "coach_id": coach.id,
        "first_name": f"Deelnemer{n}",
        "last_name": f"Achternaam{n}",
        "postal_code": "9000",
        "max_distance_km": 25,
        "hours_per_week": 38,
        "dutch_level": "B1",
        "user_id": user.id if user else None,
    }
    values.update(fields)
    participant = Participant(**values)
    session.add(participant)
    session.flush()
    for name, level in skills:
        session.add(ParticipantSkill(participant_id=participant.id, name=name, level=level))
    start = date.today() - timedelta(days=20)
    trajectory = Trajectory(participant_id=participant.id, coach_id=coach.id, current_phase=phase, started_on=start)
    session.add(trajectory)
    session.flush()
    session.add(PhasePeriod(trajectory_id=trajectory.id, phase=phase, started_on=start, due_on=start + timedelta(days=90)))
    session.commit()
    return participant


def make_proposal(session, participant: Participant, place: StagePlace, state: str = "proposed", **fields) -> Proposal:
    proposal = Proposal(participant_id=participant.id, place_id=place.id, coach_id=participant.coach_id, state=state, **fields)
    session.add(proposal)
    session.commit()
    return proposal


def make_meeting(session, proposal: Proposal, *, status: str = "confirmed", days_ahead: int = 3, hour: int = 10, **fields):
    """A meeting of a proposal, one hour long, ``days_ahead`` days from now (negative: in the past)."""
    import uuid

    from web.models import Meeting

    start = (utcnow() + timedelta(days=days_ahead)).replace(hour=hour, minute=0, second=0, microsecond=0)
    values = {"location": "Havenlaan 1, 9000 Gent", "contact_person": "Sofie", **fields}
    meeting = Meeting(proposal_id=proposal.id, uid=f"{uuid.uuid4()}@stagebrug", status=status, starts_at=start,
                      ends_at=start + timedelta(hours=1), **values)
    session.add(meeting)
    session.commit()
    return meeting


@pytest.fixture
def builders():
    """The make_* builders, for tests that prefer a fixture to imports."""

    class B:
        user = staticmethod(make_user)
        employer = staticmethod(make_employer)
        place = staticmethod(make_place)
        participant = staticmethod(make_participant)
        proposal = staticmethod(make_proposal)

    return B
