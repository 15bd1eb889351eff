"""Shared fixtures. Every test gets real SQLite files in a temp dir and the fake provider.

Logs of the whole session are captured at DEBUG level; at the end, the session fails if any
canary string (tests use ``CANARY_PREFIX``) ever reached a log record (promise P2).

The socket guard (``tests/socket_guard.py``) is installed before any test module is imported:
a test that opens a connection to anything but loopback fails (promise P7), even when the code
that tried swallowed the error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import socket_guard

socket_guard.install()  # before confide and its libraries are imported

from confide.logs import JsonFormatter  # noqa: E402
from tests import pg  # noqa: E402
from tests.factories import Env, User, make_env  # noqa: E402

CANARY_PREFIX = "cnry-7f3a"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Both the formatted line and the raw message/args: a canary must appear in neither.
        self.lines.append(self.format(record))
        self.lines.append(str(record.msg) + " " + repr(record.args))


_COLLECTOR = _Collector()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    root.addHandler(_COLLECTOR)
    root.setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaked = [line for line in _COLLECTOR.lines if CANARY_PREFIX in line]
    if leaked:
        session.exitstatus = 1
        print(f"\nP2 VIOLATION: {len(leaked)} log records contained canary content")
    if pg.postgres is not None:
        pg.postgres.drop_created()
    outbound = socket_guard.take_attempts()
    if outbound:
        session.exitstatus = 1
        print(f"\nP7 VIOLATION: outbound connections outside any test: {outbound}")


@pytest.fixture(autouse=True)
def _no_outbound_connections() -> Iterator[None]:
    """Fail the test if it (or anything it called) tried to reach another machine."""
    socket_guard.take_attempts()
    yield
    tried = socket_guard.take_attempts()
    if tried:
        pytest.fail(f"P7: the test tried to reach another machine: {tried}", pytrace=False)


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """On PostgreSQL, drop the databases a test made once it ends (module-scoped fixtures'
    databases, made before it began, are dropped at the end of the session)."""
    if pg.postgres is None:
        yield
        return
    before = pg.postgres.mark()
    yield
    pg.postgres.drop_created(since=before)


@pytest.fixture
def captured_log_lines() -> list[str]:
    return _COLLECTOR.lines


@pytest.fixture
def env_factory(tmp_path: Path) -> Iterator[Callable[..., Env]]:
    """Build extra environments with settings overrides; all are closed afterwards."""
    made: list[Env] = []

    def build(**overrides: Any) -> Env:
        e = make_env(tmp_path / f"env{len(made)}", **overrides)
        made.append(e)
        return e

    yield build
    for e in made:
        e.client.close()
        e.services.close()


@pytest.fixture
def alice(env: Env) -> User:
    return env.sign_up("alice")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "data")
    yield e
    e.client.close()
    e.services.close()
