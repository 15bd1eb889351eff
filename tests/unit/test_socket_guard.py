"""The socket guard itself (P7): it refuses non-loopback connections and lookups, records
them even when the caller swallows the error, and lets loopback through."""

from __future__ import annotations

import contextlib
import socket

import httpx
import pytest

from tests import socket_guard


def test_a_connection_to_another_machine_is_refused_and_recorded() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(socket_guard.OutboundConnectionBlocked):
            sock.connect(("192.0.2.10", 443))
    finally:
        sock.close()
    assert socket_guard.take_attempts() == ["connect to '192.0.2.10'"]
    with pytest.raises(socket_guard.OutboundConnectionBlocked):
        socket.create_connection(("192.0.2.10", 443), timeout=1)  # its lookup is refused too
    assert socket_guard.take_attempts()


def test_a_name_lookup_of_another_host_is_refused_even_when_swallowed() -> None:
    with contextlib.suppress(Exception):  # a library that falls back quietly does this
        httpx.get("https://publicsuffix.org/list/public_suffix_list.dat", timeout=1)
    tried = socket_guard.take_attempts()
    assert len(tried) == 1
    assert "publicsuffix.org" in tried[0]


def test_loopback_connections_pass() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        client = socket.create_connection(server.getsockname(), timeout=1)
        peer, _ = server.accept()
        client.sendall(b"ping")
        assert peer.recv(4) == b"ping"
        client.close()
        peer.close()
    finally:
        server.close()
    assert socket_guard.attempts() == []


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("8.8.8.8", False),
    ],
)
def test_what_counts_as_this_machine(host: str, local: bool) -> None:
    assert socket_guard.is_local_address(host) is local
