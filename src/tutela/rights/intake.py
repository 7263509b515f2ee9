"""Intake: data-subject requests from what people and files give (CLI options, CSV, JSON lines).

Pure: takes text, returns :class:`SubjectRequest` values or raises
:class:`RequestError` naming the line or request to fix. Files are read by the
interface that received them; nothing here touches the file system.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping

from tutela.errors import RequestError
from tutela.rights.models import RequestType, SubjectRequest, parse_change, parse_identity

_RESERVED = ("identities", "changes", "reference")
"""Keys of a flat record that are not identities."""


def request_from(
    kind: RequestType,
    identities: Iterable[str],
    changes: Iterable[str] = (),
    reference: str = "",
) -> SubjectRequest:
    """One request from ``name=value`` identities and ``collection.field=value`` changes."""
    pairs = tuple(parse_identity(text) for text in identities)
    sets = tuple(parse_change(text) for text in changes)
    return SubjectRequest(kind, pairs, sets, reference)


def parse_requests(text: str, filename: str, kind: RequestType) -> list[SubjectRequest]:
    """Requests of type ``kind`` from the text of a ``.csv`` or ``.jsonl`` file.

    CSV: a column per identity, ``set:collection.field`` columns, ``reference``.
    JSON lines: ``{"identities": {...}, "changes": {...}, "reference": ...}`` or flat.
    RequestError names the file, line or request that is wrong.
    """
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        records: list[Mapping[str, object]] = _csv_records(text, filename)
    elif suffix in ("jsonl", "ndjson"):
        records = [
            _json_line(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()
        ]
    else:
        raise RequestError(f"input {filename!r}: use a .csv or .jsonl file")
    if not records:
        raise RequestError(f"input {filename!r} holds no requests")
    return [_request(kind, record, n) for n, record in enumerate(records, 1)]


def _csv_records(text: str, filename: str) -> list[Mapping[str, object]]:
    """The rows of a CSV text; RequestError names the line of a cell too big or malformed.

    A cell may hold up to :func:`csv.field_size_limit` characters (128 KiB by
    default): far more than any identity or rectified value.
    """
    reader = csv.DictReader(text.splitlines())
    try:
        return list(reader)
    except csv.Error as error:
        line = reader.line_num + 1  # lines read before the one that failed
        if "field larger than field limit" in str(error):
            limit = csv.field_size_limit()
            raise RequestError(
                f"input {filename!r} line {line}: a cell is longer than {limit} characters; "
                "identities and values are short (is this the right file?)"
            ) from None
        raise RequestError(f"input {filename!r} line {line}: not valid CSV ({error})") from None


def _json_line(line: str, number: int) -> Mapping[str, object]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        raise RequestError(f"line {number}: not valid JSON") from None
    if not isinstance(value, dict):
        raise RequestError(f"line {number}: expected a JSON object")
    return value


def _request(kind: RequestType, record: Mapping[str, object], number: int) -> SubjectRequest:
    identities = record.get("identities", record)
    if not isinstance(identities, Mapping):
        raise RequestError(f"request {number}: identities must be an object")
    changes = _changes(record.get("changes", {}), number)
    pairs: list[tuple[str, str]] = []
    for name, value in identities.items():
        if name in _RESERVED or value in (None, ""):
            continue
        if str(name).startswith("set:"):
            changes[str(name)[4:]] = value
            continue
        pairs.append(parse_identity(f"{name}={value}"))
    sets = tuple(parse_change(f"{target}={value}") for target, value in changes.items())
    try:
        return SubjectRequest(kind, tuple(pairs), sets, str(record.get("reference") or ""))
    except RequestError as error:
        raise RequestError(f"request {number}: {error}") from None


def _changes(value: object, number: int) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise RequestError(f"request {number}: changes must be an object")
    return {str(target): new for target, new in value.items()}
