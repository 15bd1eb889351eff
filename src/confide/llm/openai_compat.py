"""A model provider for any OpenAI-compatible chat-completions endpoint.

Works with OpenAI itself and with the servers that speak its wire format: vLLM, Ollama,
LM Studio and the llama.cpp server. Replies are streamed over server-sent events
(``POST {base_url}/chat/completions`` with ``stream: true``) or fetched whole.

Threats handled:

* **The API key leaks.** It is sent only in the ``Authorization`` header, is never logged, never
  appears in ``repr`` (which shows the base URL, without any user-info, and the model) and never
  appears in an error message. Redirects are not followed, so the key is never replayed to
  another host.
* **Prompts leak into logs.** Nothing here logs message content or response bodies. Retries
  are logged with the status code (or the exception class) and the attempt number only. Error
  responses may echo the prompt, so their bodies never reach an error message: at most a short
  identifier-like ``error.code`` / ``error.type`` is quoted.
* **A flaky or broken provider.** Every failure becomes one :class:`ModelUnavailable` whose
  message names the HTTP status and the provider host. Rate limits, 5xx gateway errors and
  connection failures are retried with exponential backoff and full jitter (honouring
  ``Retry-After``), but only before the first piece of text reaches the caller: once text has
  been yielded a failure is raised, never retried, so a reply is never silently duplicated.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import httpx

from confide.errors import ConfigurationError, ModelUnavailable
from confide.llm.base import ChatMessage, Completion, GenerationOptions

__all__ = ["OpenAICompatProvider"]

logger = logging.getLogger(__name__)

_RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_CONNECT_TIMEOUT_S = 10.0
_MAX_DELAY_S = 30.0
# Error bodies are read only to find a short error code; a full reply is bounded too, so a
# misbehaving server cannot make us buffer without limit.
_MAX_ERROR_BODY_BYTES = 64 * 1024
_MAX_COMPLETION_BODY_BYTES = 16 * 1024 * 1024
# Only identifier-like codes are quoted in messages: free text could echo the prompt.
_SAFE_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_MESSAGE_OVERHEAD = 4
_BYTES_PER_TOKEN_ESTIMATE = 3


class OpenAICompatProvider:
    """:class:`~confide.llm.base.Provider` for an OpenAI-compatible ``/chat/completions`` API."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        context_size: int = 8192,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_base_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        url = _parse_base_url(base_url)
        if not model.strip():
            raise ConfigurationError("the remote model name must not be empty")
        if context_size <= 0:
            raise ConfigurationError("context_size must be positive")
        if not timeout_s > 0:
            raise ConfigurationError("timeout_s must be positive")
        if max_retries < 0:
            raise ConfigurationError("max_retries must not be negative")
        if not backoff_base_s >= 0:
            raise ConfigurationError("backoff_base_s must not be negative")

        self._model = model
        self._context_size = context_size
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._transport = transport
        self._sleep = sleep
        # Jitter needs no cryptographic strength; SystemRandom just avoids a shared seed.
        self._rng: random.Random = rng if rng is not None else random.SystemRandom()
        self._timeout = httpx.Timeout(timeout_s, connect=min(_CONNECT_TIMEOUT_S, timeout_s))
        self._url = f"{base_url.rstrip('/')}/chat/completions"
        netloc = url.netloc.decode("ascii")
        self._display_url = f"{url.scheme}://{netloc}{url.path.rstrip('/')}"
        self._host = netloc
        self._is_remote = not _is_loopback_host(url.host)

        self._auth_headers: dict[str, str] = {}
        if api_key:
            if not _is_valid_header_value(api_key):
                # Never echo the key, not even partly.
                raise ConfigurationError("the remote API key contains invalid characters")
            self._auth_headers["Authorization"] = f"Bearer {api_key}"

        self._client: httpx.AsyncClient | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"OpenAICompatProvider(base_url={self._display_url!r}, model={self._model!r})"

    # -- Provider properties ------------------------------------------------------------------

    @property
    def name(self) -> str:
        return "openai"

    @property
    def model(self) -> str:
        return self._model

    @property
    def is_remote(self) -> bool:
        """False only when the endpoint is on a loopback address (127.0.0.0/8, ::1, localhost)."""
        return self._is_remote

    @property
    def context_size(self) -> int:
        return self._context_size

    def count_tokens(self, text: str) -> int:
        """A conservative token estimate: one token per three UTF-8 bytes, rounded up.

        Remote APIs expose no tokenizer. Real BPE tokenizers average about four bytes per token
        on English text and rarely fewer than three, and non-Latin scripts take several bytes
        per character, so counting bytes over-estimates. Over-estimating is the safe direction:
        the prompt builder then keeps the prompt inside the model's window instead of having the
        provider reject or silently truncate it.
        """
        return math.ceil(len(text.encode("utf-8")) / _BYTES_PER_TOKEN_ESTIMATE)

    def message_overhead(self) -> int:
        return _MESSAGE_OVERHEAD

    # -- Generation ---------------------------------------------------------------------------

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Yield reply text as it arrives.

        Transient failures are retried only until the first piece has been yielded; after that
        any failure raises :class:`ModelUnavailable`. Closing the iterator closes the HTTP
        response, which stops generation on the server.
        """
        body = self._request_body(messages, options, stream=True)
        headers = {**self._auth_headers, "Accept": "text/event-stream"}
        client = self._get_client()
        attempt = 0
        yielded = False
        while True:
            attempt += 1
            try:
                async with client.stream("POST", self._url, json=body, headers=headers) as response:
                    if response.is_success:
                        async for piece in self._iter_stream(response):
                            yielded = True
                            yield piece
                        return
                    delay = await self._handle_error_status(response, attempt)
            except httpx.TransportError as exc:
                if yielded:
                    raise ModelUnavailable(
                        f"lost the connection to the model provider at {self._host} "
                        f"mid-reply ({type(exc).__name__})"
                    ) from exc
                delay = self._handle_transport_error(exc, attempt)
            except httpx.HTTPError as exc:
                raise self._http_error(exc) from exc
            await self._sleep(delay)

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        """The whole reply in one non-streaming request, with the same retry policy."""
        body = self._request_body(messages, options, stream=False)
        headers = {**self._auth_headers, "Accept": "application/json"}
        client = self._get_client()
        attempt = 0
        while True:
            attempt += 1
            try:
                async with client.stream("POST", self._url, json=body, headers=headers) as response:
                    if response.is_success:
                        raw = await _read_capped(response, _MAX_COMPLETION_BODY_BYTES)
                        if raw is None:
                            raise ModelUnavailable(
                                f"the model provider at {self._host} sent an oversized response"
                            )
                        return self._parse_completion(raw)
                    delay = await self._handle_error_status(response, attempt)
            except httpx.TransportError as exc:
                delay = self._handle_transport_error(exc, attempt)
            except httpx.HTTPError as exc:
                raise self._http_error(exc) from exc
            await self._sleep(delay)

    async def aclose(self) -> None:
        """Close the HTTP client. Idempotent; later requests raise :class:`ModelUnavailable`."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- Internals ----------------------------------------------------------------------------

    def _get_client(self) -> httpx.AsyncClient:
        if self._closed:
            raise ModelUnavailable("the model provider client has been closed")
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=self._timeout, follow_redirects=False
            )
        return self._client

    def _request_body(
        self, messages: Sequence[ChatMessage], options: GenerationOptions, *, stream: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": stream,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "confide_output",
                    "schema": dict(options.json_schema),
                    "strict": True,
                },
            }
        return body

    async def _iter_stream(self, response: httpx.Response) -> AsyncIterator[str]:
        """Text pieces from an SSE response; raises if the stream is malformed or truncated.

        OpenAI-compatible servers put one JSON chunk on each ``data:`` line, so each line is
        handled as one event. Comments (``:`` lines, used as keep-alives), blank lines and other
        fields (``event:``, ``id:``, ``retry:``) are ignored.
        """
        finished = False
        async for line in response.aiter_lines():
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            if field != "data":
                continue
            data = value.removeprefix(" ").strip()
            if not data:
                continue
            if data == "[DONE]":
                return
            chunk = self._decode_json(data, what="stream chunk")
            self._raise_if_error_payload(chunk)
            piece, finish_reason = self._parse_delta(chunk)
            if finish_reason is not None:
                finished = True
            if piece:
                yield piece
        if not finished:
            raise ModelUnavailable(
                f"the model provider at {self._host} ended the stream before the reply finished"
            )

    def _parse_delta(self, chunk: dict[str, Any]) -> tuple[str | None, str | None]:
        choices = chunk.get("choices")
        if choices is None or choices == []:
            return None, None  # e.g. a trailing usage chunk
        if not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise self._malformed("stream chunk")
        choice: dict[str, Any] = choices[0]
        finish_reason = choice.get("finish_reason")
        if finish_reason is not None and not isinstance(finish_reason, str):
            raise self._malformed("stream chunk")
        delta = choice.get("delta")
        if delta is None:
            return None, finish_reason
        if not isinstance(delta, dict):
            raise self._malformed("stream chunk")
        content = delta.get("content")
        if content is not None and not isinstance(content, str):
            raise self._malformed("stream chunk")
        return content, finish_reason

    def _parse_completion(self, raw: bytes) -> Completion:
        payload = self._decode_json(raw, what="response")
        self._raise_if_error_payload(payload)
        choices = payload.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._malformed("response")
        choice: dict[str, Any] = choices[0]
        message = choice.get("message")
        if not isinstance(message, dict):
            raise self._malformed("response")
        content = message.get("content")
        finish_reason = choice.get("finish_reason")
        if content is not None and not isinstance(content, str):
            raise self._malformed("response")
        if finish_reason is not None and not isinstance(finish_reason, str):
            raise self._malformed("response")
        return Completion(text=content or "", finish_reason=finish_reason or "unknown")

    def _decode_json(self, data: str | bytes, *, what: str) -> dict[str, Any]:
        try:
            parsed = json.loads(data)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise self._malformed(what) from exc
        if not isinstance(parsed, dict):
            raise self._malformed(what)
        return parsed

    def _raise_if_error_payload(self, payload: dict[str, Any]) -> None:
        if "error" in payload and payload["error"] is not None:
            detail = _safe_error_code(payload)
            suffix = f" ({detail})" if detail else ""
            raise ModelUnavailable(f"the model provider at {self._host} reported an error{suffix}")

    def _malformed(self, what: str) -> ModelUnavailable:
        return ModelUnavailable(f"the model provider at {self._host} sent a malformed {what}")

    async def _handle_error_status(self, response: httpx.Response, attempt: int) -> float:
        """The delay before retrying a non-2xx response, or raise :class:`ModelUnavailable`."""
        status = response.status_code
        if status in _RETRYABLE_STATUSES and attempt <= self._max_retries:
            logger.warning(
                "model provider returned HTTP %d; retrying (attempt %d of %d)",
                status,
                attempt + 1,
                self._max_retries + 1,
            )
            retry_after = _parse_retry_after(response.headers.get("retry-after"))
            return self._backoff(attempt) if retry_after is None else retry_after

        try:
            raw = await _read_capped(response, _MAX_ERROR_BODY_BYTES)
        except httpx.HTTPError:
            raw = None  # the status alone is reason enough to fail; do not retry on it
        detail = None
        if raw is not None:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                detail = _safe_error_code(parsed)
        message = f"the model provider at {self._host} returned HTTP {status}"
        if detail:
            message += f" ({detail})"
        if attempt > 1:
            message += f" after {attempt} attempts"
        if status in (401, 403):
            message += "; check the remote API key"
        elif status == 404:
            message += "; check the base URL and the model name"
        raise ModelUnavailable(message)

    def _handle_transport_error(self, exc: httpx.TransportError, attempt: int) -> float:
        """The delay before retrying a connection failure, or raise :class:`ModelUnavailable`."""
        kind = type(exc).__name__
        if attempt <= self._max_retries:
            logger.warning(
                "model provider request failed (%s); retrying (attempt %d of %d)",
                kind,
                attempt + 1,
                self._max_retries + 1,
            )
            return self._backoff(attempt)
        verb = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be reached"
        suffix = f" after {attempt} attempts" if attempt > 1 else ""
        raise ModelUnavailable(
            f"the model provider at {self._host} {verb} ({kind}){suffix}"
        ) from exc

    def _http_error(self, exc: httpx.HTTPError) -> ModelUnavailable:
        return ModelUnavailable(
            f"request to the model provider at {self._host} failed ({type(exc).__name__})"
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform over [0, base * 2**(attempt - 1)]."""
        ceiling = min(_MAX_DELAY_S, self._backoff_base_s * 2.0 ** (attempt - 1))
        return self._rng.uniform(0.0, ceiling)


def _parse_base_url(base_url: str) -> httpx.URL:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError("the remote base URL is not a valid URL") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError("the remote base URL must be an http:// or https:// URL")
    if url.query or url.fragment:
        raise ConfigurationError("the remote base URL must not have a query or fragment")
    return url


def _is_loopback_host(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _is_valid_header_value(value: str) -> bool:
    return value.isascii() and value.isprintable()


def _parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, capped; ``None`` when absent or not a number of seconds."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    if not math.isfinite(seconds):
        return None
    return min(_MAX_DELAY_S, max(0.0, seconds))


def _safe_error_code(payload: dict[str, Any]) -> str | None:
    """A short identifier-like ``error.code`` or ``error.type``; never free-text messages."""
    error = payload.get("error")
    if not isinstance(error, dict):
        return None
    for key in ("code", "type"):
        value = error.get(key)
        if isinstance(value, str) and _SAFE_ERROR_CODE.fullmatch(value):
            return value
    return None


async def _read_capped(response: httpx.Response, limit: int) -> bytes | None:
    """The response body, or ``None`` when it is longer than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
