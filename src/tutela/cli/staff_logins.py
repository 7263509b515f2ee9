"""`tutela staff`: the console's staff logins (name, role, password kept as argon2id).

The password is read from standard input (one line) when it is not a terminal, else
prompted twice without echo; it is never an argument, so it stays out of shell history
and process lists. Exit 7 for a name, role or password tutela does not accept (or a
name taken), 6 when the store fails.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors

app = command_group("The console's staff logins: add one with a role and a password.")


@app.command("add-login")
@user_errors
def add_login(
    context: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Who logs in, e.g. alice.")],
    role: Annotated[str, typer.Option("--role", help="admin, privacy_officer, agent or auditor.")],
) -> None:
    """Add a console login for NAME with ROLE; the password comes from stdin or a prompt."""
    from tutela.store.console import login_service

    secret = _password()
    found = application(context)
    record = login_service(found.ledger(), found.clock).add(name, role, secret)
    typer.echo(f"login {record.name} ({record.role}) added: log in at /console/login")


def _password() -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        line = sys.stdin.readline(1024)
        return line.rstrip("\r\n")
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return text
