"""Browser tests: pytest-playwright driving Debian's Chromium (``/usr/bin/chromium``) against a
real server on a loopback port.

Every page records every request the browser makes; a request to any host other than the
server fails the test, and is aborted so nothing leaves the machine (promise P7).
Without Chromium the tests are skipped, except in CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from confide.llm.fake import FakeProvider
from tests.browser.live import LiveServer, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent


def _is_browser_test(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run last: pytest-playwright's session-wide sync Playwright keeps an event
    # loop running in the main thread until the session ends, and asyncio.run() in any later
    # test would fail. ``trylast``: after pytest's own reordering by higher-scoped fixture
    # parameters, which would otherwise put the browser tests (a session-scoped
    # ``browser_name``) before modules with module-scoped parametrized fixtures.
    items.sort(key=_is_browser_test)
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if _is_browser_test(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> str | None:
    # Each test's server picks its own port; this also replaces pytest-playwright's fallback
    # fixture, a bound method that pytest 9 warns about (and warnings are errors here).
    return None


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers (a fresh one per call, default: a slowly streaming fake provider)."""
    started: list[LiveServer] = []

    def start(provider: FakeProvider | None = None, **overrides: Any) -> LiveServer:
        server = start_server(tmp_path / f"srv{len(started)}", provider, **overrides)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve: Callable[..., LiveServer]) -> LiveServer:
    return serve()


class Browse:
    """Opens pages on one server, recording every request the browser makes."""

    def __init__(self, new_context: Callable[..., BrowserContext], server: LiveServer) -> None:
        self._new_context = new_context
        self.server = server
        self.requests: list[str] = []

    def page(self, **context_args: Any) -> Page:
        context = self._new_context(base_url=self.server.url, **context_args)
        context.on("request", lambda request: self.requests.append(request.url))
        context.route("**/*", self._only_our_server)
        return context.new_page()

    def _only_our_server(self, route: Route) -> None:
        if urlsplit(route.request.url).netloc == self.server.host:
            route.continue_()
        else:
            route.abort()

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme != "data" and urlsplit(url).netloc != self.server.host
        ]


@pytest.fixture
def browse(new_context: Callable[..., BrowserContext], server: LiveServer) -> Iterator[Browse]:
    b = Browse(new_context, server)
    yield b
    assert b.requests, "the browser made no requests: the recorder is not attached"
    assert b.foreign_requests() == [], "P7: the page contacted another host"
