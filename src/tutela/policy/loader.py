"""Load a programme from a folder (or one file) of YAML.

Placeholder kept minimal (no line numbers yet); replaced by the line-numbered loader.
The public surface is fixed: :func:`load` and :func:`load_programme`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tutela.errors import Location
from tutela.policy.models import Programme

PathPart = str | int


@dataclass(frozen=True)
class LoadedProgramme:
    """A validated programme and where each of its values was written.

    ``locations`` maps a path of model attribute names and list indices, e.g.
    ``("purposes", 3, "legal_basis")``, to the file, line and column it came from.
    """

    programme: Programme
    root: Path
    locations: Mapping[tuple[PathPart, ...], Location] = field(default_factory=dict)

    def locate(self, *path: PathPart) -> Location | None:
        """Where ``path`` (or its nearest written ancestor) sits in the sources."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


def load(path: str | Path) -> LoadedProgramme:
    """Load and validate the programme at ``path`` (a folder of YAML files or one file)."""
    root = Path(path)
    files = sorted(root.rglob("*.y*ml")) if root.is_dir() else [root]
    merged: dict[str, Any] = {}
    yaml = YAML(typ="safe")
    for file in files:
        data = yaml.load(file.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return LoadedProgramme(Programme.model_validate(merged), root)


def load_programme(path: str | Path) -> Programme:
    """Load and validate the programme at ``path``; see :func:`load`."""
    return load(path).programme
