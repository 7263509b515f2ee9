"""The privacy statement as data: ordered sections made of a few kinds of blocks.

A :class:`StatementView` holds every sentence of the statement, already worded, so
the Markdown and HTML templates only lay it out and never phrase anything
themselves: both formats say the same thing. Blocks are frozen dataclasses with a
``kind`` the templates switch on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

SECTION_IDS: tuple[str, ...] = (
    "controller",
    "personal-data",
    "collection",
    "purposes",
    "legal-bases",
    "recipients",
    "transfers",
    "rights",
    "security",
    "retention",
    "cookies",
    "links",
    "anonymous-data",
    "modifications",
    "complaints",
)
"""The sections every statement has, in order; each is stable across versions."""

OPTIONAL_SECTION_IDS: tuple[str, ...] = ("community",)
"""Sections shown only when the programme has facts for them."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of running text."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class BulletList:
    """An unordered list of short items."""

    kind: ClassVar[str] = "list"
    items: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    """A labelled value: ``label`` is shown in bold, ``value`` after it."""

    label: str
    value: str


@dataclass(frozen=True)
class Facts:
    """A list of labelled values (a definition list in HTML)."""

    kind: ClassVar[str] = "facts"
    items: tuple[Fact, ...]


@dataclass(frozen=True)
class Table:
    """A table; every row has as many cells as there are columns."""

    kind: ClassVar[str] = "table"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Notice:
    """Text set apart from the rest, e.g. the right to object (GDPR Art. 21(4), OB-3)."""

    kind: ClassVar[str] = "notice"
    title: str
    text: str


@dataclass(frozen=True)
class Subsection:
    """A titled group of blocks inside a section."""

    kind: ClassVar[str] = "subsection"
    title: str
    blocks: tuple[Block, ...]


Block = Paragraph | BulletList | Facts | Table | Notice | Subsection
"""Anything a section is made of."""


@dataclass(frozen=True)
class Section:
    """One numbered section of the statement; ``id`` is stable across versions."""

    id: str
    number: int
    title: str
    blocks: tuple[Block, ...]

    @property
    def heading(self) -> str:
        """The heading text, e.g. ``3. How we collect personal data``."""
        return f"{self.number}. {self.title}"

    def text(self) -> str:
        """Every word of the section as plain text, blocks separated by newlines."""
        return "\n".join(_texts(self.blocks))


@dataclass(frozen=True)
class StatementView:
    """The whole statement: title, versioning line, introduction, summary and sections.

    The layers of WP260 ¶35-38 (Art. 12(1)): ``summary`` answers who, what, why, who
    else, how long and which rights on one screen; the templates put a table of contents
    with links to each section after it, then the ``sections`` in full.
    """

    title: str
    language: str
    version_line: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    summary: tuple[Block, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The section ids in order."""
        return tuple(section.id for section in self.sections)

    def summary_text(self) -> str:
        """Every word of the summary as plain text, blocks separated by newlines."""
        return "\n".join(_texts(self.summary))

    def section(self, section_id: str) -> Section:
        """The section with ``section_id``; KeyError if the statement has none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


def _texts(blocks: tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, BulletList):
            yield from block.items
        elif isinstance(block, Facts):
            yield from (f"{fact.label}: {fact.value}" for fact in block.items)
        elif isinstance(block, Table):
            yield " | ".join(block.columns)
            yield from (" | ".join(row) for row in block.rows)
        elif isinstance(block, Notice):
            yield f"{block.title} {block.text}"
        else:
            yield block.title
            yield from _texts(block.blocks)
