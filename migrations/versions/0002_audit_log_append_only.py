"""audit log append-only in the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 14:40:00
"""
from alembic import op

from web.models import AUDIT_APPEND_ONLY_DDL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DROP = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_append_only()",
    ),
    "sqlite": ("DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"),
}


def upgrade() -> None:
    for statement in AUDIT_APPEND_ONLY_DDL.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
