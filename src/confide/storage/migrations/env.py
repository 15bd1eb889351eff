"""Alembic environment: runs on the connection ``Database.upgrade`` hands over."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through Database.upgrade
    raise RuntimeError("run migrations through `confide db upgrade`")
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
