"""`tutela import`: bring existing data maps into the programme (see ``docs/import-fides.md``).

Exit codes: 0 imported, 2 the input file is not a valid Fides dataset file (every
problem is printed with its file and line) or the command line is wrong.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.errors import command_group, user_errors

app = command_group("Import existing data maps into the programme.")


@app.command("fides")
@user_errors
def fides(
    dataset: Annotated[
        Path, typer.Argument(metavar="FIDES_FILE", help="Fides (fideslang) dataset YAML file.")
    ],
    system: Annotated[
        str | None,
        typer.Option(help="Put every dataset under one system with this key (default: one each)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who answers for the system(s); a TODO placeholder if unset.")
    ] = None,
    hosting_country: Annotated[
        str | None,
        typer.Option(help="ISO 3166-1 alpha-2 code where the system is hosted, e.g. DE."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here instead of stdout.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite --output if it exists.")
    ] = False,
) -> None:
    """Print (or write) a `systems:` section holding the datasets of a Fides dataset file."""
    if output is not None and output.exists() and not force:
        raise typer.BadParameter(
            f"{output} exists; pass --force to overwrite it", param_hint="--output"
        )
    from tutela.programme.importers.fides import import_datasets, systems_yaml
    from tutela.programme.yaml_documents import read_document

    document = read_document(dataset)
    imported = import_datasets(document.data, source=str(dataset), locations=document.values)
    text = systems_yaml(imported, system=system, owner=owner, hosting_country=hosting_country)
    for warning in imported.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if output is None:
        typer.echo(text, nl=False)
        return
    _write(output, text)
    count = len(imported.datasets)
    typer.echo(f"wrote {count} dataset{'s' if count != 1 else ''} to {output}", err=True)


def _write(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (a failed write leaves the old file as it was)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write {target}: {error.strerror or error}", param_hint="--output"
        ) from None
