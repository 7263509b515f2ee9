"""Erasure strategies: how a field's values are replaced (ER-1, Art. 17(1)).

Pure: a strategy takes the current values of one column (for a whole batch)
and returns the replacements. ``constant`` strategies (null, fixed) give one
value for every row, so the executor sends one UPDATE per collection;
``per_row`` strategies (hash, random) need the current values and are sent as
one keyed bulk update; ``delete`` removes rows.

The registry is an explicit dict of the built-ins plus the entry-point group
``tutela.masking``, loaded lazily on first use; a duplicate name is an error.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Literal, Protocol, runtime_checkable

from tutela.errors import ConfigurationError, RequestError

MaskKind = Literal["constant", "per_row", "delete"]
DEFAULT_FIXED = "REDACTED"
_INT_RANGE = 2**31 - 1


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
        """Replacements for ``values`` (same length and order); None stays None per row."""
        ...


@dataclass(frozen=True)
class NullMasker:
    """Set the field to NULL."""

    name: str = "null"
    kind: MaskKind = "constant"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Every value becomes None."""
        return [None] * len(values)


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


@dataclass(frozen=True)
class HashMasker:
    """Replace by HMAC-SHA256 of the value under the programme's secret, hex, cut to length.

    Deterministic: equal values give equal hashes, so links between tables survive.
    """

    name: str = "hash"
    kind: MaskKind = "per_row"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Keyed hashes of ``values``; ConfigurationError without a key."""
        if not key:
            raise ConfigurationError(
                "hash masking needs the programme's hash key (see docs/dsr.md)"
            )
        if column.type not in ("string", "integer", "numeric"):
            raise RequestError(
                f"hash masking does not apply to {column.type} column {column.name!r}"
            )
        return [None if value is None else keyed_hash(value, column, key) for value in values]


def keyed_hash(value: Any, column: ColumnSpec, key: bytes) -> Any:
    """HMAC-SHA256 of ``value`` as hex cut to the column length (a number for numeric columns)."""
    digest = hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    if column.type in ("integer", "numeric"):
        return int(digest[:15], 16) % _INT_RANGE
    return digest[: column.length] if column.length else digest


_rng = random.SystemRandom()


def _random_string(value: Any, column: ColumnSpec) -> str:
    size = max(1, len(str(value)))
    if column.length:
        size = min(size, column.length)
    return "".join(_rng.choice(string.ascii_letters) for _ in range(size))


def _random_int(value: Any, column: ColumnSpec) -> int:
    digits = max(1, len(str(abs(int(value)))))
    return _rng.randrange(0, min(10**digits, _INT_RANGE))


def _random_decimal(value: Any, column: ColumnSpec) -> Decimal:
    whole = max(1, len(str(abs(int(value)))))
    return Decimal(_rng.randrange(0, 10 ** (whole + 2))) / 100


def _random_date(value: Any, column: ColumnSpec) -> date:
    return date(1950, 1, 1) + timedelta(days=_rng.randrange(0, 365 * 50))


def _random_datetime(value: Any, column: ColumnSpec) -> datetime:
    start = datetime(1950, 1, 1, tzinfo=getattr(value, "tzinfo", None))
    return start + timedelta(seconds=_rng.randrange(0, 86400 * 365 * 50))


def _random_bool(value: Any, column: ColumnSpec) -> bool:
    return _rng.random() < 0.5


_RANDOM: dict[str, Callable[[Any, ColumnSpec], Any]] = {
    "string": _random_string,
    "integer": _random_int,
    "numeric": _random_decimal,
    "date": _random_date,
    "datetime": _random_datetime,
    "boolean": _random_bool,
}


@dataclass(frozen=True)
class RandomMasker:
    """Replace by a random value of the same type and length (string, number, date)."""

    name: str = "random"
    kind: MaskKind = "per_row"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Random replacements; None stays None."""
        generate: Callable[[Any, ColumnSpec], Any] = _RANDOM.get(column.type, _random_string)
        return [None if value is None else generate(value, column) for value in values]


@dataclass(frozen=True)
class DeleteMasker:
    """Delete the row (the executor sends one DELETE per collection)."""

    name: str = "delete"
    kind: MaskKind = "delete"

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Not called for values: deletion removes whole rows."""
        return [None] * len(values)


BUILTINS: dict[str, Masker] = {
    masker.name: masker
    for masker in (NullMasker(), FixedMasker(), HashMasker(), RandomMasker(), DeleteMasker())
}
"""The built-in strategies, registered the same way plugins are."""

ENTRY_POINT_GROUP = "tutela.masking"


@cache
def strategies() -> dict[str, Masker]:
    """Built-ins plus plugins of the ``tutela.masking`` entry-point group (loaded once).

    Raises ConfigurationError when a plugin reuses a name or is not a Masker.
    """
    found = dict(BUILTINS)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in found:
            raise ConfigurationError(f"masking strategy {point.name!r} is registered twice")
        loaded = point.load()
        masker = loaded() if isinstance(loaded, type) else loaded
        if not isinstance(masker, Masker):
            raise ConfigurationError(f"entry point {point.value!r} is not a masking strategy")
        found[point.name] = masker
    return found


def masker(name: str) -> Masker:
    """The strategy called ``name``; RequestError naming the installed ones otherwise."""
    try:
        return strategies()[name]
    except KeyError:
        known = ", ".join(sorted(strategies()))
        raise RequestError(f"unknown masking strategy {name!r}; installed: {known}") from None
