"""A field's column as the planner sees it: its kind, its type as written, its length.

The systems' catalogs (``CollectionInfo``) win over what the programme
declares, where they know the column; the kind is one of ``string``,
``integer``, ``numeric``, ``date``, ``datetime`` and ``boolean``.
"""

from __future__ import annotations

from tutela.ports import CollectionInfo
from tutela.programme.models import DatasetField

_TYPE_WORDS = (
    ("bool", "boolean"),
    ("timestamp", "datetime"),
    ("datetime", "datetime"),
    ("date", "date"),
    ("int", "integer"),
    ("serial", "integer"),
    ("numeric", "numeric"),
    ("decimal", "numeric"),
    ("float", "numeric"),
    ("double", "numeric"),
    ("real", "numeric"),
)


def column_kind(type_name: str | None) -> str:
    """Normalise a catalog or declared type to string|integer|numeric|date|datetime|boolean."""
    text = (type_name or "").lower()
    for word, kind in _TYPE_WORDS:
        if word in text:
            return kind
    return "string"


def sql_type(f: DatasetField, info: CollectionInfo | None) -> str | None:
    """The column's type as the catalog writes it (with its size), else as the programme does."""
    column = next((c for c in info.columns if c.name == f.name), None) if info else None
    return column.type if column is not None else f.type


def type_and_length(f: DatasetField, info: CollectionInfo | None) -> tuple[str, int | None]:
    """Type (the catalog's, else the declared one) and the smallest known length."""
    column = None
    if info is not None:
        column = next((c for c in info.columns if c.name == f.name), None)
    kind = column_kind(column.type if column else f.type)
    lengths = [n for n in (f.length, column.length if column else None) if n]
    return kind, min(lengths) if lengths else None
