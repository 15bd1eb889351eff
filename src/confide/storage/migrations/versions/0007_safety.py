"""Safety and trust (issue 6): staff accounts and sessions, access grants, abuse reports,
account actions, training-export lineage; suspension and country on users.

Revision ID: 0007_safety
Revises: 0006_instance
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007_safety"
down_revision = "0006_instance"
branch_labels = None
depends_on = None

_ID = sa.String(32)


def _at(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of ``users`` would cascade-delete on SQLite.
    op.add_column("users", _at("suspended_at", nullable=True))
    op.add_column("users", _at("suspended_until", nullable=True))
    op.add_column("users", sa.Column("country", sa.String(2), nullable=True))
    op.create_table(
        "staff",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        _at("created_at"),
        _at("disabled_at", nullable=True),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("staff_id", _ID, sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _at("created_at"),
        _at("last_seen_at"),
        _at("expires_at"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "access_grants",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("staff_id", _ID, sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_ref", sa.String(100), nullable=False),
        sa.Column("reason_ct", sa.LargeBinary(), nullable=False),
        sa.Column("scope", sa.String(60), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _at("created_at"),
        _at("decided_at", nullable=True),
        _at("expires_at"),
        _at("ended_at", nullable=True),
    )
    op.create_index("ix_access_grants_user_id", "access_grants", ["user_id"])
    op.create_index("ix_access_grants_staff_id", "access_grants", ["staff_id"])
    op.create_table(
        "abuse_reports",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", _ID, nullable=True),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _at("created_at"),
        _at("decided_at", nullable=True),
        sa.Column("decided_by", _ID, sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
    )
    op.create_index("ix_abuse_reports_user_id", "abuse_reports", ["user_id"])
    op.create_index("ix_abuse_reports_status_created", "abuse_reports", ["status", "created_at"])
    op.create_table(
        "account_actions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason_ct", sa.LargeBinary(), nullable=False),
        sa.Column("report_id", _ID, nullable=True),
        sa.Column("staff_id", _ID, sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
        _at("created_at"),
        _at("until", nullable=True),
        _at("seen_at", nullable=True),
    )
    op.create_index("ix_account_actions_user_id", "account_actions", ["user_id"])
    op.create_table(
        "training_contributions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("export_id", _ID, nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("conversation_id", _ID, nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        _at("created_at"),
    )
    op.create_index("ix_training_contributions_export_id", "training_contributions", ["export_id"])
    op.create_index("ix_training_contributions_user_id", "training_contributions", ["user_id"])


def downgrade() -> None:
    for table in (
        "training_contributions",
        "account_actions",
        "abuse_reports",
        "access_grants",
        "staff_sessions",
        "staff",
    ):
        op.drop_table(table)
    op.drop_column("users", "country")
    op.drop_column("users", "suspended_until")
    op.drop_column("users", "suspended_at")
