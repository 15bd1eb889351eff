"""Engines, transactions and migrations for the content database and the key store.

SQLite is opened in WAL mode with ``secure_delete`` (deleted content is overwritten with zeros,
not left in free pages) and foreign keys on; its files are created readable by the owner only.

On PostgreSQL, row-level security is a second wall behind the repositories (promise P1):
every transaction starts by setting its tenant, ``app.user_id``, with ``set_config(..., true)``
(the transaction-local form of ``SET LOCAL``), so a pooled connection never carries one
request's context into the next, and a transaction begun without a tenant sees no user's rows.
The few system paths that must cross users (finding an account by username or session token,
claiming a job, retention, the staff queues, the audit chain) name a narrow ``app.scope``
instead; the policies of migration ``0008_tenancy`` give each scope only the tables and
commands it needs. Migrations run as the owner role (``database_owner_url``); the app role
owns nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["SCOPES", "Database", "act_for", "after_commit", "sqlite_path"]

# The system paths that may cross users on PostgreSQL (policies in migration 0008_tenancy).
SCOPES = frozenset({"auth", "jobs", "retention", "staff", "audit", "operator"})
# Serialises migrations when several nodes start at once (pg_advisory_xact_lock's key).
_MIGRATION_LOCK = 0x636F6E66  # "conf"

_MIGRATIONS = Path(__file__).parent / "migrations"
_KEYSTORE_MIGRATIONS = Path(__file__).parent / "keystore_migrations"


def after_commit(s: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` after the transaction ``s`` belongs to commits; never if it rolls back.

    Used to update in-memory caches only with what is durably stored.
    """
    s.info.setdefault("after_commit", []).append(fn)


def act_for(s: Session, user_id: str | None, *, scope: str | None = None) -> None:
    """Set the transaction's tenant (and system scope) on PostgreSQL; nothing on SQLite.

    Lasts until the transaction ends or the next call. ``user_id=None`` and no scope: the
    transaction sees no user's rows.
    """
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown database scope: {scope}")
    s.info["tenant"] = (user_id, scope)
    if s.get_bind().dialect.name != "postgresql":
        return
    s.execute(
        text("SELECT set_config('app.user_id', :u, true), set_config('app.scope', :c, true)"),
        {"u": user_id or "", "c": scope or ""},
    )


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _ensure_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


class Database:
    """One database: its engine, its transactions and its migrations."""

    def __init__(
        self, url: str, *, migrations: Path, owner_url: str = "", echo: bool = False
    ) -> None:
        self.url = url
        self.owner_url = owner_url
        self._migrations = migrations
        path = sqlite_path(url)
        if path is not None:
            _ensure_private_file(path)
        self.engine: Engine = create_engine(url, echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def content(cls, url: str, *, owner_url: str = "") -> Database:
        return cls(url, migrations=_MIGRATIONS, owner_url=owner_url)

    @classmethod
    def key_store(cls, url: str, *, owner_url: str = "") -> Database:
        return cls(url, migrations=_KEYSTORE_MIGRATIONS, owner_url=owner_url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(
        self, user_id: str | None = None, *, scope: str | None = None
    ) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception, acting
        for ``user_id`` (or a system ``scope``) on PostgreSQL: see :func:`act_for`.

        Callbacks registered with :func:`after_commit` run once the commit succeeded.
        """
        with self._sessions() as session:
            with session.begin():
                act_for(session, user_id, scope=scope)
                yield session
            for fn in session.info.pop("after_commit", []):
                fn()

    @contextmanager
    def reader(self, user_id: str | None = None, *, scope: str | None = None) -> Iterator[Session]:
        """A session for reads, acting like :meth:`transaction`; nothing it does is committed."""
        with self._sessions() as session:
            act_for(session, user_id, scope=scope)
            yield session

    def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied (idempotent), as the owner role when
        ``owner_url`` is set. On PostgreSQL an advisory lock lets several nodes start at once.
        """
        self._migrate(command.upgrade, "head")

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (an operator rolling a release back)."""
        self._migrate(command.downgrade, revision)

    def _migrate(self, step: Callable[[Config, str], None], revision: str) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(self._migrations))
        engine = create_engine(self.owner_url) if self.owner_url else self.engine
        app_role = make_url(self.url).username if self.owner_url else None
        owner_role = make_url(self.owner_url).username if self.owner_url else None
        cfg.attributes["app_role"] = app_role if app_role != owner_role else None
        try:
            with engine.connect() as conn:
                sqlite = conn.dialect.name == "sqlite"
                if sqlite:
                    # A table rebuild (batch migration) drops the old table, which would fire
                    # ON DELETE CASCADE into its children: SQLite's own procedure is to turn
                    # foreign keys off (outside a transaction) and check them afterwards.
                    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                    conn.commit()  # SQLAlchemy's autobegun transaction; SQLite began none
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.execute(
                            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK}
                        )
                    cfg.attributes["connection"] = conn
                    step(cfg, revision)
                    if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise RuntimeError("a migration broke a foreign key; nothing was changed")
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()
        finally:
            if engine is not self.engine:
                engine.dispose()

    def isolation_problems(self) -> list[str]:
        """On PostgreSQL, what would weaken row-level security for the app's role: being a
        superuser, having BYPASSRLS, owning a table, or a table with a user column whose RLS
        is not enabled and forced. Empty when sound (and always on SQLite)."""
        if self.dialect != "postgresql":
            return []
        problems: list[str] = []
        with self.engine.connect() as conn:
            role = conn.execute(
                text(
                    "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            ).one()
            if role.rolsuper:
                problems.append(f"the app role {role.current_user} is a superuser")
            if role.rolbypassrls:
                problems.append(f"the app role {role.current_user} has BYPASSRLS")
            owned = conn.execute(
                text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tableowner = current_user"
                )
            ).scalar_one()
            if owned:
                problems.append(f"the app role {role.current_user} owns {owned} tables")
            unprotected = conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "JOIN pg_attribute a ON a.attrelid = c.oid "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT a.attisdropped "
                    "AND (a.attname IN ('user_id', 'subject_user_id') OR c.relname = 'users') "
                    "AND NOT (c.relrowsecurity AND c.relforcerowsecurity) "
                    "GROUP BY c.relname ORDER BY c.relname"
                )
            ).scalars()
            problems += [f"table {name}: row-level security not forced" for name in unprotected]
        return problems

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("alembic_version")

    def dispose(self) -> None:
        self.engine.dispose()
