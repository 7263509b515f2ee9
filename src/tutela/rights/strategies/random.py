"""The ``random`` strategy: a random value of the column's type and length (ER-1)."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tutela.rights.strategies.base import INT_RANGE, ColumnSpec, MaskKind

_rng = random.SystemRandom()


def _random_string(value: Any, column: ColumnSpec) -> str:
    size = max(1, len(str(value)))
    if column.length:
        size = min(size, column.length)
    return "".join(_rng.choice(string.ascii_letters) for _ in range(size))


def _random_int(value: Any, column: ColumnSpec) -> int:
    digits = max(1, len(str(abs(int(value)))))
    return _rng.randrange(0, min(10**digits, INT_RANGE))


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
