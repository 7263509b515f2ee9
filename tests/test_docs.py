"""Every command, setting and connector has a docs section (STYLE.md: docs with the feature)."""

from __future__ import annotations

from pathlib import Path

import click
from typer.main import get_command

from tutela.cli.main import app
from tutela.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _docs_text() -> str:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def _command_paths(command: click.Command, prefix: str) -> list[str]:
    if isinstance(command, click.Group):
        paths = []
        for name, sub in command.commands.items():
            paths += _command_paths(sub, f"{prefix} {name}")
        return paths
    return [prefix]


def test_every_cli_command_is_documented() -> None:
    docs = _docs_text()
    missing = [path for path in _command_paths(get_command(app), "tutela") if path not in docs]
    assert missing == [], f"commands without a docs section: {missing}"


def test_every_setting_is_documented() -> None:
    docs = _docs_text()
    missing = [
        f"TUTELA_{name.upper()}"
        for name in Settings.model_fields
        if f"TUTELA_{name.upper()}" not in docs
    ]
    assert missing == [], f"settings without a docs section: {missing}"
