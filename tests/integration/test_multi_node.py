"""Several stateless nodes on one database: sessions, jobs, rate limits and keys live in the
database, so any node serves any request and runs any job once. Two ``Services`` built on the
same settings play two nodes (on PostgreSQL, as ``.ci/run``'s second pass runs it, that is
two connection pools; on SQLite, two engines on one file).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from confide.app import create_app
from confide.cli import app as cli_app
from confide.services import Services
from confide.storage.repositories import RateLimitRepo
from tests.factories import Env, User, make_services, raw_rows


@pytest.fixture
def node_b(env: Env) -> Iterator[Services]:
    services = make_services(env.settings, clock=env.clock)
    yield services
    services.close()


def test_a_session_made_on_one_node_is_honoured_and_ended_on_another(
    env: Env, alice: User, node_b: Services
) -> None:
    other = TestClient(create_app(env.settings, services=node_b))
    try:
        me = other.get("/api/me", headers=alice.headers)
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "alice"
        conv = alice.conversation()
        turn = other.post(
            f"/api/conversations/{conv}/messages", json={"content": "hi"}, headers=alice.headers
        )
        assert turn.status_code == 200, turn.text
        assert other.post("/api/auth/logout", headers=alice.headers).status_code == 204
        assert alice.get("/api/me").status_code == 401
    finally:
        other.close()


def test_two_nodes_draining_at_once_run_every_memory_job_exactly_once(
    env: Env, alice: User, node_b: Services
) -> None:
    companion = alice.companion()["id"]
    for i in range(6):
        alice.say(alice.conversation(companion), f"My sister Ana visited on day {i}.")
    queued = raw_rows(env, "SELECT count(*) FROM memory_jobs WHERE kind = ?", "extract")[0][0]
    assert queued == 6
    done: list[int] = []
    errors: list[BaseException] = []

    def drain(services: Services) -> None:
        try:
            done.append(asyncio.run(services.memory_worker.drain(wait_idle=False)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(s,)) for s in (env.services, node_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert raw_rows(env, "SELECT count(*) FROM memory_jobs")[0][0] == 0
    extractions = raw_rows(
        env,
        "SELECT count(*) FROM audit_entries WHERE action = ? AND purpose = ?",
        "model.call",
        "memory_extraction",
    )[0][0]
    assert extractions == 6  # each conversation's extraction ran once, on one node or the other
    assert sum(done) >= 6


def test_concurrent_first_hits_of_a_rate_limit_window_are_all_counted(env: Env) -> None:
    """Eight requests opening the same window at once (the first log-ins of a minute from
    one address): one row, counts 1..8, no unique violation."""
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def hit() -> None:
        try:
            barrier.wait(timeout=30)
            with env.services.db.transaction() as s:
                counts.append(RateLimitRepo(s).hit("b" * 64, 1_700_000_000))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(counts) == list(range(1, 9))
    assert raw_rows(env, "SELECT count(*), max(count) FROM rate_limit_counters") == [(1, 8)]


def test_a_node_without_the_master_key_refuses_to_mint_a_new_one(
    env: Env, alice: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A second node started without the operator's master key (or a laptop whose key file
    was lost) must stop, not create a key that can open none of the stored data keys."""
    fresh = tmp_path / "node-without-key"
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(fresh))
    monkeypatch.setenv("CONFIDE_PROVIDER", "fake")
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    monkeypatch.setenv("CONFIDE_DATABASE_URL", env.settings.resolved_database_url)
    monkeypatch.setenv("CONFIDE_KEY_STORE_URL", env.settings.resolved_key_store_url)
    monkeypatch.setenv("CONFIDE_DATABASE_OWNER_URL", env.settings.database_owner_url)
    monkeypatch.setenv("CONFIDE_KEY_STORE_OWNER_URL", env.settings.key_store_owner_url)
    result = CliRunner().invoke(cli_app, ["init"])
    assert result.exit_code == 2, result.output  # a configuration error
    assert "no master key" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (fresh / "master.key").exists()
    # the key store and its data keys are untouched: the right key still opens them
    assert alice.get("/api/me").status_code == 200
