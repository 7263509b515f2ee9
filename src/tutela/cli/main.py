"""The ``tutela`` command: one Typer app with a sub-command per capability.

Every command is decorated with :func:`tutela.cli.errors.user_errors`, so user
errors print as one readable message and map to the exit codes of
:data:`tutela.cli.errors.EXIT_CODES`; no traceback reaches the user.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tutela import __version__
from tutela.cli import (
    anonymise,
    check,
    complaints,
    connectors,
    consent,
    datasets,
    db,
    decide,
    demo,
    discover,
    dsr,
    importing,
    init,
    keys,
    ledger,
    mail,
    moderate,
    moderation_queue,
    plugins,
    records,
    requests,
    retention,
    serve,
    staff_logins,
    statement,
    store,
    translations,
    worker,
)
from tutela.cli.errors import command_group
from tutela.cli.helptext import add_epilogs

app = command_group(
    "Make a privacy statement executable: check, render and enforce the programme.",
    name="tutela",
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tutela {__version__}")
        raise typer.Exit()


@app.callback()
def tutela(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print tutela's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Make a privacy statement executable: check, render and enforce the programme."""


init.register(app)
check.register(app)
decide.register(app)
discover.register(app)
moderate.register(app)
anonymise.register(app)
app.add_typer(statement.app, name="statement")
app.add_typer(records.app, name="records")
app.add_typer(importing.app, name="import")
app.add_typer(datasets.app, name="datasets")
app.add_typer(connectors.app, name="connectors")
app.add_typer(plugins.app, name="plugins")
app.add_typer(dsr.app, name="dsr")
app.add_typer(requests.app, name="requests")
app.add_typer(complaints.app, name="complaints")
app.add_typer(consent.app, name="consent")
app.add_typer(retention.app, name="retention")
app.add_typer(store.app, name="store")
app.add_typer(db.app, name="db")
app.add_typer(ledger.app, name="ledger")
app.add_typer(keys.app, name="keys")
app.add_typer(staff_logins.app, name="staff")
app.add_typer(mail.app, name="mail")
app.add_typer(moderation_queue.app, name="moderation")
app.add_typer(translations.app, name="translations")
demo.register(app)
serve.register(app)
worker.register(app)
add_epilogs(app)  # keep last: it reaches only the commands registered above


def main() -> None:
    """Console-script entry point."""
    app()
