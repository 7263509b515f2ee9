"""`tutela datasets` commands: describe a system's data for the programme."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.errors import user_errors
from tutela.connectors.reflect import dataset_key, propose_dataset, render_proposal
from tutela.connectors.sql import SqlConnector
from tutela.connectors.urls import parse_url
from tutela.errors import ConfigurationError, ConnectorError

app = typer.Typer(no_args_is_help=True, help="Datasets: propose dataset YAML from a database.")


@app.command("reflect")
@user_errors
def reflect(
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
    url = parse_url(_url_text(db_url, url_env), source=url_env or "DB_URL")
    if password_env:
        url = url.set(password=_environment(password_env))
    database = Path(url.database or "database").stem
    connector = SqlConnector(database, url)
    try:
        collections = connector.describe()
    finally:
        connector.close()
    if not collections:
        raise ConnectorError(f"{connector.url} has no tables; nothing to propose")
    proposal = propose_dataset(
        collections, key=key or dataset_key(database), name=f"{database} database"
    )
    _write(render_proposal(proposal, source=connector.url), output)
    where = output or "stdout"
    sys.stderr.write(f"wrote a dataset block ({len(collections)} collections) to {where}\n")


def _url_text(db_url: str | None, url_env: str | None) -> str:
    if (db_url is None) == (url_env is None):
        raise ConfigurationError("give the database URL either as DB_URL or with --url-env NAME")
    return db_url if db_url is not None else _environment(str(url_env))


def _environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {output}: {error.strerror}") from None
