"""Keyed fingerprints of the rows a step resolved: before and after its writes.

A resume uses the stored resolution of a batch only if the data it resolved
has not changed: before writing a pending step it fetches the step's rows again
and compares their fingerprint with the two stored at resolve time. Equal to
*before*: nothing was applied yet, apply the stored values. Equal to *after*:
the system committed before the crash, only the checkpoint was lost; count the
rows, write nothing. Anything else: the data changed, refuse.

Fingerprints are HMAC-SHA256 with the masking key, so the store holds no
unkeyed hash of personal values.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tutela.ports import Row
from tutela.rights.models import Step


def fingerprint(
    rows: Sequence[Mapping[str, Any]], key: bytes, written: Collection[str] = ()
) -> str:
    """A keyed hash of ``rows`` that ignores their order.

    Columns in ``written`` hold values tutela computed, which the database may
    give back in another form: they are compared in :func:`canonical` form. The
    others come from the same driver both times and are compared as it gives them
    (``repr``, much cheaper on the large batches a resume protects).
    """
    names = sorted({name for row in rows for name in row})
    plain = [name for name in names if name not in written]
    computed = [name for name in names if name in written]
    lines = sorted(
        repr(tuple(row.get(name) for name in plain))
        + "".join(f"\x1f{canonical(row.get(name))}" for name in computed)
        for row in rows
    )
    digest = hmac.new(key, "\x1e".join([*names, *lines]).encode("utf-8"), hashlib.sha256)
    return "h:" + digest.hexdigest()


def written_columns(updates: Sequence[Row], constant: Mapping[str, Any]) -> set[str]:
    """The columns a step's writes set (compared in canonical form after them)."""
    return {name for row in updates for name in row} | set(constant)


def after_image(
    step: Step, rows: Sequence[Row], updates: Sequence[Row], constant: Mapping[str, Any]
) -> list[Row]:
    """The rows as the step's writes leave them (only the columns that were read)."""
    if step.delete_rows:
        return []
    by_key = {row[step.key]: row for row in updates} if step.key else {}
    image = []
    for row in rows:
        new = {**row, **{n: v for n, v in constant.items() if n in row}}
        new.update({n: v for n, v in by_key.get(row.get(step.key or ""), {}).items() if n in row})
        image.append(new)
    return image


def canonical(value: Any) -> str:
    """One text per value, whichever form the driver returns it in.

    Booleans are 0/1 (MariaDB has no boolean), decimals lose trailing zeros,
    times are UTC ISO text, text loses trailing blanks (``CHAR(n)`` pads).
    """
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return moment.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, str):
        return value.rstrip(" ")
    return repr(value)
