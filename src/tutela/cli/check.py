"""`tutela check`: the compliance linter."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
