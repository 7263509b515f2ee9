"""Every command, setting, plug-in kind, built-in connector and strategy has docs (STYLE.md)."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from tutela.cli.main import app
from tutela.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _docs_text() -> str:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def _command_paths(command: object, prefix: str) -> list[str]:
    """Every command path under ``command`` (Typer vendors Click: groups have ``commands``)."""
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        paths = []
        for name, sub in subcommands.items():
            paths += _command_paths(sub, f"{prefix} {name}")
        return paths
    return [prefix]


def test_command_walk_reaches_every_leaf_command() -> None:
    paths = _command_paths(get_command(app), "tutela")
    assert {"tutela check", "tutela dsr plan", "tutela dsr batch", "tutela records export"} <= set(
        paths
    )


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


def test_every_plugin_kind_has_a_section_in_plugins_md() -> None:
    from tutela.plugins import KINDS

    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    sections = {part.split("\n", 1)[0]: part for part in docs.split("\n### ")[1:]}
    missing = [
        name
        for name, kind in KINDS.items()
        if f"**Entry-point group:** `{kind.group}`" not in sections.get(f"`{name}`", "")
    ]
    assert missing == [], f"plug-in kinds without a section in docs/plugins.md: {missing}"


def test_every_builtin_connector_and_strategy_has_a_docs_section() -> None:
    from tutela.plugins import CONNECTORS, MASKING

    connectors = (ROOT / "docs" / "connectors.md").read_text(encoding="utf-8")
    missing = [f"type: {n}" for n in CONNECTORS.builtins if f"(`type: {n}`)" not in connectors]
    programme = (ROOT / "docs" / "programme.md").read_text(encoding="utf-8")
    missing += [f"masking {n}" for n in MASKING.builtins if f"`{n}`" not in programme]
    assert missing == [], f"built-ins without a docs section: {missing}"
