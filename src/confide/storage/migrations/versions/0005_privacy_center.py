"""The privacy center: account deletion, exports, policy versions, data-rights requests,
nominees; audit details may be dropped by retention (nothing else in an entry may change).

Revision ID: 0005_privacy_center
Revises: 0004_consents
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_privacy_center"
down_revision = "0004_consents"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _user_fk() -> sa.Column[str]:
    return sa.Column(
        "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of ``users`` would cascade-delete on SQLite.
    op.add_column("users", sa.Column("deletion_requested_at", TS, nullable=True))
    op.add_column("users", sa.Column("deletion_due_at", TS, nullable=True))
    op.create_index("ix_users_deletion_due_at", "users", ["deletion_due_at"])
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        _user_fk(),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("archive_ct", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(60), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("expires_at", TS, nullable=True),
    )
    op.create_index("ix_export_jobs_user_id", "export_jobs", ["user_id"])
    op.create_index("ix_export_jobs_expires_at", "export_jobs", ["expires_at"])
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.String(40), primary_key=True),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_table(
        "policy_acks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _user_fk(),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.UniqueConstraint("user_id", "version", name="uq_policy_acks"),
    )
    op.create_index("ix_policy_acks_user_id", "policy_acks", ["user_id"])
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        _user_fk(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("filed_by", sa.String(10), nullable=False),
        sa.Column("details_ct", sa.LargeBinary(), nullable=False),
        sa.Column("resolution_ct", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
    )
    op.create_index("ix_rights_requests_user_id", "rights_requests", ["user_id"])
    op.create_index("ix_rights_requests_status_due", "rights_requests", ["status", "due_at"])
    op.create_table(
        "nominees",
        sa.Column(
            "user_id",
            sa.String(32),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("details_ct", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Retention may drop an old entry's sealed details (the chain covers only their
        # digest); any other change to an entry is still refused.
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute(
            "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
            "WHEN NOT (NEW.details_ct IS NULL AND NEW.seq = OLD.seq AND NEW.at IS OLD.at "
            "AND NEW.actor IS OLD.actor AND NEW.subject_user_id IS OLD.subject_user_id "
            "AND NEW.action IS OLD.action AND NEW.object_ref IS OLD.object_ref "
            "AND NEW.purpose IS OLD.purpose AND NEW.details_digest = OLD.details_digest "
            "AND NEW.prev_hash = OLD.prev_hash AND NEW.entry_hash = OLD.entry_hash) "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute(
            "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
    op.drop_table("nominees")
    op.drop_table("rights_requests")
    op.drop_table("policy_acks")
    op.drop_table("policy_versions")
    op.drop_table("export_jobs")
    op.drop_index("ix_users_deletion_due_at", "users")
    op.drop_column("users", "deletion_due_at")
    op.drop_column("users", "deletion_requested_at")
