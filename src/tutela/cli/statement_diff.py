"""`tutela statement diff`: what changed between two versions of a programme."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``diff`` command to the ``statement`` app."""
