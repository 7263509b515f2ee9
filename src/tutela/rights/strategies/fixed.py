"""The ``fixed`` strategy: the field becomes ``masking_value`` or ``REDACTED`` (ER-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tutela.errors import RequestError
from tutela.rights.strategies.base import ColumnSpec, MaskKind

DEFAULT_FIXED = "REDACTED"
"""The value written when neither the field nor its rule gives a ``masking_value``."""


@dataclass(frozen=True)
class FixedMasker:
    """Set the field to ``masking_value`` (or ``REDACTED``), cut to the column length."""

    name: str = "fixed"
    kind: MaskKind = "constant"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Every value becomes the fixed value, converted to the column's type."""
        return [fixed_value(column)] * len(values)


def fixed_value(column: ColumnSpec) -> Any:
    """The fixed replacement of ``column``; RequestError if it does not fit the type."""
    text = column.value if column.value is not None else DEFAULT_FIXED
    try:
        if column.type == "integer":
            return int(text)
        if column.type == "numeric":
            return Decimal(text)
        if column.type == "date":
            return date.fromisoformat(text)
    except ValueError:
        raise RequestError(
            f"fixed masking value {text!r} does not fit {column.type} column {column.name!r}"
        ) from None
    if column.type not in ("string",):
        raise RequestError(f"fixed masking does not apply to {column.type} column {column.name!r}")
    return text[: column.length] if column.length else text
