"""The ``hash`` strategy: a keyed hash of the value (ER-1, Art. 17(1)).

Deterministic within a hash domain: equal values give equal hashes, so a column
that shares a domain with another (``masking_domain``) still joins to it. Keyed
with the programme's secret, so a hash cannot be reversed by hashing guesses; and
each domain (by default one per system, collection and column) has its own key
derived from that secret, so masked values of two databases do not join unless the
programme asks for it.

- Text: HMAC-SHA256 as lower-case hex, cut to the column length (at most 64), its
  last four characters a keyed tag of the rest, so a value that is already a hash
  of the column is kept (masking is idempotent). A column shorter than
  :data:`MIN_HASH_LENGTH` characters is refused: its hashes would collide.
- Integers: a keyed permutation of the column's range (:class:`KeyedPermutation`),
  sign-preserving: ``v >= 0`` maps into ``[0, 2**bits)`` and ``v < 0`` into
  ``[-2**bits, 0)``, so distinct values stay distinct (a unique column stays unique)
  and every replacement fits the column (``bits`` is :attr:`ColumnSpec.integer_bits`,
  31 when unknown, which fits any integer column).
- Numeric (decimal) columns: a keyed hash reduced to a whole number below ``2**31``;
  it may collide, so identifiers belong in integer or text columns.

The permutation is a Feistel network over ``bits`` bits, its halves as balanced as
``bits`` allows (15 and 16 bits for ``2**31``), in the FF1 style (NIST SP 800-38G):
each round adds HMAC-SHA256 of the round number and one half to the other half,
modulo the other half's size; eight rounds, as FF3-1. A range that is not a power
of two is reached by cycle-walking (the network is applied again until the value
falls inside the range), which keeps the map a bijection.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tutela.errors import ConfigurationError, RequestError
from tutela.rights.strategies.base import INT_RANGE, ColumnSpec, MaskKind

if TYPE_CHECKING:
    from hashlib import _Hash

MIN_HASH_LENGTH = 16
"""Shortest text column a hash may fill: 16 hex characters are 64 bits, so a million
distinct values collide with a chance of about 1 in 37 million (32 or more is better)."""

TAG_LENGTH = 4
"""Hex characters at the end of a text hash that tag it as one (so it is not hashed again)."""

TAG_DOMAIN = "/tag"
_HEX = re.compile(r"[0-9a-f]+")

DEFAULT_INTEGER_BITS = 31
"""Integer columns of unknown size get replacements in ``[-2**31, 2**31)``: any INTEGER fits."""

DOMAIN_LABEL = b"tutela/hash/v1/"
"""Prefix of the label each domain's key is derived with: HMAC(key, label + domain)."""

_TYPES = ("string", "integer", "numeric")


@dataclass(frozen=True)
class HashMasker:
    """Replace by a keyed hash of the value in the column's hash domain (see the module)."""

    name: str = "hash"
    kind: MaskKind = "per_row"

    def check(self, column: ColumnSpec) -> None:
        """RequestError if ``column`` cannot hold collision-safe hashes (checked when planning)."""
        if column.type not in _TYPES:
            raise RequestError(
                f"hash masking does not apply to {column.type} column {column.name!r}"
            )
        if column.type == "string" and column.length and column.length < MIN_HASH_LENGTH:
            raise RequestError(
                f"hash masking needs at least {MIN_HASH_LENGTH} characters, but column "
                f"{column.name!r} holds {column.length}: its hashes would collide; "
                "widen the column or choose another strategy"
            )

    def mask(self, values: Sequence[Any], column: ColumnSpec, key: bytes | None) -> list[Any]:
        """Keyed hashes of ``values`` (None stays None), before anything is written.

        ConfigurationError without a key; RequestError for a column :meth:`check`
        refuses or an integer outside the column's range (the value is not named).
        """
        if not key:
            raise ConfigurationError(
                "hash masking needs the programme's hash key: set TUTELA_HASH_KEY, or the "
                "environment variable the programme's masking.hash_key_env names"
            )
        self.check(column)
        replace = hasher(column, key)
        return [None if value is None else replace(value) for value in values]


def domain_key(key: bytes, domain: str) -> bytes:
    """The key of one hash domain: HMAC-SHA256(key, ``tutela/hash/v1/`` + domain)."""
    return HmacSha256(key).digest(DOMAIN_LABEL + domain.encode("utf-8"))


def hasher(column: ColumnSpec, key: bytes) -> Callable[[Any], Any]:
    """The function replacing one value of ``column`` (its domain's key derived once)."""
    derived = domain_key(key, column.domain)
    if column.type == "integer":
        return _integer_hasher(column, derived)
    mac = HmacSha256(derived)
    if column.type == "numeric":
        return lambda value: int(mac.hexdigest(str(value).encode("utf-8"))[:15], 16) % INT_RANGE
    return _text_hasher(mac, HmacSha256(domain_key(key, column.domain + TAG_DOMAIN)), column)


def _text_hasher(mac: HmacSha256, tag: HmacSha256, column: ColumnSpec) -> Callable[[Any], str]:
    """HMAC hex of the value, whose last :data:`TAG_LENGTH` characters tag the rest.

    The tag makes the strategy idempotent: a value that is already this column's
    hash (right length, hex, right tag) is kept, so erasing a subject again, by
    another identity, never hashes a hash.
    """
    size = min(column.length or 64, 64)

    def tagged(body: str) -> str:
        return tag.hexdigest(body.encode("ascii"))[:TAG_LENGTH]

    def replace(value: Any) -> str:
        text = str(value)
        if size < MIN_HASH_LENGTH:  # too short to tag (the strategy refuses it when masking)
            return mac.hexdigest(text.encode("utf-8"))[:size]
        if (
            len(text) == size
            and _HEX.fullmatch(text)
            and text[-TAG_LENGTH:] == tagged(text[:-TAG_LENGTH])
        ):
            return text
        body = mac.hexdigest(text.encode("utf-8"))[: size - TAG_LENGTH]
        return body + tagged(body)

    return replace


def keyed_hash(value: Any, column: ColumnSpec, key: bytes) -> Any:
    """The keyed hash of one ``value`` of ``column`` (:meth:`HashMasker.mask` for a batch)."""
    return hasher(column, key)(value)


def _integer_hasher(column: ColumnSpec, key: bytes) -> Callable[[Any], int]:
    bits = column.integer_bits or DEFAULT_INTEGER_BITS
    permutation = KeyedPermutation(key, 2**bits)

    def replace(value: Any) -> int:
        number = _whole_number(value, column)
        try:
            if number >= 0:
                return permutation.permute(number)
            return -1 - permutation.permute(-1 - number)
        except ValueError:
            raise RequestError(
                f"integer column {column.name!r} holds a value outside the {bits}-bit range "
                "hash masking assumed; declare the field's type (e.g. `type: bigint`)"
            ) from None

    return replace


def _whole_number(value: Any, column: ColumnSpec) -> int:
    """``value`` as an int: ints, and text or decimals that are whole numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value).strip())
        if number == number.to_integral_value():
            return int(number)
    except ArithmeticError:
        pass
    raise RequestError(f"integer column {column.name!r} holds a value that is not a whole number")


# --- the keyed MAC and the keyed permutation ------------------------------------------------

ROUNDS = 8
"""Feistel rounds of :class:`KeyedPermutation` (FF3-1 uses eight; four already give a
pseudorandom permutation)."""

_BLOCK = 64


class HmacSha256:
    """HMAC-SHA256 (RFC 2104) under one key, the key's pads hashed once.

    ``digest(message)`` equals ``hmac.digest(key, message, "sha256")`` at half the cost,
    which matters when a batch hashes every value of a column.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        """Absorb ``key`` (hashed first when longer than SHA-256's block, as RFC 2104 says)."""
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def digest(self, message: bytes) -> bytes:
        """The 32-byte MAC of ``message``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def states(self, prefix: bytes) -> tuple[_Hash, _Hash]:
        """Inner and outer SHA-256 states, ``prefix`` absorbed: copy each, then update it."""
        inner = self._inner.copy()
        inner.update(prefix)
        return inner, self._outer

    def hexdigest(self, message: bytes) -> str:
        """The MAC of ``message`` as 64 lower-case hex characters."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


class KeyedPermutation:
    """A bijection of ``[0, size)`` onto itself chosen by ``key`` (``size`` >= 2).

    ``permute(x)`` raises ValueError for ``x`` outside the range. Equal keys and
    sizes give the same permutation; a different key or size gives an unrelated one.
    """

    __slots__ = ("_high", "_low", "_rounds", "size")

    def __init__(self, key: bytes, size: int) -> None:
        """Prepare the rounds for ``size`` (the key is bound to the size, too)."""
        if size < 2:
            raise ValueError("a permutation needs a range of at least 2 values")
        self.size = size
        bits = max(2, (size - 1).bit_length())
        self._high = bits // 2
        self._low = bits - self._high
        prf = HmacSha256(key)
        bound = HmacSha256(prf.digest(b"tutela/permutation/v1/" + str(size).encode()))
        self._rounds = tuple(
            (*bound.states(bytes([number])), (1 << (self._high, self._low)[number % 2]) - 1)
            for number in range(ROUNDS)
        )

    def permute(self, value: int) -> int:
        """The image of ``value``; cycle-walks until it lies inside the range."""
        if not 0 <= value < self.size:
            raise ValueError("value outside the permutation's range")
        value = self._network(value)
        while value >= self.size:
            value = self._network(value)
        return value

    def _network(self, value: int) -> int:
        low_bits = self._low
        left, right = value >> low_bits, value & ((1 << low_bits) - 1)
        for inner, outer, mask in self._rounds:  # HmacSha256.digest, inlined: 8 calls a value
            mac = inner.copy()
            mac.update(right.to_bytes(8))
            out = outer.copy()
            out.update(mac.digest())
            left, right = right, (left + int.from_bytes(out.digest()[:8])) & mask
        return (left << low_bits) | right
