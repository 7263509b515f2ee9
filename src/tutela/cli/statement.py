"""`tutela statement` commands: render the privacy statement, diff two versions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tutela.cli import statement_diff
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
        Path, typer.Argument(help="The programme: a folder of YAML files or one file.")
    ],
    output_format: Annotated[
        RenderFormat, typer.Option("--format", "-f", help="md for Markdown, html for a web page.")
    ] = RenderFormat.MD,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Render the privacy statement of the programme at PATH as Markdown or HTML.

    The output is deterministic: the same programme always gives the same bytes.
    """
    from tutela.programme.loader import load_programme
    from tutela.statement.build import render_statement

    text = render_statement(load_programme(path), output_format.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_statement(output, text)


def write_statement(output: Path, text: str) -> None:
    """Write ``text`` to ``output`` as UTF-8; ConfigurationError naming the file if it fails."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigurationError(
            f"cannot write the statement to {output}: {reason}; check that the folder exists"
            " and is writable"
        ) from None


statement_diff.register(app)
