"""Database engine per app and one session per request: the request boundary commits once."""
from __future__ import annotations

from contextlib import contextmanager

import orjson
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def _json_dumps(value) -> str:
    """JSON for PostgreSQL's json columns: orjson, several times faster than json.dumps on the stored explanations."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def build_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine: SQLite with WAL and a busy timeout, or PostgreSQL via psycopg."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # JIT compilation pays off for long analytical queries; for these short page queries it only adds its compile
    # time (measured: ~250 ms on one to-do query at region scale), so it is off for the app's connections.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args={"options": "-c jit=off"},
                         json_serializer=_json_dumps)


def init_app(app: Flask) -> None:
    """Attach an engine to the app; the request owns the transaction.

    Any exception a view or guard raises — an HTTP error from ``abort(404)`` included — rolls the request's
    session back before the error page renders, so a view that flushed and then aborted leaves nothing. A
    response the view returns itself is committed once, after the view (a 5xx never is).
    """
    app.extensions["db_engine"] = build_engine(app.config["DATABASE_URL"])
    handle_user_exception = app.handle_user_exception

    def _rollback_then_handle(error):
        rollback_request_session()
        return handle_user_exception(error)

    app.handle_user_exception = _rollback_then_handle  # type: ignore[method-assign]

    @app.after_request
    def _commit(response):
        session = g.get("db_session")
        if session is not None and response.status_code < 500:
            session.commit()
        return response

    @app.teardown_appcontext
    def _close(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def rollback_request_session() -> None:
    """Undo everything the current request flushed (used when a view or guard raises)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def get_engine() -> Engine:
    return current_app.extensions["db_engine"]


def get_session() -> Session:
    """Return the session of the current request or app context, creating it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def session_scope(engine: Engine | None = None):
    """A session for CLI commands and jobs: commit on success, roll back on error."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
