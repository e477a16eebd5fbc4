"""webhook signing secrets encrypted at rest

webhook_endpoint.secret (the signing secret in the clear) becomes webhook_endpoint.secret_encrypted: the secret
Fernet-encrypted with a key derived from SECRET_KEY (web/services/secret_box.py). Existing secrets are encrypted
here, with the SECRET_KEY of the environment the migration runs in, which must be the app's: receivers keep
verifying with the secret they already have. Downgrading decrypts them again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:20:00
"""
import os

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

endpoints = sa.table(
    "webhook_endpoint", sa.column("id", sa.Integer), sa.column("secret", sa.String), sa.column("secret_encrypted", sa.String)
)


def _keys() -> list[str]:
    """The app's SECRET_KEY (and SECRET_KEY_FALLBACKS, comma-separated), as the app reads them from the environment."""
    from web.config import DEFAULT_SECRET_KEY, RELAXED_ENVIRONMENTS

    key = context.config.attributes.get("secret_key") or os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    env = os.environ.get("STAGEBRUG_ENV", "production").strip().lower()
    if key == DEFAULT_SECRET_KEY and env not in RELAXED_ENVIRONMENTS and not context.config.attributes.get("secret_key"):
        raise RuntimeError(
            "migration 0010 encrypts the webhook secrets with SECRET_KEY: run it with the app's SECRET_KEY in the environment "
            "(or STAGEBRUG_ENV=development on a developer machine)"
        )
    fallbacks = [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
    return [key, *fallbacks]


def upgrade() -> None:
    from web.services.secret_box import seal_secret

    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.add_column(sa.Column("secret_encrypted", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoints.c.id, endpoints.c.secret)).all()
    if rows:
        keys = _keys()
        for row_id, secret in rows:
            connection.execute(endpoints.update().where(endpoints.c.id == row_id).values(secret_encrypted=seal_secret(secret, keys=keys)))
    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.drop_column("secret")
        batch.alter_column("secret_encrypted", existing_type=sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False)


def downgrade() -> None:
    from web.services.secret_box import open_secret

    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.add_column(sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoints.c.id, endpoints.c.secret_encrypted)).all()
    if rows:
        keys = _keys()
        for row_id, sealed in rows:
            connection.execute(endpoints.update().where(endpoints.c.id == row_id).values(secret=open_secret(sealed, keys=keys).plain))
    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.drop_column("secret_encrypted")
        batch.alter_column("secret", existing_type=sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False)
