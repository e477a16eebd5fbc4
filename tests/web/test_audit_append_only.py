"""The database itself keeps the audit log append-only: no UPDATE or DELETE, whatever code (or SQL) asks."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from web.models import AuditLog


def test_the_database_refuses_to_change_or_delete_audit_rows(session):
    session.add(AuditLog(action="user.invited", object_type="User", object_id="7"))
    session.commit()
    for statement in ("UPDATE audit_log SET action = 'rewritten'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.exec(text(statement))
        session.rollback()
    session.add(AuditLog(action="user.deactivated"))  # adding stays possible
    session.commit()
    assert [row.action for row in session.exec(select(AuditLog).order_by(AuditLog.id)).all()] == ["user.invited", "user.deactivated"]
