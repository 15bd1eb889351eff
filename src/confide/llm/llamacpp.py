"""The local model through llama-cpp-python: nothing leaves the machine.

One ``Llama`` instance serves every conversation; llama.cpp is not thread-safe, so generation
is serialised by a lock and runs in a worker thread that hands pieces to the event loop.
llama-cpp-python keeps the tokens it evaluated last and re-evaluates only what differs, so a
prompt whose beginning is stable across turns (see ``chat/prompt.py``) reuses the KV cache.
Cancelling the stream sets a flag the worker checks between tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from confide.errors import ConfigurationError, ModelUnavailable
from confide.llm.base import ChatMessage, Completion, GenerationOptions

__all__ = ["LlamaCppProvider"]

log = logging.getLogger(__name__)

# Chat-template tokens around each message: "<|im_start|>role\n" ... "<|im_end|>\n" for ChatML
# models like Qwen2.5; a little over so the prompt never overflows the window.
_MESSAGE_OVERHEAD = 6
_DONE = object()


class LlamaCppProvider:
    """A GGUF model run in-process with its own chat template."""

    def __init__(
        self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 0, title: str | None = None
    ) -> None:
        self._path = model_path
        self._n_ctx = n_ctx
        self._n_threads = n_threads or (os.cpu_count() or 2)
        self._title = title or model_path.name
        self._llm: Any = None
        self._load_lock = threading.Lock()
        self._gen_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppProvider(model={self._title!r}, n_ctx={self._n_ctx})"

    @property
    def name(self) -> str:
        return "local"

    @property
    def model(self) -> str:
        return self._title

    @property
    def is_remote(self) -> bool:
        return False

    @property
    def context_size(self) -> int:
        return self._n_ctx

    def load(self) -> Any:
        """Load the model once (about a second for the 1.5B model); safe from any thread."""
        with self._load_lock:
            if self._llm is None:
                try:
                    from llama_cpp import Llama
                except ImportError as exc:
                    raise ModelUnavailable(
                        "the local model runtime is not installed; "
                        "install it with: pip install 'confide[local]'"
                    ) from exc
                if not self._path.is_file():
                    raise ConfigurationError(f"model file {self._path} does not exist")
                try:
                    self._llm = Llama(
                        model_path=str(self._path),
                        n_ctx=self._n_ctx,
                        n_threads=self._n_threads,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise ModelUnavailable(f"the local model {self._title} failed to load") from exc
                log.info("local model loaded", extra={"model": self._title})
            return self._llm

    def count_tokens(self, text: str) -> int:
        llm = self.load()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def message_overhead(self) -> int:
        return _MESSAGE_OVERHEAD

    def _run(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions,
        emit: Any,
        cancelled: threading.Event,
    ) -> None:
        llm = self.load()
        # llama-cpp-python turns a JSON-object response format with a schema into a GBNF grammar.
        response_format = (
            {"type": "json_object", "schema": dict(options.json_schema)}
            if options.json_schema is not None
            else None
        )
        with self._gen_lock:
            chunks = llm.create_chat_completion(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True,
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                top_p=options.top_p,
                stop=list(options.stop) or None,
                response_format=response_format,
            )
            try:
                for chunk in chunks:
                    if cancelled.is_set():
                        break
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        emit(piece)
            finally:
                chunks.close()

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        cancelled = threading.Event()

        def emit(item: object) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                self._run(messages, options, emit, cancelled)
                emit(_DONE)
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, not swallowed
                emit(exc)

        worker = threading.Thread(target=work, name="llama-generate", daemon=True)
        worker.start()
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    return
                if isinstance(item, ModelUnavailable | ConfigurationError):
                    raise item
                if isinstance(item, Exception):
                    raise ModelUnavailable("the local model failed while generating") from item
                assert isinstance(item, str)  # noqa: S101 - only strings are queued otherwise
                yield item
        finally:
            cancelled.set()
            # Wait for the worker off the event loop, so a cancelled turn frees the model.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(worker.join)

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        pieces = [piece async for piece in self.stream(messages, options)]
        return Completion("".join(pieces), "stop")

    async def aclose(self) -> None:
        with self._load_lock:
            if self._llm is not None:
                close = getattr(self._llm, "close", None)
                if callable(close):
                    close()
                self._llm = None
