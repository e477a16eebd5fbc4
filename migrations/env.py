"""Alembic environment: the database URL comes from the app's configuration (DATABASE_URL)."""
from alembic import context
from sqlmodel import SQLModel

import web.models  # noqa: F401  (registers every table on the metadata)
from web.config import Config
from web.db import build_engine

target_metadata = SQLModel.metadata


def _url() -> str:
    return context.config.attributes.get("database_url") or Config.DATABASE_URL


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = build_engine(_url())
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
