"""``confide policy``, ``confide requests``, ``confide training`` (the operator, on the server,
against the data directory) and ``confide privacy`` (a user, over HTTP like ``confide memory``).

Operator commands open the databases directly (``load_settings`` + ``build_services``, no
model, no server needed); what they do to a user's data is recorded in that user's audit log
with actor ``operator``. User commands log in as USERNAME and log out again when done.
Request details, resolutions and nominee details are printed only to the terminal that asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from confide.cli import (
    DEFAULT_URL,
    DataDirOpt,
    PasswordStdinOpt,
    UrlOpt,
    _api_client,
    _check,
    _one_of,
    app,
    fail,
    handle_errors,
    load_settings,
    out,
)
from confide.privacy.consent import PURPOSES

if TYPE_CHECKING:
    from confide.privacy.training import TrainingExporter
    from confide.services import Services

policy_app = typer.Typer(help="Privacy-policy versions (operator).", no_args_is_help=True)
requests_app = typer.Typer(
    help="Data-rights requests: see, open, close and record them (operator).",
    no_args_is_help=True,
)
training_app = typer.Typer(
    help="Training exports of consenting users' messages (operator).", no_args_is_help=True
)
privacy_app = typer.Typer(
    help="Your consents, policy, data-rights requests and nominee (on a running server).",
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")
app.add_typer(requests_app, name="requests")
app.add_typer(training_app, name="training")
app.add_typer(privacy_app, name="privacy")

REQUEST_KINDS = ("access", "correction", "erasure", "grievance")


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False, soft_wrap=True)


def _table(table: Table) -> None:
    """Print a table; piped into a file or another program, rows are never folded (a grep for
    an id or ``OVERDUE`` finds the whole row), on a terminal they fit its width."""
    if out.is_terminal:
        out.print(table)
    else:
        Console(width=max(out.width, 200)).print(table)


@contextmanager
def _local_services(data_dir: Path | None) -> Iterator[Services]:
    """The services of an initialised data directory: no model, no embeddings, no server."""
    from confide.llm.fake import FakeProvider
    from confide.services import build_services

    settings = load_settings(data_dir)
    # No model is called by these commands; the fake provider only fills the slot.
    services = build_services(settings, provider=FakeProvider(), migrate=False, embedder=None)
    try:
        yield services
    finally:
        services.close()


def _day(value: Any) -> str:
    return str(value)[:10] if value else ""


# --- confide policy (operator) ------------------------------------------------------------------


@policy_app.command("publish")
@handle_errors
def policy_publish(
    version: Annotated[str, typer.Argument(help="The new version, e.g. 2027-01-15.")],
    summary: Annotated[str, typer.Option(help="What changed, in plain words (users see it).")],
    material: Annotated[
        bool,
        typer.Option(
            "--material/--minor",
            help="Material changes are shown to every existing user until acknowledged.",
        ),
    ] = True,
    data_dir: DataDirOpt = None,
) -> None:
    """Publish a privacy-policy version; it is in force from now on."""
    with _local_services(data_dir) as services:
        v = services.policy.publish(version, summary, material=material)
    kind = "material: users will see a notice" if v.material else "minor: no notice"
    _say(f"published policy version {v.version} ({kind})")


@policy_app.command("list")
@handle_errors
def policy_list(data_dir: DataDirOpt = None) -> None:
    """Every published version, newest first, with how many users acknowledged it."""
    with _local_services(data_dir) as services:
        versions = services.policy.published_versions()
        current = services.policy.current()
    if not versions:
        _say(f"no version published; in force: {current.version} (from the settings)")
        return
    table = Table()
    table.add_column("version", no_wrap=True)
    table.add_column("", no_wrap=True)
    for column in ("published", "change", "acknowledged by", "summary"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(
            Text(v.version),
            "in force" if v.version == current.version else "",
            _day(v.published_at),
            "material" if v.material else "minor",
            str(v.acknowledgements),
            Text(v.summary or ""),
        )
    _table(table)


# --- confide requests (operator) ----------------------------------------------------------------


def _days(row: Any) -> Text:
    if row.status != "open":
        return Text("")
    if row.is_overdue:
        late = f" by {-row.days_left} days" if row.days_left < 0 else ""
        return Text(f"OVERDUE{late}", style="bold red")
    return Text(f"{row.days_left} days left")


@requests_app.command("list")
@handle_errors
def requests_list(
    show_all: Annotated[
        bool, typer.Option("--all", help="Also closed and withdrawn requests.")
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Open requests by due date, overdue first (no content is shown or decrypted)."""
    with _local_services(data_dir) as services:
        rows = services.rights.list_open(include_closed=show_all)
    if not rows:
        _say("no open requests" if not show_all else "no requests")
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("user", "kind", "status", "by", "filed", "due", ""):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r.id,
            Text(r.username),
            r.kind,
            r.status,
            r.filed_by,
            _day(r.filed_at.isoformat()),
            _day(r.due_at.isoformat()),
            _days(r),
        )
    _table(table)
    overdue = sum(1 for r in rows if r.is_overdue)
    if overdue:
        _say(f"{overdue} overdue")


@requests_app.command("show")
@handle_errors
def requests_show(request_id: str, data_dir: DataDirOpt = None) -> None:
    """Open one request: the user's words and their nominee (recorded in the user's audit log)."""
    with _local_services(data_dir) as services:
        found = services.rights.show(request_id)
    r = found.request
    lines = [
        f"request:    {r.id}",
        f"user:       {found.username}",
        f"kind:       {r.kind}",
        f"status:     {r.status}",
        f"filed by:   {r.filed_by}",
        f"filed:      {r.filed_at.isoformat()}",
        f"due:        {r.due_at.isoformat()}",
    ]
    if r.closed_at is not None:
        lines.append(f"closed:     {r.closed_at.isoformat()}")
    lines.append(f"details:    {r.details}")
    if r.resolution is not None:
        lines.append(f"resolution: {r.resolution}")
    n = found.nominee
    lines.append(
        "nominee:    none registered"
        if n is None
        else f"nominee:    {n.name} ({n.relationship}), {n.contact}"
    )
    for line in lines:
        _say(line)


@requests_app.command("close")
@handle_errors
def requests_close(
    request_id: str,
    resolution: Annotated[str, typer.Option(help="What was done (the user reads it).")],
    data_dir: DataDirOpt = None,
) -> None:
    """Close an open request with its resolution."""
    with _local_services(data_dir) as services:
        r = services.rights.close(request_id, resolution)
    _say(f"closed request {r.id}")


@requests_app.command("file")
@handle_errors
def requests_file(
    username: Annotated[str, typer.Option(help="Whose request it is.")],
    kind: Annotated[str, typer.Option(help="access, correction, erasure or grievance.")],
    details: Annotated[str, typer.Option(help="The request, in the requester's words.")],
    by_nominee: Annotated[
        bool,
        typer.Option(
            "--by-nominee", help="Made by the user's registered nominee (else by the user)."
        ),
    ] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Record a request made out of band (by post, phone or email)."""
    _one_of(kind, REQUEST_KINDS, "--kind")
    with _local_services(data_dir) as services:
        r = services.rights.file_for(username, kind, details, by_nominee=by_nominee)
    _say(f"filed {r.kind} request {r.id} for {username.strip().lower()}, due {_day(r.due_at)}")


# --- confide training (operator) ----------------------------------------------------------------


@training_app.command("export")
@handle_errors
def training_export(
    dest: Annotated[Path, typer.Argument(help="The JSONL file to create (never overwritten).")],
    data_dir: DataDirOpt = None,
) -> None:
    """Export consenting users' messages as de-identified JSONL (identifiers replaced, random
    ids), with a manifest and the operator's lineage file beside it."""
    with _local_services(data_dir) as services:
        result = _training_exporter(services).export(dest)
    _say(
        f"wrote {result.conversations} conversations ({result.messages} messages from "
        f"{result.users} users, {result.identifiers_replaced} identifiers replaced) to "
        f"{result.path}; manifest {result.manifest}; lineage {result.lineage} (keep it "
        "private: it links the random ids to accounts)"
    )


@training_app.command("affected")
@handle_errors
def training_affected(data_dir: DataDirOpt = None) -> None:
    """Training exports to rebuild: holding data of accounts that withdrew their grant or
    were erased, or of conversations deleted, since the export."""
    with _local_services(data_dir) as services:
        found = _training_exporter(services).affected()
    if not found:
        _say("no training export holds data that may no longer be used")
        return
    for item in found:
        _say(
            f"rebuild {item.export_id} ({item.path}, {item.created_at:%Y-%m-%d %H:%M} UTC): "
            f"{item.accounts_withdrawn} accounts withdrew, {item.accounts_erased} erased, "
            f"{item.conversations_deleted} conversations deleted"
        )


def _training_exporter(services: Services) -> TrainingExporter:
    from confide.privacy.training import TrainingExporter

    return TrainingExporter(
        services.db,
        services.vault,
        services.consents,
        services.audit,
        services.clock,
        shield=services.outbound.shield,
    )


# --- confide privacy (a user, over HTTP) --------------------------------------------------------


@privacy_app.command("policy")
@handle_errors
def privacy_policy(
    username: str,
    acknowledge: Annotated[
        bool, typer.Option("--acknowledge", help="Acknowledge the version in force.")
    ] = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """The privacy-policy version in force and any material change awaiting you."""
    with _api_client(url, username, password_stdin) as client:
        policy = _check(client.get("/api/privacy/policy"))
        if acknowledge:
            policy = _check(
                client.post("/api/privacy/policy/acknowledge", json={"version": policy["version"]})
            )
    published = _day(policy["published_at"]) or "the server's default"
    _say(f"privacy policy in force: {policy['version']} (published {published})")
    for change in policy["notice"]:
        _say(f"changed in {change['version']}: {change['summary']}")
    if acknowledge:
        _say(f"acknowledged policy version {policy['version']}")
    elif policy["notice_pending"]:
        _say("run again with --acknowledge once you have read the changes")


@privacy_app.command("request")
@handle_errors
def privacy_request(
    username: str,
    kind: Annotated[str, typer.Argument(help="access, correction, erasure or grievance.")],
    details: Annotated[str, typer.Option(help="What you ask for, in your own words.")],
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """File a data-rights request."""
    _one_of(kind, REQUEST_KINDS, "KIND")
    with _api_client(url, username, password_stdin) as client:
        r = _check(client.post("/api/privacy/requests", json={"kind": kind, "details": details}))
    _say(f"filed {r['kind']} request {r['id']}, due {_day(r['due_at'])}")


@privacy_app.command("requests")
@handle_errors
def privacy_requests(
    username: str,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Your data-rights requests, newest first, with the answers to closed ones."""
    with _api_client(url, username, password_stdin) as client:
        items = _check(client.get("/api/privacy/requests"))
    if as_json:
        for item in items:
            _say(json.dumps(item, ensure_ascii=False))
        return
    if not items:
        _say("no requests")
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("kind", "status", "filed", "due", "details", "resolution"):
        table.add_column(column, overflow="fold")
    for r in items:
        table.add_row(
            r["id"],
            r["kind"],
            r["status"],
            _day(r["filed_at"]),
            _day(r["due_at"]),
            Text(r["details"]),
            Text(r["resolution"] or ""),
        )
    _table(table)


@privacy_app.command("withdraw")
@handle_errors
def privacy_withdraw(
    username: str,
    request_id: str,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Withdraw one of your open requests."""
    with _api_client(url, username, password_stdin) as client:
        r = _check(client.post(f"/api/privacy/requests/{request_id}/withdraw"))
    _say(f"withdrew request {r['id']}")


@privacy_app.command("nominee")
@handle_errors
def privacy_nominee(
    username: str,
    name: Annotated[str | None, typer.Option(help="Your nominee's name.")] = None,
    contact: Annotated[str | None, typer.Option(help="How to reach them.")] = None,
    relationship: Annotated[str | None, typer.Option(help="Who they are to you.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove your nominee.")] = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Show, name, change or remove the person who may act for you."""
    given = {"name": name, "contact": contact, "relationship": relationship}
    changes = {k: v for k, v in given.items() if v is not None}
    if remove and changes:
        fail("--remove cannot be combined with --name, --contact or --relationship")
    with _api_client(url, username, password_stdin) as client:
        if remove:
            _check(client.delete("/api/privacy/nominee"))
            _say("removed your nominee")
            return
        nominee = _check(client.get("/api/privacy/nominee"))["nominee"]
        if changes:
            merged = {k: (nominee or {}).get(k) for k in given} | changes
            missing = [k for k, v in merged.items() if not v]
            if missing:
                fail("a new nominee needs --name, --contact and --relationship")
            nominee = _check(client.put("/api/privacy/nominee", json=merged))["nominee"]
    if nominee is None:
        _say("no nominee")
    else:
        _say(f"nominee: {nominee['name']} ({nominee['relationship']}), {nominee['contact']}")


@privacy_app.command("consents")
@handle_errors
def privacy_consents(
    username: str, url: UrlOpt = DEFAULT_URL, password_stdin: PasswordStdinOpt = False
) -> None:
    """Your consent for each purpose, and since when."""
    with _api_client(url, username, password_stdin) as client:
        body = _check(client.get("/api/privacy/consents"))
    table = Table()
    for column in ("purpose", "state", "since", "policy", "meaning"):
        table.add_column(column, overflow="fold")
    for c in body["consents"]:
        table.add_row(
            c["purpose"],
            "on" if c["granted"] else "off",
            _day(c["since"]),
            Text(c["policy_version"] or ""),
            Text(c["description"]),
        )
    _table(table)


@privacy_app.command("consent")
@handle_errors
def privacy_consent(
    username: str,
    purpose: Annotated[str, typer.Argument(help=", ".join(PURPOSES))],
    state: Annotated[str, typer.Argument(help="on or off.")],
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """Grant (on) or withdraw (off) your consent for one purpose."""
    _one_of(purpose, PURPOSES, "PURPOSE")
    _one_of(state, ("on", "off"), "STATE")
    with _api_client(url, username, password_stdin) as client:
        body = _check(
            client.put(f"/api/privacy/consents/{purpose}", json={"granted": state == "on"})
        )
    now = next(c for c in body["consents"] if c["purpose"] == purpose)
    _say(f"{purpose}: {'on' if now['granted'] else 'off'}")


@privacy_app.command("summary")
@handle_errors
def privacy_summary(
    username: str,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
    url: UrlOpt = DEFAULT_URL,
    password_stdin: PasswordStdinOpt = False,
) -> None:
    """In plain words: what is stored about you, where it is processed, how long it is kept."""
    with _api_client(url, username, password_stdin) as client:
        body = _check(client.get("/api/privacy/summary"))
    if as_json:
        _say(json.dumps(body, ensure_ascii=False))
        return
    _say(body["processing"])
    _say(f"memory: {body['memory']}")
    _say(f"training: {body['training']}")
    policy = body["policy"]
    pending = "; a change awaits your acknowledgement" if policy["notice_pending"] else ""
    _say(f"privacy policy: {policy['version']}{pending}")
    table = Table()
    for column in ("what is stored", "detail", "kept"):
        table.add_column(column, overflow="fold")
    for item in body["stored"]:
        table.add_row(Text(item["what"]), Text(item["detail"]), Text(item.get("retention", "")))
    _table(table)
    table = Table()
    for column in ("data", "kept"):
        table.add_column(column, overflow="fold")
    for item in body["retention"]:
        table.add_row(Text(item["what"]), Text(item["kept"]))
    _table(table)
