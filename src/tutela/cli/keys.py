"""`tutela keys`: staff API keys for the REST API (create, list, revoke).

A key is printed once, when it is created: the store keeps only its argon2 hash. Each
creation and revocation is ledgered (actor ``staff:<name>``). Exit 7 for a name, role or
id tutela does not accept, 6 when the store fails.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import FormatOpt

if TYPE_CHECKING:
    from tutela.access.keys import KeyRecord

app = command_group("Staff API keys for the REST API: create, list, revoke.")


@app.command("create")
@user_errors
def create(
    context: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Who uses the key, e.g. alice.")],
    role: Annotated[str, typer.Option("--role", help="admin, privacy_officer, agent or auditor.")],
) -> None:
    """Make a key for NAME with ROLE and print it once (the store keeps only its hash)."""
    made = application(context).key_service().create(name, role)
    typer.echo(made.key)
    typer.echo(
        f"key {made.record.id} for {made.record.name} ({made.record.role}): "
        "shown once, keep it secret",
        err=True,
    )


@app.command("list")
@user_errors
def list_command(context: typer.Context, output_format: FormatOpt = "text") -> None:
    """List the keys: id, prefix, name, role, when made, last used and revoked."""
    found = application(context).key_service().list()
    if output_format == "json":
        typer.echo(json.dumps([_document(r) for r in found], indent=2))
        return
    for record in found:
        revoked = f"  revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else ""
        typer.echo(
            f"{record.id}  tk_{record.prefix}_…  {record.name}  {record.role}  "
            f"made {record.created_at:%Y-%m-%d}{revoked}"
        )
    if not found:
        typer.echo("no keys")


@app.command("revoke")
@user_errors
def revoke(
    context: typer.Context,
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The key's id (keys list).")],
) -> None:
    """Revoke a key: the API refuses it from now on (401)."""
    record = application(context).key_service().revoke(identifier)
    typer.echo(f"key {record.id} ({record.name}) revoked")


def _document(record: KeyRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "prefix": record.prefix,
        "name": record.name,
        "role": str(record.role),
        "created_at": record.created_at.isoformat(),
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }
