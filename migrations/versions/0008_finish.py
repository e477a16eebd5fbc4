"""employer review and e-mail verification

A self-registered organisation waits for an admin's review (employer.review_status) before coaches see its
places; a self-registered account confirms its e-mail address (user_account.email_verified) before its first
publication. Existing organisations and accounts are approved and verified.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:15:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REVIEW_STATUSES = "review_status IN ('pending', 'approved', 'more_info', 'refused')"


def upgrade() -> None:
    with op.batch_alter_table("employer") as batch:
        batch.add_column(sa.Column("review_status", sqlmodel.sql.sqltypes.AutoString(length=20), server_default="approved", nullable=False))
        batch.add_column(sa.Column("review_message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_employer_reviewed_by_id_user_account", "user_account", ["reviewed_by_id"], ["id"])
        batch.create_check_constraint("ck_employer_review_status", REVIEW_STATUSES)
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email_verified", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("email_verified")
    with op.batch_alter_table("employer") as batch:
        batch.drop_constraint("ck_employer_review_status", type_="check")
        batch.drop_constraint("fk_employer_reviewed_by_id_user_account", type_="foreignkey")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
        batch.drop_column("review_message")
        batch.drop_column("review_status")
