"""``create_app(settings)``: wires everything; nothing is built at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confide import __version__
from confide.llm.factory import build_provider
from confide.privacy import crypto
from confide.services import Services, build_services
from confide.settings import Settings
from confide.web import pages
from confide.web.csrf import CsrfGuard
from confide.web.errors import error_body, install_error_handlers
from confide.web.routes import (
    access,
    account,
    audit,
    auth,
    companions,
    conversations,
    exports,
    instance,
    memory,
    meta,
    privacy,
    reports,
    rights,
    staff,
)

__all__ = ["create_app"]

log = logging.getLogger("confide.http")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class _BodyLimit:
    """Refuse bodies over the limit with 413, whether or not Content-Length was sent.

    ``per_path`` raises the limit for single routes (an export archive being imported)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.per_path.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await _reject_413(scope, send, max_bytes)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise _TooLarge(max_bytes)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _reject_413(scope, send, max_bytes)


class _TooLarge(StarletteHTTPException):
    """Raised from ``receive``; FastAPI re-raises HTTP exceptions, so this stays a 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body must be at most {max_bytes} bytes")


_TOO_LARGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too large · confide</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main id="main"><h1>Too large</h1>
<p class="error" role="alert">What you sent is larger than this server accepts
(at most {limit}). Nothing was saved.</p>
<p><a href="/">Back to the start page</a></p></main></body></html>
"""


def _wants_page(scope: Scope) -> bool:
    """A browser form post (not the JSON API) gets a page, like every other page error."""
    if scope.get("path", "").startswith("/api/"):
        return False
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept


async def _reject_413(scope: Scope, send: Send, max_bytes: int) -> None:
    import json

    message = f"request body must be at most {max_bytes} bytes"
    if _wants_page(scope):
        limit = f"{max_bytes / (1024 * 1024):.0f} MiB" if max_bytes >= 1024 * 1024 else message
        body = _TOO_LARGE_PAGE.format(limit=limit).encode()
        content_type = b"text/html; charset=utf-8"
    else:
        body = json.dumps(error_body("payload_too_large", message)).encode()
        content_type = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            # Security headers are added by the outer _Headers middleware, once.
            "headers": [(b"content-type", content_type), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _Headers:
    """Security headers on every response, and one content-free log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            route = scope.get("route")
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "route": getattr(route, "path", "<unmatched>"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )


async def _checkpoint_forever(services: Services, interval_s: float) -> None:
    """Sign a checkpoint of the audit log whenever it grew, every ``interval_s``."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            latest = services.audit.latest_checkpoint()
            cp = await anyio.to_thread.run_sync(services.audit.checkpoint_if_grown, latest)
            if cp is not None:
                log.info("audit checkpoint signed", extra={"size": cp.size})
        except Exception:
            log.exception("audit checkpoint failed")


async def _every(interval_s: float, job: Callable[[], object], name: str) -> None:
    """Run ``job`` in a worker thread every ``interval_s``; a failure is logged, not fatal."""
    while True:
        try:
            await anyio.to_thread.run_sync(job)
        except Exception:
            log.exception("background job failed", extra={"job": name})
        await asyncio.sleep(interval_s)


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """The ASGI app. Pass ``services`` to inject collaborators (tests, benchmarks)."""
    if services is None:
        services = build_services(settings, provider=build_provider(settings))
    wired = services

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(wired.memory_worker.run_forever()),
            asyncio.create_task(_checkpoint_forever(wired, settings.audit_checkpoint_interval_s)),
            asyncio.create_task(_every(2.0, wired.exports.run_pending, "exports")),
            asyncio.create_task(
                _every(settings.retention_interval_s, wired.retention.run, "retention")
            ),
            asyncio.create_task(_every(settings.instance_sync_s, wired.instance.sync, "instance")),
            # Load the PII shield's recognizers now, not on the first message (seconds).
            asyncio.create_task(anyio.to_thread.run_sync(lambda: wired.outbound.shield)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await wired.provider.aclose()
            wired.close()

    app = FastAPI(
        title="confide",
        version=__version__,
        description="A private AI companion server. Errors are `{error: {code, message}}`.",
        # The bundled docs pages load scripts from a CDN; nothing may leave the machine.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    services.instance.sync()  # the owner's model choice, before anything warms a model up
    app.state.csrf = CsrfGuard(
        crypto.derive_subkey(services.keys.master.current().key, "csrf"),
        secure_cookie=settings.is_https,
    )
    app.state.templates = pages.templates()
    install_error_handlers(app, html_page=pages.error_page)
    for module in (
        meta,
        auth,
        companions,
        conversations,
        memory,
        audit,
        privacy,
        account,
        exports,
        rights,
        instance,
        access,
        reports,
        staff,
    ):
        app.include_router(module.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    app.add_middleware(
        _BodyLimit,
        max_bytes=settings.max_body_bytes,
        # The archive plus the form's other fields and multipart framing.
        per_path={"/api/import": settings.max_import_bytes + 64 * 1024},
    )
    app.add_middleware(_Headers)
    return app
