"""Key store tenancy (issue 7): on PostgreSQL, row-level security on ``data_keys``.

A transaction sees only the data key of its tenant (``app.user_id``); the operator's master-key
rotation (``operator`` scope) reads and re-wraps every key. The app role gets table privileges
and owns nothing (see the content database's ``0008_tenancy``).

Revision ID: ks0002_tenancy
Revises: ks0001_data_keys
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import context, op

revision = "ks0002_tenancy"
down_revision = "ks0001_data_keys"
branch_labels = None
depends_on = None

_TENANT = "current_setting('app.user_id', true)"
_OPERATOR = "current_setting('app.scope', true) = 'operator'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (
        "ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE data_keys FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant ON data_keys USING (user_id = {_TENANT}) "
        f"WITH CHECK (user_id = {_TENANT})",
        f"CREATE POLICY operator_select ON data_keys FOR SELECT USING ({_OPERATOR})",
        f"CREATE POLICY operator_update ON data_keys FOR UPDATE USING ({_OPERATOR}) "
        f"WITH CHECK ({_OPERATOR})",
    ):
        op.execute(statement)
    app_role = context.config.attributes.get("app_role")
    if app_role:
        role = f'"{app_role}"'
        op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        # No DELETE: a destroyed key leaves a tombstone row, never a gap.
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON data_keys TO {role}")
        op.execute(f"GRANT SELECT ON alembic_version TO {role}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (
        "DROP POLICY IF EXISTS operator_update ON data_keys",
        "DROP POLICY IF EXISTS operator_select ON data_keys",
        "DROP POLICY IF EXISTS tenant ON data_keys",
        "ALTER TABLE data_keys NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE data_keys DISABLE ROW LEVEL SECURITY",
    ):
        op.execute(statement)
