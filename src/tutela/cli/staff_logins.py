"""`tutela staff`: the console's staff logins (name, role, argon2id password) and admins' TOTP.

The password is read from standard input (one line) when it is not a terminal, else
prompted twice without echo; it is never an argument, so it stays out of shell history
and process lists. An admin's TOTP secret is made by tutela, stored sealed with the store
key, and printed once as an ``otpauth://`` URI for an authenticator app; ``tutela staff
totp NAME`` replaces it. Exit 7 for a name, role or password tutela does not accept (or a
name taken, or an admin without ``TUTELA_STORE_KEY``), 6 when the store fails.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors

if TYPE_CHECKING:
    from tutela.access.logins import LoginRecord, LoginService

app = command_group(
    "The console's staff logins: add one with a role and a password; admins' TOTP codes."
)


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
