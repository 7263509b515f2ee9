"""`tutela datasets` commands: describe a system's data for the programme."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

app = command_group("Datasets: propose dataset YAML from a database.")


@app.command("reflect")
@user_errors
def reflect(
    context: typer.Context,
    db_url: Annotated[
        str | None,
        typer.Argument(
            help="Database URL, e.g. postgresql://user@host/db (better: --url-env).",
            show_default=False,
        ),
    ] = None,
    url_env: Annotated[
        str | None, typer.Option("--url-env", help="Environment variable holding the URL.")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Environment variable holding the password."),
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Dataset key (default: the database name).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here, not to stdout.")
    ] = None,
) -> None:
    """Read a database catalog and propose a dataset block (YAML) for review.

    The block lists collections, columns with types and lengths, primary keys,
    foreign keys as references, and guessed categories and identities marked
    `# guessed ...`. Paste it under `datasets:` of the system holding the database.
    """
    from tutela.connectors.reflect import reflect_database, render_proposal

    connector = application(context).database(db_url, url_env=url_env, password_env=password_env)
    try:
        proposal = reflect_database(connector, key)
    finally:
        connector.close()
    _write(render_proposal(proposal, source=connector.url), output)
    where = output or "stdout"
    count = len(proposal.dataset.collections)
    sys.stderr.write(f"wrote a dataset block ({count} collections) to {where}\n")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {output}: {error.strerror}") from None
