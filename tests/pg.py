"""PostgreSQL for the test suite.

When ``CONFIDE_TEST_POSTGRES`` holds a superuser URL (``.ci/run`` starts a throwaway server
with ``.ci/postgres`` and sets it), every test environment gets two fresh databases, content
and key store, copied from templates migrated once per session by the owner role
``confide_owner``. The app connects as ``confide_app``, a role that owns nothing and is subject
to row-level security, exactly as an operator deploys it (docs/deploy.md). Each test's
databases are dropped when it ends. Without the variable, tests use SQLite files.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

__all__ = ["OWNER_ROLE", "APP_ROLE", "PostgresDatabases", "postgres", "using_postgres"]

OWNER_ROLE = "confide_owner"
APP_ROLE = "confide_app"
# Per process: two test runs on one server (a developer's and CI's) never share a template.
_TEMPLATES = {kind: f"confide_t{os.getpid()}_{kind}" for kind in ("content", "keys")}


class PostgresDatabases:
    """Creates per-test databases from migrated templates and drops them afterwards."""

    def __init__(self, superuser_url: str) -> None:
        self._base: URL = make_url(superuser_url)
        self._admin: Engine = create_engine(
            self._base, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self._ready = False
        self._counter = itertools.count()
        self._created: list[str] = []
        # Databases are made and dropped by a background thread, a few ahead of need, so a
        # test waits for CREATE DATABASE (~0.2 s each) only when it outruns the thread.
        self._spare: queue.Queue[dict[str, str]] = queue.Queue(maxsize=3)
        self._doomed: queue.Queue[str] = queue.Queue()
        self._worker: threading.Thread | None = None

    def url(self, role: str, database: str) -> str:
        return self._base.set(username=role, password=None, database=database).render_as_string(
            hide_password=False
        )

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(sql))

    def _prepare_templates(self) -> None:
        from confide.storage.db import Database

        for name in _TEMPLATES.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
        content = Database.content(
            self.url(APP_ROLE, _TEMPLATES["content"]),
            owner_url=self.url(OWNER_ROLE, _TEMPLATES["content"]),
        )
        keys = Database.key_store(
            self.url(APP_ROLE, _TEMPLATES["keys"]),
            owner_url=self.url(OWNER_ROLE, _TEMPLATES["keys"]),
        )
        for db in (content, keys):
            db.upgrade()
            db.dispose()
        self._ready = True

    def _make_pair(self) -> dict[str, str]:
        n = next(self._counter)
        values: dict[str, str] = {}
        for kind, prefix in (("content", "database"), ("keys", "key_store")):
            name = f"confide_{os.getpid()}_{n}_{kind}"
            self._execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATES[kind]}" OWNER {OWNER_ROLE}'
            )
            values[f"{prefix}_url"] = self.url(APP_ROLE, name)
            values[f"{prefix}_owner_url"] = self.url(OWNER_ROLE, name)
        return values

    def _background(self) -> None:
        while self._ready:
            try:
                name = self._doomed.get_nowait()
            except queue.Empty:
                try:
                    pair = self._make_pair()
                except Exception:
                    if not self._ready:  # the session ended and dropped the templates
                        return
                    raise
                self._spare.put(pair)  # blocks while enough are ready
                continue
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def new_settings(self) -> dict[str, str]:
        """Settings values pointing at two fresh databases (app role and owner role URLs)."""
        if not self._ready:
            self._prepare_templates()
            self._worker = threading.Thread(target=self._background, daemon=True)
            self._worker.start()
        values = self._spare.get(timeout=60)
        self._created += [database_name(values["database_url"])]
        self._created += [database_name(values["key_store_url"])]
        return values

    def clone(self, values: dict[str, str]) -> dict[str, str]:
        """Fresh copies of two databases made by ``new_settings`` (no one may be connected
        to them): a populated state built once and handed to several tests."""
        copies: dict[str, str] = {}
        n = next(self._counter)
        for prefix in ("database", "key_store"):
            source = database_name(values[f"{prefix}_url"])
            name = f"confide_{os.getpid()}_{n}_{prefix}_copy"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" OWNER {OWNER_ROLE}')
            self._created.append(name)
            copies[f"{prefix}_url"] = self.url(APP_ROLE, name)
            copies[f"{prefix}_owner_url"] = self.url(OWNER_ROLE, name)
        return copies

    def superuser_engine(self, database: str) -> Engine:
        """A superuser connection to one test database (for tests that play the attacker)."""
        return create_engine(self._base.set(database=database), poolclass=NullPool)

    def mark(self) -> int:
        return len(self._created)

    def drop_created(self, *, since: int = 0) -> None:
        """Drop the databases made since ``mark()`` returned ``since``; with ``since=0`` (the
        end of the session) also the spares and the templates, at once."""
        dispose_admin()
        while len(self._created) > since:
            name = self._created.pop()
            if since == 0:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                self._doomed.put(name)
        if since == 0 and self._ready:
            self._ready = False
            leftovers = [*_TEMPLATES.values()]
            while not self._spare.empty():
                pair = self._spare.get_nowait()
                leftovers += [
                    database_name(pair["database_url"]),
                    database_name(pair["key_store_url"]),
                ]
            for name in leftovers:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_URL = os.environ.get("CONFIDE_TEST_POSTGRES", "")
postgres: PostgresDatabases | None = PostgresDatabases(_URL) if _URL else None


def using_postgres() -> bool:
    return postgres is not None


def database_name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise ValueError("the URL names no database")
    return name


def raw_rows(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows straight from a test database as the superuser, around the app and RLS (SQL in
    the sqlite3 style: ``?`` placeholders)."""
    assert postgres is not None  # noqa: S101 - only on PostgreSQL
    engine = postgres.superuser_engine(database_name(url))
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql(sql.replace("%", "%%").replace("?", "%s"), params)
            return [tuple(r) for r in result.fetchall()] if result.returns_rows else []
    finally:
        engine.dispose()


def raw_execute(url: str, sql: str, params: tuple[object, ...] = ()) -> None:
    """Change a test database as the superuser (tests that play an attacker with the disk)."""
    assert postgres is not None  # noqa: S101 - only on PostgreSQL
    engine = postgres.superuser_engine(database_name(url))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql.replace("%", "%%").replace("?", "%s"), params)
    finally:
        engine.dispose()


def stored_bytes(url: str) -> bytes:
    """Every byte PostgreSQL keeps on disk for one database, after a checkpoint: its relation
    files and the write-ahead log segments written since (the canary greps, P2 and P3)."""
    assert postgres is not None  # noqa: S101 - only on PostgreSQL
    from pathlib import Path

    engine = postgres.superuser_engine(database_name(url))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
            data_dir = Path(str(conn.exec_driver_sql("SHOW data_directory").scalar()))
            oid = conn.exec_driver_sql(
                "SELECT oid FROM pg_database WHERE datname = current_database()"
            ).scalar()
    finally:
        engine.dispose()
    out = bytearray()
    for path in sorted((data_dir / "base" / str(oid)).iterdir()):
        if path.is_file():
            out += path.read_bytes()
    wal = sorted(
        (p for p in (data_dir / "pg_wal").iterdir() if p.is_file() and len(p.name) == 24),
        key=lambda p: p.stat().st_mtime,
    )
    for path in wal[-4:]:
        out += path.read_bytes()
    return bytes(out)


_ADMIN: dict[str, object] = {}


def admin_database(url: str, *, keys: bool) -> object:
    """A ``Database`` on one test database as the superuser (row-level security does not
    apply to it): what tests read as the ground truth. Disposed when the test's databases
    are dropped."""
    assert postgres is not None  # noqa: S101 - only on PostgreSQL
    from confide.storage.db import Database

    if url not in _ADMIN:
        superuser = postgres.url("postgres", database_name(url))
        _ADMIN[url] = Database.key_store(superuser) if keys else Database.content(superuser)
    return _ADMIN[url]


def dispose_admin() -> None:
    from confide.storage.db import Database

    for db in _ADMIN.values():
        assert isinstance(db, Database)  # noqa: S101
        db.dispose()
    _ADMIN.clear()


class SqliteStyleConnection:
    """A superuser psycopg connection with sqlite3's ``execute(sql, params)`` shape and ``?``
    placeholders, so a test that plays an attacker with the database file runs on both."""

    def __init__(self, url: str) -> None:
        import psycopg

        assert postgres is not None  # noqa: S101 - only on PostgreSQL
        target = postgres.url("postgres", database_name(url))
        self._conn = psycopg.connect(
            make_url(target).set(drivername="postgresql").render_as_string(hide_password=False)
        )

    def execute(self, sql: str, params: tuple[object, ...] | list[object] = ()) -> _Rows:
        cur = self._conn.cursor()
        cur.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))  # type: ignore[arg-type]
        rows = cur.fetchall() if cur.description is not None else []
        return _Rows([tuple(_as_sqlite(v) for v in row) for row in rows])

    def commit(self) -> None:
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()


def _as_sqlite(value: object) -> object:
    """Time stamps as SQLite hands them back (ISO text), so attacker code reads the same."""
    from datetime import datetime

    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


class _Rows:
    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple[object, ...]]:
        return self._rows

    def fetchone(self) -> tuple[object, ...] | None:
        return self._rows[0] if self._rows else None
