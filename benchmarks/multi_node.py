"""Chat throughput on one node, then on two stateless nodes sharing one PostgreSQL.

What it proves: confide nodes keep no state of their own (sessions, rate limits, jobs and locks
live in the database), so any node can serve any request. Every user's consecutive turns go to
different nodes; a node that kept anything in memory (a session, a conversation's sequence
numbers, a job it thinks it owns) would answer with an error, which is counted.

The benchmark starts its own throwaway PostgreSQL (``.ci/postgres``, loopback, trust
authentication) unless ``--postgres SUPERUSER_URL`` points at one on loopback, creates a fresh
content database and key store owned by ``confide_owner``, runs ``confide init`` once, then
``confide serve`` as separate processes on 127.0.0.1, all sharing one master key given in the
environment. Each node runs the instant fake provider and no embeddings; nothing leaves the
machine, and no CONFIDE_* variable of the caller's environment reaches the nodes (a configured
remote provider must never receive benchmark traffic).

    python benchmarks/multi_node.py --json
Last line: {"turns_per_s", "p99_ms", "errors", "scaling", "one_node", "two_nodes", ...}; the flat
figures are the two-node run's.
Target: errors == 0.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from common import SENTENCES, report

__all__ = ["PhaseResult", "main", "run"]

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway account on a throwaway server
START_TIMEOUT_S = 90.0  # a node's start-up includes migrating (a no-op after init)
REQUEST_TIMEOUT_S = 60.0
SUBPROCESS_TIMEOUT_S = 180


@dataclass
class PhaseResult:
    """What one phase measured: successful turn latencies, errors, wall time of the chat."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        p99_index = min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))
        return {
            "turns_per_s": round(len(ordered) / self.wall_s, 1) if self.wall_s else 0.0,
            "p50_ms": round(statistics.median(ordered), 2) if ordered else None,
            "p99_ms": round(ordered[p99_index], 2) if ordered else None,
            "errors": self.errors,
            "error_kinds": dict(sorted(self.error_kinds.items())),
            "turns": len(ordered),
        }


@dataclass
class Databases:
    """The URLs every node gets: app role and owner role, for content and key store."""

    app_url: str
    owner_url: str
    keys_app_url: str
    keys_owner_url: str


# --- PostgreSQL --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_postgres(tmp: Path) -> Iterator[str]:
    """Start ``.ci/postgres`` on a free loopback port; yield its superuser URL; always stop it."""
    pg_dir = tmp / "pg"
    try:
        started = None
        for _ in range(3):  # another process may take the free port before PostgreSQL binds it
            shutil.rmtree(pg_dir, ignore_errors=True)
            done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
                ["bash", str(ROOT / ".ci" / "postgres"), "start", str(pg_dir), str(free_port())],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=SUBPROCESS_TIMEOUT_S,
                check=False,
            )
            if done.returncode == 0:
                started = done.stdout.strip().splitlines()[-1]
                break
            _stop_postgres(pg_dir)
        if started is None:
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr.strip()[-500:]}")
        yield started
    finally:
        _stop_postgres(pg_dir)


def _stop_postgres(pg_dir: Path) -> None:
    if (pg_dir / "data").exists():
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            ["bash", str(ROOT / ".ci" / "postgres"), "stop", str(pg_dir)],  # noqa: S607
            capture_output=True,
            timeout=SUBPROCESS_TIMEOUT_S,
            check=False,
        )


@contextmanager
def fresh_databases(superuser_url: str) -> Iterator[Databases]:
    """Create a content database and a key store owned by confide_owner; drop them after."""
    base = make_url(superuser_url)
    suffix = secrets.token_hex(4)
    names = (f"confide_bench_{suffix}", f"confide_bench_{suffix}_keys")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:  # names are ours: hex digits only, safe to splice
                conn.execute(text(f'CREATE DATABASE "{name}" OWNER confide_owner'))
        try:
            yield Databases(
                app_url=_role_url(base, "confide_app", names[0]),
                owner_url=_role_url(base, "confide_owner", names[0]),
                keys_app_url=_role_url(base, "confide_app", names[1]),
                keys_owner_url=_role_url(base, "confide_owner", names[1]),
            )
        finally:
            _drop_databases(admin, names)
    finally:
        admin.dispose()


def _drop_databases(admin: Engine, names: Sequence[str]) -> None:
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except SQLAlchemyError:
        # never hide the benchmark's own error behind a clean-up failure
        print("multi_node: could not drop the benchmark databases", file=sys.stderr)


def _role_url(base: URL, role: str, database: str) -> str:
    # No password: .ci/postgres trusts loopback; another server may use ~/.pgpass.
    url = base.set(username=role, password=None, database=database)
    return url.render_as_string(hide_password=False)


# --- confide nodes -----------------------------------------------------------------------------


def node_environment(dbs: Databases, data_dir: Path, master_key: str, users: int) -> dict[str, str]:
    """The environment of ``confide init`` and every node: the caller's, minus any CONFIDE_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_")}
    env.update(
        {
            "CONFIDE_DATA_DIR": str(data_dir),
            "CONFIDE_DATABASE_URL": dbs.app_url,
            "CONFIDE_DATABASE_OWNER_URL": dbs.owner_url,
            "CONFIDE_KEY_STORE_URL": dbs.keys_app_url,
            "CONFIDE_KEY_STORE_OWNER_URL": dbs.keys_owner_url,
            "CONFIDE_MASTER_KEY": master_key,
            "CONFIDE_PROVIDER": "fake",
            "CONFIDE_EMBEDDINGS": "off",
            # cheap Argon2, as in tests/factories.py: sign-up cost is not what is measured
            "CONFIDE_ARGON2_TIME_COST": "1",
            "CONFIDE_ARGON2_MEMORY_KIB": "8",
            "CONFIDE_ARGON2_PARALLELISM": "1",
            # every benchmark user signs up from 127.0.0.1: lift the per-client sign-up limit
            "CONFIDE_SIGNUP_MAX_PER_CLIENT": str(4 * users + 10),
            "CONFIDE_FIRST_USER_IS_OWNER": "false",
            "CONFIDE_LOG_LEVEL": "WARNING",
        }
    )
    return env


def confide_init(env: dict[str, str], log: Path) -> None:
    with log.open("wb") as sink:
        done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "confide", "init"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            timeout=SUBPROCESS_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"confide init failed (exit {done.returncode}):\n{_tail(log)}")


@contextmanager
def confide_node(env: dict[str, str], log: Path) -> Iterator[str]:
    """One ``confide serve`` process on a free loopback port; yield its URL once it answers
    /healthz; always stop it."""
    port = free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "confide", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(proc, url, log)
        yield url
    finally:
        _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"confide serve exited ({proc.returncode}):\n{_tail(log)}")
        try:
            if httpx.get(url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"confide serve did not answer /healthz in {START_TIMEOUT_S:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _tail(log: Path, lines: int = 20) -> str:
    # A node's own log: it never holds message text (the house logging rule).
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# --- the workload ------------------------------------------------------------------------------


@dataclass
class BenchUser:
    """One user's client, token and conversation, and the node its round-robin starts at."""

    client: httpx.Client
    first_node: int
    token: str = ""
    conversation_id: str = ""
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    turns_sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def count_error(self, kind: str) -> None:
        """``kind``: a step and an HTTP status or exception class; never a response body."""
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class RefusedError(Exception):
    """A set-up request answered with a non-2xx status."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _checked(response: httpx.Response, step: str) -> dict[str, Any]:
    if not 200 <= response.status_code < 300:
        raise RefusedError(f"{step} {response.status_code}")
    return dict(response.json())


def _set_up(user: BenchUser, nodes: Sequence[str], name: str) -> None:
    """Sign up, make a companion and a conversation, each request on the next node."""
    node = user.first_node
    signup = user.client.post(
        nodes[node % len(nodes)] + "/api/auth/signup",
        json={
            "username": name,
            "email": f"{name}@example.org",
            "password": PASSWORD,
            "date_of_birth": "1990-01-01",
        },
    )
    user.token = _checked(signup, "signup")["token"]
    user.client.cookies.clear()  # API clients authenticate with the bearer token only
    headers = {"Authorization": f"Bearer {user.token}"}
    companion = user.client.post(
        nodes[(node + 1) % len(nodes)] + "/api/companions/from-starter",
        json={"starter": "mira"},
        headers=headers,
    )
    companion_id = _checked(companion, "companion")["id"]
    conversation = user.client.post(
        nodes[(node + 2) % len(nodes)] + f"/api/companions/{companion_id}/conversations",
        json={},
        headers=headers,
    )
    user.conversation_id = _checked(conversation, "conversation")["id"]


def _safe_set_up(user: BenchUser, nodes: Sequence[str], name: str) -> None:
    try:
        _set_up(user, nodes, name)
    except RefusedError as exc:
        user.count_error(exc.kind)  # this user's turns are skipped; the error is counted
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        user.count_error(f"setup {type(exc).__name__}")


def _chat(user: BenchUser, nodes: Sequence[str], turns: int, *, record: bool = True) -> None:
    """``turns`` turns, each on the node after the previous one's; errors counted, not fatal.

    With ``record`` false (warm-up) latencies are not kept; errors still count."""
    if not user.conversation_id:
        return
    headers = {"Authorization": f"Bearer {user.token}"}
    for _ in range(turns):
        node = nodes[(user.first_node + user.turns_sent) % len(nodes)]
        body = {"content": SENTENCES[user.turns_sent % len(SENTENCES)], "stream": False}
        user.turns_sent += 1
        started = time.perf_counter()
        try:
            response = user.client.post(
                f"{node}/api/conversations/{user.conversation_id}/messages",
                json=body,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            user.count_error(f"turn {type(exc).__name__}")
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if not 200 <= response.status_code < 300:
            user.count_error(f"turn {response.status_code}")
        elif record:
            user.latencies_ms.append(elapsed_ms)


def _warm_up(user: BenchUser, nodes: Sequence[str], turns: int) -> None:
    _chat(user, nodes, turns, record=False)


def run_phase(nodes: Sequence[str], users: int, turns: int, warmup: int, label: str) -> PhaseResult:
    """Set every user up and warm up concurrently, then time their chats, all at once.

    The first turns a node serves load models and fill caches once per process; the warm-up
    turns (not timed) keep that start-up cost out of the steady-state figures."""
    with ExitStack() as stack:
        bench_users = [
            BenchUser(
                client=stack.enter_context(
                    httpx.Client(timeout=REQUEST_TIMEOUT_S, trust_env=False)
                ),
                first_node=i % len(nodes),
            )
            for i in range(users)
        ]
        with ThreadPoolExecutor(max_workers=users) as pool:
            names = [f"{label}-{i}-{secrets.token_hex(3)}" for i in range(users)]
            list(pool.map(_safe_set_up, bench_users, [nodes] * users, names))
            list(pool.map(_warm_up, bench_users, [nodes] * users, [warmup] * users))
            started = time.perf_counter()
            list(pool.map(_chat, bench_users, [nodes] * users, [turns] * users))
            wall_s = time.perf_counter() - started
    result = PhaseResult(wall_s=wall_s)
    for user in bench_users:
        result.latencies_ms.extend(user.latencies_ms)
        result.errors += user.errors
        for kind, count in user.error_kinds.items():
            result.error_kinds[kind] = result.error_kinds.get(kind, 0) + count
    return result


# --- the benchmark -----------------------------------------------------------------------------


def run(users: int, turns: int, warmup: int, postgres_url: str | None) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="confide-multi-node-"))
    try:
        tmp.chmod(0o711)  # PostgreSQL runs as its own user when we are root: let it reach pg/
        data_dir = tmp / "data"
        data_dir.mkdir(mode=0o700)
        with ExitStack() as stack:
            superuser_url = postgres_url or stack.enter_context(throwaway_postgres(tmp))
            dbs = stack.enter_context(fresh_databases(superuser_url))
            master_key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            env = node_environment(dbs, data_dir, master_key, users)
            confide_init(env, tmp / "init.log")
            first = stack.enter_context(confide_node(env, tmp / "node-1.log"))
            one = run_phase([first], users, turns, warmup, "one")
            second = stack.enter_context(confide_node(env, tmp / "node-2.log"))
            two = run_phase([first, second], users, turns, warmup, "two")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    one_node, two_nodes = one.summary(), two.summary()
    scaling = (
        round(two_nodes["turns_per_s"] / one_node["turns_per_s"], 2)
        if one_node["turns_per_s"]
        else None
    )
    return {
        "benchmark": "multi_node",
        "users": users,
        "turns_per_user": turns,
        "warmup_per_user": warmup,
        "cores": os.cpu_count(),
        "turns_per_s": two_nodes["turns_per_s"],
        "p99_ms": two_nodes["p99_ms"],
        "errors": two_nodes["errors"],
        "scaling": scaling,
        "one_node": one_node,
        "two_nodes": two_nodes,
    }


def _loopback_postgres(value: str) -> str:
    try:
        host = make_url(value).host
    except Exception as exc:  # noqa: BLE001 - any parse failure is a bad argument
        raise argparse.ArgumentTypeError("not a database URL") from exc
    if host not in LOOPBACK:
        raise argparse.ArgumentTypeError("the PostgreSQL server must be on loopback")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=8, help="concurrent users per phase")
    parser.add_argument("--turns", type=int, default=20, help="chat turns per user")
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed turns per user before timing starts"
    )
    parser.add_argument(
        "--postgres",
        type=_loopback_postgres,
        default=None,
        metavar="SUPERUSER_URL",
        help="use this loopback PostgreSQL (roles confide_owner, confide_app must exist) "
        "instead of starting one with .ci/postgres",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()
    if args.users < 1 or args.turns < 1 or args.warmup < 0:
        parser.error("--users and --turns must be at least 1, --warmup at least 0")
    try:
        result = run(args.users, args.turns, args.warmup, args.postgres)
    except RuntimeError as exc:  # ours: a one-line reason, then a node's log tail if any
        print(f"multi_node: {exc}", file=sys.stderr)
        sys.exit(1)
    except (OSError, subprocess.TimeoutExpired, SQLAlchemyError) as exc:
        print(f"multi_node: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        sys.exit(1)
    report(result, args.json)


if __name__ == "__main__":
    main()
