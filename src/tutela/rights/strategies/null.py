"""The ``null`` strategy: the field becomes NULL (ER-1, Art. 17(1))."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tutela.rights.strategies.base import ColumnSpec, MaskKind


@dataclass(frozen=True)
class NullMasker:
    """Set the field to NULL."""

    name: str = "null"
    kind: MaskKind = "constant"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Every value becomes None."""
        return [None] * len(values)
