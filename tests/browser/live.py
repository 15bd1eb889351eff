"""A real confide server on a loopback port (uvicorn in a thread) for the browser tests and the
screenshot script: real SQLite files, the fake provider, everything else as in production."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from confide.llm.fake import FakeProvider
from confide.services import Services
from confide.storage.tables import Message, User
from tests import factories
from tests.factories import admin_db, make_services, make_settings


@dataclass
class LiveServer:
    url: str
    services: Services
    provider: FakeProvider
    _stop: Callable[[], None]

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1]

    def user_count(self) -> int:
        with admin_db(self.services).reader() as s:
            return int(s.scalar(select(func.count()).select_from(User)) or 0)

    def message_statuses(self) -> list[str]:
        with admin_db(self.services).reader() as s:
            return list(s.scalars(select(Message.status).order_by(Message.seq)).all())

    def stop(self) -> None:
        self._stop()
        self.services.close()


def start_server(
    data_dir: Path, provider: FakeProvider | None = None, **overrides: Any
) -> LiveServer:
    """Start a server and wait until it answers; ``stop()`` it afterwards."""
    settings = make_settings(data_dir, embeddings="off", **overrides)
    provider = provider or FakeProvider(piece_delay_s=0.05)
    services = make_services(settings, provider=provider)
    url, stop = factories.start_server(settings, services)
    return LiveServer(url, services, provider, stop)
