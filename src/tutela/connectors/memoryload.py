"""A memory system from the programme: its declared collections and a JSON file of rows.

Used by :meth:`tutela.connectors.memory.MemoryConnector.from_system` for a
system declared with ``connector: {type: memory}``::

    systems:
      - key: crm
        connector: {type: memory, options: {rows: crm-rows.json}}
        datasets:
          - key: crm
            collections:
              - name: contact
                fields:
                  - {name: id, type: integer, primary_key: true}
                  - {name: email, type: varchar, length: 254, nullable: false}

Each field's ``type`` (text when undeclared), ``length``, ``nullable`` and
``primary_key`` make the column; references inside the system become foreign
keys. ``options.rows`` (optional; relative to the working directory) maps
collection names to lists of rows, with dates, times and decimals as ISO text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tutela.connectors.memorydata import kind_of
from tutela.errors import ConfigurationError
from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo
from tutela.programme.models import Dataset, System

OPTIONS = ("rows",)
"""The options a memory system's ``connector:`` takes (``rows``: a JSON file of rows)."""

_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "numeric": Decimal,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
}


def declared_system(system: System) -> tuple[list[CollectionInfo], dict[str, list[Any]]]:
    """The catalog ``system`` declares and the rows of its ``options.rows`` file.

    ConfigurationError for a URL or password setting (a memory system has
    none), an unknown option or a rows file that cannot be read.
    """
    settings = system.connector
    if settings is None:
        raise ConfigurationError(f"system {system.key!r} has no connector")
    if settings.url or settings.url_env or settings.password_env:
        raise ConfigurationError(
            f"system {system.key!r}: the memory connector takes no url, url_env or "
            "password_env; its rows come from options.rows (a JSON file)"
        )
    unknown = sorted(set(settings.options) - set(OPTIONS))
    if unknown:
        raise ConfigurationError(
            f"system {system.key!r}: unknown memory connector option {unknown[0]!r} "
            f"(options: {', '.join(OPTIONS)})"
        )
    collections = [info for dataset in system.datasets for info in _declared(dataset, system)]
    path = settings.options.get("rows")
    rows = read_rows(Path(str(path)), collections, system.key) if path else {}
    return collections, rows


def _declared(dataset: Dataset, system: System) -> list[CollectionInfo]:
    """The collections of ``dataset`` as a catalog: declared types, keys and references."""
    datasets = {d.key for d in system.datasets}
    infos = []
    for collection in dataset.collections:
        columns = tuple(
            ColumnInfo(
                f.name, f.type or "text", f.nullable and not f.primary_key, f.primary_key, f.length
            )
            for f in collection.fields
        )
        keys = []
        for f in collection.fields:
            for reference in f.references:
                parts = reference.to.split(".")
                if len(parts) == 2 or (len(parts) == 3 and parts[0] in datasets):
                    keys.append(ForeignKeyInfo((f.name,), parts[-2], (parts[-1],)))
        infos.append(CollectionInfo(collection.name, columns, tuple(keys)))
    return infos


def read_rows(
    path: Path, collections: Sequence[CollectionInfo], system: str
) -> dict[str, list[Any]]:
    """Rows from a JSON file ``{collection: [row, ...]}``, ISO dates, times and decimals parsed."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(
            f"system {system!r}: cannot read rows from {path}: {error}"
        ) from None
    if not isinstance(document, dict) or not all(isinstance(v, list) for v in document.values()):
        raise ConfigurationError(
            f"system {system!r}: {path} must map collection names to lists of rows"
        )
    kinds = {
        info.name: {c.name: kind_of(c.type) or "" for c in info.columns} for info in collections
    }
    return {
        name: [_parsed(row, kinds.get(name, {})) for row in rows] for name, rows in document.items()
    }


def _parsed(row: Any, kinds: Mapping[str, str]) -> Any:
    if not isinstance(row, dict):
        return row  # the connector names the collection whose row is not a mapping
    return {name: from_json(kinds.get(name, ""), value) for name, value in row.items()}


def from_json(kind: str, value: Any) -> Any:
    """``value`` read from JSON: ISO text for dates and times, decimal text for numerics."""
    parse = _FROM_TEXT.get(kind)
    if parse is None or not isinstance(value, str):
        return value
    try:
        return parse(value)
    except (ValueError, InvalidOperation):
        return value  # the column check then names the column and what it holds
