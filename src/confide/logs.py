"""Structured JSON logs that never carry content.

Threat handled: logs are copied around far more freely than databases. Code logs events and
ids, never message text, passwords, tokens or email addresses. As a second wall, this
formatter drops any ``extra`` field whose name suggests content and masks anything that looks
like an email address or a bearer token in the message.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging"]

_STD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_FORBIDDEN_KEYS = re.compile(r"(content|text|password|token|secret|email|prompt|key)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_BEARER = re.compile(r"(?i)bearer\s+[\w.~+/=-]+")


def _scrub(text: str) -> str:
    return _BEARER.sub("Bearer <redacted>", _EMAIL.sub("<email>", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": _scrub(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key in _STD or key.startswith("_"):
                continue
            if _FORBIDDEN_KEYS.search(key) and key not in {"prompt_tokens", "error_code"}:
                entry[key] = "<redacted>"
            elif isinstance(value, str | int | float | bool) or value is None:
                entry[key] = _scrub(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages and tracebacks can quote content.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # Access logs are replaced by our own request log (route template, status, duration).
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
