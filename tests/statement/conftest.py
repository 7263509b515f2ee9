"""Measures of a rendered statement shared by the statement tests, imported as ``readable``.

Words are whitespace-separated tokens holding a letter or a digit, counted on plain text
(Markdown links reduced to their text, HTML tags dropped), so table rules and bullets do
not count. Sentences end with ``.``, ``!`` or ``?`` unless the token is an abbreviation
(``Art.``, ``e.g.``, ``Inc.``, ``U.S.``); each paragraph, list item, fact and table cell
is a unit on its own.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from tutela.statement.view import (
    Block,
    BulletList,
    Facts,
    Notice,
    Paragraph,
    StatementView,
    Subsection,
    Table,
)

ABBREVIATIONS = frozenset(
    {"Art.", "Arts.", "art.", "arts.", "e.g.", "i.e.", "Inc.", "U.S.", "EU-U.S.", "No.", "etc."}
)
_END = re.compile(r"[.!?][)\"”’]*$")


def plain(markdown: str) -> str:
    """Markdown as the reader sees it: links as their text, no HTML anchors."""
    text = re.sub(r"<[^>]+>", " ", markdown)
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def words(text: str) -> int:
    """How many words ``text`` has (tokens with a letter or a digit)."""
    return sum(1 for token in text.split() if re.search(r"\w", token))


def sentences(text: str) -> list[str]:
    """The sentences of one unit of text."""
    found: list[str] = []
    current: list[str] = []
    for token in text.split():
        current.append(token)
        if _END.search(token) and token not in ABBREVIATIONS:
            found.append(" ".join(current))
            current = []
    if current:
        found.append(" ".join(current))
    return found


def units(blocks: tuple[Block, ...]) -> Iterator[str]:
    """Every paragraph, list item, fact, table cell and notice of ``blocks``."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, BulletList):
            yield from block.items
        elif isinstance(block, Facts):
            for fact in block.items:
                yield fact.label
                yield fact.value
        elif isinstance(block, Table):
            yield from block.columns
            yield from (cell for row in block.rows for cell in row)
        elif isinstance(block, Notice):
            yield block.title
            yield block.text
        elif isinstance(block, Subsection):
            yield block.title
            yield from units(block.blocks)


def all_units(view: StatementView) -> list[str]:
    """Every unit of the whole statement, in reading order."""
    found = [view.title, view.version_line, *units(view.intro), *units(view.summary)]
    for section in view.sections:
        found += [section.title, *units(section.blocks)]
    return found


def items(blocks: tuple[Block, ...]) -> Iterator[str]:
    """Paragraphs, list items, facts and notices: what must never be said twice."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, BulletList):
            yield from block.items
        elif isinstance(block, Facts):
            yield from (f"{fact.label}: {fact.value}" for fact in block.items)
        elif isinstance(block, Notice):
            yield block.text
        elif isinstance(block, Subsection):
            yield from items(block.blocks)


# Test modules import these helpers as ``readable``: importlib mode adds no test folder to
# sys.path.
sys.modules.setdefault("readable", sys.modules[__name__])
