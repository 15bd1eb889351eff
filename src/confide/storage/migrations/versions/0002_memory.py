"""Memory: items with provenance and version history, sealed embeddings, reply sources, jobs.

Revision ID: 0002_memory
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_memory"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _user_fk() -> sa.Column[str]:
    return sa.Column(
        "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("companions") as batch:
        batch.add_column(
            sa.Column("memory_mode", sa.String(10), nullable=False, server_default="on")
        )
        batch.add_column(
            sa.Column("memory_revision", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("summary_ct")
        batch.add_column(
            sa.Column("extracted_through_seq", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "message_embeddings",
        sa.Column(
            "message_id",
            sa.String(32),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _user_fk(),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("vectors_ct", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_message_embeddings_user_id", "message_embeddings", ["user_id"])
    op.create_table(
        "reply_sources",
        sa.Column(
            "message_id",
            sa.String(32),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _user_fk(),
        sa.Column("sources_ct", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_reply_sources_user_id", "reply_sources", ["user_id"])
    op.create_table(
        "memory_items",
        sa.Column("id", sa.String(32), primary_key=True),
        _user_fk(),
        sa.Column(
            "companion_id",
            sa.String(32),
            sa.ForeignKey("companions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("text_ct", sa.LargeBinary(), nullable=False),
        sa.Column("detail_ct", sa.LargeBinary(), nullable=False),
        sa.Column("embedding_ct", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_memory_items_user_companion", "memory_items", ["user_id", "companion_id"])
    op.create_index("ix_memory_items_conversation_id", "memory_items", ["conversation_id"])
    op.create_table(
        "memory_versions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "item_id",
            sa.String(32),
            sa.ForeignKey("memory_items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _user_fk(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("old_ct", sa.LargeBinary(), nullable=True),
        sa.Column("new_ct", sa.LargeBinary(), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_memory_versions_item_id", "memory_versions", ["item_id"])
    op.create_table(
        "memory_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        _user_fk(),
        sa.Column(
            "companion_id",
            sa.String(32),
            sa.ForeignKey("companions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("through_seq", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", TS, nullable=False),
        sa.Column("claimed_until", TS, nullable=True),
        sa.Column("last_error", sa.String(60), nullable=True),
        sa.UniqueConstraint("conversation_id", "kind", name="uq_memory_jobs"),
    )
    op.create_index("ix_memory_jobs_user_id", "memory_jobs", ["user_id"])
    op.create_index("ix_memory_jobs_run_after", "memory_jobs", ["run_after"])


def downgrade() -> None:
    for table in (
        "memory_jobs",
        "memory_versions",
        "memory_items",
        "reply_sources",
        "message_embeddings",
    ):
        op.drop_table(table)
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("extracted_through_seq")
        batch.add_column(sa.Column("summary_ct", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("companions") as batch:
        batch.drop_column("memory_revision")
        batch.drop_column("memory_mode")
