"""``confide reports``: the safety team's review queue, on the server, against the data
directory (promises P8 and P12; see docs/reports.md).

Every command names the staff member acting (``--staff NAME``) and checks their password
(``CONFIDE_STAFF_PASSWORD``, else asked without echo); what they do is recorded in the
reporter's own audit log with actor ``staff`` and their id, username and role. Listing needs
the safety or admin role; opening and deciding a report need the safety role. Disclosed
messages and reasons are printed only to the terminal that asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from confide.cli import DataDirOpt, app, fail, handle_errors
from confide.commands.privacy import _day, _local_services, _say, _table
from confide.commands.staff import staff_identity

if TYPE_CHECKING:
    pass

reports_app = typer.Typer(
    help="Abuse reports: the review queue and decisions (safety staff).", no_args_is_help=True
)
app.add_typer(reports_app, name="reports")

OUTCOMES = ("dismiss", "warn", "suspend", "close", "close_under_age")

StaffOpt = Annotated[str, typer.Option("--staff", help="Your staff username.")]


@reports_app.command("list")
@handle_errors
def reports_list(
    staff: StaffOpt,
    show_all: Annotated[bool, typer.Option("--all", help="Also decided reports.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Open reports, oldest first (no content is shown or decrypted)."""
    with _local_services(data_dir) as services:
        who = staff_identity(services, staff)
        rows = services.reports.queue(who, status=None if show_all else "open")
    if not rows:
        _say("no reports" if show_all else "no open reports")
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("reporter", "category", "messages", "filed", "status", "outcome"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r.id,
            Text(r.username),
            r.category,
            str(r.message_count),
            _day(r.created_at.isoformat()),
            r.status,
            r.outcome or "",
        )
    _table(table)


@reports_app.command("show")
@handle_errors
def reports_show(report_id: str, staff: StaffOpt, data_dir: DataDirOpt = None) -> None:
    """Open one report: the messages the reporter disclosed and their note (recorded in the
    reporter's audit log)."""
    with _local_services(data_dir) as services:
        r = services.reports.show(staff_identity(services, staff), report_id)
    lines = [
        f"report:   {r.id}",
        f"reporter: {r.username} ({r.user_id})",
        f"category: {r.category}",
        f"filed:    {r.created_at.isoformat()}",
        f"status:   {r.status}",
    ]
    if r.outcome is not None and r.decided_at is not None:
        lines.append(f"decided:  {r.outcome} on {r.decided_at.isoformat()}: {r.reason or ''}")
    lines.append(f"note:     {r.note or '(none)'}")
    lines.append(f"messages: {len(r.messages)}")
    for m in r.messages:
        who = "companion (AI)" if m.role == "assistant" else "reporter"
        lines.append(f"  [{m.at.isoformat()}] {who}: {m.text}")
    for line in lines:
        _say(line)


@reports_app.command("decide")
@handle_errors
def reports_decide(
    report_id: str,
    staff: StaffOpt,
    outcome: Annotated[str, typer.Option(help="dismiss, warn, suspend, close or close_under_age.")],
    reason: Annotated[str, typer.Option(help="Why, in your words (the user reads it).")],
    days: Annotated[
        int | None, typer.Option(help="Suspensions only: for how many days (else until lifted).")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Decide an open report; the reason is shown to the affected user."""
    if outcome not in OUTCOMES:
        fail(f"--outcome must be one of: {', '.join(OUTCOMES)}")
    with _local_services(data_dir) as services:
        d = services.reports.decide(
            staff_identity(services, staff),
            report_id,
            outcome,
            reason,
            days=days,
            min_age=services.accounts.min_age(),
        )
    effect = {
        "dismiss": "dismissed; nothing changed on the account",
        "warn": "the account was warned",
        "suspend": "the account was suspended "
        + (f"until {d.until.isoformat()}" if d.until else "until lifted"),
        "close": "the account was closed and erased",
        "close_under_age": "the account was closed and erased as under age",
    }[d.outcome]
    _say(f"decided report {d.report_id}: {effect}")
