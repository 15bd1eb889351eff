"""The deployment files do what docs/deploy.md says they do (issue 7).

Threats handled: a container or service definition that drifts into running as root, fetches
something at run time, or loses its sandbox; a health check that can never pass; a
``CONFIDE_*`` variable in the docs or the files that names no setting (pydantic ignores it
silently, so a misspelt ``CONFIDE_MASTER_KEY_FILE`` would leave the key beside the data); and
a database setup script that gives the app role a way around row-level security. Docker is not
run here: the files are parsed, and the health check's own command runs against a stand-in
server on loopback.
"""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from confide.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "confide.service"
SETUP_SQL = ROOT / "deploy" / "confide-db-setup.sql"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

SETTING_VARS = frozenset(f"CONFIDE_{name.upper()}" for name in Settings.model_fields)
_VAR = re.compile(r"\bCONFIDE_[A-Z0-9_]*[A-Z0-9]\b")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- systemd unit --------------------------------------------------------------------------


class _UnitParser(configparser.ConfigParser):
    """systemd keys are case-sensitive; configparser lower-cases them by default."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def _unit() -> configparser.ConfigParser:
    # strict: a key given twice in one section (systemd would merge or override) is an error.
    parser = _UnitParser(strict=True, interpolation=None)
    parser.read_string(_read(UNIT), source=str(UNIT))
    return parser


def _unit_environment(unit: configparser.ConfigParser) -> dict[str, str]:
    pairs = unit["Service"].get("Environment", "").split()
    return dict(pair.strip('"').split("=", 1) for pair in pairs)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("User", "confide"),
        ("EnvironmentFile", "/etc/confide/confide.env"),
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("Restart", "on-failure"),
    ],
)
def test_unit_service_section_has_hardening_key(key: str, value: str) -> None:
    assert _unit()["Service"].get(key) == value


def test_unit_address_families_are_inet_inet6_unix_only() -> None:
    families = _unit()["Service"]["RestrictAddressFamilies"].split()
    assert sorted(families) == ["AF_INET", "AF_INET6", "AF_UNIX"]


def test_unit_data_dir_is_the_only_writable_path() -> None:
    unit = _unit()
    data_dir = _unit_environment(unit)["CONFIDE_DATA_DIR"]
    assert unit["Service"]["ReadWritePaths"].split() == [data_dir]


def test_unit_runs_confide_serve_and_installs_for_multi_user() -> None:
    unit = _unit()
    program, command = unit["Service"]["ExecStart"].split()
    assert (Path(program).name, command) == ("confide", "serve")
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_unit_leaves_memory_deny_write_execute_off_and_says_why() -> None:
    assert "MemoryDenyWriteExecute" not in _unit()["Service"]
    comments = "\n".join(line for line in _read(UNIT).splitlines() if line.startswith("#"))
    assert "MemoryDenyWriteExecute" in comments


# --- Dockerfile ------------------------------------------------------------------------------


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return [(first.upper(), rest) for first, _, rest in (ln.partition(" ") for ln in logical)]


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions(_read(DOCKERFILE))
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def _final_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for op, args in _final_stage():
        if op == "ENV":
            env.update(pair.split("=", 1) for pair in args.split())
    return env


def test_dockerfile_final_stage_runs_as_a_non_root_user() -> None:
    users = [args for op, args in _final_stage() if op == "USER"]
    assert users, "the final stage never sets USER, so it runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


@pytest.mark.parametrize("tool", ["curl", "wget"])
def test_dockerfile_never_uses_an_http_download_tool(tool: str) -> None:
    used = [op for op, args in _instructions(_read(DOCKERFILE)) if re.search(rf"\b{tool}\b", args)]
    assert used == []


def test_dockerfile_installs_this_source_tree_on_the_slim_bookworm_base() -> None:
    steps = _instructions(_read(DOCKERFILE))
    args = {op: [a for o, a in steps if o == op] for op in ("ARG", "RUN")}
    assert "PYTHON_IMAGE=python:3.11-slim-bookworm" in args["ARG"]
    assert any("pip install" in run and 'target="."' in run for run in args["RUN"])


def test_dockerfile_binds_all_interfaces_and_keeps_data_in_a_volume() -> None:
    env = _final_env()
    assert env["CONFIDE_HOST"] == "0.0.0.0"  # noqa: S104 - a container's own interface
    volumes = [json.loads(args) for op, args in _final_stage() if op == "VOLUME"]
    assert [env["CONFIDE_DATA_DIR"]] in volumes


def test_dockerfile_entrypoint_is_confide_serve() -> None:
    stage = dict(_final_stage())
    assert json.loads(stage["ENTRYPOINT"]) == ["confide"]
    assert json.loads(stage["CMD"]) == ["serve"]


def _healthcheck_command() -> list[str]:
    checks = [args for op, args in _final_stage() if op == "HEALTHCHECK"]
    assert len(checks) == 1, "the final stage needs exactly one HEALTHCHECK"
    _, _, exec_form = checks[0].partition(" CMD ")
    command: list[str] = json.loads(exec_form)
    return command


class _StandInServer(ThreadingHTTPServer):
    """A loopback server in place of confide: answers ``status``, records the paths asked."""

    status = 200

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StandInHandler)
        self.paths: list[str] = []


class _StandInHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _StandInServer)
        server.paths.append(self.path)
        self.send_response(server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def stand_in() -> Iterator[_StandInServer]:
    server = _StandInServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _run_healthcheck(port: int) -> int:
    program, flag, code = _healthcheck_command()
    assert (program, flag) == ("python", "-c")
    # A proxy variable must not matter: the check has to reach this container's own server.
    env = {"CONFIDE_PORT": str(port), "HTTP_PROXY": "http://127.0.0.1:9", "no_proxy": ""}
    done = subprocess.run(  # noqa: S603 - the Dockerfile's own check, with this interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=30, check=False
    )
    return done.returncode


def test_dockerfile_healthcheck_passes_on_healthz_200(stand_in: _StandInServer) -> None:
    assert _run_healthcheck(stand_in.server_address[1]) == 0
    assert stand_in.paths == ["/healthz"]


def test_dockerfile_healthcheck_fails_on_error_status(stand_in: _StandInServer) -> None:
    stand_in.status = 503
    assert _run_healthcheck(stand_in.server_address[1]) != 0
    assert stand_in.paths == ["/healthz"]


def test_dockerignore_keeps_venv_git_caches_data_and_keys_out() -> None:
    patterns = {
        line.strip()
        for line in _read(ROOT / ".dockerignore").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", ".cache", ".pytest_cache", "data", "**/*.key"} <= patterns


# --- CONFIDE_* names --------------------------------------------------------------------------


def test_deploy_doc_names_the_four_database_url_settings() -> None:
    # Guards the scan below: if the regex found nothing, every name would "exist".
    expected = {
        "CONFIDE_DATABASE_URL",
        "CONFIDE_DATABASE_OWNER_URL",
        "CONFIDE_KEY_STORE_URL",
        "CONFIDE_KEY_STORE_OWNER_URL",
    }
    assert expected <= set(_VAR.findall(_read(DEPLOY_DOC)))


@pytest.mark.parametrize("path", [DEPLOY_DOC, DOCKERFILE, UNIT], ids=lambda p: p.name)
def test_every_confide_variable_named_is_a_setting(path: Path) -> None:
    unknown = sorted(set(_VAR.findall(_read(path))) - SETTING_VARS)
    assert unknown == []


# --- database setup ---------------------------------------------------------------------------


def _sql_statements() -> list[str]:
    """Statements of the setup file, comments and psql meta-commands dropped, one line each."""
    lines = [
        line.split("--", 1)[0]
        for line in _read(SETUP_SQL).splitlines()
        if not line.lstrip().startswith("\\")
    ]
    text = " ".join(" ".join(lines).split())
    return [s.strip() for s in text.split(";") if s.strip()]


def _create_role(name: str) -> set[str]:
    for statement in _sql_statements():
        words = statement.upper().split()
        if words[:3] == ["CREATE", "ROLE", name.upper()]:
            return set(words[3:])
    raise AssertionError(f"{SETUP_SQL.name} does not create the role {name}")


def test_setup_sql_app_role_cannot_bypass_row_level_security() -> None:
    attributes = _create_role("confide_app")
    assert {"LOGIN", "NOSUPERUSER", "NOBYPASSRLS", "NOCREATEROLE", "NOCREATEDB"} <= attributes
    assert not {"SUPERUSER", "BYPASSRLS", "CREATEROLE", "CREATEDB"} & attributes


def test_setup_sql_owner_role_is_not_a_superuser() -> None:
    attributes = _create_role("confide_owner")
    assert {"NOSUPERUSER", "NOBYPASSRLS"} <= attributes


def test_setup_sql_owner_role_owns_both_databases_and_app_role_nothing() -> None:
    statements = [s.upper() for s in _sql_statements()]
    created = {s.split()[2]: s for s in statements if s.startswith("CREATE DATABASE ")}
    assert set(created) == {"CONFIDE", "CONFIDE_KEYS"}
    assert all(" OWNER CONFIDE_OWNER" in s for s in created.values())
    assert not [s for s in statements if re.search(r"\bOWNER( TO)? CONFIDE_APP\b", s)]


def test_setup_sql_sets_no_password() -> None:
    assert not [s for s in _sql_statements() if re.search(r"\bPASSWORD\b", s, flags=re.I)]


def test_deploy_doc_example_urls_use_the_roles_and_databases_the_setup_creates() -> None:
    statements = [s.lower().split() for s in _sql_statements()]
    roles = {w[2] for w in statements if w[:2] == ["create", "role"]}
    databases = {w[2] for w in statements if w[:2] == ["create", "database"]}
    urls = re.findall(r"postgresql\+psycopg://(\w+)@[\w.-]+:\d+/(\w+)", _read(DEPLOY_DOC))
    assert urls, "docs/deploy.md shows no example database URL"
    assert {user for user, _ in urls} <= roles
    assert {db for _, db in urls} <= databases


def test_setup_sql_file_is_referenced_from_the_deploy_doc() -> None:
    assert "deploy/confide-db-setup.sql" in _read(DEPLOY_DOC)
