"""`tutela consent import`: existing consent and unsubscribe lists, from CSV (CO-2, OB-2).

Every line is checked before any is recorded; all are recorded in one transaction with
their ledger entries, or none (``--skip-bad`` records the good lines and reports the bad
ones). Exit 0 when recorded, 4 when nothing was (a bad line, or a file that cannot be
read: not UTF-8, empty, an unknown or missing column, over the limits), 6 when the store
fails, 7 when the hash key is missing. Registered on the ``tutela consent`` group by
:mod:`tutela.cli.consent`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.consent import ProgrammeArg, _service
from tutela.cli.errors import user_errors
from tutela.cli.requests import ActorOpt, FormatOpt, who
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.consent.importing import ImportReport

FileArg = Annotated[
    Path, typer.Argument(metavar="FILE", help="The list: UTF-8 CSV with a header row.")
]
SkipOpt = Annotated[
    bool,
    typer.Option("--skip-bad", help="Record the good lines and report the bad ones."),
]


def import_command(
    context: typer.Context,
    path: ProgrammeArg,
    file: FileArg,
    skip_bad: SkipOpt = False,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Import consent and unsubscribe lists from CSV: every line recorded, or none."""
    from tutela.consent.importing import import_choices

    actor_name = who(actor)
    data = _read(file)
    report = import_choices(_service(context, path), data, actor_name, skip_bad=skip_bad)
    _print(report, output_format)
    if not report.committed:
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``tutela consent`` group."""
    app.command("import")(user_errors(import_command))


def _read(file: Path) -> bytes:
    """The file's bytes, at most the import's limit; RequestError naming what is wrong."""
    from tutela.consent.importing import MAX_BYTES

    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise RequestError(f"{file.name[:80]!r} is a folder: give a CSV file") from None
    except OSError as error:
        reason = error.strerror or "cannot be read"
        raise RequestError(f"{file.name[:80]!r}: {reason.lower()}") from None
    if len(data) > MAX_BYTES:
        raise RequestError(f"the file is larger than {MAX_BYTES // 2**20} MiB: split it in parts")
    return data


def _print(report: ImportReport, output_format: str) -> None:
    from dataclasses import asdict

    from tutela.consent.importing import listed

    if output_format == "json":
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    outcome = "recorded" if report.committed else "nothing recorded"
    typer.echo(
        f"{report.read} lines read, {report.accepted} accepted, {report.rejected} rejected: "
        f"{outcome}"
    )
    for line in listed(report.rejections):
        typer.echo(f"  {line}")
    if report.rejected > len(report.rejections):
        typer.echo(f"  ... and {report.rejected - len(report.rejections)} more")
    if report.defaulted_at:
        typer.echo(f"{report.defaulted_at} lines had no `at`: recorded at the time of the import")
    if report.weighing:
        typer.echo(
            f"{report.weighing} objections to legitimate-interest or public-task purposes: "
            "staff weigh them (Art. 21(1))"
        )
    if report.rejected and not report.committed:
        typer.echo("fix the lines above, or import with --skip-bad to record the good ones")
