"""`tutela staff`: the console's staff logins: add, list, disable, enable, remove; TOTP.

The password is read from standard input (one line) when it is not a terminal, else
prompted twice without echo; it is never an argument, so it stays out of shell history
and process lists. An admin's TOTP secret is made by tutela, stored sealed with the store
key, and printed once as an ``otpauth://`` URI for an authenticator app; ``tutela staff
totp NAME`` replaces it. ``disable`` ends a login's sessions and pending logins at once;
``remove`` asks first (unless ``--yes``) and keeps the last enabled admin. Exit 7 for a
name, role or password tutela does not accept (or a name taken or unknown, an admin
without ``TUTELA_STORE_KEY``, the last enabled admin to remove), 6 when the store fails,
1 when the removal is not confirmed. These commands are the only way to administer staff
logins: the REST API has no route for them.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import FormatOpt

if TYPE_CHECKING:
    from tutela.access.login_roster import LoginRoster, LoginSummary
    from tutela.access.logins import LoginRecord, LoginService

app = command_group(
    "The console's staff logins: add, list, disable, enable and remove them; admins' TOTP."
)
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The login's name, e.g. alice.")]
NOT_CONFIRMED = 1
"""Exit code when ``remove`` is not confirmed (nothing changed)."""


@app.command("add-login")
@user_errors
def add_login(
    context: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Who logs in, e.g. alice.")],
    role: Annotated[str, typer.Option("--role", help="admin, privacy_officer, agent or auditor.")],
) -> None:
    """Add a console login for NAME with ROLE; the password comes from stdin or a prompt.

    An admin also gets a TOTP secret: the otpauth:// URI is printed once.
    """
    secret = _password()
    logins = _logins(context)
    record = logins.add(name, role, secret)
    typer.echo(f"login {record.name} ({record.role}) added: log in at /console/login")
    if record.totp is not None:
        _show_uri(logins, record)


@app.command("totp")
@user_errors
def totp(
    context: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The admin's login, e.g. alice.")],
) -> None:
    """Give the admin NAME a new TOTP secret (the old one stops working, sessions end)."""
    logins = _logins(context)
    record = logins.enrol(name)
    typer.echo(f"login {record.name} has a new second factor; its sessions have ended")
    _show_uri(logins, record)


@app.command("list")
@user_errors
def list_command(context: typer.Context, output_format: FormatOpt = "text") -> None:
    """List the logins: name, role, when added, when disabled, TOTP enrolled (never a secret)."""
    found = _roster(context).list()
    if output_format == "json":
        typer.echo(json.dumps([_document(login) for login in found], indent=2))
        return
    width = max((len(login.name) for login in found), default=0)
    for login in found:
        disabled = f"disabled {login.disabled_at:%Y-%m-%d}" if login.disabled_at else "enabled"
        typer.echo(
            f"{login.name.ljust(width)}  {login.role:<15}  created {login.created_at:%Y-%m-%d}  "
            f"{disabled:<19}  totp {'yes' if login.totp_enrolled else 'no'}"
        )
    if not found:
        typer.echo("no logins")


@app.command("disable")
@user_errors
def disable(context: typer.Context, name: NameArg) -> None:
    """Disable NAME: every new login is refused and its open sessions end at once."""
    change = _roster(context).disable(name)
    if change.changed:
        typer.echo(f"login {change.login.name} disabled: its sessions have ended")
    else:
        typer.echo(f"login {change.login.name} was disabled already")


@app.command("enable")
@user_errors
def enable(context: typer.Context, name: NameArg) -> None:
    """Enable NAME again: it logs in with the password (and TOTP) it had."""
    change = _roster(context).enable(name)
    state = "enabled" if change.changed else "was enabled already"
    typer.echo(f"login {change.login.name} {state}")


@app.command("remove")
@user_errors
def remove(
    context: typer.Context,
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", help="Remove without asking.")] = False,
) -> None:
    """Remove NAME: its sessions end and it is gone (asks first unless --yes).

    The last enabled admin is never removed: add or enable another admin first.
    """
    roster = _roster(context)
    login = roster.removable(name)
    if not yes and not _confirmed(f"Remove the login {login.name} ({login.role})?"):
        typer.echo(f"login {login.name} not removed", err=True)
        raise typer.Exit(NOT_CONFIRMED)
    gone = roster.remove(login.name)
    typer.echo(f"login {gone.name} ({gone.role}) removed: its sessions have ended")


def _roster(context: typer.Context) -> LoginRoster:
    from tutela.store.console import login_roster

    found = application(context)
    return login_roster(found.ledger(), found.clock)


def _confirmed(question: str) -> bool:
    """Whether the user answers yes; no answer (end of input) is no."""
    try:
        answer: bool = typer.confirm(question, default=False)
    except typer.Abort:
        return False
    return answer


def _document(login: LoginSummary) -> dict[str, object]:
    return {
        "name": login.name,
        "role": login.role,
        "created_at": login.created_at.isoformat(),
        "disabled_at": login.disabled_at.isoformat() if login.disabled_at else None,
        "totp_enrolled": login.totp_enrolled,
    }


def _logins(context: typer.Context) -> LoginService:
    from tutela.store.console import login_service

    found = application(context)
    return login_service(found.ledger(), found.clock, found.store_key())


def _show_uri(logins: LoginService, record: LoginRecord) -> None:
    typer.echo(
        "Add this to an authenticator app now (scan it as a QR code or paste it); "
        "it is shown only this once:"
    )
    typer.echo(logins.provisioning_uri(record))


def _password() -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        line = sys.stdin.readline(1024)
        return line.rstrip("\r\n")
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return text
