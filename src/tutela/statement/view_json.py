"""A :class:`~tutela.statement.view.StatementView` as JSON data, and back.

The privacy centre archives each statement version it serves (so earlier versions can
be read in full later, NT-1) as this JSON: plain data, rendered again through the same
autoescaped templates, never stored HTML. :func:`to_data` and :func:`from_data` are
inverse; :func:`from_data` raises ValueError on data it did not write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutela.statement.view import (
    Block,
    BulletList,
    Fact,
    Facts,
    Notice,
    Paragraph,
    Section,
    StatementView,
    Subsection,
    Table,
)

FORMAT = 1
"""The version of this JSON shape (stored beside each archived statement)."""


def to_data(view: StatementView) -> dict[str, Any]:
    """``view`` as JSON-ready data."""
    return {
        "format": FORMAT,
        "title": view.title,
        "language": view.language,
        "version_line": view.version_line,
        "intro": [_block(b) for b in view.intro],
        "summary": [_block(b) for b in view.summary],
        "sections": [
            {"id": s.id, "number": s.number, "title": s.title, "blocks": _blocks(s.blocks)}
            for s in view.sections
        ],
    }


def from_data(data: Mapping[str, Any]) -> StatementView:
    """The view ``data`` describes (ValueError when it is not :func:`to_data`'s shape)."""
    try:
        if data["format"] != FORMAT:
            raise ValueError(f"statement data of format {data['format']!r}, not {FORMAT}")
        return StatementView(
            title=str(data["title"]),
            language=str(data["language"]),
            version_line=str(data["version_line"]),
            intro=_read_blocks(data["intro"]),
            summary=_read_blocks(data["summary"]),
            sections=tuple(
                Section(str(s["id"]), int(s["number"]), str(s["title"]), _read_blocks(s["blocks"]))
                for s in data["sections"]
            ),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a stored statement: {type(error).__name__} {error}") from None


def _blocks(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    return [_block(b) for b in blocks]


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": block.kind, "text": block.text}
    if isinstance(block, BulletList):
        return {"kind": block.kind, "items": list(block.items)}
    if isinstance(block, Facts):
        return {"kind": block.kind, "items": [[f.label, f.value] for f in block.items]}
    if isinstance(block, Table):
        return {"kind": block.kind, "columns": list(block.columns), "rows": _rows(block.rows)}
    if isinstance(block, Notice):
        return {"kind": block.kind, "title": block.title, "text": block.text}
    return {"kind": block.kind, "title": block.title, "blocks": _blocks(block.blocks)}


def _rows(rows: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    return [list(row) for row in rows]


def _read_blocks(items: Any) -> tuple[Block, ...]:
    return tuple(_read(item) for item in items)


def _read(item: Mapping[str, Any]) -> Block:
    kind = item["kind"]
    if kind == Paragraph.kind:
        return Paragraph(str(item["text"]))
    if kind == BulletList.kind:
        return BulletList(tuple(str(i) for i in item["items"]))
    if kind == Facts.kind:
        return Facts(tuple(Fact(str(label), str(value)) for label, value in item["items"]))
    if kind == Table.kind:
        rows = tuple(tuple(str(cell) for cell in row) for row in item["rows"])
        return Table(tuple(str(c) for c in item["columns"]), rows)
    if kind == Notice.kind:
        return Notice(str(item["title"]), str(item["text"]))
    if kind == Subsection.kind:
        return Subsection(str(item["title"]), _read_blocks(item["blocks"]))
    raise ValueError(f"unknown block kind {kind!r}")
