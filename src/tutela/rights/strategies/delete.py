"""The ``delete`` strategy: the whole row is deleted (ER-1, Art. 17(1))."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tutela.rights.strategies.base import ColumnSpec, MaskKind


@dataclass(frozen=True)
class DeleteMasker:
    """Delete the row (the executor sends one DELETE per collection)."""

    name: str = "delete"
    kind: MaskKind = "delete"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Not called for values: deletion removes whole rows."""
        return [None] * len(values)
