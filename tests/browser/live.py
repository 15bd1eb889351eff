"""A real confide server on a loopback port (uvicorn in a thread) for the browser tests and the
screenshot script: real SQLite files, the fake provider, everything else as in production."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select

from confide.app import create_app
from confide.llm.fake import FakeProvider
from confide.services import Services
from confide.storage.tables import Message, User
from tests.factories import make_services, make_settings


@dataclass
class LiveServer:
    url: str
    services: Services
    provider: FakeProvider
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1]

    def user_count(self) -> int:
        with self.services.db.reader() as s:
            return int(s.scalar(select(func.count()).select_from(User)) or 0)

    def message_statuses(self) -> list[str]:
        with self.services.db.reader() as s:
            return list(s.scalars(select(Message.status).order_by(Message.seq)).all())

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self.services.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    data_dir: Path, provider: FakeProvider | None = None, **overrides: Any
) -> LiveServer:
    """Start a server and wait until it answers; ``stop()`` it afterwards."""
    settings = make_settings(data_dir, embeddings="off", **overrides)
    provider = provider or FakeProvider(piece_delay_s=0.05)
    services = make_services(settings, provider=provider)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, services=services),
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    return LiveServer(url, services, provider, server, thread)
