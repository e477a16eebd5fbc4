"""security hardening: session version, admin deactivation, rate events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 19:45:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        # existing accounts start at version 0; the server default only fills the rows that are already there
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("deactivated_by_admin_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "rate_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rate_event", schema=None) as batch_op:
        batch_op.create_index("ix_rate_event_key_at", ["key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_event", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_event_key_at")
    op.drop_table("rate_event")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deactivated_by_admin_at")
        batch_op.drop_column("session_version")
