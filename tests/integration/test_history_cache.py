"""The in-memory history cache never serves what the database no longer holds."""

from __future__ import annotations

from pathlib import Path

from confide.llm.fake import FakeProvider
from tests.factories import MutableClock, make_env, make_services


def _texts(provider: FakeProvider) -> list[str]:
    return [m.content for m in provider.requests[-1]]


def test_history_cache_deleted_message_never_reaches_next_prompt(tmp_path: Path) -> None:
    env = make_env(tmp_path / "data")
    alice = env.sign_up("alice")
    conv = alice.conversation()
    first = alice.say(conv, "remember the blue bicycle")
    alice.say(conv, "second message")
    assert "remember the blue bicycle" in _texts(env.provider)
    assert alice.delete(f"/api/messages/{first['user_message']['id']}").status_code == 204
    alice.say(conv, "third message")
    assert "remember the blue bicycle" not in _texts(env.provider)
    assert "second message" in _texts(env.provider)


def test_history_cache_other_node_delete_invalidates_this_node(tmp_path: Path) -> None:
    """Two nodes on one database: node B deletes, node A must not serve its cached copy."""
    env = make_env(tmp_path / "data")  # node A (HTTP)
    node_b = make_services(env.settings, provider=FakeProvider(), clock=MutableClock())
    alice = env.sign_up("alice")
    conv = alice.conversation()
    secret = alice.say(conv, "my old address is 12 Elm Street")
    alice.say(conv, "warming the cache")
    assert len(env.services.history) == 1
    user_id = env.services.accounts.authenticate(alice.token).user_id
    node_b.conversations.delete_message(user_id, secret["user_message"]["id"])
    alice.say(conv, "what do you know?")
    assert "my old address is 12 Elm Street" not in _texts(env.provider)
    node_b.close()


def test_history_cache_other_node_insert_seen_by_this_node(tmp_path: Path) -> None:
    env = make_env(tmp_path / "data")
    node_b_provider = FakeProvider()
    node_b = make_services(env.settings, provider=node_b_provider, clock=MutableClock())
    alice = env.sign_up("alice")
    conv = alice.conversation()
    alice.say(conv, "hello from node A")
    who = env.services.accounts.authenticate(alice.token)
    import asyncio

    asyncio.run(node_b.chat.complete_turn(who.user_id, "alice", conv, "hello from node B"))
    alice.say(conv, "back on node A")
    texts = _texts(env.provider)
    assert "hello from node B" in texts
    assert texts.index("hello from node A") < texts.index("hello from node B")
    node_b.close()


def test_history_cache_dropped_on_logout_and_companion_delete(tmp_path: Path) -> None:
    env = make_env(tmp_path / "data")
    alice = env.sign_up("alice")
    comp = alice.companion()
    conv = alice.conversation(comp["id"])
    alice.say(conv, "hi")
    assert len(env.services.history) == 1
    alice.post("/api/auth/logout")
    assert len(env.services.history) == 0
    bob = env.sign_up("bob")
    bob_comp = bob.companion()
    bob.say(bob.conversation(bob_comp["id"]), "hello")
    assert len(env.services.history) == 1
    assert bob.delete(f"/api/companions/{bob_comp['id']}").status_code == 204
    assert len(env.services.history) == 0
