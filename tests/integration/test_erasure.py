"""Erasure (promise P3): scoped deletions keep every store consistent (rows, recall index,
history cache, memories whose provenance pointed at what was deleted) and are audited;
account deletion signs the user out at once, gives a signed receipt, can be cancelled during
the grace period, and crypto-shreds the account (now, or when the grace period ends)."""

from __future__ import annotations

import datetime
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import Conflict, NotFound
from confide.ids import new_id
from confide.privacy.erasure import DeletionReceipt, read_tombstones
from confide.services import Services
from confide.storage.repositories import ConversationRepo
from confide.storage.tables import Conversation, DataKeyRow, Message, User
from tests.factories import PASSWORD, Env, admin_db, make_services, make_settings, running
from tests.factories import User as ApiUser

runner = CliRunner()


@pytest.fixture
def env(env_factory: Any) -> Env:
    # Lexical recall only: nothing here is about embeddings, and it keeps the tests fast.
    e: Env = env_factory(embeddings="off")
    return e


# --- helpers --------------------------------------------------------------------------------


def uid(user: ApiUser) -> str:
    return str(user.get("/api/me").json()["id"])


def seed_memory(
    env: Env,
    user_id: str,
    companion_id: str,
    text: str,
    *,
    sources: list[str],
    origin: str = "extracted",
    kind: str = "fact",
    conversation_id: str | None = None,
) -> str:
    """A memory as extraction (or the summariser) would write it, with its provenance."""
    with admin_db(env.services).transaction() as s:
        row = env.services.memory.add(
            s,
            user_id,
            companion_id,
            kind=kind,
            text=text,
            origin=origin,
            sources=sources,
            conversation_id=conversation_id,
            actor="summary" if kind == "summary" else "extraction",
        )
        return row.id


def memory(user: ApiUser, memory_id: str) -> dict[str, Any] | None:
    r = user.get(f"/api/memories/{memory_id}")
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return dict(r.json())


def recalled_ids(env: Env, user_id: str, companion_id: str, query: str) -> set[str]:
    result = env.services.memory.recall(user_id, companion_id, query, k=20, token_budget=4000)
    return set(result.memory_ids)


def actions(user: ApiUser) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params={"limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def message_count(env: Env, user_id: str) -> int:
    with admin_db(env.services).reader() as s:
        return int(s.scalar(select(func.count()).where(Message.user_id == user_id)) or 0)


def delete_account(user: ApiUser, *, immediate: bool = False) -> Any:
    return user.post("/api/account/delete", json={"password": PASSWORD, "immediate": immediate})


# --- one message ----------------------------------------------------------------------------


def test_delete_message_handles_every_memory_that_came_from_it(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = alice.companion()["id"]
    conv = alice.conversation(companion)
    first = alice.say(conv, "I adopted a greyhound called Pepper.")["user_message"]["id"]
    second = alice.say(conv, "Pepper loves the beach at Brighton.")["user_message"]["id"]
    only = seed_memory(env, me, companion, "Alice has a greyhound", sources=[first])
    shared = seed_memory(env, me, companion, "Pepper the greyhound", sources=[first, second])
    edited = seed_memory(
        env, me, companion, "Alice walks Pepper daily", sources=[first], origin="edited"
    )
    written = seed_memory(env, me, companion, "Alice likes beaches", sources=[], origin="user")
    summary = seed_memory(
        env,
        me,
        companion,
        "They talked about Pepper.",
        sources=[first, second],
        kind="summary",
        conversation_id=conv,
    )
    with admin_db(env.services).transaction() as s:
        row = ConversationRepo(s).get(me, conv)
        assert row is not None
        row.summary_through_seq = 3
    assert shared in recalled_ids(env, me, companion, "Pepper greyhound")

    r = alice.delete(f"/api/messages/{first}")
    assert r.status_code == 204, r.text

    assert alice.get(f"/api/messages/{first}").status_code == 404
    assert memory(alice, only) is None  # no source left: deleted
    pending = memory(alice, shared)
    assert pending is not None
    assert pending["status"] == "pending"  # some sources left: the user reviews it
    assert pending["sources"] == [second]
    assert pending["review"] == "source_deleted"  # the user is told why it waits
    kept = memory(alice, edited)
    assert kept is not None
    assert kept["status"] == "active"
    assert kept["text"] == "Alice walks Pepper daily"  # the user's words stay
    assert kept["sources"] == []
    assert memory(alice, written) is not None
    assert memory(alice, summary) is None  # rebuilt from what remains
    with admin_db(env.services).reader() as s:
        row = ConversationRepo(s).get(me, conv)
        assert row is not None
        assert row.summary_through_seq == 0
    # Pending memories are never recalled.
    assert shared not in recalled_ids(env, me, companion, "Pepper greyhound")
    entry = next(e for e in actions(alice) if e["action"] == "message.deleted")
    assert entry["object_ref"] == first
    assert entry["details"]["memories_deleted"] == 1
    assert entry["details"]["memories_for_review"] == 1
    assert entry["details"]["memories_trimmed"] == 1
    assert entry["details"]["summaries_reset"] == 1
    assert sorted(entry["details"]["memory_ids_deleted"]) == sorted([only, summary])
    # Approving the pending memory makes it active again (the existing review flow).
    r = alice.post(f"/api/memories/{shared}/approve")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    assert r.json()["review"] is None
    assert shared in recalled_ids(env, me, companion, "Pepper greyhound")


def test_delete_message_of_another_user_is_404_and_changes_nothing(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    conv = alice.conversation()
    mid = alice.say(conv, "hello there")["user_message"]["id"]
    r = bob.delete(f"/api/messages/{mid}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert alice.get(f"/api/messages/{mid}").status_code == 200


def test_delete_message_drops_the_cached_history(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    mid = alice.say(conv, "a secret about the garden")["user_message"]["id"]
    alice.say(conv, "and another line")  # the history cache now holds the conversation
    assert len(env.services.history) >= 1
    assert alice.delete(f"/api/messages/{mid}").status_code == 204
    assert env.services.history.get(uid(alice), conv, 0) is None


def test_forget_with_messages_also_reviews_memories_sharing_those_messages(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = alice.companion()["id"]
    conv = alice.conversation(companion)
    a = alice.say(conv, "I play the cello in an orchestra.")["user_message"]["id"]
    b = alice.say(conv, "Rehearsals are on Thursdays.")["user_message"]["id"]
    seed_memory(env, me, companion, "Alice plays the cello", sources=[a])
    other = seed_memory(env, me, companion, "Orchestra rehearsals on Thursdays", sources=[a, b])
    r = alice.post("/api/memories/forget", json={"about": "cello", "delete_messages": True})
    assert r.status_code == 200, r.text
    assert r.json()["messages_deleted"] == 1
    left = memory(alice, other)
    assert left is not None
    assert left["status"] == "pending"
    assert left["sources"] == [b]


# --- conversations --------------------------------------------------------------------------


def test_delete_conversation_deletes_memories_only_it_supported(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = alice.companion()["id"]
    doomed, kept = alice.conversation(companion), alice.conversation(companion)
    gone_msg = alice.say(doomed, "My sister is called Ruth.")["user_message"]["id"]
    kept_msg = alice.say(kept, "Ruth lives in Leeds.")["user_message"]["id"]
    only = seed_memory(env, me, companion, "Alice's sister is Ruth", sources=[gone_msg])
    both = seed_memory(env, me, companion, "Ruth lives in Leeds", sources=[gone_msg, kept_msg])

    assert alice.delete(f"/api/conversations/{doomed}").status_code == 204

    assert alice.get(f"/api/conversations/{doomed}").status_code == 404
    assert alice.get(f"/api/messages/{gone_msg}").status_code == 404
    assert memory(alice, only) is None
    assert (memory(alice, both) or {}).get("status") == "pending"
    assert alice.get(f"/api/conversations/{kept}").status_code == 200
    entry = next(e for e in actions(alice) if e["action"] == "conversation.deleted")
    assert entry["object_ref"] == doomed
    assert entry["details"]["messages"] == 3  # the greeting, alice's line, the reply
    assert alice.delete(f"/api/conversations/{doomed}").status_code == 404


def test_delete_all_conversations_needs_confirm_and_spares_other_users(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    c1 = alice.companion("mira")["id"]
    c2 = alice.companion("sol")["id"]
    for companion in (c1, c2):
        alice.say(alice.conversation(companion), "hello")
    bob_conv = bob.conversation()
    bob.say(bob_conv, "hi")

    r = alice.delete("/api/conversations")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "confirmation_required"
    assert len(alice.get("/api/conversations").json()) == 2

    r = alice.delete("/api/conversations", params={"confirm": "all"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conversations"] == 2
    assert body["messages"] == 6  # greeting, line and reply in each
    assert alice.get("/api/conversations").json() == []
    assert message_count(env, uid(alice)) == 0
    assert len(alice.get("/api/companions").json()) == 2  # companions stay
    assert bob.get(f"/api/conversations/{bob_conv}").status_code == 200
    assert message_count(env, uid(bob)) == 3
    entry = next(e for e in actions(alice) if e["action"] == "conversations.deleted")
    assert entry["details"]["conversations"] == 2
    assert entry["details"]["scope"] == "all"


def test_delete_companion_conversations_keeps_the_other_companions(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    mira = alice.companion("mira")["id"]
    sol = alice.companion("sol")["id"]
    alice.say(alice.conversation(mira), "to mira")
    alice.say(alice.conversation(mira), "to mira again")
    sol_conv = alice.conversation(sol)
    alice.say(sol_conv, "to sol")

    url = f"/api/companions/{mira}/conversations"
    assert alice.delete(url).status_code == 400
    assert bob.delete(url, params={"confirm": "all"}).status_code == 404
    r = alice.delete(url, params={"confirm": "all"})
    assert r.status_code == 200, r.text
    assert r.json()["conversations"] == 2
    remaining = alice.get("/api/conversations").json()
    assert [c["id"] for c in remaining] == [sol_conv]
    assert alice.get(f"/api/companions/{mira}").status_code == 200
    missing = "0" * 32
    assert alice.delete(f"/api/companions/{missing}/conversations?confirm=all").status_code == 404


def test_delete_companion_is_audited_with_counts(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = alice.companion()["id"]
    conv = alice.conversation(companion)
    alice.say(conv, "something")
    seed_memory(env, me, companion, "a fact", sources=[])
    assert alice.delete(f"/api/companions/{companion}").status_code == 204
    entry = next(e for e in actions(alice) if e["action"] == "companion.deleted")
    assert entry["object_ref"] == companion
    assert entry["details"] == {"conversations": 1, "messages": 3, "memories": 1}
    assert message_count(env, me) == 0


# --- account deletion with a grace period ---------------------------------------------------


def test_account_deletion_signs_out_refuses_log_in_and_gives_a_signed_receipt(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    alice.say(alice.conversation(), "hello")
    other_session = env.client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    ).json()["token"]
    env.client.cookies.clear()

    r = alice.post("/api/account/delete", json={"password": "not the password"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "wrong_password"
    assert alice.get("/api/me").status_code == 200

    r = delete_account(alice)
    assert r.status_code == 200, r.text
    receipt = DeletionReceipt.from_json(r.json())
    assert receipt.is_valid()
    assert receipt.username == "alice"
    assert receipt.user_id == me
    assert receipt.immediate is False
    assert receipt.requested_at == env.clock()
    assert (receipt.purge_at - receipt.requested_at).days == 30
    assert receipt.counts["messages"] == 3
    assert receipt.counts["sessions"] == 2
    assert receipt.public_key == env.services.audit.key.public_pem()
    # The receipt cannot be altered without breaking its signature.
    forged = DeletionReceipt.from_json({**r.json(), "counts": {"messages": 0}})
    assert not forged.is_valid()

    assert alice.get("/api/me").status_code == 401  # every session ended
    assert (
        env.client.get("/api/me", headers={"Authorization": f"Bearer {other_session}"}).status_code
        == 401
    )
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "account_deleting"
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": "wrong pass!"})
    assert r.json()["error"]["code"] == "unauthenticated"  # nothing revealed without it
    # The data is still there (ciphertext) and the key too, until the grace period ends.
    assert message_count(env, me) == 3
    with admin_db(env.services, keys=True).reader() as s:
        key = s.get(DataKeyRow, me)
        assert key is not None
        assert key.wrapped_key is not None


def test_cancel_during_grace_period_restores_the_account(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    alice.say(conv, "remember this")
    assert delete_account(alice).status_code == 200
    env.clock.advance(days=10)

    cancel = "/api/account/deletion/cancel"
    r = env.client.post(cancel, json={"username": "alice", "password": "wrong password!"})
    assert r.status_code == 401
    r = env.client.post(cancel, json={"username": "nobody", "password": PASSWORD})
    assert r.status_code == 401
    r = env.client.post(cancel, json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert "confide_session" in r.cookies
    env.client.cookies.clear()
    back = ApiUser(env, "alice", r.json()["token"])
    items = back.get(f"/api/conversations/{conv}/messages").json()["items"]
    assert items[-2]["content"] == "remember this"
    entries = {e["action"]: e for e in actions(back)}
    requested = entries["account.deletion_requested"]
    assert (
        entries["account.deletion_cancelled"]["details"]["receipt_id"] == (requested["object_ref"])
    )
    # Active again: log-in works, and cancelling again is refused clearly.
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200
    env.client.cookies.clear()
    r = env.client.post(cancel, json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_deleting"


def test_cancel_is_rate_limited_like_log_in(env_factory: Any) -> None:
    env = env_factory(embeddings="off", login_max_failures_per_account=3)
    alice = env.sign_up("alice")
    assert delete_account(alice).status_code == 200
    cancel = "/api/account/deletion/cancel"
    for _ in range(3):
        r = env.client.post(cancel, json={"username": "alice", "password": "wrong password!"})
        assert r.status_code == 401
    r = env.client.post(cancel, json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert "Retry-After" in r.headers


def test_requesting_deletion_twice_is_a_conflict(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    assert delete_account(alice).status_code == 200
    with pytest.raises(Conflict, match="already requested"):
        env.services.erasure.delete_account(me, immediate=False)


# --- immediate deletion ---------------------------------------------------------------------


def test_immediate_deletion_shreds_purges_and_frees_the_username(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    me = uid(alice)
    alice.say(alice.conversation(), "goodbye")
    bob_conv = bob.conversation()
    bob.say(bob_conv, "still here")

    r = delete_account(alice, immediate=True)
    assert r.status_code == 200, r.text
    receipt = DeletionReceipt.from_json(r.json())
    assert receipt.is_valid()
    assert receipt.immediate is True
    assert receipt.unreadable_from == receipt.requested_at == receipt.purge_at

    with admin_db(env.services, keys=True).reader() as s:
        key = s.get(DataKeyRow, me)
        assert key is not None
        assert key.wrapped_key is None
        assert key.destroyed_at is not None
    with pytest.raises(NotFound):
        env.services.keys.get(me)
    tombstones = env.settings.resolved_tombstone_file
    assert me in read_tombstones(tombstones)
    assert stat.S_IMODE(os.stat(tombstones).st_mode) == 0o600
    line = json.loads(tombstones.read_text().splitlines()[-1])
    assert set(line) == {"user_id", "erased_at"}
    # Rows purged right after the response; the username is gone with them.
    with admin_db(env.services).reader() as s:
        assert s.get(User, me) is None
        assert s.scalar(select(func.count()).where(Conversation.user_id == me)) == 0
    assert message_count(env, me) == 0
    r = env.client.post(
        "/api/account/deletion/cancel", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 401
    assert env.sign_up("alice").username == "alice"  # a new, unrelated account
    # Bob is untouched, and the chain (with alice's now unreadable details) still verifies.
    assert bob.get(f"/api/conversations/{bob_conv}/messages").status_code == 200
    assert env.services.audit.verify().ok
    subject = [e for e in env.services.audit.entries_for(me, limit=200)]
    assert {"account.shredded", "account.purged"} <= {e.action for e in subject}
    assert all(e.details is None for e in subject)  # sealed under the destroyed key


def test_grace_of_zero_days_is_immediate(env_factory: Any) -> None:
    env = env_factory(embeddings="off", account_deletion_grace_days=0)
    alice = env.sign_up("alice")
    me = uid(alice)
    r = delete_account(alice)
    assert r.status_code == 200
    assert r.json()["immediate"] is True
    assert me in read_tombstones(env.settings.resolved_tombstone_file)


def test_cancel_after_shredding_is_too_late(env: Env) -> None:
    alice = env.sign_up("alice")
    me = uid(alice)
    assert delete_account(alice).status_code == 200
    # Shredded by an operator (or a crash before the purge): the row is still there.
    env.services.erasure.delete_account(me, immediate=True, actor="operator")
    with admin_db(env.services).transaction() as s:
        row = s.get(User, me)
        assert row is not None
        row.deletion_due_at = env.clock() + timedelta(days=1)
    r = env.client.post(
        "/api/account/deletion/cancel", json={"username": "alice", "password": PASSWORD}
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_erased"


def test_immediate_deletion_work_does_not_grow_with_the_data(env_factory: Any) -> None:
    """Shredding touches the account's key and sessions, never its content rows: the same
    statements run for 20,000 messages as for a handful, and the rows are still there when it
    returns (the purge comes after). benchmarks/export_erase.py times it at 100,000."""
    env = env_factory(embeddings="off")
    engines = [env.services.db.engine, env.services.key_db.engine]

    def statements(name: str, messages: int) -> list[str]:
        user = env.sign_up(name)
        me = uid(user)
        conv = user.conversation()
        seal = env.services.vault.seal
        rows = []
        for i in range(messages):
            mid = new_id()
            rows.append(
                Message(
                    id=mid,
                    user_id=me,
                    conversation_id=conv,
                    seq=i + 2,  # after the greeting
                    role="user",
                    content_ct=seal(me, "messages", "content_ct", mid, f"line {i}"),
                    status="complete",
                    model=None,
                    created_at=env.clock(),
                )
            )
        with admin_db(env.services).transaction() as s:
            s.add_all(rows)
        seen: list[str] = []

        def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        for engine in engines:
            event.listen(engine, "before_cursor_execute", listen)
        try:
            env.services.erasure.delete_account(me, immediate=True)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", listen)
        with admin_db(env.services).reader() as s:
            left = s.scalar(select(func.count()).select_from(Message).where(Message.user_id == me))
        assert left == messages + 1  # the greeting too: nothing was scanned or deleted yet
        return seen

    small = statements("small", 5)
    large = statements("large", 20_000)
    assert small, "the listener saw no statements"
    assert large == small


# --- `confide erase`, against a running server ---------------------------------------------


@dataclass
class Server:
    url: str
    services: Services
    user_id: str
    companion_id: str
    conversation_id: str

    def run(self, *args: str, answers: str = "", password: str = PASSWORD) -> Any:
        return runner.invoke(
            app,
            ["erase", *args, "--url", self.url, "--password-stdin"],
            input=f"{password}\n{answers}",
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    settings = make_settings(tmp_path / "srv", embeddings="off")
    services = make_services(settings)
    new = services.accounts.sign_up(
        username="frank",
        email="f@example.org",
        password=PASSWORD,
        date_of_birth=datetime.date(1985, 6, 1),
        client="t",
    )
    user_id = new.identity.user_id
    services.accounts.log_out(new.identity)
    mira = services.companions.create_from_starter(user_id, "mira")
    conv = services.conversations.create(user_id, mira.id, None, user_name="frank")
    with admin_db(services).transaction() as s:
        for text in ("first line", "second line"):
            services.conversations.store_message(
                s, user_id, conv.id, "user", text, now=services.clock(), model=None
            )
    services.memory.create(user_id, mira.id, kind="fact", text="Frank keeps bees")
    with running(settings, services) as url:
        yield Server(url, services, user_id, mira.id, conv.id)
    services.close()


def test_cli_erase_message_and_conversation(server: Server) -> None:
    page = server.services.conversations.messages(
        server.user_id, server.conversation_id, before=None, limit=10
    )
    first = page.items[-2].id
    result = server.run("message", "frank", first, "--yes")
    assert result.exit_code == 0, result.output
    assert f"deleted message {first}" in result.output
    with pytest.raises(NotFound):
        server.services.conversations.get_message(server.user_id, first)
    result = server.run("conversation", "frank", server.conversation_id, answers="n\n")
    assert result.exit_code == 1
    assert "cancelled; nothing was deleted" in result.output
    assert server.services.conversations.get(server.user_id, server.conversation_id)
    result = server.run("conversation", "frank", server.conversation_id, answers="y\n")
    assert result.exit_code == 0, result.output
    with pytest.raises(NotFound):
        server.services.conversations.get(server.user_id, server.conversation_id)


def test_cli_erase_bulk_and_memories(server: Server) -> None:
    result = server.run("companion-conversations", "frank", server.companion_id, "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted 1 conversations (3 messages)" in result.output
    result = server.run("conversations", "frank", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted 0 conversations" in result.output
    result = server.run("memories", "frank", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted 1 memories" in result.output
    result = server.run("companion-conversations", "frank", "0" * 32, "--yes")
    assert result.exit_code == 1
    assert result.output.count("confide: ") == 1


def test_cli_erase_account_prints_a_valid_receipt(server: Server, tmp_path: Path) -> None:
    result = server.run("account", "frank", "--immediate", password="wrong password!")
    assert result.exit_code == 1
    assert result.output.count("confide: ") == 1
    receipt_file = tmp_path / "receipt.json"
    result = server.run(
        "account", "frank", "--immediate", "--receipt", str(receipt_file), answers="y\n"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output.strip().splitlines()[-1])
    receipt = DeletionReceipt.from_json(body)
    assert receipt.is_valid()
    assert receipt.immediate is True
    assert json.loads(receipt_file.read_text()) == body
    # Shredded before the response; the purge runs after it (not waited for here).
    with pytest.raises(NotFound):
        server.services.keys.get(server.user_id)
    r = httpx.post(server.url + "/api/auth/login", json={"username": "frank", "password": PASSWORD})
    assert r.status_code == 401
