"""`tutela records` commands: the Art. 30 records of processing as files (RP-1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.check import checked_programme
from tutela.cli.errors import command_group, user_errors
from tutela.records.formats import ExportFormat, default_output

app = command_group("Records of processing activities, as GDPR Article 30 asks.")


@app.command("export")
@user_errors
def export(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, metavar="PROGRAMME", help="The programme folder (or one YAML file)."
        ),
    ],
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="File format to write.")
    ] = ExportFormat.XLSX,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write; default out/records.<format> (a folder for csv, "
            "or a .zip of both files).",
            show_default=False,
        ),
    ] = None,
    allow_errors: Annotated[
        bool,
        typer.Option("--allow-errors", help="Export even if `tutela check` finds errors."),
    ] = False,
    generated_on: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            "--today",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The generation date written on the records (default: today).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the controller (Art. 30(1)) and processor (Art. 30(2)) records of PROGRAMME.

    Both records are always written: the processor record keeps its headers
    even when the programme declares no processor role (RP-1). Every file carries
    the generation date (--date, default today) and the programme version. A
    programme `tutela check` finds errors in is refused (exit 1) unless --allow-errors.
    """
    from tutela.records.build import build_records
    from tutela.records.exports import export_files

    target = output or default_output(output_format)
    programme = checked_programme(path, allow_errors=allow_errors, making="the records")
    records = build_records(programme, generated_on=generated_on.date() if generated_on else None)
    files = export_files(records, output_format, target)
    for file, content in files.items():
        _write(file, content)
    counts = f"{len(records.controller.rows)} controller, {len(records.processor.rows)} processor"
    typer.echo(f"wrote {target} ({counts} record(s))")


def _write(file: Path, content: bytes) -> None:
    """Write one export file, turning file-system failures into a usage error."""
    if file.is_dir():
        raise typer.BadParameter(f"{file} is a folder; give a file name", param_hint="--output")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content)
    except OSError as error:
        reason = error.strerror or str(error)
        raise typer.BadParameter(f"cannot write {file}: {reason}", param_hint="--output") from None
