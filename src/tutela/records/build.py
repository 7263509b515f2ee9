"""The records of processing activities of GDPR Art. 30, built from the programme.

Two tables, always both (RP-1, Art. 30(5)): the controller record, one row per purpose
(processing activity) with every item of Art. 30(1)(a)-(g); and the processor record, one row
per system the organisation runs as a processor (``role: processor``) for the controller
named on it, with every item of Art. 30(2)(a)-(d). A few extra columns (legal basis, sources,
profiling, systems, sub-processors, agreement) make the records useful for an audit.

Pure: a :class:`~tutela.programme.models.Programme` in, :class:`Records` (plain strings) out;
:mod:`tutela.records.exports` turns them into files. Multi-valued cells hold one item a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tutela.programme.models import Organisation, Programme, Purpose, System
from tutela.programme.published import missing_error
from tutela.records.wording import (
    agreement_text,
    cell_lines,
    contact_text,
    legal_basis_text,
    organisation_text,
    profiling_text,
    recipient_text,
    representative_text,
    retention_text,
    security_text,
    source_text,
    transfers_text,
)
from tutela.taxonomy.vocabulary import Vocabulary


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
    """Both Art. 30 records of one programme, with what identifies them."""

    organisation: str
    statement_title: str
    statement_version: str | None
    effective_date: date | None
    controller: RecordTable
    processor: RecordTable

    @property
    def tables(self) -> tuple[RecordTable, RecordTable]:
        """The controller table, then the processor table."""
        return (self.controller, self.processor)


CONTROLLER_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference"),
    Column("activity", "Processing activity", "Art. 30(1)(b)"),
    Column("controller", "Controller name and contact details", "Art. 30(1)(a)"),
    Column("joint_controllers", "Joint controllers", "Art. 30(1)(a)"),
    Column("representative", "Representative", "Art. 30(1)(a)"),
    Column("dpo", "Data protection officer", "Art. 30(1)(a)"),
    Column("purpose", "Purpose of the processing", "Art. 30(1)(b)"),
    Column("data_subjects", "Categories of data subjects", "Art. 30(1)(c)"),
    Column("data_categories", "Categories of personal data", "Art. 30(1)(c)"),
    Column("recipients", "Categories of recipients, incl. third countries", "Art. 30(1)(d)"),
    Column("transfers", "Transfers to third countries and safeguards", "Art. 30(1)(e)"),
    Column("erasure_time_limits", "Time limits for erasure per data category", "Art. 30(1)(f)"),
    Column("security_measures", "Technical and organisational measures", "Art. 30(1)(g)"),
    Column("legal_basis", "Legal basis", "Art. 6(1)"),
    Column("sources", "Sources of the data", "Art. 14(2)(f)"),
    Column("profiling", "Profiling and automated decisions", "Art. 22"),
    Column("systems", "Systems (hosting country)"),
)
"""Columns of the controller record (Art. 30(1)), one row per purpose."""

PROCESSOR_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference"),
    Column("processor", "Processor name and contact details", "Art. 30(2)(a)"),
    Column("controller", "Controller acted for, and contact details", "Art. 30(2)(a)"),
    Column("representative", "Representative", "Art. 30(2)(a)"),
    Column("dpo", "Data protection officer", "Art. 30(2)(a)"),
    Column("processing", "Categories of processing carried out", "Art. 30(2)(b)"),
    Column("transfers", "Transfers to third countries and safeguards", "Art. 30(2)(c)"),
    Column("security_measures", "Technical and organisational measures", "Art. 30(2)(d)"),
    Column("system", "System (hosting country)"),
    Column("sub_processors", "Sub-processors", "Art. 28(2)"),
    Column("agreement", "Processing agreement", "Art. 28(3)"),
    Column("data_categories", "Categories of personal data"),
    Column("erasure", "Erasure"),
)
"""Columns of the processor record (Art. 30(2)), one row per processor system."""


def build_records(programme: Programme) -> Records:
    """The Art. 30(1) controller and Art. 30(2) processor records of ``programme`` (RP-1).

    Raises :class:`~tutela.errors.PolicyErrors` naming the ``organisation`` or
    ``statement`` section when the programme lacks it.
    """
    organisation, statement = programme.organisation, programme.statement
    if organisation is None or statement is None:
        needed = ("organisation", "statement")
        raise missing_error(programme, needed, needed_by="the records of processing")
    names = _Names.of(programme)
    controller_rows = tuple(
        _controller_row(programme, organisation, p, names) for p in programme.purposes
    )
    processors = [system for system in programme.systems if system.role == "processor"]
    processor_rows = tuple(_processor_row(programme, organisation, s, names) for s in processors)
    return Records(
        organisation=organisation.legal_name,
        statement_title=statement.title,
        statement_version=statement.version,
        effective_date=statement.effective_date,
        controller=RecordTable(
            "controller_records",
            "Controller records (Art. 30(1))",
            CONTROLLER_COLUMNS,
            controller_rows,
            "One record per purpose (processing activity) for which the organisation is "
            "the controller.",
        ),
        processor=RecordTable(
            "processor_records",
            "Processor records (Art. 30(2))",
            PROCESSOR_COLUMNS,
            processor_rows,
            _processor_note(processor_rows),
        ),
    )


def _processor_note(rows: tuple[tuple[str, ...], ...]) -> str:
    if rows:
        return "One record per system the organisation runs as a processor for a controller."
    return (
        "No processing as a processor is declared (no system has role: processor). "
        "This record is kept anyway: RP-1, Art. 30(2)."
    )


@dataclass(frozen=True)
class _Names:
    """Display names of the programme's vocabulary and keyed sections."""

    vocabulary: Vocabulary
    subjects: dict[str, str]
    sources: dict[str, str]

    @classmethod
    def of(cls, programme: Programme) -> _Names:
        extensions = [
            (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
        ]
        return cls(
            Vocabulary.with_extensions(extensions),
            {subject.key: subject.name for subject in programme.subjects},
            {
                source.key: source_text(source.name, source.kind, source.provider)
                for source in programme.sources
            },
        )

    def category(self, key: str) -> str:
        name = self.vocabulary.category_name(key)
        special = " - special category, Art. 9" if self.vocabulary.is_special(key) else ""
        return f"{name} ({key}{special})" if name != key else f"{key}{special}"


# --- controller record ---------------------------------------------------------------------


def _controller_row(
    programme: Programme, organisation: Organisation, purpose: Purpose, names: _Names
) -> tuple[str, ...]:
    recipients = [r for r in programme.recipients if purpose.key in r.purposes]
    systems = [s for s in programme.systems if purpose.key in s.purposes]
    cells = {
        "reference": purpose.key,
        "activity": purpose.name,
        "controller": organisation_text(organisation),
        "joint_controllers": cell_lines(
            recipient_text(r) for r in recipients if r.kind == "joint_controller"
        ),
        "representative": representative_text(organisation),
        "dpo": contact_text(organisation.dpo) if organisation.dpo else "None designated",
        "purpose": purpose.description,
        "data_subjects": cell_lines(names.subjects.get(key, key) for key in purpose.subjects),
        "data_categories": cell_lines(names.category(key) for key in purpose.categories),
        "recipients": cell_lines(recipient_text(r) for r in recipients),
        "transfers": transfers_text(recipients),
        "erasure_time_limits": _erasure_limits(programme, purpose, names),
        "security_measures": security_text(organisation, systems),
        "legal_basis": legal_basis_text(purpose),
        "sources": cell_lines(names.sources.get(key, key) for key in purpose.sources),
        "profiling": profiling_text(purpose),
        "systems": cell_lines(f"{s.name} ({s.hosting_country})" for s in systems),
    }
    return tuple(cells[column.key] for column in CONTROLLER_COLUMNS)


def _erasure_limits(programme: Programme, purpose: Purpose, names: _Names) -> str:
    """The purpose's retention rule, stated for its data categories (Art. 30(1)(f))."""
    rule = next((r for r in programme.retention if r.key == purpose.retention), None)
    limit = retention_text(rule) if rule else "Not stated (no retention rule)"
    categories = [names.vocabulary.category_name(key) for key in purpose.categories]
    return f"{', '.join(categories)}: {limit}" if categories else limit


# --- processor record ----------------------------------------------------------------------


def _processor_row(
    programme: Programme, organisation: Organisation, system: System, names: _Names
) -> tuple[str, ...]:
    sub_processors = [
        r
        for r in programme.recipients
        if r.kind == "processor" and set(r.purposes) & set(system.purposes)
    ]
    cells = {
        "reference": system.key,
        "processor": organisation_text(organisation),
        "controller": cell_lines(
            [system.controller or "Not recorded", system.controller_contact or ""]
        ),
        "representative": representative_text(organisation),
        "dpo": contact_text(organisation.dpo) if organisation.dpo else "None designated",
        "processing": (
            cell_lines(system.processing_activities)
            if system.processing_activities
            else system.description or "Not recorded"
        ),
        "transfers": transfers_text(sub_processors),
        "security_measures": security_text(organisation, [system]),
        "system": f"{system.name} ({system.hosting_country})",
        "sub_processors": cell_lines(recipient_text(r) for r in sub_processors),
        "agreement": agreement_text(system),
        "data_categories": cell_lines(names.category(key) for key in _system_categories(system)),
        "erasure": _system_erasure(programme, system),
    }
    return tuple(cells[column.key] for column in PROCESSOR_COLUMNS)


def _system_categories(system: System) -> list[str]:
    found = (
        category
        for dataset in system.datasets
        for collection in dataset.collections
        for field in collection.fields
        for category in field.data_categories
    )
    return list(dict.fromkeys(found))


def _system_erasure(programme: Programme, system: System) -> str:
    rule = next((r for r in programme.retention if r.key == system.retention), None)
    return retention_text(rule) if rule else "On the controller's instructions"
