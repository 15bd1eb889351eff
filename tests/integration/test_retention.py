"""Retention (promise P10): one job applies every data class's policy; tests move an injected
clock instead of sleeping. Closed accounts are shredded and purged after the grace period
(and not a day before), sessions and rate-limit counters past their time are removed, old
audit details are dropped while the entries stay, and every run is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from confide.cli import app
from confide.privacy.erasure import read_tombstones
from confide.storage.tables import (
    AuditEntry,
    DataKeyRow,
    Message,
    RateLimitCounter,
    SessionRow,
    User,
)
from tests.factories import PASSWORD, Env, admin_db, database_environment, make_env

runner = CliRunner()


@pytest.fixture
def env(env_factory: Any) -> Env:
    e: Env = env_factory(embeddings="off")
    return e


def uid(env: Env, username: str) -> str | None:
    with admin_db(env.services).reader() as s:
        return s.scalar(select(User.id).where(User.username == username))


def count(env: Env, column: Any, value: Any = None) -> int:
    stmt = select(func.count()).select_from(column.class_)
    if value is not None:
        stmt = stmt.where(column == value)
    with admin_db(env.services).reader() as s:
        return int(s.scalar(stmt) or 0)


def system_entries(env: Env, action: str) -> list[AuditEntry]:
    with admin_db(env.services).reader() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_closed_account_is_purged_after_the_grace_period_not_before(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    alice.say(alice.conversation(), "a line to be purged")
    bob.say(bob.conversation(), "a line to keep")
    me = uid(env, "alice")
    assert me is not None
    r = alice.post("/api/account/delete", json={"password": PASSWORD})
    assert r.status_code == 200, r.text

    env.clock.advance(days=29, hours=23)
    assert env.services.retention.run()["accounts_purged"] == 0
    assert uid(env, "alice") == me
    assert me not in read_tombstones(env.settings.resolved_tombstone_file)

    env.clock.advance(hours=2)
    counts = env.services.retention.run()
    assert counts["accounts_purged"] == 1
    assert uid(env, "alice") is None  # the username (plaintext) is gone
    assert count(env, Message.user_id, me) == 0
    with admin_db(env.services, keys=True).reader() as s:
        key = s.get(DataKeyRow, me)
        assert key is not None
        assert key.wrapped_key is None
    assert me in read_tombstones(env.settings.resolved_tombstone_file)
    actions = [e.action for e in env.services.audit.entries_for(me, limit=100)]
    assert actions[:2] == ["account.purged", "account.shredded"]
    # Bob is untouched; a second run has nothing left to purge.
    assert count(env, Message.user_id, uid(env, "bob")) == 3
    assert env.services.retention.run()["accounts_purged"] == 0
    r = env.client.post(
        "/api/account/deletion/cancel", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 401


def test_cancelled_deletion_is_not_purged(env: Env) -> None:
    alice = env.sign_up("alice")
    assert alice.post("/api/account/delete", json={"password": PASSWORD}).status_code == 200
    env.clock.advance(days=5)
    r = env.client.post(
        "/api/account/deletion/cancel", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 200
    env.clock.advance(days=40)
    assert env.services.retention.run()["accounts_purged"] == 0
    assert uid(env, "alice") is not None


def test_expired_and_idle_sessions_are_removed(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(env, "alice")
    assert count(env, SessionRow.user_id, me) == 1
    env.clock.advance(days=env.settings.session_idle_days - 1)
    assert env.services.retention.run()["sessions"] == 0
    env.clock.advance(days=2)  # idle past session_idle_days
    assert env.services.retention.run()["sessions"] == 1
    assert count(env, SessionRow.user_id, me) == 0
    assert alice.get("/api/me").status_code == 401


def test_rate_limit_counters_go_once_the_longest_window_closed(env: Env) -> None:
    env.sign_up("alice")
    env.client.post("/api/auth/login", json={"username": "alice", "password": "wrong password!"})
    before = count(env, RateLimitCounter.bucket)
    assert before >= 2  # the sign-up client, the failed log-in
    assert env.services.retention.run()["rate_limit_counters"] == 0
    longest = max(env.settings.login_window_s, env.settings.signup_window_s)
    env.clock.advance(seconds=2 * longest)
    assert env.services.retention.run()["rate_limit_counters"] == before
    assert count(env, RateLimitCounter.bucket) == 0


def test_old_audit_details_are_dropped_and_entries_kept(env_factory: Any) -> None:
    env = env_factory(embeddings="off", retention_audit_details_days=5)
    alice = env.sign_up("alice")
    me = uid(env, "alice")
    assert me is not None
    env.clock.advance(days=6)  # within session_idle_days: alice is still signed in
    alice.say(alice.conversation(), "recent")
    counts = env.services.retention.run()
    assert counts["audit_details"] >= 1
    entries = env.services.audit.entries_for(me, limit=200)
    old = [e for e in entries if e.action == "account.created"]
    recent = [e for e in entries if e.action == "model.call"]
    assert old
    assert old[0].details is None  # dropped, the entry itself stays
    assert recent
    assert recent[0].details is not None


def test_chain_still_verifies_after_audit_details_are_dropped(env_factory: Any) -> None:
    env = env_factory(embeddings="off", retention_audit_details_days=1)
    env.sign_up("alice")
    env.clock.advance(days=2)
    assert env.services.retention.run()["audit_details"] >= 1
    assert env.services.audit.verify().ok


def test_zero_audit_details_days_keeps_details(env_factory: Any) -> None:
    env = env_factory(embeddings="off", retention_audit_details_days=0)
    env.sign_up("alice")
    env.clock.advance(days=5000)
    assert env.services.retention.run()["audit_details"] == 0


def test_every_run_is_audited_with_counts_and_no_subject(env: Env) -> None:
    env.sign_up("alice")
    counts = env.services.retention.run()
    assert set(counts) == {
        "accounts_purged",
        "sessions",
        "rate_limit_counters",
        "audit_details",
        "exports",
        "abuse_reports",
        "access_grants_expired",
        "staff_sessions",
    }
    [entry] = system_entries(env, "retention.run")
    assert entry.actor == "system"
    assert entry.subject_user_id is None
    assert entry.details_ct is None
    assert entry.object_ref == "a=0,s=0,r=0,d=0,ab=0,g=0,ss=0,e=0"


def test_cli_retention_run_purges_and_prints_counts(tmp_path: Any) -> None:
    env = make_env(tmp_path / "data", embeddings="off")
    # The CLI runs on the real clock: request the deletion "in 2020", long past its due time.
    env.clock.now = datetime(2020, 1, 1, tzinfo=UTC)
    try:
        alice = env.sign_up("alice")
        r = alice.post("/api/account/delete", json={"password": PASSWORD})
        assert r.status_code == 200, r.text
    finally:
        env.client.close()
        env.services.close()
    result = runner.invoke(
        app,
        ["retention", "run", "--data-dir", str(tmp_path / "data")],
        env={
            "CONFIDE_PROVIDER": "fake",
            "CONFIDE_EMBEDDINGS": "off",
            **database_environment(env.settings),
        },
    )
    assert result.exit_code == 0, result.output
    assert "accounts_purged: 1" in result.output
    assert "sessions:" in result.output
    assert "abuse_reports: 0" in result.output
    result = runner.invoke(app, ["retention", "run", "--data-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert result.output.count("confide: ") == 1
