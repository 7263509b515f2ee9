"""`tutela discover` (scaffold: the owner adds the command in `register`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the command(s) of this module to ``app``."""
