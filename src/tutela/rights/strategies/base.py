"""What every erasure strategy is: the :class:`Masker` protocol and the column it masks.

Pure: a strategy takes the current values of one column (for a whole batch) and
returns the replacements (ER-1, Art. 17(1)). Its :data:`MaskKind` tells the
executor how to send them: ``constant`` strategies give one value for every row
(one UPDATE per collection), ``per_row`` strategies need the current values (one
keyed bulk update), ``delete`` removes whole rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

MaskKind = Literal["constant", "per_row", "delete"]
"""How a strategy's replacements are written: one value, one per row, or no row at all."""

MASK_KINDS: tuple[MaskKind, ...] = ("constant", "per_row", "delete")

INT_RANGE = 2**31 - 1
"""Numbers a strategy writes stay below this, so they fit any integer column."""


@dataclass(frozen=True)
class ColumnSpec:
    """What a strategy must know about a column: normalised type, length, fixed value."""

    name: str
    type: str = "string"
    length: int | None = None
    value: str | None = None


@runtime_checkable
class Masker(Protocol):
    """One erasure strategy. ``mask`` returns one replacement per input value."""

    @property
    def name(self) -> str:
        """The strategy's name, as programmes write it."""
        ...

    @property
    def kind(self) -> MaskKind:
        """constant, per_row or delete."""
        ...

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Replacements for ``values`` (same length and order); None stays None per row.

        ``key`` is the programme's hash key (None when unset); a strategy that needs
        it raises :class:`~tutela.errors.ConfigurationError` without it.
        """
        ...
