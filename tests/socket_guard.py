"""A socket guard for the whole test suite (promise P7): no test may open a connection to
anything but this machine.

Installed in ``pytest_configure`` (before any test module is imported), it wraps
``socket.socket.connect``/``connect_ex``/``sendto`` and ``socket.getaddrinfo``. A connection
to an address outside loopback, or a name lookup of a host that is not this machine, raises
:class:`OutboundConnectionBlocked` *and* is recorded, so a library that catches the error and
carries on (a suffix-list download with a fallback, say) still fails the test that caused it
(``conftest.py`` checks the record after every test and at the end of the session).
Subprocesses (Chromium for the browser tests) are outside its reach; they are started with
their own network switches off.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any

__all__ = ["OutboundConnectionBlocked", "attempts", "install", "is_local_address", "take_attempts"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_lock = threading.Lock()
_attempts: list[str] = []
_installed = False


class OutboundConnectionBlocked(OSError):
    """A test tried to reach another machine."""


def is_local_address(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    name = str(host).strip("[]").split("%")[0].lower()
    if name in _LOCAL_NAMES or name == socket.gethostname().lower():
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> None:
    with _lock:
        _attempts.append(what)
    raise OutboundConnectionBlocked(f"socket guard: outbound connection refused ({what})")


def _check_address(family: int, address: Any) -> None:
    if family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_local_address(host):
        _refuse(f"connect to {host!r}")


def attempts() -> list[str]:
    with _lock:
        return list(_attempts)


def take_attempts() -> list[str]:
    """The attempts recorded since the last call (and forget them)."""
    with _lock:
        taken = list(_attempts)
        _attempts.clear()
    return taken


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(self.family, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(self.family, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check_address(self.family, args[-1])
        return real_sendto(self, data, *args)  # type: ignore[arg-type]

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local_address(host):
            _refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[assignment]
    socket.getaddrinfo = getaddrinfo
