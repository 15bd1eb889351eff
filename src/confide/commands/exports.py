"""``confide export`` and ``confide import`` (promise P9).

``export`` is a client of the HTTP API, like ``confide memory``: it logs in, requests an
export, follows its progress, mints the single-use link, downloads the archive and writes it
readable by its owner only. ``import`` is the operator's, like ``confide user create``: it
opens the data directory and creates a new account from an archive.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from confide.cli import (
    DEFAULT_URL,
    DataDirOpt,
    PasswordStdinOpt,
    UrlOpt,
    _api_client,
    _api_error,
    _check,
    _read_password,
    app,
    err,
    fail,
    handle_errors,
    load_settings,
    out,
)

__all__ = ["export_archive", "import_archive"]

_POLL_S = 0.5
_WAIT_AT_MOST_S = 3600.0
_TERMINAL = {"downloaded", "expired", "failed"}


def _start(client: httpx.Client) -> dict[str, Any]:
    """A new export, or the one already being prepared."""
    response = client.post("/api/exports")
    if response.status_code == 409:
        busy = [
            job
            for job in _check(client.get("/api/exports"))
            if job["status"] in ("queued", "running")
        ]
        if busy:
            return dict(busy[0])
    return dict(_check(response))


def _wait(client: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    """Poll until the export is ready, showing its progress on standard error."""
    deadline = time.monotonic() + _WAIT_AT_MOST_S
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("preparing export", total=None)
        while True:
            if job["total"]:
                progress.update(task, completed=job["done"], total=job["total"])
            if job["status"] == "ready":
                return job
            if job["status"] in _TERMINAL:
                reason = f" ({job['error']})" if job.get("error") else ""
                fail(f"the export is {job['status']}{reason}; run `confide export` again")
            if time.monotonic() > deadline:
                fail("the export is still not ready after an hour; try again later")
            time.sleep(_POLL_S)
            job = _check(client.get(f"/api/exports/{job['id']}"))


def _write_private(path: Path, body: bytes) -> None:
    """Create ``path`` readable by its owner only (never briefly readable by others)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(body)


@app.command("export")
@handle_errors
def export_archive(
    username: Annotated[str, typer.Option("--username", help="Export this user's data.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the archive here (default confide-export-DATE.zip)."
        ),
    ] = None,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Export everything about a user from a running server into a zip (mode 0600)."""
    path = output or Path(f"confide-export-{date.today():%Y-%m-%d}.zip")
    if path.exists():
        fail(f"{path} already exists; choose another file with -o")
    with _api_client(url, username, password_stdin) as client:
        job = _wait(client, _start(client))
        link = _check(client.post(f"/api/exports/{job['id']}/link"))
        # The link is the credential: no session header goes with it.
        response = httpx.get(link["url"], timeout=httpx.Timeout(10.0, read=300.0))
        if response.status_code >= 400:
            fail(_api_error(response))
    _write_private(path, response.content)
    out.print(f"wrote {path} ({len(response.content)} bytes)", markup=False, highlight=False)


@app.command("import")
@handle_errors
def import_archive(
    file: Annotated[Path, typer.Argument(help="An archive made by `confide export`.")],
    username: Annotated[str, typer.Option("--username", help="The new account's username.")],
    password_stdin: PasswordStdinOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Create a new account from an export archive (the operator, on the server)."""
    from confide.llm.fake import FakeProvider
    from confide.services import build_services

    settings = load_settings(data_dir)
    if not file.is_file():
        fail(f"{file} is not a file")
    if file.stat().st_size > settings.max_import_bytes:
        fail(f"{file} is larger than max_import_bytes ({settings.max_import_bytes} bytes)")
    data = file.read_bytes()
    password = _read_password(password_stdin)
    # No model is needed to import; the provider is never called here.
    services = build_services(settings, provider=FakeProvider(), migrate=False)
    try:
        result = services.imports.import_archive(
            data,
            username=username,
            password=password,
            client="cli",
            actor="operator",
            client_label="confide import",
        )
        services.accounts.log_out(result.session.identity)
    finally:
        services.close()
    c = result.counts
    out.print(
        f"imported {result.session.identity.username}: {c['companions']} companions, "
        f"{c['conversations']} conversations, {c['messages']} messages, "
        f"{c['memories']} memories",
        markup=False,
        highlight=False,
    )
