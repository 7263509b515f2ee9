"""`tutela init`: start a programme from a skeleton whose placeholders `tutela check` reports.

Exit codes: 0 written; 2 a file to write exists (and ``--force`` was not given), an
option is malformed, or the folder cannot be written.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.errors import user_errors


def register(app: typer.Typer) -> None:
    """Add ``tutela init`` to ``app``."""
    app.command("init")(init)


@user_errors
def init(
    folder: Annotated[
        Path,
        typer.Argument(metavar="PROGRAMME", help="The programme folder to create or fill."),
    ] = Path("."),
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", help="The controller's legal name (else a TODO)."),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country", help="ISO 3166-1 alpha-2 code of the establishment, e.g. BE (else ZZ)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the skeleton's files if they exist.")
    ] = False,
) -> None:
    """Write a programme skeleton: organisation, statement, rights, complaints, one purpose.

    Every value only you can give is a TODO (or the country ZZ), and `tutela check`
    reports each one until it is replaced. Never writes over a file unless --force.
    Next: describe your database with `tutela datasets reflect --as-system KEY`.
    """
    from tutela.programme.skeleton import skeleton_files

    files = skeleton_files(organisation=organisation, country=country, today=date.today())
    targets = {folder / name: text for name, text in files.items()}
    _refuse_existing(folder, list(targets), force)
    for target, text in targets.items():
        _write(target, text)
    written = ", ".join(str(target) for target in targets)
    sys.stderr.write(
        f"wrote {written}\n"
        f"next: tutela datasets reflect --url-env SHOP_URL --as-system shop "
        f"-o {folder / 'systems.yml'}\n"
        f"then: tutela check {folder}  (lists every TODO left)\n"
    )


def _refuse_existing(folder: Path, targets: list[Path], force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise typer.BadParameter(f"{folder} is a file, not a folder", param_hint="PROGRAMME")
    existing = [str(target) for target in targets if target.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise typer.BadParameter(
            f"{', '.join(existing)} already {verb}; tutela init never writes over a file: "
            "choose another folder, or pass --force to overwrite",
            param_hint="PROGRAMME",
        )


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write {target}: {error.strerror or error}", param_hint="PROGRAMME"
        ) from None
