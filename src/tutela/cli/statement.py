"""`tutela statement` commands: render the privacy statement, diff two versions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli import statement_diff
from tutela.cli.check import checked_programme
from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

app = command_group("Render the privacy statement and diff its versions.")


class RenderFormat(StrEnum):
    """Output formats of ``tutela statement render``."""

    MD = "md"
    HTML = "html"


@app.command("render")
@user_errors
def render(
    path: Annotated[
        Path,
        typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file)."),
    ],
    output_format: Annotated[
        RenderFormat, typer.Option("--format", "-f", help="md for Markdown, html for a web page.")
    ] = RenderFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (its folder is created), not stdout."
        ),
    ] = None,
    allow_errors: Annotated[
        bool,
        typer.Option("--allow-errors", help="Render even if `tutela check` finds errors."),
    ] = False,
    show_assumptions: Annotated[
        bool,
        typer.Option(
            "--show-assumptions",
            help="Print the programme's assumptions (path, value, file:line, note) instead.",
        ),
    ] = False,
) -> None:
    """Render the privacy statement of PROGRAMME as Markdown or HTML.

    The output is deterministic: the same programme always gives the same bytes. A
    programme `tutela check` finds errors in is refused (exit 1) unless --allow-errors.
    """
    if show_assumptions:
        from tutela.programme.assumption_list import assumptions_text
        from tutela.programme.loader import load

        typer.echo(assumptions_text(load(path)), nl=False)
        return
    from tutela.statement.build import render_statement

    programme = checked_programme(path, allow_errors=allow_errors, making="the statement")
    text = render_statement(programme, output_format.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_statement(output, text)


def write_statement(output: Path, text: str) -> None:
    """Write ``text`` to ``output`` as UTF-8, creating its folder; ConfigurationError if not."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigurationError(
            f"cannot write the statement to {output}: {reason}; check that the path names a"
            " file in a folder you can write to"
        ) from None


statement_diff.register(app)
