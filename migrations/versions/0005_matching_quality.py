"""matching quality: content hash of stored suggestions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:10:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_suggestion") as batch:
        batch.add_column(sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_suggestion") as batch:
        batch.drop_column("content_hash")
