"""what stored suggestions were computed from

match_input keeps, per participant, a digest of the engine, the participant's engine input and declined places,
and the digest of the open places their suggestions were computed against; match_place_input keeps one digest
per open place as the last complete nightly refresh saw them. The nightly refresh skips unchanged participants
and, when a few places changed, rebuilds only those pairs. Both tables start empty: the first nightly run after
the upgrade computes everything once (and writes only what changed) and fills them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 02:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_input",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("places_digest", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.create_table(
        "match_place_input",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("place_id"),
    )


def downgrade() -> None:
    op.drop_table("match_place_input")
    op.drop_table("match_input")
