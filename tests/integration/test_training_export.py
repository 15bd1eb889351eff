"""Training export with lineage (P6): only messages written while the model-improvement grant
was in force, only from users whose grant still holds, none from accounts being deleted;
identifiers replaced by placeholders; random ids new for each export; each message traceable
to the grant that covered it through the operator's lineage file; private files; audited; and
a later withdrawal, erasure or deletion lists the exports to rebuild.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import Conflict
from confide.privacy.training import TrainingExporter, lineage_path, manifest_path
from confide.storage.tables import User as UserRow
from tests.factories import PASSWORD, Env, User, admin_db, cli_databases

runner = CliRunner()
QUIET = {"name": "Quill", "persona": "A quiet listener.", "greeting": ""}


def exporter(env: Env) -> TrainingExporter:
    s = env.services
    return TrainingExporter(s.db, s.vault, s.consents, s.audit, s.clock, shield=s.outbound.shield)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def uid(user: User) -> str:
    return str(user.get("/api/me").json()["id"])


def training(user: User, on: bool) -> None:
    r = user.put("/api/privacy/consents/model_improvement", json={"granted": on})
    assert r.status_code == 200, r.text


def conversation(user: User) -> str:
    comp = user.post("/api/companions", json=QUIET)
    assert comp.status_code == 201, comp.text
    return user.conversation(comp.json()["id"])


def message_lineage(dest: Path, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The operator's lineage of one record's messages (from ``<dest>.lineage.json``)."""
    users = json.loads(lineage_path(dest).read_text())["users"]
    messages: list[dict[str, Any]] = users[record["user"]]["conversations"][record["conversation"]][
        "messages"
    ]
    return messages


def user_texts(records: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for r in records for m in r["messages"] if m["role"] == "user"]


def test_training_export_only_messages_after_the_grant(env: Env, tmp_path: Path) -> None:
    alice = env.sign_up("alice")
    conv = conversation(alice)
    alice.say(conv, "before one")
    alice.say(conv, "before two")
    env.clock.advance(minutes=5)
    training(alice, True)
    env.clock.advance(minutes=5)
    alice.say(conv, "after one")
    other = conversation(alice)
    alice.say(other, "after in another conversation")

    dest = tmp_path / "out" / "train.jsonl"
    dest.parent.mkdir()
    result = exporter(env).export(dest)
    records = read(dest)
    assert sorted(user_texts(records)) == ["after in another conversation", "after one"]
    assert len(records) == 2  # one record per conversation
    grant = env.services.consents.history(uid(alice))[-1]
    assert grant.purpose == "model_improvement"
    for record in records:
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["user", "assistant"]  # the reply written under the grant comes too
        lineage = message_lineage(dest, record)
        assert len(lineage) == len(record["messages"])
        for m in lineage:
            assert m["consent_record_id"] == grant.id
            assert m["policy_version"] == env.settings.privacy_policy_version
            assert m["written_at"] >= grant.at.isoformat()[:19]
    assert (result.users, result.conversations, result.messages) == (1, 2, 4)
    manifest = json.loads(manifest_path(dest).read_text())
    assert manifest["counts"]["messages"] == 4
    assert manifest["counts"]["users"] == 1
    assert manifest["policy_versions"] == [env.settings.privacy_policy_version]
    for path in (dest, manifest_path(dest), lineage_path(dest)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_training_export_withdraw_then_grant_gap_is_left_out(env: Env, tmp_path: Path) -> None:
    alice = env.sign_up("alice")
    conv = conversation(alice)
    training(alice, True)
    env.clock.advance(minutes=1)
    alice.say(conv, "first grant")
    env.clock.advance(minutes=1)
    training(alice, False)
    env.clock.advance(minutes=1)
    alice.say(conv, "in the gap")
    env.clock.advance(days=1)
    env.services.policy.publish("2027-03", "Training explained better.", material=True)
    env.clock.advance(minutes=1)
    training(alice, True)
    env.clock.advance(minutes=1)
    alice.say(conv, "second grant")

    records = read(exporter(env).export(tmp_path / "t.jsonl").path)
    assert user_texts(records) == ["first grant", "second grant"]
    lineage = message_lineage(tmp_path / "t.jsonl", records[0])
    grants = [
        r for r in env.services.consents.history(uid(alice)) if r.purpose == "model_improvement"
    ]
    assert [g.granted for g in grants] == [True, False, True]
    by_text = {
        m["content"]: lin
        for m, lin in zip(records[0]["messages"], lineage, strict=True)
        if m["role"] == "user"
    }
    assert by_text["first grant"]["consent_record_id"] == grants[0].id
    assert by_text["second grant"]["consent_record_id"] == grants[2].id
    assert by_text["second grant"]["policy_version"] == "2027-03"
    manifest = json.loads(manifest_path(tmp_path / "t.jsonl").read_text())
    assert manifest["policy_versions"] == sorted(["2027-03", env.settings.privacy_policy_version])


def test_training_export_never_granted_withdrawn_and_deleting_contribute_nothing(
    env: Env, tmp_path: Path
) -> None:
    never = env.sign_up("never")
    never.say(conversation(never), "never granted")
    withdrawn = env.sign_up("withdrawn")
    training(withdrawn, True)
    env.clock.advance(minutes=1)
    withdrawn.say(conversation(withdrawn), "granted then withdrawn")
    env.clock.advance(minutes=1)
    training(withdrawn, False)
    leaving = env.sign_up("leaving")
    training(leaving, True)
    env.clock.advance(minutes=1)
    leaving.say(conversation(leaving), "account being deleted")
    with admin_db(env.services).transaction() as s:
        s.execute(update(UserRow).where(UserRow.username == "leaving").values(status="deleting"))
    keeper = env.sign_up("keeper")
    training(keeper, True)
    env.clock.advance(minutes=1)
    keeper.say(conversation(keeper), "kept")

    result = exporter(env).export(tmp_path / "t.jsonl")
    assert user_texts(read(result.path)) == ["kept"]
    manifest = json.loads(result.manifest.read_text())
    assert manifest["counts"]["accounts_without_grant"] == 2
    assert manifest["counts"]["accounts_being_deleted"] == 1
    # Only the included user gets an audit entry, as operator, with the count.
    entries = keeper.get("/api/audit", params={"action": "training.exported"}).json()["items"]
    assert [(e["actor"], e["object_ref"], e["details"]["messages"]) for e in entries] == [
        ("operator", result.export_id, 2)
    ]
    for user in (never, withdrawn):
        r = user.get("/api/audit", params={"action": "training.exported"})
        assert r.json()["items"] == []


def test_training_export_random_ids_lineage_and_no_overwrite(env: Env, tmp_path: Path) -> None:
    alice = env.sign_up("alice")
    training(alice, True)
    env.clock.advance(minutes=1)
    conv = conversation(alice)
    alice.say(conv, "hello")
    first_export = exporter(env).export(tmp_path / "a.jsonl")
    first = read(first_export.path)
    second = read(exporter(env).export(tmp_path / "b.jsonl").path)
    user_id = uid(alice)
    for records in (first, second):
        text = json.dumps(records)
        for secret in (user_id, conv, "alice"):
            assert secret not in text
    # Random ids, drawn afresh for each export: two exports cannot be joined on them.
    assert first[0]["user"] != second[0]["user"]
    assert first[0]["conversation"] != second[0]["conversation"]
    # The operator's lineage file maps them back, message by message.
    lineage = json.loads(lineage_path(tmp_path / "a.jsonl").read_text())
    entry = lineage["users"][first[0]["user"]]
    assert entry["user_id"] == user_id
    conv_lineage = entry["conversations"][first[0]["conversation"]]
    assert conv_lineage["conversation_id"] == conv
    assert len(conv_lineage["messages"]) == len(first[0]["messages"]) == 2
    for path in (first_export.path, first_export.manifest, first_export.lineage):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    before = (tmp_path / "a.jsonl").read_bytes()
    with pytest.raises(Conflict):
        exporter(env).export(tmp_path / "a.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == before


def test_training_export_replaces_identifiers(env: Env, tmp_path: Path) -> None:
    alice = env.sign_up("alice")
    training(alice, True)
    env.clock.advance(minutes=1)
    conv = conversation(alice)
    alice.say(conv, "I am alice, mail me at alice.w@example.org or call +1 212 555 0187")
    alice.say(conv, "again: alice.w@example.org")
    result = exporter(env).export(tmp_path / "t.jsonl")
    records = read(result.path)
    texts = user_texts(records)
    joined = json.dumps(records)
    for value in ("alice.w@example.org", "555 0187", "alice"):
        assert value not in joined
    assert "[EMAIL_1]" in texts[0]
    assert "[EMAIL_1]" in texts[1]  # one value, one placeholder
    assert result.identifiers_replaced >= 3
    manifest = json.loads(result.manifest.read_text())
    assert manifest["counts"]["identifiers_replaced"] == result.identifiers_replaced


def test_training_export_fails_closed_when_detection_fails(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

    from confide.privacy.shield import ShieldFailed

    alice = env.sign_up("alice")
    training(alice, True)
    env.clock.advance(minutes=1)
    alice.say(conversation(alice), "my card is 4111 1111 1111 1111")
    env.services.outbound.shield  # loaded before the recognizer breaks  # noqa: B018

    def explode(self: object, pattern_text: str) -> bool:
        raise RuntimeError("validator crashed")

    monkeypatch.setattr(CreditCardRecognizer, "validate_result", explode)
    dest = tmp_path / "t.jsonl"
    with pytest.raises(ShieldFailed):
        exporter(env).export(dest)
    for path in (dest, lineage_path(dest), manifest_path(dest)):
        assert not path.exists()
    assert exporter(env).affected() == []  # nothing recorded either


def test_withdrawal_erasure_and_deletion_list_the_exports_to_rebuild(
    env: Env, tmp_path: Path
) -> None:
    people = {name: env.sign_up(name) for name in ("alice", "bob", "carol", "dave")}
    convs = {}
    for user in people.values():
        training(user, True)
    env.clock.advance(minutes=1)
    for name, user in people.items():
        convs[name] = conversation(user)
        user.say(convs[name], f"hello from {name}")
    result = exporter(env).export(tmp_path / "t.jsonl")
    assert result.users == 4
    assert exporter(env).affected() == []

    training(people["alice"], False)  # withdrawal
    r = people["bob"].post("/api/account/delete", json={"password": PASSWORD})
    assert r.status_code == 200, r.text  # erasure
    r = people["carol"].delete(f"/api/conversations/{convs['carol']}")
    assert r.status_code == 204, r.text  # a conversation deleted
    [affected] = exporter(env).affected()
    assert affected.export_id == result.export_id
    assert affected.path == str(tmp_path / "t.jsonl")
    assert (
        affected.accounts_withdrawn,
        affected.accounts_erased,
        affected.conversations_deleted,
    ) == (1, 1, 1)


def test_training_export_cli(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    alice = env.sign_up("alice")
    training(alice, True)
    env.clock.advance(minutes=1)
    alice.say(conversation(alice), "for the model")
    dest = tmp_path / "train.jsonl"
    data = ["--data-dir", str(env.settings.data_dir)]
    result = runner.invoke(app, ["training", "export", str(dest), *data])
    assert result.exit_code == 0, result.output
    assert "wrote 1 conversations (2 messages from 1 users" in result.output
    assert user_texts(read(dest)) == ["for the model"]
    assert json.loads(lineage_path(dest).read_text())["users"][read(dest)[0]["user"]][
        "user_id"
    ] == uid(alice)
    quiet = runner.invoke(app, ["training", "affected", *data])
    assert quiet.exit_code == 0, quiet.output
    assert "no training export holds" in quiet.output
    training(alice, False)
    listed = runner.invoke(app, ["training", "affected", *data])
    assert listed.exit_code == 0, listed.output
    assert "1 accounts withdrew" in listed.output
    assert str(dest) in listed.output
    again = runner.invoke(app, ["training", "export", str(dest), *data])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "Traceback" not in again.output
