"""JSON for checkpoint payloads that keeps Python types (Decimal, dates, bytes, UUID).

Keys must be text. A tagged object ``{"$decimal": "1.50"}`` comes back as
``Decimal("1.50")``; tuples and sets come back as lists.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

_DECODERS: dict[str, Callable[[str], Any]] = {
    "$decimal": Decimal,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$bytes": base64.b64decode,
    "$uuid": uuid.UUID,
}


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a checkpoint")


def _untag(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        ((key, text),) = value.items()
        decoder = _DECODERS.get(key)
        if decoder is not None and isinstance(text, str):
            return decoder(text)
    return value


def dumps(payload: Any) -> str:
    """Encode ``payload`` as JSON text, tagging non-JSON types."""
    return json.dumps(payload, default=_tag, separators=(",", ":"), allow_nan=False)


def loads(text: str) -> Any:
    """Decode text written by :func:`dumps`, restoring tagged types."""
    return json.loads(text, object_hook=_untag)
