"""FakeProvider: the structured-output hook and the record of request options."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from confide.errors import ModelUnavailable
from confide.llm.base import ChatMessage, GenerationOptions
from confide.llm.fake import FakeProvider

MESSAGES = [
    ChatMessage("system", "Extract facts."),
    ChatMessage("user", "I live in Lisbon and I prefer tea."),
]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array"}},
    "required": ["items"],
}


class StructuredRecorder:
    """A ``structured`` callback that answers with fixed JSON and records what it was given."""

    def __init__(self, reply: str = '{"items": [{"kind": "fact", "text": "lives in Lisbon"}]}'):
        self.reply = reply
        self.calls: list[tuple[list[ChatMessage], Mapping[str, Any]]] = []

    def __call__(self, messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
        self.calls.append((list(messages), schema))
        return self.reply


def test_complete_json_schema_with_structured_hook_uses_hook_reply() -> None:
    hook = StructuredRecorder()
    provider = FakeProvider(reply=lambda messages: "plain reply", structured=hook)
    options = GenerationOptions(max_tokens=200, json_schema=SCHEMA)

    completion = asyncio.run(provider.complete(MESSAGES, options))

    assert completion.text == hook.reply
    assert json.loads(completion.text)["items"][0]["kind"] == "fact"
    assert hook.calls == [(MESSAGES, SCHEMA)]
    assert provider.requests == [MESSAGES]


def test_complete_no_json_schema_with_structured_hook_uses_reply() -> None:
    hook = StructuredRecorder()
    provider = FakeProvider(reply=lambda messages: "plain reply", structured=hook)

    completion = asyncio.run(provider.complete(MESSAGES, GenerationOptions()))

    assert completion.text == "plain reply"
    assert hook.calls == []
    assert provider.requests == [MESSAGES]


def test_complete_json_schema_without_structured_hook_uses_reply() -> None:
    provider = FakeProvider(reply=lambda messages: "plain reply")

    completion = asyncio.run(provider.complete(MESSAGES, GenerationOptions(json_schema=SCHEMA)))

    assert completion.text == "plain reply"


def test_stream_json_schema_with_structured_hook_streams_hook_reply() -> None:
    provider = FakeProvider(structured=StructuredRecorder('{"items": []}'))

    async def collect() -> list[str]:
        options = GenerationOptions(json_schema=SCHEMA)
        return [p async for p in provider.stream(MESSAGES, options)]

    assert "".join(asyncio.run(collect())) == '{"items": []}'


def test_requests_record_options_of_each_request_in_order() -> None:
    provider = FakeProvider(structured=StructuredRecorder())
    first = GenerationOptions(max_tokens=16, temperature=0.1)
    second = GenerationOptions(max_tokens=200, json_schema=SCHEMA)

    async def main() -> None:
        await provider.complete(MESSAGES, first)
        await provider.complete(MESSAGES[1:], second)

    asyncio.run(main())

    assert provider.options == [first, second]
    assert provider.options[1].json_schema is SCHEMA
    assert provider.requests == [MESSAGES, MESSAGES[1:]]


def test_requests_failing_provider_still_records_request_and_options() -> None:
    hook = StructuredRecorder()
    provider = FakeProvider(fail_before=True, structured=hook)
    options = GenerationOptions(json_schema=SCHEMA)

    with pytest.raises(ModelUnavailable):
        asyncio.run(provider.complete(MESSAGES, options))

    assert provider.requests == [MESSAGES]
    assert provider.options == [options]
    assert hook.calls == []


def test_options_json_schema_set_options_stay_hashable() -> None:
    options = GenerationOptions(json_schema=SCHEMA)
    assert hash(options) == hash(GenerationOptions(json_schema=dict(SCHEMA)))
    assert options == GenerationOptions(json_schema=dict(SCHEMA))
    assert options != GenerationOptions()
