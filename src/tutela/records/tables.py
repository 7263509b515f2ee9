"""The shape of the Art. 30 records: columns, tables, and what identifies one export.

:class:`Records` holds both tables of GDPR Art. 30 (RP-1) with what an authority needs to
tell two exports apart: the organisation, the statement's version and effective date, the
day the records were generated and a digest of the programme they were built from
(:func:`programme_digest`). Pure data; :mod:`tutela.records.build` fills it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from tutela.programme.models import Programme


@dataclass(frozen=True)
class Column:
    """A column of a record table: a stable key, a title and the provision it fulfils."""

    key: str
    title: str
    source: str = ""

    @property
    def header(self) -> str:
        """The title with its legal source, as printed in exports."""
        return f"{self.title} ({self.source})" if self.source else self.title


@dataclass(frozen=True)
class RecordTable:
    """One record type: its columns, its rows (cells in column order) and a note."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str

    def as_dicts(self) -> list[dict[str, str]]:
        """The rows as mappings from column key to cell."""
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Records:
    """Both Art. 30 records of one programme, with what identifies them (Art. 30(3)-(4)).

    ``generated_on`` is the day the records were made (given, so that exports stay
    reproducible); ``digest`` is :func:`programme_digest` of the programme.
    """

    organisation: str
    statement_title: str
    statement_version: str | None
    effective_date: date | None
    controller: RecordTable
    processor: RecordTable
    generated_on: date
    digest: str

    @property
    def tables(self) -> tuple[RecordTable, RecordTable]:
        """The controller table, then the processor table."""
        return (self.controller, self.processor)

    @property
    def version(self) -> str:
        """The programme version in one line: statement version, effective date, digest."""
        version = self.statement_version or "version not set"
        effective = f", effective {self.effective_date.isoformat()}" if self.effective_date else ""
        return f"{version}{effective}; programme {self.digest}"

    def identification(self) -> list[tuple[str, str]]:
        """The items that identify this export, as (label, value) pairs."""
        return [
            ("Organisation", self.organisation),
            ("Statement", self.statement_title),
            ("Statement version", self.statement_version or "not set"),
            ("Effective date", self.effective_date.isoformat() if self.effective_date else ""),
            ("Programme digest", self.digest),
            ("Generated on", self.generated_on.isoformat()),
        ]


DIGEST_LENGTH = 12
"""Hex characters of the SHA-256 kept in :func:`programme_digest`."""


def programme_digest(programme: Programme) -> str:
    """A short digest of the programme's content, e.g. ``sha256:d4d3b0d01ba2``.

    The SHA-256 of the programme as canonical JSON (sorted keys): the same for the same
    content, whatever the file layout, comments or key order; different after any change
    of a value. Two exports with the same digest come from the same programme.
    """
    canonical = json.dumps(
        programme.model_dump(mode="json"),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"sha256:{hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_LENGTH]}"
