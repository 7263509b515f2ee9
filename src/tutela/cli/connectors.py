"""`tutela connectors` commands: what connectors are installed and from where."""

from __future__ import annotations

import typer

from tutela.cli.errors import command_group, user_errors

app = command_group("Connectors: list what is installed.")


@app.command("list")
@user_errors
def list_connectors() -> None:
    """List every connector type (built-in or plug-in) with where it comes from."""
    from tutela.connectors.registry import default_registry  # imports no connector

    available = default_registry().available()
    width = max(len(name) for name, _ in available)
    for name, origin in available:
        typer.echo(f"{name.ljust(width)}  {origin}")
