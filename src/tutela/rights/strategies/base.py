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


_INTEGER_BITS = {
    "tinyint": 7,
    "smallint": 15,
    "int2": 15,
    "smallserial": 15,
    "mediumint": 23,
    "bigint": 63,
    "int8": 63,
    "bigserial": 63,
    "serial8": 63,
}


@dataclass(frozen=True)
class ColumnSpec:
    """What a strategy must know about a column.

    ``type`` is normalised (string, integer, numeric, date, datetime, boolean);
    ``length`` the most characters it holds; ``value`` the fixed value; ``domain``
    the column's hash domain (:func:`column_domain` or :func:`shared_domain`, filled
    by the planner); ``integer_bits`` the value bits of an integer column (63 for
    BIGINT), None when unknown: a strategy then stays within 31 bits.
    """

    name: str
    type: str = "string"
    length: int | None = None
    value: str | None = None
    domain: str = ""
    integer_bits: int | None = None


def column_domain(system: str, collection: str, column: str) -> str:
    """The hash domain of one column: its own, so its hashes join no other column's."""
    return f"column/{system}/{collection}/{column}"


def shared_domain(name: str) -> str:
    """The hash domain the programme names (``masking_domain``) for columns that must join."""
    return f"shared/{name}"


def integer_bits(type_name: str | None) -> int | None:
    """Value bits of an integer type from a catalog or programme (``bigint`` is 63).

    None for INTEGER and unknown types (31 bits, which every integer column holds).
    """
    words = (type_name or "").lower().replace("(", " ").split()
    return _INTEGER_BITS.get(words[0]) if words else None


@runtime_checkable
class ColumnCheck(Protocol):
    """Optional for a strategy: refuse a column it cannot mask before anything runs."""

    def check(self, column: ColumnSpec) -> None:
        """Raise :class:`~tutela.errors.RequestError` naming the column if it cannot be masked."""
        ...


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
