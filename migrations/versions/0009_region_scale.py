"""region scale: the funnel step kept per proposal, indexes for the monitoring, the audit log and the places' version

``proposal.reached_step`` holds the furthest monitoring funnel step any of the proposal's events reached (0 proposed,
1 intake, 2 stage, 3 hired; the mapping is ``web.models.REACHED_STEP`` as of this revision, copied here so the
backfill does not change when the code does). Indexes: proposals by state (capacity counts) and by creation time
(the monitoring period), places by ``updated_at`` (the version of the open places each process keeps), audit rows by
actor and time and by action.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STEPS = {"intake_planned": 1, "stage_agreed": 1, "stage_running": 2, "stage_completed": 2, "not_hired": 2, "hired": 3}


def upgrade() -> None:
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("reached_step", sa.Integer(), server_default="0", nullable=False))
    step = "CASE " + " ".join(f"WHEN e.to_state = '{state}' THEN {n}" for state, n in STEPS.items()) + " ELSE 0 END"
    op.execute(
        f"UPDATE proposal SET reached_step = COALESCE((SELECT MAX({step}) FROM proposal_event e WHERE e.proposal_id = proposal.id), 0)"
    )
    op.create_index("ix_proposal_state", "proposal", ["state"])
    op.create_index("ix_proposal_created_at", "proposal", ["created_at"])
    op.create_index("ix_stage_place_updated_at", "stage_place", ["updated_at"])
    op.create_index("ix_audit_actor_at", "audit_log", ["actor_id", "at"])
    op.create_index("ix_audit_action", "audit_log", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_action", table_name="audit_log")
    op.drop_index("ix_audit_actor_at", table_name="audit_log")
    op.drop_index("ix_stage_place_updated_at", table_name="stage_place")
    op.drop_index("ix_proposal_created_at", table_name="proposal")
    op.drop_index("ix_proposal_state", table_name="proposal")
    with op.batch_alter_table("proposal") as batch:
        batch.drop_column("reached_step")
