"""`tutela statement diff`: what changed between two versions of a programme.

OLD may be a git revision of NEW's folder (:mod:`tutela.statement.versions.revision`).
Exit codes: 0 no material change, 3 at least one material change (NT-1: notify subjects
in advance), 2 a programme that does not load or an OLD git cannot read (through
:func:`tutela.cli.errors.user_errors`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.errors import user_errors

if TYPE_CHECKING:
    from tutela.statement.versions.diff import Change

MATERIAL_EXIT = 3
"""Exit code when any change is material, so CI can require advance notice (NT-1)."""
_WIDTH = 70


class DiffFormat(StrEnum):
    """Output formats of ``tutela statement diff``."""

    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add the ``diff`` command to the ``statement`` app."""
    app.command("diff")(diff)


@user_errors
def diff(
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help="The OLD programme: a folder or file; else a git revision of NEW (HEAD~1,"
            " v1.0) or REV:PATH.",
        ),
    ],
    new: Annotated[
        Path, typer.Argument(exists=True, metavar="NEW", help="The NEW programme (folder or file).")
    ],
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text for people, json for tools.")
    ] = DiffFormat.TEXT,
) -> None:
    """List what changed from OLD to NEW, each change MATERIAL or editorial (NT-1).

    OLD is a folder or file when that path exists; otherwise a git revision of the
    repository holding NEW (NEW as it was then) or REV:PATH. Exits 3 when any change is
    material: material changes must be notified to data subjects before they take
    effect (GDPR Art. 13(3), 14(4)). Exits 0 otherwise, 2 when a programme does not
    load or OLD cannot be read from git.
    """
    from tutela.programme.loader import load_programme
    from tutela.statement.versions.diff import diff_programmes, statement_warnings
    from tutela.statement.versions.revision import load_old_programme

    old_programme, new_programme = load_old_programme(old, new), load_programme(new)
    changes = diff_programmes(old_programme, new_programme)
    warnings = statement_warnings(old_programme, new_programme, changes)
    if output_format is DiffFormat.JSON:
        typer.echo(json.dumps([change.as_dict() for change in changes], indent=2))
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
    else:
        typer.echo(render_text(changes, warnings))
    if any(change.material for change in changes):
        raise typer.Exit(MATERIAL_EXIT)


def render_text(changes: list[Change], warnings: list[str]) -> str:
    """The human report: one block per change, the warnings, then a summary line."""
    lines = [_change_line(change) for change in changes]
    lines += [f"warning: {warning}" for warning in warnings]
    lines.append(_summary(changes))
    return "\n".join(lines)


def _change_line(change: Change) -> str:
    label = "MATERIAL " if change.material else "editorial"
    values = f"{_short(change.before)} → {_short(change.after)}"
    return f"{label}  {change.kind:<7}  {change.element}: {values}\n{'':11}{change.reason}"


def _short(value: str | None) -> str:
    if value is None:
        return "(none)"
    flat = " ".join(value.split())
    return repr(flat if len(flat) <= _WIDTH else flat[: _WIDTH - 1] + "…")


def _summary(changes: list[Change]) -> str:
    if not changes:
        return "No changes."
    material = sum(change.material for change in changes)
    text = f"{len(changes)} change(s): {material} material, {len(changes) - material} editorial."
    if material:
        text += (
            " Material changes must be notified to data subjects in advance of taking effect,"
            " with the changes highlighted (NT-1, Art. 13(3))."
        )
    return text
