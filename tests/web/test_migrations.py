"""The Alembic chain builds exactly the schema the models declare, on SQLite and on PostgreSQL."""
import os
import re
import uuid
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import web.models  # noqa: F401
from web.db import build_engine

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "migrations" / "alembic.ini"


def _upgrade_and_diff(url: str) -> list:
    engine = build_engine(url)
    config = Config(str(ALEMBIC_INI))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    _assert_audit_log_is_append_only(engine)
    engine.dispose()
    return diff


def _assert_audit_log_is_append_only(engine) -> None:
    """Migration 0002 installs the triggers that refuse UPDATE and DELETE on audit_log."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, action) VALUES (CURRENT_TIMESTAMP, 'test.row')"))
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_log")).scalars().all() == ["test.row"]


def test_migrations_match_models_on_sqlite(tmp_path):
    assert _upgrade_and_diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_migrations_match_models_on_postgresql():
    import pytest

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("set TEST_DATABASE_URL to check the chain on PostgreSQL")
    name = f"stagebrug_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(build_engine(re.sub(r"/[^/]+$", "/postgres", base)).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        assert _upgrade_and_diff(re.sub(r"/[^/]+$", f"/{name}", base)) == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
