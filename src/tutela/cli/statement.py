"""`tutela statement` commands."""

from __future__ import annotations

import typer

from tutela.cli import statement_diff

app = typer.Typer(no_args_is_help=True, help="statement commands.")

statement_diff.register(app)
