"""The one place errors become HTTP responses: ``{"error": {"code", "message"}}``.

Threat handled: leaking internals. Unexpected exceptions become a generic 500 with no stack
trace or message (the log records only the exception type); validation errors name the fields
but never echo the submitted values. Browser pages (not ``/api``) that ask for HTML get the
same message as an HTML page instead of JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from confide.errors import ConfideError, ConfigurationError, RateLimited

__all__ = ["error_body", "install_error_handlers"]

log = logging.getLogger(__name__)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


HtmlErrorPage = Callable[[Request, int, str], Response]
"""Renders (request, status, message) as a page."""


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI, *, html_page: HtmlErrorPage | None = None) -> None:
    def respond(
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if html_page is not None and _wants_html(request):
            page = html_page(request, status, message)
            page.headers.update(headers or {})
            return page
        return JSONResponse(error_body(code, message), status, headers=headers)

    @app.exception_handler(ConfideError)
    async def _confide(request: Request, exc: ConfideError) -> Response:
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        message = exc.message
        if isinstance(exc, ConfigurationError):
            # Its message names server paths and settings: for the operator's log, not clients.
            log.error("configuration error", extra={"error_code": exc.code})
            message = "the server is misconfigured; the operator has been told in the log"
        elif exc.status >= 500:
            log.error("request failed", extra={"error_code": exc.code})
        return respond(request, exc.status, exc.code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors()[:10]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
        return respond(request, 422, "invalid_input", "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        code = codes.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return respond(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The database refused a value the validation let through (PostgreSQL stores no NUL
        # character in text; a number out of a column's range): bad input, and the
        # transaction was rolled back, so nothing is half-stored.
        log.warning("value refused by the database", extra={"error_type": type(exc.orig).__name__})
        return respond(
            request,
            422,
            "invalid_input",
            "a value in the request cannot be stored (a NUL character, or a number out of range)",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error", extra={"error_type": type(exc).__name__})
        return respond(request, 500, "internal_error", "something went wrong on our side")
