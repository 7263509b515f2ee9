"""`tutela plugins` commands: every extension point, what is installed in it and from where.

Listing imports no plug-in (see :mod:`tutela.plugins`), so a broken plug-in shows
up here, with its origin, instead of hiding the others. A kind that cannot be
listed (two plug-ins with one name) is reported in its place and the command
exits 7 after listing the rest.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from tutela.cli.errors import command_group, exit_code, user_errors
from tutela.errors import ConfigurationError
from tutela.plugins import KINDS, Entry, Kind, installed

app = command_group("Plug-ins: list every extension point's entries.")


class OutputFormat(StrEnum):
    """How the list is printed."""

    TEXT = "text"
    JSON = "json"


Listing = list[tuple[Kind, list[Entry] | ConfigurationError]]


@app.command("list")
@user_errors
def list_plugins(
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TEXT,
) -> None:
    """List every plug-in kind with its entries: name, origin (built-in or plug-in) and version."""
    listing: Listing = []
    for kind in KINDS.values():
        try:
            listing.append((kind, installed(kind).entries()))
        except ConfigurationError as error:
            listing.append((kind, error))
    typer.echo(_json(listing) if output is OutputFormat.JSON else _text(listing))
    failed = [found for _, found in listing if isinstance(found, ConfigurationError)]
    if failed:
        raise typer.Exit(exit_code(failed[0]))


def _text(listing: Listing) -> str:
    lines: list[str] = []
    for kind, found in listing:
        lines.append(f"{kind.name} ({kind.group})")
        if not isinstance(found, list):
            lines.append(f"  error: {found}")
            continue
        if not found:
            lines.append("  (none installed)")
        width = max((len(entry.name) for entry in found), default=0)
        lines += [
            f"  {entry.name.ljust(width)}  {entry.origin}  {entry.version}"
            for entry in sorted(found, key=lambda e: e.name)
        ]
    return "\n".join(lines)


def _json(listing: Listing) -> str:
    kinds: list[dict[str, Any]] = []
    for kind, found in listing:
        item: dict[str, Any] = {"kind": kind.name, "group": kind.group, "expects": kind.expects}
        if isinstance(found, list):
            item["entries"] = [
                {
                    "name": entry.name,
                    "origin": entry.origin,
                    "version": entry.version,
                    "builtin": entry.builtin,
                }
                for entry in sorted(found, key=lambda e: e.name)
            ]
        else:
            item["entries"] = []
            item["error"] = str(found)
        kinds.append(item)
    return json.dumps({"kinds": kinds}, indent=2)
