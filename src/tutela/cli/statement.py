"""`tutela statement` commands: render the privacy statement, diff two versions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli import statement_announce, statement_diff
from tutela.cli.check import checked_programme
from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.programme.models import Programme

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
    language: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="The language to render (one of statement.languages; default the first).",
        ),
    ] = None,
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
    --lang must be a language the programme declares (exit 2 otherwise).
    """
    if show_assumptions:
        from tutela.programme.assumption_list import assumptions_text
        from tutela.programme.loader import load

        typer.echo(assumptions_text(load(path)), nl=False)
        return
    from tutela.statement.build import render_statement

    programme = checked_programme(path, allow_errors=allow_errors, making="the statement")
    chosen = chosen_language(programme, language)
    text = render_statement(programme, output_format.value, chosen)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_statement(output, text)


def chosen_language(programme: Programme, language: str | None) -> str:
    """``language``, or the statement's first; BadParameter unless declared and worded."""
    from tutela.i18n import LANGUAGES

    declared = list(programme.statement.languages) if programme.statement else ["en"]
    if language is not None and language not in declared:
        raise typer.BadParameter(
            f"{language!r} is not a language of this statement; it declares"
            f" {', '.join(declared)} (statement.languages)",
            param_hint="--lang",
        )
    chosen = language or declared[0]
    if chosen not in LANGUAGES:
        raise typer.BadParameter(
            f"tutela has no statement wording in {chosen!r}; it writes {', '.join(LANGUAGES)}",
            param_hint="--lang",
        )
    return chosen


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
statement_announce.register(app)
