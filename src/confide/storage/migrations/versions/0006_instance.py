"""Instance settings the owner changes from the web app (minimum age, model), and the owner
flag on accounts.

Revision ID: 0006_instance
Revises: 0005_privacy_center
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_instance"
down_revision = "0005_privacy_center"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of ``users`` would cascade-delete on SQLite.
    op.add_column(
        "users",
        sa.Column("is_owner", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "instance_settings",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("instance_settings")
    op.drop_column("users", "is_owner")
