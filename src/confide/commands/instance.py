"""``confide owner``: who may change the instance's settings (minimum age, model) from the web
app's Settings page. The operator's, on the server, against the data directory; each change is
recorded in that user's audit log with actor ``operator``."""

from __future__ import annotations

from typing import Annotated

import typer

from confide.cli import DataDirOpt, app, handle_errors, out
from confide.commands.privacy import _local_services

owner_app = typer.Typer(
    help="Instance owners: accounts that may change the minimum age and the model (operator).",
    no_args_is_help=True,
)
app.add_typer(owner_app, name="owner")

UsernameArg = Annotated[str, typer.Argument(help="The account's username.")]


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False, soft_wrap=True)


@owner_app.command("grant")
@handle_errors
def owner_grant(username: UsernameArg, data_dir: DataDirOpt = None) -> None:
    """Make USERNAME an instance owner."""
    with _local_services(data_dir) as services:
        services.instance.set_owner(username, True)
    _say(f"{username.strip().lower()} is an instance owner")


@owner_app.command("revoke")
@handle_errors
def owner_revoke(username: UsernameArg, data_dir: DataDirOpt = None) -> None:
    """Take the instance-owner flag away from USERNAME."""
    with _local_services(data_dir) as services:
        services.instance.set_owner(username, False)
    _say(f"{username.strip().lower()} is not an instance owner")


@owner_app.command("list")
@handle_errors
def owner_list(data_dir: DataDirOpt = None) -> None:
    """The instance owners, and the minimum age in force."""
    with _local_services(data_dir) as services:
        owners = services.instance.owners()
        min_age = services.instance.min_age()
    _say("owners: " + (", ".join(owners) if owners else "none"))
    _say(f"minimum age for new accounts: {min_age}")
