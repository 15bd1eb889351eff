"""Builders for test data: settings, services, apps and signed-in users."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.testclient import TestClient

from confide.app import create_app
from confide.clock import Clock
from confide.llm.base import Provider
from confide.llm.fake import FakeProvider
from confide.privacy.keys import FileMasterKeyring
from confide.services import Services, build_services
from confide.settings import Settings
from confide.storage.db import Database, sqlite_path
from tests import pg

PASSWORD = "correct horse battery staple"


class MutableClock:
    """A clock tests move by hand (STYLE.md: time is a parameter)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests: cheap Argon2 (like securedrop's insecure_scrypt), fake provider;
    fresh PostgreSQL databases when the suite runs on PostgreSQL (``tests/pg.py``)."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "provider": "fake",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "argon2_parallelism": 1,
    }
    if pg.postgres is not None and "database_url" not in overrides:
        values.update(pg.postgres.new_settings())
    values.update(overrides)
    return Settings(**values)


def make_services(
    settings: Settings, *, provider: Provider | None = None, clock: Clock | None = None
) -> Services:
    key_file = settings.resolved_master_key_file
    if settings.master_key is None and not key_file.exists():
        FileMasterKeyring.create(key_file)
    kwargs: dict[str, Any] = {"provider": provider or FakeProvider()}
    if clock is not None:
        kwargs["clock"] = clock
    return build_services(settings, **kwargs)


@dataclass
class Env:
    """One running app with its services, fake provider and clock."""

    settings: Settings
    services: Services
    provider: FakeProvider
    clock: MutableClock
    client: TestClient

    def sign_up(
        self, username: str = "alice", *, dob: str = "1990-05-17", email: str | None = None
    ) -> User:
        response = self.client.post(
            "/api/auth/signup",
            json={
                "username": username,
                "email": email or f"{username}@example.org",
                "password": PASSWORD,
                "date_of_birth": dob,
            },
        )
        assert response.status_code == 201, response.text
        # The TestClient keeps cookies; API users in tests use bearer tokens instead.
        self.client.cookies.clear()
        return User(self, username, response.json()["token"])


@dataclass
class User:
    env: Env
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.env.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.env.client.post(url, headers=self.headers, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.env.client.put(url, headers=self.headers, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.env.client.patch(url, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.env.client.delete(url, headers=self.headers, **kw)

    def companion(self, starter: str = "mira") -> dict[str, Any]:
        r = self.post("/api/companions/from-starter", json={"starter": starter})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def conversation(self, companion_id: str | None = None, title: str | None = None) -> str:
        companion_id = companion_id or self.companion()["id"]
        r = self.post(f"/api/companions/{companion_id}/conversations", json={"title": title})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def say(self, conversation_id: str, text: str) -> dict[str, Any]:
        r = self.post(f"/api/conversations/{conversation_id}/messages", json={"content": text})
        assert r.status_code == 200, r.text
        return dict(r.json())


def make_env(data_dir: Path, *, provider: FakeProvider | None = None, **overrides: Any) -> Env:
    settings = make_settings(data_dir, **overrides)
    clock = MutableClock()
    provider = provider or FakeProvider()
    services = make_services(settings, provider=provider, clock=clock)
    client = TestClient(create_app(settings, services=services))
    return Env(settings, services, provider, clock, client)


def admin_db(services: Services, *, keys: bool = False) -> Database:
    """The content database (or key store) as the tests' ground truth: on PostgreSQL a
    superuser connection, around row-level security (what someone holding the server sees);
    on SQLite the app's own. Tests read and plant rows through it, never the app."""
    db = services.key_db if keys else services.db
    if pg.postgres is None:
        return db
    admin = pg.admin_database(db.url, keys=keys)
    assert isinstance(admin, Database)  # noqa: S101
    return admin


_DATABASE_SETTINGS = ("database_url", "database_owner_url", "key_store_url", "key_store_owner_url")


def database_settings(settings: Settings) -> dict[str, str]:
    """``make_settings`` overrides for a second app on the same databases as ``settings``
    (PostgreSQL's are named by URL; on SQLite the empty defaults resolve under the data dir)."""
    return {name: str(getattr(settings, name)) for name in _DATABASE_SETTINGS}


def database_environment(settings: Settings | None) -> dict[str, str]:
    """``CONFIDE_*`` variables that point a ``confide`` command at the same databases as
    ``settings`` (with None, at fresh ones): on PostgreSQL the URLs must travel in the
    environment; on SQLite ``--data-dir``/``CONFIDE_DATA_DIR`` already names the files."""
    if pg.postgres is None:
        return {}
    values = pg.postgres.new_settings() if settings is None else database_settings(settings)
    return {f"CONFIDE_{name.upper()}": value for name, value in values.items()}


def cli_databases(monkeypatch: Any, settings: Settings | None) -> None:
    """Set :func:`database_environment` for commands run in-process (CliRunner)."""
    for name, value in database_environment(settings).items():
        monkeypatch.setenv(name, value)


def cli_database_settings() -> dict[str, str]:
    """The databases :func:`cli_databases` pointed the commands at, as ``make_settings``
    overrides, so a test can open what a command wrote."""
    return {
        name: os.environ[f"CONFIDE_{name.upper()}"]
        for name in _DATABASE_SETTINGS
        if f"CONFIDE_{name.upper()}" in os.environ
    }


def raw_rows(env: Env, sql: str, *params: Any, keys_db: bool = False) -> list[tuple[Any, ...]]:
    """Rows straight from the content database (or the key store), around the app and, on
    PostgreSQL, around row-level security: what someone holding the database sees. SQL in the
    sqlite3 style (``?`` placeholders); it runs on both databases."""
    url = env.settings.resolved_key_store_url if keys_db else env.settings.resolved_database_url
    if pg.postgres is not None:
        return pg.raw_rows(url, sql, params)
    path = sqlite_path(url)
    assert path is not None  # noqa: S101 - tests use files
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return list(conn.execute(sql, params).fetchall())


def raw_execute(env: Env, sql: str, *params: Any, keys_db: bool = False) -> None:
    """Change the database around the app (tests that play an attacker with the disk)."""
    url = env.settings.resolved_key_store_url if keys_db else env.settings.resolved_database_url
    if pg.postgres is not None:
        pg.raw_execute(url, sql, params)
        return
    path = sqlite_path(url)
    assert path is not None  # noqa: S101 - tests use files
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(sql, params)
        conn.commit()


def stored_bytes(env: Env) -> bytes:
    """Every byte both databases keep on disk: SQLite's files with their WAL, shared-memory
    and journal files, or PostgreSQL's relation files and recent WAL after a checkpoint."""
    out = b""
    for url in (env.settings.resolved_database_url, env.settings.resolved_key_store_url):
        if pg.postgres is not None:
            out += pg.stored_bytes(url)
            continue
        path = sqlite_path(url)
        assert path is not None  # noqa: S101 - tests use files
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = path.with_name(path.name + suffix)
            if candidate.exists():
                out += candidate.read_bytes()
    return out


def one_of_everything(env: Env, alice: User) -> dict[str, str]:
    """One of each object type a user can own, made through the API (and staff services for
    an access grant and a decided report): their ids by the path parameter that names them.
    The attack suites (cross-tenant, Schemathesis) aim another user at every one."""
    companion = alice.companion()["id"]
    conversation = alice.conversation(companion)
    turn = alice.say(conversation, "my sister Ruth visits on Sunday")
    memory = alice.post(
        "/api/memories",
        json={"companion_id": companion, "kind": "fact", "text": "Ruth is my sister"},
    )
    assert memory.status_code == 201, memory.text
    export = alice.post("/api/exports")
    assert export.status_code == 202, export.text
    request = alice.post(
        "/api/privacy/requests", json={"kind": "access", "details": "what do you hold?"}
    )
    assert request.status_code == 201, request.text
    env.services.staff.create("sam", "support", PASSWORD)
    support = env.services.staff.identity_for_cli("sam", PASSWORD)
    grant = env.services.access.request(
        support,
        case_ref="C-1",
        reason="The user asked us to look at a reply.",
        scope="conversations",
        username="alice",
    )
    report = alice.post(
        "/api/reports",
        json={
            "conversation_id": conversation,
            "message_ids": [turn["reply"]["id"]],
            "category": "other",
        },
    )
    assert report.status_code == 201, report.text
    env.services.staff.create("vera", "safety", PASSWORD)
    safety = env.services.staff.identity_for_cli("vera", PASSWORD)
    decision = env.services.reports.decide(
        safety, report.json()["id"], "warn", "A warning for the test of isolation."
    )
    assert decision.action_id is not None
    return {
        "user_id": alice.get("/api/me").json()["id"],
        "session_id": alice.get("/api/auth/sessions").json()[0]["id"],
        "companion_id": companion,
        "conversation_id": conversation,
        "message_id": turn["reply"]["id"],
        "memory_id": memory.json()["id"],
        "export_id": export.json()["id"],
        "request_id": request.json()["id"],
        "grant_id": grant.id,
        "notice_id": decision.action_id,
        "report_id": report.json()["id"],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings, services: Services) -> tuple[str, Callable[[], None]]:
    """Serve ``create_app`` on a free loopback port (uvicorn in a thread) and wait until it
    answers: (its URL, a function that stops it). The caller closes ``services``."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, services=services),
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)

    return url, stop


@contextmanager
def running(settings: Settings, services: Services) -> Iterator[str]:
    """A live server for the duration of the block; yields its URL."""
    url, stop = start_server(settings, services)
    try:
        yield url
    finally:
        stop()
