"""``confide erase`` (a user, over HTTP like ``confide memory``), ``confide retention run``,
``confide backup`` and ``confide restore`` (the operator, on the server, against the data
directory; no model and no running server needed).

Every erasure asks for confirmation unless ``--yes``; nothing of the user's content is
printed. Backup and restore are for SQLite; PostgreSQL gets a clear error pointing at pg_dump.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer

from confide.cli import (
    DEFAULT_URL,
    DataDirOpt,
    PasswordStdinOpt,
    UrlOpt,
    YesOpt,
    _api_client,
    _check,
    _confirm,
    app,
    fail,
    handle_errors,
    load_settings,
    out,
)

if TYPE_CHECKING:
    from confide.privacy.audit import AuditLog
    from confide.settings import Settings

erase_app = typer.Typer(
    help="Erase messages, conversations, memories or the account (on a running server).",
    no_args_is_help=True,
)
retention_app = typer.Typer(help="Retention of every data class.", no_args_is_help=True)
app.add_typer(erase_app, name="erase")
app.add_typer(retention_app, name="retention")


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False)


def _erased_line(result: dict[str, Any]) -> str:
    line = f"deleted {result['conversations']} conversations ({result['messages']} messages)"
    memory = (
        f"; memories: {result['memories_deleted']} deleted, "
        f"{result['memories_for_review']} set for review, "
        f"{result['summaries_reset']} summaries to rebuild"
    )
    return line + memory


@erase_app.command("message")
@handle_errors
def erase_message(
    username: str,
    message_id: str,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete one message (and what only it supported in memory)."""
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            _confirm("Delete this message? This cannot be undone.")
        _check(client.delete(f"/api/messages/{message_id}"))
    _say(f"deleted message {message_id}")


@erase_app.command("conversation")
@handle_errors
def erase_conversation(
    username: str,
    conversation_id: str,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete one conversation with all its messages and its summary."""
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            _confirm("Delete this conversation and all its messages? This cannot be undone.")
        _check(client.delete(f"/api/conversations/{conversation_id}"))
    _say(f"deleted conversation {conversation_id}")


@erase_app.command("companion-conversations")
@handle_errors
def erase_companion_conversations(
    username: str,
    companion_id: str,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete every conversation with one companion (the companion stays)."""
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            _confirm("Delete every conversation with this companion? This cannot be undone.")
        result = _check(
            client.delete(
                f"/api/companions/{companion_id}/conversations", params={"confirm": "all"}
            )
        )
    _say(_erased_line(result))


@erase_app.command("conversations")
@handle_errors
def erase_conversations(
    username: str,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete every conversation with every companion (companions stay)."""
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            _confirm("Delete EVERY conversation with every companion? This cannot be undone.")
        result = _check(client.delete("/api/conversations", params={"confirm": "all"}))
    _say(_erased_line(result))


@erase_app.command("memories")
@handle_errors
def erase_memories(
    username: str,
    companion: Annotated[str | None, typer.Option(help="Only this companion's (id).")] = None,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete every memory (of one companion with --companion)."""
    params: dict[str, Any] = {"confirm": "true"}
    if companion:
        params["companion_id"] = companion
    with _api_client(url, username, password_stdin) as client:
        if not yes:
            whose = "of this companion" if companion else "of every companion"
            _confirm(f"Delete every memory {whose}? This cannot be undone.")
        result = _check(client.delete("/api/memories", params=params))
    _say(f"deleted {result['deleted']} memories")


@erase_app.command("account")
@handle_errors
def erase_account(
    username: str,
    immediate: Annotated[
        bool,
        typer.Option("--immediate", help="Destroy the data key now: no grace period, no way back."),
    ] = False,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", help="Also write the signed receipt here.")
    ] = None,
    yes: YesOpt = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Delete the account (after the grace period, or now with --immediate); prints the
    signed deletion receipt."""
    # The password is needed twice (log-in, and the deletion's own check), so it is read
    # here once; CONFIDE_TOKEN is not used for this command.
    password = (
        sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
    )
    with httpx.Client(base_url=url, timeout=httpx.Timeout(10.0, read=120.0)) as client:
        try:
            token = _check(
                client.post("/api/auth/login", json={"username": username, "password": password})
            )["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            if not yes:
                when = "NOW, with no way back" if immediate else "after the grace period"
                _confirm(f"Delete the account {username} and all its data {when}?")
            body = _check(
                client.post(
                    "/api/account/delete", json={"password": password, "immediate": immediate}
                )
            )
        except httpx.TransportError:
            fail(f"cannot reach confide at {url}; is `confide serve` running?")
    text = json.dumps(body, sort_keys=True)
    if receipt is not None:
        receipt.write_text(text + "\n", encoding="utf-8")
    _say(f"account {body['username']} is being deleted (receipt {body['receipt_id']})")
    _say(f"unreadable from {body['unreadable_from']}; purged at {body['purge_at']}")
    typer.echo(text)  # one line: the signed receipt, meant to be kept


@retention_app.command("run")
@handle_errors
def retention_run(data_dir: DataDirOpt = None) -> None:
    """Apply every retention rule once and print what was removed."""
    from confide.llm.fake import FakeProvider
    from confide.services import build_services

    settings = load_settings(data_dir)
    # No model is needed; the provider is never called here.
    services = build_services(settings, provider=FakeProvider(), migrate=False)
    try:
        counts = services.retention.run()
    finally:
        services.close()
    for name, count in counts.items():
        _say(f"{name}: {count}")


@contextmanager
def open_audit_log(settings: Settings) -> Iterator[AuditLog]:
    """The audit log of an initialised data directory, for system entries (no details, so
    no master key needed); its connections are closed on the way out."""
    from confide.clock import utcnow
    from confide.privacy.audit import AuditLog, SigningKey
    from confide.privacy.keys import KeyStore
    from confide.privacy.vault import Vault
    from confide.services import master_key_provider
    from confide.storage.db import Database

    db = Database.content(settings.resolved_database_url, owner_url=settings.database_owner_url)
    key_db = Database.key_store(
        settings.resolved_key_store_url, owner_url=settings.key_store_owner_url
    )
    try:
        if not (db.is_initialised() and key_db.is_initialised()):
            fail("the database is not initialised; run `confide init`", 2)
        vault = Vault(KeyStore(key_db, master_key_provider(settings)))
        yield AuditLog(db, vault, utcnow, SigningKey(settings.resolved_audit_signing_key_file))
    finally:
        db.dispose()
        key_db.dispose()


@app.command("backup")
@handle_errors
def backup(
    dest: Annotated[Path, typer.Argument(help="New file for the content database backup.")],
    keys_to: Annotated[
        Path | None,
        typer.Option("--keys-to", help="New file for the key-store backup (kept apart)."),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Back up the content database online (and the key store, separately, with --keys-to)."""
    from confide.privacy.backup import create_backup

    settings = load_settings(data_dir)
    with open_audit_log(settings) as audit:
        report = create_backup(settings, dest, keys_to=keys_to, audit=audit)
    _say(f"content database backed up to {report.content} ({report.bytes} bytes, mode 0600)")
    if report.keys is not None:
        _say(f"key store backed up to {report.keys} (mode 0600): keep it apart from the data")
    else:
        _say("key store not backed up (use --keys-to FILE, kept apart from the data)")


@app.command("restore")
@handle_errors
def restore(
    src: Annotated[Path, typer.Argument(help="A content database backup.")],
    keys_from: Annotated[
        Path | None,
        typer.Option("--keys-from", help="Also restore the key store from this backup."),
    ] = None,
    yes: YesOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Restore a backup over the live database (server stopped), keeping erased users erased."""
    from confide.privacy.backup import restore_backup

    settings = load_settings(data_dir)
    if not yes:
        also = " and the key store" if keys_from else ""
        _confirm(
            f"Replace the live database{also} with this backup? Stop the server first; "
            "changes made since the backup are lost."
        )
    report = restore_backup(settings, src, keys_from=keys_from)
    _say(
        f"restored: {report.users} accounts; {report.erased} erased since the backup were "
        f"purged; {report.keys_destroyed} data keys destroyed"
    )
    if report.missing_keys:
        _say(f"warning: {report.missing_keys} accounts have no data key and cannot be read")
