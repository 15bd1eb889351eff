"""Conversations and the chat turn over HTTP: JSON and server-sent events, model failures,
cancellation, input limits, pagination, deletion, isolation between users (P1) and the prompt
window actually sent to the model (checked on the fake provider's recorded requests)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import pytest

from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from tests.factories import Env, User, raw_rows

MISSING_ID = "0" * 32
QUIET: dict[str, str] = {"name": "Quill", "persona": "A quiet archivist who loves maps."}


def custom_companion(user: User, **fields: str) -> dict[str, Any]:
    r = user.post("/api/companions", json={**QUIET, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


def quiet_conversation(user: User, **fields: str) -> str:
    """A conversation with no greeting, so seq 1 is the user's first message."""
    return user.conversation(custom_companion(user, **fields)["id"])


def items(user: User, conv: str, **params: Any) -> list[dict[str, Any]]:
    r = user.get(f"/api/conversations/{conv}/messages", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def row_count(env: Env, conv: str | None = None) -> int:
    if conv is None:
        return int(raw_rows(env, "SELECT count(*) FROM messages")[0][0])
    sql = "SELECT count(*) FROM messages WHERE conversation_id = ?"
    return int(raw_rows(env, sql, conv)[0][0])


def parse_sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def send_stream(user: User, conv: str, text: str) -> Any:
    return user.post(f"/api/conversations/{conv}/messages", json={"content": text, "stream": True})


def post_accepting_sse(user: User, url: str, body: dict[str, Any]) -> Any:
    headers = {**user.headers, "Accept": "text/event-stream"}
    return user.env.client.post(url, json=body, headers=headers)


def tokens(provider: FakeProvider, messages: list[ChatMessage]) -> int:
    return sum(math.ceil(len(m.content) / 4) + 4 for m in messages)


# --- conversations --------------------------------------------------------------------------


def test_conversation_create_greeting_is_first_companion_message(alice: User) -> None:
    companion = alice.companion("mira")
    r = alice.post(f"/api/companions/{companion['id']}/conversations", json={"title": "Evening"})
    assert r.status_code == 201, r.text
    conv = r.json()
    assert conv["companion_id"] == companion["id"]
    assert conv["title"] == "Evening"
    assert conv["message_count"] == 1
    [greeting] = items(alice, conv["id"])
    assert greeting["seq"] == 1
    assert greeting["role"] == "assistant"
    assert greeting["sender"] == "companion"
    assert greeting["ai_generated"] is True
    assert greeting["status"] == "complete"
    assert greeting["content"] == companion["greeting"]


def test_conversation_without_greeting_starts_empty(alice: User) -> None:
    assert items(alice, quiet_conversation(alice)) == []


def test_conversation_greeting_placeholders_filled(alice: User) -> None:
    conv = quiet_conversation(alice, greeting="Hello {{user}}, I am {{char}}.")
    [greeting] = items(alice, conv)
    assert greeting["content"] == "Hello alice, I am Quill."


def test_conversation_list_filters_by_companion(alice: User) -> None:
    first, second = alice.companion("mira"), alice.companion("sol")
    a1 = alice.conversation(first["id"])
    a2 = alice.conversation(first["id"])
    b1 = alice.conversation(second["id"])
    everything = alice.get("/api/conversations").json()
    assert {c["id"] for c in everything} == {a1, a2, b1}
    only_first = alice.get("/api/conversations", params={"companion_id": first["id"]}).json()
    assert {c["id"] for c in only_first} == {a1, a2}
    assert all(c["companion_id"] == first["id"] for c in only_first)
    none = alice.get("/api/conversations", params={"companion_id": MISSING_ID}).json()
    assert none == []


def test_conversation_rename_title_up_to_100_chars(alice: User) -> None:
    conv = alice.conversation()
    r = alice.patch(f"/api/conversations/{conv}", json={"title": "t" * 100})
    assert r.status_code == 200
    assert r.json()["title"] == "t" * 100
    assert alice.get(f"/api/conversations/{conv}").json()["title"] == "t" * 100
    r = alice.patch(f"/api/conversations/{conv}", json={"title": "t" * 101})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert alice.get(f"/api/conversations/{conv}").json()["title"] == "t" * 100


def test_conversation_create_title_101_chars_422(alice: User) -> None:
    companion = alice.companion()
    r = alice.post(f"/api/companions/{companion['id']}/conversations", json={"title": "t" * 101})
    assert r.status_code == 422
    assert alice.get("/api/conversations").json() == []


def test_conversation_delete_204_then_404(env: Env, alice: User) -> None:
    conv = alice.conversation()
    alice.say(conv, "hello")
    r = alice.delete(f"/api/conversations/{conv}")
    assert r.status_code == 204
    assert alice.get(f"/api/conversations/{conv}").status_code == 404
    assert alice.get(f"/api/conversations/{conv}/messages").status_code == 404
    assert alice.delete(f"/api/conversations/{conv}").status_code == 404
    assert row_count(env, conv) == 0


# --- one turn, JSON ---------------------------------------------------------------------------


def test_turn_non_streaming_returns_stored_user_message_and_reply(env: Env, alice: User) -> None:
    conv = alice.conversation()
    r = alice.post(f"/api/conversations/{conv}/messages", json={"content": "  How are you?  "})
    assert r.status_code == 200, r.text
    body = r.json()
    user, reply = body["user_message"], body["reply"]
    assert (user["role"], user["sender"], user["ai_generated"]) == ("user", "user", False)
    assert user["content"] == "How are you?"
    assert user["seq"] == 2
    assert user["model"] is None
    assert (reply["role"], reply["sender"], reply["ai_generated"]) == (
        "assistant",
        "companion",
        True,
    )
    assert reply["status"] == "complete"
    assert reply["model"] == "fake:fake-model"
    assert reply["seq"] == 3
    assert reply["content"] == "I hear you. You said 3 words. Tell me more?"
    assert items(alice, conv)[1:] == [user, reply]
    assert alice.get(f"/api/messages/{reply['id']}").json() == reply


def test_turn_prompt_system_first_with_persona_and_user_text_last(env: Env, alice: User) -> None:
    companion = custom_companion(alice)
    conv = alice.conversation(companion["id"])
    alice.say(conv, "Tell me about maps")
    request = env.provider.requests[-1]
    assert request[0].role == "system"
    assert companion["name"] in request[0].content
    assert companion["persona"] in request[0].content
    assert request[-1] == ChatMessage("user", "Tell me about maps")
    assert [m.role for m in request] == ["system", "user"]


def test_turn_earlier_turns_in_history_in_order(env: Env, alice: User) -> None:
    conv = alice.conversation()
    greeting = items(alice, conv)[0]["content"]
    first = alice.say(conv, "one")
    second = alice.say(conv, "two two")
    alice.say(conv, "three three three")
    request = env.provider.requests[-1]
    assert request[1:] == [
        ChatMessage("assistant", greeting),
        ChatMessage("user", "one"),
        ChatMessage("assistant", first["reply"]["content"]),
        ChatMessage("user", "two two"),
        ChatMessage("assistant", second["reply"]["content"]),
        ChatMessage("user", "three three three"),
    ]


# --- one turn, server-sent events -------------------------------------------------------------


@pytest.mark.parametrize("how", ["body-flag", "accept-header"])
def test_turn_streaming_events_in_order_deltas_make_reply(env: Env, alice: User, how: str) -> None:
    conv = alice.conversation()
    url = f"/api/conversations/{conv}/messages"
    if how == "body-flag":
        r = alice.post(url, json={"content": "hi there friend", "stream": True})
    else:
        r = post_accepting_sse(alice, url, {"content": "hi there friend"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "user_message"
    assert kinds[-1] == "reply"
    assert len(kinds) >= 3
    assert set(kinds[1:-1]) == {"delta"}
    user, reply = events[0][1], events[-1][1]
    assert user["content"] == "hi there friend"
    assert user["ai_generated"] is False
    assert reply["ai_generated"] is True
    assert reply["status"] == "complete"
    assert "".join(d["text"] for k, d in events if k == "delta") == reply["content"]
    assert items(alice, conv)[1:] == [user, reply]


# --- model failures ---------------------------------------------------------------------------


def test_turn_model_fails_before_reply_503_user_message_kept(env: Env, alice: User) -> None:
    conv = alice.conversation()
    env.provider.fail_before = True
    r = alice.post(f"/api/conversations/{conv}/messages", json={"content": "are you there?"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "model_unavailable"
    stored = items(alice, conv)
    assert [m["role"] for m in stored] == ["assistant", "user"]  # greeting, then the question
    assert stored[-1]["content"] == "are you there?"


def test_turn_streaming_model_fails_before_reply_error_event(env: Env, alice: User) -> None:
    conv = alice.conversation()
    env.provider.fail_before = True
    r = send_stream(alice, conv, "are you there?")
    assert r.status_code == 200
    events = parse_sse(r.text)
    assert [k for k, _ in events] == ["user_message", "error"]
    assert events[1][1]["code"] == "model_unavailable"
    stored = items(alice, conv)
    assert [m["role"] for m in stored] == ["assistant", "user"]
    assert stored[-1]["id"] == events[0][1]["id"]


def test_turn_model_fails_mid_reply_503_no_partial_stored(env: Env, alice: User) -> None:
    conv = alice.conversation()
    env.provider.fail_after_pieces = 2
    r = alice.post(f"/api/conversations/{conv}/messages", json={"content": "long story please"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "model_unavailable"
    assert [m["role"] for m in items(alice, conv)] == ["assistant", "user"]
    assert row_count(env, conv) == 2


def test_turn_streaming_model_fails_mid_reply_no_partial_stored(env: Env, alice: User) -> None:
    conv = alice.conversation()
    env.provider.fail_after_pieces = 2
    events = parse_sse(send_stream(alice, conv, "long story please").text)
    assert [k for k, _ in events] == ["user_message", "delta", "delta", "error"]
    assert events[-1][1]["code"] == "model_unavailable"
    assert [m["role"] for m in items(alice, conv)] == ["assistant", "user"]
    assert row_count(env, conv) == 2


def test_turn_after_failure_recovers_with_next_message(env: Env, alice: User) -> None:
    conv = alice.conversation()
    env.provider.fail_before = True
    alice.post(f"/api/conversations/{conv}/messages", json={"content": "first"})
    env.provider.fail_before = False
    alice.say(conv, "second")
    roles = [m["role"] for m in items(alice, conv)]
    assert roles == ["assistant", "user", "user", "assistant"]


# --- cancellation -----------------------------------------------------------------------------


def test_turn_stream_closed_midway_cancels_and_keeps_interrupted_partial(
    env_factory: Callable[..., Env],
) -> None:
    full = " ".join(["word"] * 200)
    env = env_factory(provider=FakeProvider(reply=lambda _m: full))
    env.provider.piece_delay_s = 0.05
    user = env.sign_up("alice")
    conv = user.conversation()
    url = f"/api/conversations/{conv}/messages"
    with env.client.stream(
        "POST", url, json={"content": "tell me everything", "stream": True}, headers=user.headers
    ) as r:
        assert r.status_code == 200
        lines = []
        for line in r.iter_lines():
            lines.append(line)
            if len(lines) >= 9:  # user_message and two deltas
                break
    assert lines[0] == "event: user_message"
    deadline = time.monotonic() + 5
    stored: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        stored = items(user, conv)
        if env.provider.cancelled == 1 and len(stored) == 3:
            break
        time.sleep(0.05)
    assert env.provider.cancelled == 1
    assert [m["role"] for m in stored] == ["assistant", "user", "assistant"]
    partial = stored[-1]
    assert partial["status"] == "interrupted"
    assert partial["ai_generated"] is True
    assert partial["model"] == "fake:fake-model"
    assert partial["content"]
    assert len(partial["content"]) < len(full)
    assert full.startswith(partial["content"])


# --- input limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", ["", "   \n\t  ", "x" * 16_001], ids=["empty", "whitespace", "16001-chars"]
)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_turn_invalid_content_422_nothing_stored(
    env: Env, alice: User, content: str, stream: bool
) -> None:
    conv = alice.conversation()
    r = alice.post(
        f"/api/conversations/{conv}/messages", json={"content": content, "stream": stream}
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert row_count(env, conv) == 1  # the greeting only
    assert env.provider.requests == []


def test_turn_content_of_16000_chars_accepted_when_context_allows(
    env_factory: Callable[..., Env],
) -> None:
    env = env_factory(provider=FakeProvider(context_size=32_768))
    user = env.sign_up("alice")
    conv = user.conversation()
    turn = user.say(conv, "y" * 16_000)
    assert turn["user_message"]["content"] == "y" * 16_000
    assert env.provider.requests[-1][-1].content == "y" * 16_000


def test_turn_content_over_context_window_422_message_too_long(env: Env, alice: User) -> None:
    conv = alice.conversation()
    r = alice.post(f"/api/conversations/{conv}/messages", json={"content": "y" * 16_000})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "message_too_long"
    assert env.provider.requests == []


def test_turn_content_over_context_window_not_stored(env: Env, alice: User) -> None:
    conv = alice.conversation()
    r = alice.post(f"/api/conversations/{conv}/messages", json={"content": "y" * 16_000})
    assert r.status_code == 422
    assert row_count(env, conv) == 1


# --- pagination -------------------------------------------------------------------------------


def test_messages_pagination_pages_through_all_without_gaps(env: Env, alice: User) -> None:
    conv = quiet_conversation(alice)
    for i in range(65):
        alice.say(conv, f"message number {i}")
    assert row_count(env, conv) == 130
    r = alice.get(f"/api/conversations/{conv}/messages", params={"limit": 50})
    page = r.json()
    assert [m["seq"] for m in page["items"]] == list(range(81, 131))
    assert page["next_before"] == 81
    seen = [m["seq"] for m in page["items"]]
    before = page["next_before"]
    pages = 1
    while before is not None:
        page = alice.get(
            f"/api/conversations/{conv}/messages", params={"limit": 50, "before": before}
        ).json()
        got = [m["seq"] for m in page["items"]]
        assert got == sorted(got)
        assert got
        assert got[-1] < before
        seen = got + seen
        before = page["next_before"]
        pages += 1
    assert pages == 3
    assert seen == list(range(1, 131))
    default = alice.get(f"/api/conversations/{conv}/messages").json()
    assert len(default["items"]) == 50


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"before": 0}, {"limit": "x"}], ids=str
)
def test_messages_pagination_bad_params_422(alice: User, params: dict[str, Any]) -> None:
    conv = alice.conversation()
    r = alice.get(f"/api/conversations/{conv}/messages", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"


# --- deleting a message -----------------------------------------------------------------------


def test_message_delete_gone_from_page_and_next_prompt(env: Env, alice: User) -> None:
    conv = alice.conversation()
    secret = alice.say(conv, "my locker code is pumpkin")
    alice.say(conv, "anyway")
    mid = secret["user_message"]["id"]
    r = alice.delete(f"/api/messages/{mid}")
    assert r.status_code == 204
    assert alice.get(f"/api/messages/{mid}").status_code == 404
    assert alice.delete(f"/api/messages/{mid}").status_code == 404
    assert mid not in {m["id"] for m in items(alice, conv)}
    alice.say(conv, "what did I tell you?")
    request = env.provider.requests[-1]
    assert not any("pumpkin" in m.content for m in request)
    assert ChatMessage("assistant", secret["reply"]["content"]) in request


# --- isolation between users (P1) -------------------------------------------------------------


def test_other_user_conversation_routes_404_same_as_missing(env: Env, alice: User) -> None:
    bob = env.sign_up("bob")
    conv = alice.conversation()
    alice.say(conv, "only for alice")
    before = (alice.get(f"/api/conversations/{conv}").json(), items(alice, conv))
    rows, calls = row_count(env), len(env.provider.requests)

    def attempts(cid: str) -> list[Any]:
        url = f"/api/conversations/{cid}"
        return [
            bob.get(url),
            bob.patch(url, json={"title": "mine now"}),
            bob.get(f"{url}/messages"),
            bob.post(f"{url}/messages", json={"content": "hi"}),
            bob.post(f"{url}/messages", json={"content": "hi", "stream": True}),
            post_accepting_sse(bob, f"{url}/messages", {"content": "hi"}),
            bob.delete(url),
        ]

    for theirs, missing in zip(attempts(conv), attempts(MISSING_ID), strict=True):
        assert theirs.status_code == 404
        assert theirs.json() == missing.json()
    assert row_count(env) == rows
    assert len(env.provider.requests) == calls
    assert (alice.get(f"/api/conversations/{conv}").json(), items(alice, conv)) == before
    assert bob.get("/api/conversations").json() == []


def test_other_user_message_ids_404_same_as_missing(env: Env, alice: User) -> None:
    bob = env.sign_up("bob")
    conv = alice.conversation()
    turn = alice.say(conv, "only for alice")
    for message in (turn["user_message"], turn["reply"]):
        for method in (bob.get, bob.delete):
            theirs = method(f"/api/messages/{message['id']}")
            missing = method(f"/api/messages/{MISSING_ID}")
            assert theirs.status_code == 404
            assert theirs.json() == missing.json()
        assert alice.get(f"/api/messages/{message['id']}").json() == message


# --- the prompt window ------------------------------------------------------------------------


def test_turn_prompt_stays_within_small_context_window(env_factory: Callable[..., Env]) -> None:
    provider = FakeProvider(context_size=600)
    # Recall off: this test is about the word-for-word history window alone.
    env = env_factory(provider=provider, max_reply_tokens=100, memory_prompt_tokens=0)
    user = env.sign_up("alice")
    conv = quiet_conversation(user)
    budget = 600 - 100
    for i in range(40):
        text = f"turn {i}: " + "blah " * (i % 7 * 5)
        user.say(conv, text)
        request = provider.requests[-1]
        assert tokens(provider, request) <= budget
        assert request[0].role == "system"
        assert QUIET["persona"] in request[0].content
        assert request[-1] == ChatMessage("user", text.strip())
        assert all(m.role != "system" for m in request[1:])
        # The history sent is the newest part of the stored conversation: oldest dropped first.
        earlier = items(user, conv)[:-2]  # without this turn's message and reply
        kept = len(request) - 2
        suffix = earlier[len(earlier) - kept :] if kept else []
        assert request[1:-1] == [ChatMessage(m["role"], m["content"]) for m in suffix]
    # Truncation really happened: far fewer messages than the 79 stored before the last turn.
    assert len(provider.requests[-1]) < 40
