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
    engine.dispose()
    return diff


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
