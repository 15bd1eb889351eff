"""Privacy-policy versions (P6, P14): the operator publishes; a material change is shown to each
user who signed up before it until they acknowledge it; acknowledgements are recorded and
audited; the consent ledger records the version in force with every grant and withdrawal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from confide.cli import app
from confide.clock import utcnow
from confide.errors import Conflict, InvalidInput
from confide.storage.tables import AuditEntry
from tests.factories import Env, User, admin_db, cli_databases

runner = CliRunner()


def policy(user: User) -> dict[str, Any]:
    r = user.get("/api/privacy/policy")
    assert r.status_code == 200, r.text
    return dict(r.json())


def actions(user: User) -> list[str]:
    r = user.get("/api/audit", params={"limit": 200})
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()["items"]]


def test_policy_none_published_the_settings_version_is_in_force(env: Env, alice: User) -> None:
    body = policy(alice)
    assert body["version"] == env.settings.privacy_policy_version
    assert body["published_at"] is None
    assert body["material"] is False
    assert body["notice_pending"] is False
    assert body["notice"] == []
    assert body["acknowledgements"] == []


def test_policy_material_change_notice_until_acknowledged(env: Env, alice: User) -> None:
    env.clock.advance(days=1)
    env.services.policy.publish("2027-01", "We now keep exports for 48 hours.", material=True)
    body = policy(alice)
    assert body["version"] == "2027-01"
    assert body["notice_pending"] is True
    assert [n["summary"] for n in body["notice"]] == ["We now keep exports for 48 hours."]
    assert body["acknowledged"] is False

    # Someone who signed up after the change agreed to it at sign-up: no notice.
    env.clock.advance(hours=1)
    bob = env.sign_up("bob")
    assert policy(bob)["notice_pending"] is False

    r = alice.post("/api/privacy/policy/acknowledge", json={"version": "2027-01"})
    assert r.status_code == 200, r.text
    assert r.json()["notice_pending"] is False
    assert r.json()["acknowledged"] is True
    # Idempotent: a second acknowledgement records and audits nothing more.
    again = alice.post("/api/privacy/policy/acknowledge", json={"version": "2027-01"})
    assert again.status_code == 200
    body = policy(alice)
    assert [a["version"] for a in body["acknowledgements"]] == ["2027-01"]
    assert actions(alice).count("policy.acknowledged") == 1
    assert "policy.acknowledged" not in actions(bob)


def test_policy_minor_change_no_notice_and_ack_of_current_covers_earlier(
    env: Env, alice: User
) -> None:
    env.clock.advance(days=1)
    env.services.policy.publish("v2", "Material one.", material=True)
    env.clock.advance(days=1)
    env.services.policy.publish("v3", "Material two.", material=True)
    env.clock.advance(days=1)
    env.services.policy.publish("v3.1", "Typo fixes.", material=False)
    body = policy(alice)
    assert body["version"] == "v3.1"
    assert [n["version"] for n in body["notice"]] == ["v2", "v3"]  # the minor one is not shown
    r = alice.post("/api/privacy/policy/acknowledge", json={"version": "v3.1"})
    assert r.status_code == 200, r.text
    assert r.json()["notice"] == []
    # A later material change brings the notice back, with only that change.
    env.clock.advance(days=1)
    env.services.policy.publish("v4", "Remote model added.", material=True)
    assert [n["version"] for n in policy(alice)["notice"]] == ["v4"]


def test_policy_acknowledge_unknown_or_old_version_is_4xx(env: Env, alice: User) -> None:
    env.clock.advance(days=1)
    env.services.policy.publish("v2", "First.", material=True)
    env.clock.advance(days=1)
    env.services.policy.publish("v3", "Second.", material=True)
    r = alice.post("/api/privacy/policy/acknowledge", json={"version": "v2"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "policy_version_not_current"
    r = alice.post("/api/privacy/policy/acknowledge", json={"version": "v9"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "unknown_policy_version"
    r = alice.post("/api/privacy/policy/acknowledge", json={})
    assert r.status_code == 422
    assert policy(alice)["acknowledgements"] == []
    assert env.client.get("/api/privacy/policy").status_code == 401


def test_policy_consents_record_the_version_in_force(env: Env, alice: User) -> None:
    alice.put("/api/privacy/consents/analytics", json={"granted": True})
    env.clock.advance(days=1)
    env.services.policy.publish("2027-02", "New purposes explained.", material=True)
    alice.put("/api/privacy/consents/analytics", json={"granted": False})
    history = alice.get("/api/privacy/consents/history").json()
    assert [(h["purpose"], h["policy_version"]) for h in history] == [
        ("memory", env.settings.privacy_policy_version),
        ("analytics", env.settings.privacy_policy_version),
        ("analytics", "2027-02"),
    ]
    assert alice.get("/api/privacy/consents").json()["policy_version"] == "2027-02"
    # The audit entry's sealed details name the same version.
    entry = next(
        e for e in alice.get("/api/audit", params={"action": "consent.withdrawn"}).json()["items"]
    )
    assert entry["details"] == {"policy_version": "2027-02"}


def test_policy_publish_validation_uniqueness_and_audit(env: Env) -> None:
    svc = env.services.policy
    for bad in ("", "has space", "x" * 41, "../etc"):
        with pytest.raises(InvalidInput):
            svc.publish(bad, "summary", material=True)
    with pytest.raises(InvalidInput):
        svc.publish("v2", "   ", material=True)
    with pytest.raises(InvalidInput):
        svc.publish("v2", "x" * 4001, material=True)
    env.clock.advance(seconds=1)
    svc.publish("v2", "Changes.", material=False)
    env.clock.advance(seconds=1)
    with pytest.raises(Conflict):
        svc.publish("v2", "Again.", material=False)
    # A clock behind the latest publication would make "current" ambiguous: refused.
    env.clock.advance(seconds=-5)
    with pytest.raises(Conflict):
        svc.publish("v3", "Earlier.", material=False)
    assert [v.version for v in svc.published_versions()] == ["v2"]
    with admin_db(env.services).reader() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.published")).all()
    assert [(r.actor, r.object_ref, r.subject_user_id, r.details_ct) for r in rows] == [
        ("operator", "v2", None, None)
    ]
    assert env.services.audit.verify().ok


def test_policy_cli_publish_and_list(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    # The CLI publishes on the real clock: Alice signs up (on the test clock) before that.
    env.clock.now = utcnow() - timedelta(hours=1)
    alice = env.sign_up("alice")
    data = ["--data-dir", str(env.settings.data_dir)]
    result = runner.invoke(app, ["policy", "list", *data])
    assert result.exit_code == 0, result.output
    assert "no version published" in result.output
    assert env.settings.privacy_policy_version in result.output

    args = ["policy", "publish", "2030-01-01", "--summary", "Longer export links.", *data]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "published policy version 2030-01-01 (material" in result.output
    # The running app sees it at once: Alice gets the notice.
    assert policy(alice)["notice"][0]["summary"] == "Longer export links."
    alice.post("/api/privacy/policy/acknowledge", json={"version": "2030-01-01"})

    result = runner.invoke(app, ["policy", "list", *data])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "2030-01-01" in line)
    assert "in force" in row
    assert "material" in row
    assert "│ 1 " in row  # acknowledged by one user

    again = runner.invoke(app, ["policy", "publish", "2030-01-01", "--summary", "x", *data])
    assert again.exit_code == 1
    assert again.output.strip() == "confide: policy version 2030-01-01 was already published"
    bad = runner.invoke(app, ["policy", "publish", "bad version", "--summary", "x", *data])
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output
    missing = runner.invoke(app, ["policy", "list", "--data-dir", str(tmp_path / "nothing")])
    assert missing.exit_code == 2
    assert "run `confide init`" in missing.output
