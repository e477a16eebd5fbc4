"""occupation wishes and a place's occupation

A participant lists desired occupations (participant.occupations, a JSON list of free-text or ESCO labels); a
stage place may name its occupation apart from its title (stage_place.occupation), from which
stage_place.title_esco_uri is resolved. Both are optional; existing rows keep NULL.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participant") as batch:
        batch.add_column(sa.Column("occupations", sa.JSON(), nullable=True))
    with op.batch_alter_table("stage_place") as batch:
        batch.add_column(sa.Column("occupation", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stage_place") as batch:
        batch.drop_column("occupation")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("occupations")
