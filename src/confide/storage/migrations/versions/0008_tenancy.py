"""Tenancy (issue 7): unique constraints carry the user id; on PostgreSQL, row-level security;
rate-limit windows in 64-bit seconds.

Every user-data table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and a policy that lets a
transaction see and write only the rows of its tenant, ``current_setting('app.user_id', true)``
(set per transaction by ``storage/db.py``; unset or empty, no row matches). The few system
paths that cross users name an ``app.scope``; ``SCOPE_GRANTS`` below gives each scope exactly
the commands it needs on exactly the tables it needs, and nothing else: no role bypasses RLS.

The app role (the user of ``database_url``, when it differs from the owner running this
migration) gets table privileges only: it owns nothing. The audit log is append-only for it at
the database itself: no ``DELETE`` on ``audit_entries``, and ``UPDATE`` only of
``details_ct`` (retention drops old details), under the ``retention`` scope.

Revision ID: 0008_tenancy
Revises: 0007_safety
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0008_tenancy"
down_revision = "0007_safety"
branch_labels = None
depends_on = None

# table -> the column naming the user the row belongs to
TENANT_COLUMN: dict[str, str] = {
    "users": "id",
    "sessions": "user_id",
    "companions": "user_id",
    "conversations": "user_id",
    "messages": "user_id",
    "message_embeddings": "user_id",
    "reply_sources": "user_id",
    "memory_items": "user_id",
    "memory_versions": "user_id",
    "memory_jobs": "user_id",
    "audit_entries": "subject_user_id",
    "consents": "user_id",
    "export_jobs": "user_id",
    "policy_acks": "user_id",
    "rights_requests": "user_id",
    "nominees": "user_id",
    "access_grants": "user_id",
    "abuse_reports": "user_id",
    "account_actions": "user_id",
    "training_contributions": "user_id",
}

# table -> scope -> commands that scope may run on any user's rows
SCOPE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    # log-in by username, sign-up's "is this name taken", session and export-token lookups;
    # retention finds accounts due for purge; staff look a user up by name; the operator
    # grants ownership and lists owners
    "users": {
        "auth": ("SELECT",),
        "retention": ("SELECT",),
        "staff": ("SELECT",),
        "operator": ("SELECT", "UPDATE"),
    },
    "sessions": {"auth": ("SELECT",), "retention": ("SELECT", "DELETE")},
    "memory_jobs": {"jobs": ("SELECT", "UPDATE")},
    "export_jobs": {
        "auth": ("SELECT",),
        "jobs": ("SELECT", "UPDATE"),
        "retention": ("SELECT", "UPDATE"),
    },
    # any system path may append to the chain; only the audit scope reads all of it
    "audit_entries": {"audit": ("SELECT",), "retention": ("SELECT", "UPDATE")},
    "consents": {"operator": ("SELECT",)},
    "policy_acks": {"operator": ("SELECT",)},
    # the training export's lineage check: which exported conversations still exist
    "conversations": {"operator": ("SELECT",)},
    "rights_requests": {"operator": ("SELECT", "UPDATE")},
    "access_grants": {"staff": ("SELECT", "UPDATE"), "retention": ("SELECT", "UPDATE")},
    "abuse_reports": {"staff": ("SELECT", "UPDATE"), "retention": ("SELECT", "DELETE")},
    "account_actions": {"staff": ("SELECT",)},
    "training_contributions": {"operator": ("SELECT", "INSERT")},
}

_TENANT = "current_setting('app.user_id', true)"
_SCOPE = "current_setting('app.scope', true)"


def _policies(table: str, column: str) -> list[str]:
    sql = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant ON {table} USING ({column} = {_TENANT}) "
        f"WITH CHECK ({column} = {_TENANT})",
    ]
    for scope, commands in SCOPE_GRANTS.get(table, {}).items():
        for command in commands:
            name = f"{scope}_{command.lower()}"
            if command == "INSERT":
                clause = f"WITH CHECK ({_SCOPE} = '{scope}')"
            elif command == "UPDATE":
                clause = f"USING ({_SCOPE} = '{scope}') WITH CHECK ({_SCOPE} = '{scope}')"
            else:
                clause = f"USING ({_SCOPE} = '{scope}')"
            sql.append(f"CREATE POLICY {name} ON {table} FOR {command} {clause}")
    if table == "audit_entries":
        # Appending reveals nothing: an entry about no one (staff and operator events) may be
        # appended by anyone, one about a user by that user's own transactions (the tenant
        # policy) or by any named system scope (a job, retention, a staff decision).
        sql.append(
            f"CREATE POLICY system_insert ON audit_entries FOR INSERT "
            f"WITH CHECK (subject_user_id IS NULL OR coalesce({_SCOPE}, '') <> '')"
        )
    return sql


def _grants(app_role: str) -> list[str]:
    role = f'"{app_role}"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        f"REVOKE UPDATE, DELETE ON audit_entries, audit_checkpoints FROM {role}",
        f"GRANT UPDATE (details_ct) ON audit_entries TO {role}",
        # tables added by later migrations get the same privileges
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    # A unique constraint across all users would let one user learn, from a violation, that
    # another user's row exists; each now carries the user id.
    # (On SQLite the rebuild that drops a constraint runs with foreign keys off, so the
    # messages' embeddings are not cascade-deleted: see ``Database.upgrade``.)
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("uq_messages_conversation_seq", type_="unique")
        batch.create_unique_constraint(
            "uq_messages_user_conversation_seq", ["user_id", "conversation_id", "seq"]
        )
    with op.batch_alter_table("memory_jobs") as batch:
        batch.drop_constraint("uq_memory_jobs", type_="unique")
        batch.create_unique_constraint(
            "uq_memory_jobs_user", ["user_id", "conversation_id", "kind"]
        )
    # Unix seconds overflow a 32-bit INTEGER in 2038 (PostgreSQL's INTEGER is 32 bits).
    with op.batch_alter_table("rate_limit_counters") as batch:
        batch.alter_column("window_start", type_=sa.BigInteger(), existing_nullable=False)
    if not postgres:
        return
    for table, column in TENANT_COLUMN.items():
        for statement in _policies(table, column):
            op.execute(statement)
    app_role = context.config.attributes.get("app_role")
    if app_role:
        for statement in _grants(app_role):
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_counters") as batch:
        batch.alter_column("window_start", type_=sa.Integer(), existing_nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_COLUMN:
            op.execute(f"DROP POLICY IF EXISTS tenant ON {table}")
            for scope, commands in SCOPE_GRANTS.get(table, {}).items():
                for command in commands:
                    op.execute(f"DROP POLICY IF EXISTS {scope}_{command.lower()} ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP POLICY IF EXISTS system_insert ON audit_entries")
    with op.batch_alter_table("memory_jobs") as batch:
        batch.drop_constraint("uq_memory_jobs_user", type_="unique")
        batch.create_unique_constraint("uq_memory_jobs", ["conversation_id", "kind"])
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("uq_messages_user_conversation_seq", type_="unique")
        batch.create_unique_constraint("uq_messages_conversation_seq", ["conversation_id", "seq"])
