"""The ``hash`` strategy: a keyed hash of the value (ER-1, Art. 17(1)).

Deterministic: equal values give equal hashes, so links between tables survive;
keyed with the programme's secret, so a hash cannot be reversed by hashing guesses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tutela.errors import ConfigurationError, RequestError
from tutela.rights.strategies.base import INT_RANGE, ColumnSpec, MaskKind


@dataclass(frozen=True)
class HashMasker:
    """Replace by HMAC-SHA256 of the value under the programme's secret, hex, cut to length."""

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
        return int(digest[:15], 16) % INT_RANGE
    return digest[: column.length] if column.length else digest
