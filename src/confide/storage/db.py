"""Engines, transactions and migrations for the content database and the key store.

SQLite is opened in WAL mode with ``secure_delete`` (deleted content is overwritten with zeros,
not left in free pages) and foreign keys on; its files are created readable by the owner only.
The same code runs on PostgreSQL: nothing here is SQLite-only except the pragmas.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "after_commit", "sqlite_path"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_KEYSTORE_MIGRATIONS = Path(__file__).parent / "keystore_migrations"


def after_commit(s: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` after the transaction ``s`` belongs to commits; never if it rolls back.

    Used to update in-memory caches only with what is durably stored.
    """
    s.info.setdefault("after_commit", []).append(fn)


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

    def __init__(self, url: str, *, migrations: Path, echo: bool = False) -> None:
        self.url = url
        self._migrations = migrations
        path = sqlite_path(url)
        if path is not None:
            _ensure_private_file(path)
        self.engine: Engine = create_engine(url, echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def content(cls, url: str) -> Database:
        return cls(url, migrations=_MIGRATIONS)

    @classmethod
    def key_store(cls, url: str) -> Database:
        return cls(url, migrations=_KEYSTORE_MIGRATIONS)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception.

        Callbacks registered with :func:`after_commit` run once the commit succeeded.
        """
        with self._sessions() as session:
            with session.begin():
                yield session
            for fn in session.info.pop("after_commit", []):
                fn()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        with self._sessions() as session:
            yield session

    def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied (idempotent)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(self._migrations))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("alembic_version")

    def dispose(self) -> None:
        self.engine.dispose()
