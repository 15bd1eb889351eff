"""``confide staff`` (the operator, on the server: staff accounts) and ``confide access`` (a
staff member, on the server: access grants and reads under them), against the data directory.

Staff accounts exist only through these commands. ``confide access`` asks the staff member's
password (or reads ``CONFIDE_STAFF_PASSWORD``) and acts as them: every request and every read
is recorded in the user's own audit log with actor ``staff``, exactly as through the API.
Content read under a grant is printed only to the terminal that asked.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from confide.accounts.staff import ROLES
from confide.cli import DataDirOpt, app, fail, handle_errors
from confide.commands.privacy import _day, _local_services, _say, _table

if TYPE_CHECKING:
    from confide.accounts.staff import StaffIdentity
    from confide.privacy.access import GrantView
    from confide.services import Services

staff_app = typer.Typer(
    help="Staff accounts: admin, support and safety (operator).", no_args_is_help=True
)
access_app = typer.Typer(
    help="Access to one user's content under a grant with a case and a reason (staff).",
    no_args_is_help=True,
)
app.add_typer(staff_app, name="staff")
app.add_typer(access_app, name="access")

PASSWORD_ENV = "CONFIDE_STAFF_PASSWORD"  # noqa: S105 - the variable's name, not a password
PAGE = 200

StaffOpt = Annotated[str, typer.Option("--staff", help="Your staff username.")]
GrantArg = Annotated[str, typer.Argument(help="The grant's id.")]


def _new_password() -> str:
    """The new account's password: CONFIDE_STAFF_PASSWORD, or asked twice on the terminal."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        fail(f"no terminal to ask for a password; set {PASSWORD_ENV}")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        fail("the passwords do not match")
    return first


def staff_identity(services: Services, username: str) -> StaffIdentity:
    """The staff member, after their password (CONFIDE_STAFF_PASSWORD or asked)."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        if not sys.stdin.isatty():
            fail(f"no terminal to ask for a password; set {PASSWORD_ENV}")
        password = getpass.getpass("Staff password: ")
    return services.staff.identity_for_cli(username, password)


# --- confide staff (operator) -------------------------------------------------------------------


@staff_app.command("add")
@handle_errors
def staff_add(
    username: Annotated[str, typer.Argument(help="The staff member's username.")],
    role: Annotated[str, typer.Option(help="admin, support or safety.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Create a staff account (password asked twice, or CONFIDE_STAFF_PASSWORD)."""
    if role not in ROLES:
        fail(f"--role must be one of: {', '.join(ROLES)}")
    password = _new_password()
    with _local_services(data_dir) as services:
        member = services.staff.create(username, role, password)
    _say(f"created {member.role} staff account {member.username}")


@staff_app.command("list")
@handle_errors
def staff_list(data_dir: DataDirOpt = None) -> None:
    """Every staff account, its role and whether it is disabled."""
    with _local_services(data_dir) as services:
        members = services.staff.list()
    if not members:
        _say("no staff accounts")
        return
    table = Table()
    for column in ("username", "role", "created", "status"):
        table.add_column(column, overflow="fold")
    for m in members:
        disabled = f"disabled {_day(m.disabled_at)}" if m.disabled_at else "active"
        table.add_row(Text(m.username), m.role, _day(m.created_at), disabled)
    _table(table)


@staff_app.command("disable")
@handle_errors
def staff_disable(
    username: Annotated[str, typer.Argument(help="The staff member's username.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Disable a staff account; its sessions end at once."""
    with _local_services(data_dir) as services:
        member = services.staff.disable(username)
    _say(f"disabled staff account {member.username}")


# --- confide access (a staff member) ------------------------------------------------------------


def _grant_lines(g: GrantView) -> list[str]:
    return [
        f"grant:    {g.id}",
        f"user:     {g.username}",
        f"case:     {g.case_ref}",
        f"scope:    {g.scope}",
        f"status:   {g.status}" + (" (waiting for the user)" if g.status == "pending" else ""),
        f"expires:  {g.expires_at.isoformat()}",
    ]


@access_app.command("request")
@handle_errors
def access_request(
    staff: StaffOpt,
    user: Annotated[str, typer.Option("--user", help="Whose content.")],
    case: Annotated[str, typer.Option("--case", help="The case reference.")],
    reason: Annotated[str, typer.Option(help="Why (10 to 1000 characters; the user reads it).")],
    scope: Annotated[
        str, typer.Option(help='"conversations", "memories" or "conversation:<id>".')
    ] = "conversations",
    hours: Annotated[int, typer.Option(help="How long the grant lasts (1 to 72).")] = 24,
    data_dir: DataDirOpt = None,
) -> None:
    """Ask for access to one user's content (support: the user approves first)."""
    with _local_services(data_dir) as services:
        who = staff_identity(services, staff)
        g = services.access.request(
            who, username=user, case_ref=case, reason=reason, scope=scope, hours=hours
        )
    for line in _grant_lines(g):
        _say(line)


@access_app.command("list")
@handle_errors
def access_list(staff: StaffOpt, data_dir: DataDirOpt = None) -> None:
    """Your own grants and requests, newest first (no content)."""
    with _local_services(data_dir) as services:
        who = staff_identity(services, staff)
        grants = services.access.list_for_staff(who)
    if not grants:
        _say("no access grants")
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("user", "case", "scope", "status", "expires", "reads"):
        table.add_column(column, overflow="fold")
    for g in grants:
        table.add_row(
            g.id,
            Text(g.username),
            Text(g.case_ref),
            g.scope,
            g.status,
            g.expires_at.isoformat()[:16],
            str(g.reads),
        )
    _table(table)


@access_app.command("end")
@handle_errors
def access_end(grant_id: GrantArg, staff: StaffOpt, data_dir: DataDirOpt = None) -> None:
    """End one of your grants (or withdraw a pending request) early."""
    with _local_services(data_dir) as services:
        who = staff_identity(services, staff)
        g = services.access.end(who, grant_id)
    _say(f"ended grant {g.id}")


def _print_conversations(services: Services, who: StaffIdentity, grant_id: str) -> None:
    offset = 0
    while True:
        views = services.access.read_conversations(who, grant_id, limit=PAGE, offset=offset)
        for c in views:
            _say(f"{c.id}  {c.message_count} messages  {c.title or '(untitled)'}")
        if len(views) < PAGE:
            return
        offset += len(views)


def _print_messages(
    services: Services, who: StaffIdentity, grant_id: str, conversation_id: str
) -> None:
    pages = []
    before: int | None = None
    while True:
        page = services.access.read_messages(
            who, grant_id, conversation_id, before=before, limit=PAGE
        )
        pages.append(page.items)
        if page.next_before is None:
            break
        before = page.next_before
    for items in reversed(pages):  # oldest first
        for m in items:
            who_said = "companion (AI)" if m.ai_generated else m.role
            _say(f"[{m.seq}] {m.created_at.isoformat()[:16]} {who_said}: {m.content}")


def _print_memories(services: Services, who: StaffIdentity, grant_id: str) -> None:
    offset = 0
    while True:
        items, total = services.access.read_memories(who, grant_id, limit=PAGE, offset=offset)
        for m in items:
            _say(f"{m.id}  {m.kind}  {m.status}  {m.text}")
        offset += len(items)
        if not items or offset >= total:
            return


@access_app.command("read")
@handle_errors
def access_read(
    grant_id: GrantArg,
    staff: StaffOpt,
    conversation: Annotated[
        str | None, typer.Option(help="A conversation's id: its messages.")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Print what the grant allows: the conversations (or with --conversation, one
    conversation's messages) or the memories. Each read is in the user's audit log."""
    with _local_services(data_dir) as services:
        who = staff_identity(services, staff)
        g = services.access.get_for_staff(who, grant_id)
        if g.scope == "memories":
            if conversation is not None:
                fail("this grant is for memories; leave out --conversation")
            _print_memories(services, who, grant_id)
        elif conversation is not None:
            _print_messages(services, who, grant_id, conversation)
        elif g.scope.startswith("conversation:"):
            _print_messages(services, who, grant_id, g.scope.split(":", 1)[1])
        else:
            _print_conversations(services, who, grant_id)
