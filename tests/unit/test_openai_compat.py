"""OpenAICompatProvider against a mock HTTP transport: wire format, retries and secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest

from confide.errors import ConfigurationError, ModelUnavailable
from confide.llm.base import ChatMessage, GenerationOptions, Provider
from confide.llm.openai_compat import OpenAICompatProvider

API_KEY = "sk-test-SECRET-key-123"
PROMPT = "my secret diary entry about Alice"
BASE_URL = "https://api.example.com/v1"
MESSAGES = [
    ChatMessage(role="system", content="You are kind."),
    ChatMessage(role="user", content=PROMPT),
]
OPTIONS = GenerationOptions(max_tokens=64, temperature=0.2, top_p=0.8)

Handler = Callable[[httpx.Request], httpx.Response]


class MaxRandom(random.Random):
    """Full jitter always picks the top of the range, so sleeps are predictable."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Recorder:
    """Records every request the handler sees and every sleep the provider asks for."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def body(self, index: int = 0) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.requests[index].content)
        return parsed


class RecordingStream(httpx.AsyncByteStream):
    """A response body that yields chunks, optionally fails, and records being closed."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error

    async def aclose(self) -> None:
        self.closed = True


def sse_event(content: str | None, finish_reason: str | None = None) -> bytes:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish_reason}],
    }
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()


def sse_body(*pieces: str) -> bytes:
    events = [sse_event(piece) for piece in pieces]
    events.append(sse_event(None, "stop"))
    events.append(b"data: [DONE]\n\n")
    return b"".join(events)


def sse_response(*pieces: str) -> httpx.Response:
    return httpx.Response(
        200, content=sse_body(*pieces), headers={"content-type": "text/event-stream"}
    )


def make_provider(recorder: Recorder, handler: Handler, **overrides: Any) -> OpenAICompatProvider:
    def recording_handler(request: httpx.Request) -> httpx.Response:
        recorder.requests.append(request)
        return handler(request)

    kwargs: dict[str, Any] = {
        "base_url": BASE_URL,
        "model": "gpt-test",
        "api_key": API_KEY,
        "transport": httpx.MockTransport(recording_handler),
        "sleep": recorder.sleep,
        "rng": MaxRandom(),
    }
    kwargs.update(overrides)
    return OpenAICompatProvider(**kwargs)


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """A handler that answers each request with the next response (or raises the exception)."""
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = remaining.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


async def collect(provider: OpenAICompatProvider, pieces: list[str] | None = None) -> list[str]:
    out = pieces if pieces is not None else []
    async for piece in provider.stream(MESSAGES, OPTIONS):
        out.append(piece)
    return out


def run(coro_fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(coro_fn())


def assert_no_secrets(text: str) -> None:
    assert API_KEY not in text
    assert PROMPT not in text
    assert "Alice" not in text


# -- streaming -------------------------------------------------------------------------------


def test_stream_successful_response_yields_pieces_in_order() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(sse_response("Hel", "lo", " there")))

    async def main() -> None:
        try:
            assert await collect(provider) == ["Hel", "lo", " there"]
        finally:
            await provider.aclose()

    run(main)
    assert len(recorder.requests) == 1
    request = recorder.requests[0]
    assert request.method == "POST"
    assert str(request.url) == "https://api.example.com/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert recorder.body() == {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "You are kind."},
            {"role": "user", "content": PROMPT},
        ],
        "stream": True,
        "max_tokens": 64,
        "temperature": 0.2,
        "top_p": 0.8,
    }
    assert recorder.sleeps == []


def test_stream_base_url_with_trailing_slash_posts_to_chat_completions() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder, sequence(sse_response("ok")), base_url="http://127.0.0.1:8080/v1/"
    )

    async def main() -> None:
        try:
            await collect(provider)
        finally:
            await provider.aclose()

    run(main)
    assert str(recorder.requests[0].url) == "http://127.0.0.1:8080/v1/chat/completions"


def test_stream_stop_sequences_set_are_sent_as_list() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(sse_response("ok")))

    async def main() -> None:
        try:
            options = GenerationOptions(stop=("\nUser:", "###"))
            async for _ in provider.stream(MESSAGES, options):
                pass
        finally:
            await provider.aclose()

    run(main)
    assert recorder.body()["stop"] == ["\nUser:", "###"]


def test_stream_without_api_key_sends_no_authorization_header() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(sse_response("hi")), api_key=None)

    async def main() -> None:
        try:
            assert await collect(provider) == ["hi"]
        finally:
            await provider.aclose()

    run(main)
    assert "authorization" not in recorder.requests[0].headers
    assert "stop" not in recorder.body()


def test_stream_comments_keepalives_and_empty_deltas_are_ignored() -> None:
    recorder = Recorder()
    role_only = {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
    body = b"".join(
        [
            b": keep-alive\n\n",
            f"data: {json.dumps(role_only)}\n\n".encode(),
            b"\n\n",
            b"event: message\nid: 7\nretry: 100\n",
            sse_event(""),
            sse_event(None),
            b"data:" + json.dumps({"choices": [{"delta": {"content": "A"}}]}).encode() + b"\n\n",
            b": ping\r\n\r\n",
            sse_event("\u00e9\u6f22"),
            f"data: {json.dumps({'choices': [], 'usage': {'total_tokens': 3}})}\n\n".encode(),
            sse_event(None, "stop"),
            b"data: [DONE]\n\n",
        ]
    )
    provider = make_provider(
        recorder, sequence(httpx.Response(200, content=body, headers={"content-type": "x"}))
    )

    async def main() -> None:
        try:
            assert await collect(provider) == ["A", "\u00e9\u6f22"]
        finally:
            await provider.aclose()

    run(main)


def test_stream_split_across_network_chunks_reassembles_lines() -> None:
    recorder = Recorder()
    raw = sse_body("caf\u00e9", " ok")
    # Split mid-line and inside the two-byte UTF-8 sequence of "é".
    cut = raw.index(b"caf") + 4
    stream = RecordingStream([raw[:10], raw[10:cut], raw[cut:]])
    provider = make_provider(recorder, sequence(httpx.Response(200, stream=stream)))

    async def main() -> None:
        try:
            assert await collect(provider) == ["caf\u00e9", " ok"]
        finally:
            await provider.aclose()

    run(main)
    assert stream.closed


def test_stream_429_then_200_retries_after_backoff() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder, sequence(httpx.Response(429), sse_response("ok")), backoff_base_s=0.25
    )

    async def main() -> None:
        try:
            assert await collect(provider) == ["ok"]
        finally:
            await provider.aclose()

    run(main)
    assert len(recorder.requests) == 2
    assert recorder.sleeps == [0.25]


def test_stream_retry_after_header_is_honoured_and_capped() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder,
        sequence(
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503, headers={"Retry-After": "3600"}),
            httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
            sse_response("ok"),
        ),
    )

    async def main() -> None:
        try:
            assert await collect(provider) == ["ok"]
        finally:
            await provider.aclose()

    run(main)
    # Seconds honoured, capped at 30 s; an HTTP-date falls back to backoff (0.5 * 2**2).
    assert recorder.sleeps == [2.0, 30.0, 2.0]


def test_stream_backoff_default_rng_stays_within_full_jitter_bounds() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder,
        sequence(httpx.Response(500), httpx.Response(502), httpx.Response(504), sse_response("x")),
        rng=None,
    )

    async def main() -> None:
        try:
            assert await collect(provider) == ["x"]
        finally:
            await provider.aclose()

    run(main)
    assert len(recorder.sleeps) == 3
    for attempt, delay in enumerate(recorder.sleeps):
        assert 0.0 <= delay <= 0.5 * 2**attempt


def test_stream_503_on_every_attempt_raises_model_unavailable() -> None:
    recorder = Recorder()
    echo = json.dumps({"error": {"message": f"overloaded: {PROMPT}", "type": "server_error"}})
    provider = make_provider(
        recorder, lambda request: httpx.Response(503, content=echo), max_retries=3
    )

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable) as info:
                await collect(provider)
        finally:
            await provider.aclose()
        message = str(info.value)
        assert "503" in message
        assert "api.example.com" in message
        assert "server_error" in message
        assert_no_secrets(message)

    run(main)
    assert len(recorder.requests) == 4
    assert recorder.sleeps == [0.5, 1.0, 2.0]


def test_stream_401_raises_model_unavailable_without_retry() -> None:
    recorder = Recorder()
    echo = json.dumps(
        {
            "error": {
                "message": f"Incorrect API key provided: {API_KEY}. Prompt was {PROMPT}",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
        }
    )
    provider = make_provider(recorder, lambda request: httpx.Response(401, content=echo))

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable) as info:
                await collect(provider)
        finally:
            await provider.aclose()
        message = str(info.value)
        assert "401" in message
        assert "invalid_api_key" in message
        assert_no_secrets(message)
        assert info.value.code == "model_unavailable"

    run(main)
    assert len(recorder.requests) == 1
    assert recorder.sleeps == []


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_stream_other_client_error_raises_without_retry(status: int) -> None:
    recorder = Recorder()
    free_text_code = json.dumps({"error": {"code": f"bad prompt {PROMPT}"}})
    provider = make_provider(recorder, lambda r: httpx.Response(status, content=free_text_code))

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match=str(status)) as info:
                await collect(provider)
        finally:
            await provider.aclose()
        assert_no_secrets(str(info.value))

    run(main)
    assert len(recorder.requests) == 1


def test_stream_connect_error_retries_then_raises_model_unavailable() -> None:
    recorder = Recorder()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    provider = make_provider(recorder, refuse, max_retries=2)

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable) as info:
                await collect(provider)
        finally:
            await provider.aclose()
        assert "ConnectError" in str(info.value)
        assert "api.example.com" in str(info.value)
        assert_no_secrets(str(info.value))
        assert isinstance(info.value.__cause__, httpx.ConnectError)

    run(main)
    assert len(recorder.requests) == 3
    assert recorder.sleeps == [0.5, 1.0]


def test_stream_timeout_then_success_retries() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder, sequence(httpx.ReadTimeout("slow"), sse_response("late", " reply"))
    )

    async def main() -> None:
        try:
            assert await collect(provider) == ["late", " reply"]
        finally:
            await provider.aclose()

    run(main)
    assert len(recorder.requests) == 2
    assert recorder.sleeps == [0.5]


def test_stream_failure_after_first_token_raises_without_second_request() -> None:
    recorder = Recorder()
    stream = RecordingStream([sse_event("Hel")], error=httpx.ReadError("connection reset"))
    provider = make_provider(
        recorder, sequence(httpx.Response(200, stream=stream), sse_response("Hel", "lo"))
    )
    pieces: list[str] = []

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="mid-reply"):
                await collect(provider, pieces)
        finally:
            await provider.aclose()

    run(main)
    assert pieces == ["Hel"]
    assert len(recorder.requests) == 1
    assert recorder.sleeps == []
    assert stream.closed


def test_stream_malformed_chunk_raises_model_unavailable() -> None:
    recorder = Recorder()
    body = sse_event("ok") + b'data: {"choices": [{"delta": {"content": "Ali\n\n'
    provider = make_provider(recorder, sequence(httpx.Response(200, content=body)))
    pieces: list[str] = []

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="malformed") as info:
                await collect(provider, pieces)
        finally:
            await provider.aclose()
        assert_no_secrets(str(info.value))

    run(main)
    assert pieces == ["ok"]
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    "chunk",
    [
        [1, 2, 3],
        {"choices": "nope"},
        {"choices": [{"delta": {"content": 42}}]},
        {"choices": [{"delta": "text"}]},
    ],
)
def test_stream_wrongly_shaped_chunk_raises_model_unavailable(chunk: Any) -> None:
    recorder = Recorder()
    body = f"data: {json.dumps(chunk)}\n\n".encode()
    provider = make_provider(recorder, sequence(httpx.Response(200, content=body)))

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="malformed"):
                await collect(provider)
        finally:
            await provider.aclose()

    run(main)


def test_stream_error_event_mid_stream_raises_model_unavailable() -> None:
    recorder = Recorder()
    error = {"error": {"message": f"context too long: {PROMPT}", "code": "context_length"}}
    body = sse_event("Hi") + f"data: {json.dumps(error)}\n\n".encode()
    provider = make_provider(recorder, sequence(httpx.Response(200, content=body)))

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="context_length") as info:
                await collect(provider)
        finally:
            await provider.aclose()
        assert_no_secrets(str(info.value))

    run(main)
    assert len(recorder.requests) == 1


def test_stream_ending_without_done_or_finish_raises_model_unavailable() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(httpx.Response(200, content=sse_event("Hal"))))
    pieces: list[str] = []

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="ended the stream"):
                await collect(provider, pieces)
        finally:
            await provider.aclose()

    run(main)
    assert pieces == ["Hal"]


def test_stream_early_aclose_closes_response() -> None:
    recorder = Recorder()
    stream = RecordingStream([sse_event("one"), sse_event("two"), sse_event("three")])
    provider = make_provider(recorder, sequence(httpx.Response(200, stream=stream)))

    async def main() -> None:
        try:
            iterator = provider.stream(MESSAGES, OPTIONS)
            assert isinstance(iterator, AsyncGenerator)
            assert await iterator.__anext__() == "one"
            assert not stream.closed
            await iterator.aclose()
            assert stream.closed
        finally:
            await provider.aclose()

    run(main)
    assert len(recorder.requests) == 1


def test_stream_after_provider_aclose_raises_model_unavailable() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(sse_response("x")))

    async def main() -> None:
        await provider.aclose()
        await provider.aclose()  # idempotent
        with pytest.raises(ModelUnavailable, match="closed"):
            await collect(provider)

    run(main)
    assert recorder.requests == []


def test_stream_retries_log_status_and_attempt_without_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(httpx.Response(502), sse_response("ok")))

    async def main() -> None:
        try:
            await collect(provider)
        finally:
            await provider.aclose()

    with caplog.at_level(logging.DEBUG, logger="confide.llm.openai_compat"):
        run(main)
    records = [r for r in caplog.records if r.name == "confide.llm.openai_compat"]
    assert len(records) == 1
    assert "502" in records[0].getMessage()
    assert "attempt 2" in records[0].getMessage()
    for record in caplog.records:
        assert_no_secrets(record.getMessage())


# -- complete --------------------------------------------------------------------------------


def completion_response(content: str | None, finish_reason: str | None) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
        },
    )


def test_complete_successful_response_returns_text_and_finish_reason() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(completion_response("Hello there", "length")))

    async def main() -> None:
        try:
            options = GenerationOptions(max_tokens=5, stop=("END",))
            completion = await provider.complete(MESSAGES, options)
        finally:
            await provider.aclose()
        assert completion.text == "Hello there"
        assert completion.finish_reason == "length"

    run(main)
    body = recorder.body()
    assert body["stream"] is False
    assert body["max_tokens"] == 5
    assert body["stop"] == ["END"]
    assert body["model"] == "gpt-test"
    assert recorder.requests[0].headers["authorization"] == f"Bearer {API_KEY}"


def test_complete_null_content_returns_empty_text() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(completion_response(None, None)))

    async def main() -> None:
        try:
            completion = await provider.complete(MESSAGES, OPTIONS)
        finally:
            await provider.aclose()
        assert completion.text == ""
        assert completion.finish_reason == "unknown"

    run(main)


def test_complete_503_then_200_retries() -> None:
    recorder = Recorder()
    provider = make_provider(
        recorder, sequence(httpx.Response(503), completion_response("fine", "stop"))
    )

    async def main() -> None:
        try:
            completion = await provider.complete(MESSAGES, OPTIONS)
        finally:
            await provider.aclose()
        assert completion.text == "fine"

    run(main)
    assert len(recorder.requests) == 2
    assert recorder.sleeps == [0.5]


def test_complete_retries_exhausted_raises_model_unavailable() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, lambda request: httpx.Response(429), max_retries=1)

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="429") as info:
                await provider.complete(MESSAGES, OPTIONS)
        finally:
            await provider.aclose()
        assert_no_secrets(str(info.value))

    run(main)
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"choices": []}', b'{"choices": [{"message": "hi"}]}'],
)
def test_complete_malformed_response_raises_model_unavailable(content: bytes) -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(httpx.Response(200, content=content)))

    async def main() -> None:
        try:
            with pytest.raises(ModelUnavailable, match="malformed"):
                await provider.complete(MESSAGES, OPTIONS)
        finally:
            await provider.aclose()

    run(main)


# -- structured output -----------------------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"type": "string"}}},
    "required": ["items"],
    "additionalProperties": False,
}
EXPECTED_RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "confide_output", "schema": SCHEMA, "strict": True},
}


def test_complete_json_schema_set_sends_strict_response_format() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(completion_response('{"items": []}', "stop")))

    async def main() -> None:
        try:
            options = GenerationOptions(max_tokens=32, json_schema=SCHEMA)
            completion = await provider.complete(MESSAGES, options)
        finally:
            await provider.aclose()
        assert json.loads(completion.text) == {"items": []}

    run(main)
    assert recorder.body()["response_format"] == EXPECTED_RESPONSE_FORMAT


def test_stream_json_schema_set_sends_strict_response_format() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(sse_response('{"items"', ": []}")))

    async def main() -> None:
        try:
            options = GenerationOptions(json_schema=SCHEMA)
            assert [p async for p in provider.stream(MESSAGES, options)] == ['{"items"', ": []}"]
        finally:
            await provider.aclose()

    run(main)
    body = recorder.body()
    assert body["response_format"] == EXPECTED_RESPONSE_FORMAT
    assert body["stream"] is True


def test_complete_json_schema_unset_sends_no_response_format() -> None:
    recorder = Recorder()
    provider = make_provider(recorder, sequence(completion_response("plain", "stop")))

    async def main() -> None:
        try:
            await provider.complete(MESSAGES, OPTIONS)
        finally:
            await provider.aclose()

    run(main)
    assert OPTIONS.json_schema is None
    assert "response_format" not in recorder.body()


# -- identity, locality and token counting ---------------------------------------------------


def test_provider_properties_satisfy_protocol() -> None:
    provider = OpenAICompatProvider(base_url=BASE_URL, model="gpt-test", context_size=4096)
    assert isinstance(provider, Provider)
    assert provider.name == "openai"
    assert provider.model == "gpt-test"
    assert provider.context_size == 4096
    assert provider.message_overhead() == 4


def test_repr_with_api_key_hides_key() -> None:
    provider = OpenAICompatProvider(
        base_url="https://user:pw@api.example.com/v1/", model="gpt-test", api_key=API_KEY
    )
    text = repr(provider)
    assert API_KEY not in text
    assert "pw" not in text
    assert "https://api.example.com/v1" in text
    assert "gpt-test" in text


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/v1",
        "http://127.3.2.1/v1",
        "http://localhost:11434/v1",
        "http://LOCALHOST:1234/v1",
        "http://[::1]:8000/v1",
        "http://[::ffff:127.0.0.1]:8000/v1",
    ],
)
def test_is_remote_loopback_host_is_false(base_url: str) -> None:
    assert OpenAICompatProvider(base_url=base_url, model="m").is_remote is False


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.openai.com/v1",
        "http://192.168.1.10:8000/v1",
        "http://localhost.example.com/v1",
        "http://10.0.0.1/v1",
    ],
)
def test_is_remote_non_loopback_host_is_true(base_url: str) -> None:
    assert OpenAICompatProvider(base_url=base_url, model="m").is_remote is True


@pytest.mark.parametrize(
    "base_url", ["", "api.openai.com/v1", "ftp://example.com/v1", "https://x.test/v1?key=1"]
)
def test_constructor_invalid_base_url_raises_configuration_error(base_url: str) -> None:
    with pytest.raises(ConfigurationError):
        OpenAICompatProvider(base_url=base_url, model="m")


def test_constructor_api_key_with_newline_raises_without_echoing_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        OpenAICompatProvider(base_url=BASE_URL, model="m", api_key=API_KEY + "\nX-Evil: 1")
    assert API_KEY not in str(info.value)


def test_count_tokens_ascii_text_over_estimates() -> None:
    provider = OpenAICompatProvider(base_url=BASE_URL, model="m")
    text = "The quick brown fox jumps over the lazy dog. " * 20
    assert provider.count_tokens(text) >= len(text) / 4
    assert provider.count_tokens("") == 0
    assert provider.count_tokens("a") == 1
    assert provider.count_tokens("abcd") == 2


def test_count_tokens_non_ascii_text_counts_utf8_bytes() -> None:
    provider = OpenAICompatProvider(base_url=BASE_URL, model="m")
    text = "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c"  # 7 characters, 21 UTF-8 bytes
    assert provider.count_tokens(text) == 7
    assert provider.count_tokens("\U0001f600") == 2  # one emoji, 4 bytes
    assert provider.count_tokens(text) >= len(text)
