"""JSON for checkpoint payloads that keeps the Python types databases return.

Plain JSON values (text, integers, finite floats, booleans, None, lists, dicts
with text keys) are written as they are. Every other value is written as a
one-key object whose key names its type, ``{"$decimal": "1.50"}``, and comes
back as that type (the table is ``_TAGS``): Decimal (NaN and infinities too),
non-finite floats, datetime (with its offset, and its IANA zone as an RFC 9557
suffix ``[Europe/Brussels]``), date, time, timedelta, bytes, UUID, the
``ipaddress`` addresses, interfaces and networks, set and frozenset.

- Tuples come back as lists (as dict keys or set members, as tuples);
  bytearray and memoryview come back as bytes.
- A dict with a key that is not text, or that starts with ``$`` (a JSON column
  may hold ``{"$decimal": "x"}``), is written as ``{"$map": [[key, value], ...]}``,
  so a database's data is never mistaken for a tag.
- A value of any other type is written as ``{"$text": [type name, str(value)]}``
  (an enum member: its value) and comes back as :class:`TaggedText`, a ``str``
  that remembers the type's name: a checkpoint never fails on an unknown type,
  and an answer still carries the value as text.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from tutela.errors import StoreError


class TaggedText(str):
    """A value of a type the codec does not know, kept as its text and its type's name."""

    type_name: str

    def __new__(cls, text: str, type_name: str) -> TaggedText:
        """``text`` (``str(value)``) of a value whose type is called ``type_name``."""
        tagged = super().__new__(cls, text)
        tagged.type_name = type_name
        return tagged


def _datetime_text(value: datetime) -> str:
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return value.isoformat() + (f"[{zone}]" if zone else "")


def _parse_datetime(text: str) -> datetime:
    """The datetime written: its wall time in its zone, the fold chosen by its offset.

    Keeping the wall time (not converting the instant) keeps a time the zone skips (a
    spring-forward gap) as it was written; a zone whose rules changed since gets the
    instant in that zone.
    """
    stamp, _, zone = text.partition("[")
    parsed = datetime.fromisoformat(stamp)
    if not zone:
        return parsed
    info = ZoneInfo(zone.rstrip("]"))
    for fold in (0, 1):
        wall = parsed.replace(tzinfo=info, fold=fold)
        if wall.utcoffset() == parsed.utcoffset():
            return wall
    return parsed.astimezone(info)


def _base64(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def _members(value: set[Any] | frozenset[Any]) -> list[Any]:
    try:
        ordered: Iterable[Any] = sorted(value)
    except TypeError:
        ordered = value
    return [_encode(member) for member in ordered]


def _type_name(value: object) -> str:
    kind = type(value)
    module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
    return module + kind.__qualname__


def _opaque(value: object) -> list[str]:
    if isinstance(value, TaggedText):
        return [value.type_name, str(value)]
    text = value.value if isinstance(value, Enum) else value
    return [_type_name(value), str(text)]


def _hashable(value: Any) -> Any:
    return tuple(_hashable(item) for item in value) if isinstance(value, list) else value


# (type, tag, encoder): the order matters for subclasses (datetime is a date,
# an interface is an address), looked up by exact type first.
_TAGS: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
    (float, "$float", repr),
    (Decimal, "$decimal", str),
    (datetime, "$datetime", _datetime_text),
    (date, "$date", date.isoformat),
    (time, "$time", time.isoformat),
    (timedelta, "$timedelta", lambda v: [v.days, v.seconds, v.microseconds]),
    (bytes, "$bytes", _base64),
    (bytearray, "$bytes", _base64),
    (memoryview, "$bytes", _base64),
    (uuid.UUID, "$uuid", str),
    (ipaddress.IPv4Interface, "$ip_interface", str),
    (ipaddress.IPv6Interface, "$ip_interface", str),
    (ipaddress.IPv4Address, "$ip_address", str),
    (ipaddress.IPv6Address, "$ip_address", str),
    (ipaddress.IPv4Network, "$ip_network", str),
    (ipaddress.IPv6Network, "$ip_network", str),
    (set, "$set", _members),
    (frozenset, "$frozenset", _members),
    (TaggedText, "$text", _opaque),
)
_BY_TYPE = {kind: (tag, encode) for kind, tag, encode in _TAGS}
_PLAIN = frozenset({str, int, bool, type(None)})

_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$float": float,
    "$decimal": Decimal,
    "$datetime": _parse_datetime,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$timedelta": lambda parts: timedelta(*parts),
    "$bytes": base64.b64decode,
    "$uuid": uuid.UUID,
    "$ip_interface": ipaddress.ip_interface,
    "$ip_address": ipaddress.ip_address,
    "$ip_network": ipaddress.ip_network,
    "$set": lambda members: {_hashable(m) for m in members},
    "$frozenset": lambda members: frozenset(_hashable(m) for m in members),
    "$map": lambda pairs: {_hashable(key): value for key, value in pairs},
    "$text": lambda pair: TaggedText(pair[1], pair[0]),
}


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN or (kind is float and math.isfinite(value)):
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _PLAIN else _encode(item) for item in value]
    if kind is dict:
        return _encode_mapping(value)
    return _encode_other(value)


def _encode_mapping(value: Mapping[Any, Any]) -> Any:
    encoded: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str or key.startswith("$"):
            return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
        encoded[key] = item if type(item) in _PLAIN else _encode(item)
    return encoded


def _encode_other(value: Any) -> Any:
    found = _BY_TYPE.get(type(value))
    if found is None:
        found = next(((t, e) for kind, t, e in _TAGS if isinstance(value, kind)), None)
    if found is not None:
        tag, encode = found
        return {tag: encode(value)}
    if isinstance(value, Mapping):
        return _encode_mapping(value)
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, int) and not isinstance(value, Enum):
        return int(value)
    return {"$text": _opaque(value)}


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        ((key, payload),) = value.items()
        decoder = _DECODERS.get(key)
        if decoder is not None:
            return decoder(payload)
    return value


def dumps(payload: Any) -> str:
    """Encode ``payload`` as JSON text, tagging non-JSON types; never fails on a value's type."""
    return json.dumps(_encode(payload), separators=(",", ":"), allow_nan=False)


def loads(text: str) -> Any:
    """Decode text written by :func:`dumps`, restoring tagged types.

    Raises StoreError when the text is not a checkpoint :func:`dumps` wrote.
    """
    try:
        return json.loads(text, object_hook=_decode)
    except (ValueError, TypeError, ArithmeticError, LookupError) as error:
        # The message names the failure only: the text may hold personal data.
        raise StoreError(
            f"a stored checkpoint cannot be read ({type(error).__name__}): it is damaged "
            "or was written by another version of tutela"
        ) from error
