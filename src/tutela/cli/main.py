"""The ``tutela`` command: one Typer app with a sub-command per capability.

Every command is decorated with :func:`tutela.cli.errors.user_errors`, so user
errors print as one readable message and map to the exit codes of
:data:`tutela.cli.errors.EXIT_CODES`; no traceback reaches the user.
"""

from __future__ import annotations

from tutela.cli import (
    check,
    connectors,
    datasets,
    demo,
    dsr,
    importing,
    plugins,
    records,
    statement,
)
from tutela.cli.errors import command_group

app = command_group(
    "Make a privacy statement executable: check, render and enforce the programme.",
    name="tutela",
    add_completion=False,
)
check.register(app)
app.add_typer(statement.app, name="statement")
app.add_typer(records.app, name="records")
app.add_typer(importing.app, name="import")
app.add_typer(datasets.app, name="datasets")
app.add_typer(connectors.app, name="connectors")
app.add_typer(plugins.app, name="plugins")
app.add_typer(dsr.app, name="dsr")
demo.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
