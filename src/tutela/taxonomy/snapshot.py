"""The fideslang default taxonomy as tutela ships it: a snapshot read without fideslang.

Importing fideslang builds its pydantic models (about 0.2 s), and every command that reads
a programme needs the vocabulary; so the vocabulary reads ``data/fideslang_default.json``,
written from the installed fideslang by ``make taxonomy``.
``tests/test_taxonomy_snapshot.py`` fails when the snapshot and the installed fideslang
differ, so an upgrade of fideslang is a visible change.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

SNAPSHOT = "fideslang_default.json"
KINDS = ("data_category", "data_use", "data_subject")

Row = tuple[str, str, str, str | None]
"""One term: key, name, description, parent key."""


@cache
def load() -> dict[str, tuple[Row, ...]]:
    """The shipped snapshot: for each kind, its terms in fideslang's order."""
    raw = json.loads((files("tutela.taxonomy") / "data" / SNAPSHOT).read_text(encoding="utf-8"))
    return {kind: tuple(tuple(row) for row in raw[kind]) for kind in KINDS}


def build() -> dict[str, Any]:
    """The snapshot of the installed fideslang (imports it)."""
    from importlib.metadata import version

    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    def rows(items: Any) -> list[list[str | None]]:
        return [
            [
                str(item.fides_key),
                str(item.name or item.fides_key),
                str(item.description or ""),
                getattr(item, "parent_key", None),
            ]
            for item in items
        ]

    snapshot: dict[str, Any] = {"fideslang": version("fideslang")}
    snapshot.update({kind: rows(getattr(DEFAULT_TAXONOMY, kind)) for kind in KINDS})
    return snapshot


def dumps(snapshot: dict[str, Any]) -> str:
    """The snapshot as JSON, one term per line (diffs of an upgrade stay readable)."""
    parts = [f'{{\n "fideslang": {json.dumps(snapshot["fideslang"])}']
    for kind in KINDS:
        rows = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in snapshot[kind])
        parts.append(f' "{kind}": [\n  {rows}\n ]')
    return ",\n".join(parts) + "\n}\n"


def main() -> None:
    """Write the snapshot of the installed fideslang into the package."""
    target = files("tutela.taxonomy") / "data" / SNAPSHOT
    text = dumps(build())
    with open(str(target), "w", encoding="utf-8") as handle:
        handle.write(text)
