"""Machine-readable answers: JSON for every request type, CSV per collection (AC-5, PO-3).

Pure: returns text. Every value a database returns is written as JSON a
person and a machine can read (:func:`readable`: ISO 8601 times and
durations, exact decimal text, addresses as text, bytes as hex, JSON columns
kept as JSON); a CSV cell holds the same text. The JSON carries a ``schema``
per collection (field categories and purposes) so the data stays intelligible
(AC-4, PO-3).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from tutela.rights.models import BatchResult, Plan, RequestResult

_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def readable(value: Any) -> Any:
    """``value`` as JSON data a person and a machine can read (AC-4, AC-5, PO-3).

    Text, integers, finite floats, booleans and None stay as they are; dicts,
    lists and tuples stay JSON (keys become text; a set becomes a sorted list).
    Everything else becomes text: datetime, date and time in ISO 8601, a
    timedelta as an ISO 8601 duration (:func:`iso_duration`), Decimal as exact
    decimal text (``NaN``, ``Infinity`` and ``-Infinity`` too, also for floats),
    bytes as hex, an enum member as its value, any other type (UUID, IP
    addresses and networks, ranges) as ``str(value)``. Never raises on a type.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int) and not isinstance(value, Enum):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _NON_FINITE[repr(float(value))]
    if isinstance(value, Mapping):
        return {_key(key): readable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [readable(item) for item in value]
    if isinstance(value, set | frozenset):
        return [readable(item) for item in _ordered(value)]
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Enum):
        return str(readable(value.value))
    return str(value)


def _key(key: Any) -> str:
    shown = readable(key)
    return shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)


def _ordered(members: Iterable[Any]) -> list[Any]:
    try:
        return sorted(members)
    except TypeError:
        return sorted(members, key=lambda member: json.dumps(readable(member)))


def iso_duration(value: timedelta) -> str:
    """``value`` as an ISO 8601 duration: ``P1DT2H3M4.5S``, ``PT0S``, ``-PT1S`` when negative.

    Days are not folded into months or years (a day is what the database counted).
    """
    micro = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign, micro = ("-" if micro < 0 else ""), abs(micro)
    seconds, micro = divmod(micro, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    fraction = f".{micro:06d}".rstrip("0") if micro else ""
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if seconds or micro or not (days or clock):
        clock += f"{seconds}{fraction}S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def _cell(value: Any) -> str:
    """A CSV cell: the JSON answer's text, unquoted when it is text; empty for None."""
    if value is None:
        return ""
    shown = readable(value)
    return shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)


def result_document(result: RequestResult, kind: str) -> dict[str, Any]:
    """One request's answer as plain data (AC-1: ``processed`` is the confirmation)."""
    return {
        "type": kind,
        "batch_id": result.batch_id,
        "identities": [{"name": n, "value": v} for n, v in result.request.identities],
        "processed": result.found,
        "collections": [
            {
                "collection": c.collection,
                "system": c.system,
                "schema": c.labels,
                "rows": list(c.rows),
                "changed": c.changed,
                "deleted": c.deleted,
                "strategies": c.strategies,
                "withheld": c.withheld,
                **({"held": c.held} if c.held else {}),
            }
            for c in result.collections
        ],
        "retained": [asdict(r) for r in result.retained],
        "restricted_purposes_allowed": list(result.restricted_purposes),
    }


def batch_json(batch: BatchResult) -> str:
    """The whole batch as JSON text."""
    document = {
        "batch_id": batch.batch_id,
        "type": batch.type,
        "dry_run": batch.dry_run,
        "counts": batch.counts,
        "resumed": list(batch.resumed),
        "resumed_from": batch.resumed_from,
        "may_remain": asdict(batch.coverage),
        "forwarded": [asdict(f) for f in batch.forwarded],
        "results": [result_document(r, batch.type) for r in batch.results],
    }
    return json.dumps(readable(document), indent=2, ensure_ascii=False, allow_nan=False)


def result_json(result: RequestResult, kind: str) -> str:
    """One request's answer as JSON text."""
    return json_text(readable(result_document(result, kind)))


def result_csv(result: RequestResult) -> dict[str, str]:
    """One CSV text per collection of the answer (header row, then the subject's rows)."""
    return _tables(result, readable(result_document(result, "")))


def result_files(result: RequestResult, kind: str) -> tuple[str, dict[str, str]]:
    """:func:`result_json` and :func:`result_csv` of one answer, from ONE :func:`readable` pass."""
    document = readable(result_document(result, kind))
    return json_text(document), _tables(result, document)


def _tables(result: RequestResult, document: dict[str, Any]) -> dict[str, str]:
    """The CSV per collection with rows, its cells from ``document`` (made readable)."""
    files: dict[str, str] = {}
    for collection, shown in zip(result.collections, document["collections"], strict=True):
        if collection.rows:
            files[collection.collection] = _csv(collection.rows, shown["rows"])
    return files


def _csv(rows: Sequence[Mapping[str, Any]], shown: Sequence[Mapping[str, Any]]) -> str:
    """The CSV of ``rows`` (as read), its cells from ``shown`` (the same rows, readable)."""
    buffer = io.StringIO()
    names = tuple(rows[0])
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row, readable_row in zip(rows, shown, strict=True):
        if tuple(row) == names:
            writer.writerow([_shown_cell(value) for value in readable_row.values()])
        else:  # a row with other columns: as csv.DictWriter writes it (or refuses it)
            odd = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
            odd.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _shown_cell(shown: Any) -> str:
    """:func:`_cell` of a value already made :func:`readable`."""
    if shown is None:
        return ""
    if isinstance(shown, str):
        return shown
    if type(shown) is int:
        return int.__repr__(shown)
    return json.dumps(shown, ensure_ascii=False)


def json_text(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)``, faster.

    For data made :func:`readable` (text keys; text, numbers, booleans, None, lists and
    dicts); anything else goes to :func:`json.dumps` itself, so the text is always the same.
    """
    try:
        return _indented(document, "\n")
    except _Unusual:
        return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


class _Unusual(Exception):
    """A value :func:`_indented` leaves to :func:`json.dumps`."""


_STRING = json.encoder.encode_basestring


def _indented(value: Any, indent: str) -> str:
    if isinstance(value, str):
        return str(_STRING(value))
    if value is None or value is True or value is False:
        return "null" if value is None else ("true" if value else "false")
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return type(value).__repr__(value)
    inner = indent + "  "
    if type(value) is dict:
        if not value:
            return "{}"
        if not all(type(key) is str for key in value):
            raise _Unusual
        items = (f"{_STRING(k)}: {_indented(v, inner)}" for k, v in value.items())
        return f"{{{inner}{(',' + inner).join(items)}{indent}}}"
    if type(value) is list:
        if not value:
            return "[]"
        return f"[{inner}{(',' + inner).join(_indented(v, inner) for v in value)}{indent}]"
    raise _Unusual


def plan_document(plan: Plan, statements: dict[str, list[str]]) -> dict[str, Any]:
    """A plan as plain data, with each step's statements."""
    document = asdict(plan)
    for step in document["steps"]:
        step["statements"] = statements.get(step["address"], [])
    return document
