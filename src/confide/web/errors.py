"""The one place errors become HTTP responses: ``{"error": {"code", "message"}}``.

Threat handled: leaking internals. Unexpected exceptions become a generic 500 with no stack
trace or message (the log records only the exception type); validation errors name the fields
but never echo the submitted values.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from confide.errors import ConfideError, ConfigurationError, RateLimited

__all__ = ["error_body", "install_error_handlers"]

log = logging.getLogger(__name__)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConfideError)
    async def _confide(_: Request, exc: ConfideError) -> JSONResponse:
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
        return JSONResponse(error_body(exc.code, message), exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:10]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
        return JSONResponse(error_body("invalid_input", "; ".join(problems)), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        code = codes.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body(code, message), exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", extra={"error_type": type(exc).__name__})
        return JSONResponse(error_body("internal_error", "something went wrong on our side"), 500)
