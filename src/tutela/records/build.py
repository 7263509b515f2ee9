"""The records of processing activities of GDPR Art. 30, built from the programme.

Two tables, always both (RP-1, Art. 30(5)): the controller record
(:mod:`tutela.records.controller`), one row per purpose (processing activity) with every
item of Art. 30(1)(a)-(g); and the processor record (:mod:`tutela.records.processor`), one
row per controller in the DPA register with every item of Art. 30(2)(a)-(d). A few extra
columns (legal basis, sources, profiling, systems, agreement, erasure) make the records
useful for an audit. Each :class:`Records` carries the day it was generated and the
programme's version and digest (:mod:`tutela.records.tables`), so that an authority can
tell which programme an export shows (Art. 30(3)-(4)).

Pure: a :class:`~tutela.programme.models.Programme` (and the day) in, :class:`Records`
(plain strings) out; :mod:`tutela.records.exports` turns them into files. Multi-valued
cells hold one item a line.
"""

from __future__ import annotations

from datetime import date

from tutela.programme.models import Programme
from tutela.programme.published import missing_error
from tutela.records.controller import CONTROLLER_COLUMNS, CONTROLLER_NOTE, controller_rows
from tutela.records.customers import check_register
from tutela.records.names import Names
from tutela.records.processor import PROCESSOR_COLUMNS, processor_note, processor_rows
from tutela.records.tables import Column, Records, RecordTable, programme_digest

__all__ = [
    "CONTROLLER_COLUMNS",
    "PROCESSOR_COLUMNS",
    "Column",
    "RecordTable",
    "Records",
    "build_records",
]


def build_records(programme: Programme, *, generated_on: date | None = None) -> Records:
    """The Art. 30(1) controller and Art. 30(2) processor records of ``programme`` (RP-1).

    ``generated_on`` is the day written on the records (default: today); it also dates the
    adequacy decisions the processor record relies on. Raises
    :class:`~tutela.errors.PolicyErrors` naming the ``organisation`` or ``statement``
    section when the programme lacks it, and naming each DPA register entry that refers to
    a system that is not declared or not a processor system
    (:func:`tutela.records.customers.check_register`).
    """
    organisation, statement = programme.organisation, programme.statement
    if organisation is None or statement is None:
        needed = ("organisation", "statement")
        raise missing_error(programme, needed, needed_by="the records of processing")
    check_register(programme)
    day = generated_on or date.today()
    names = Names.of(programme)
    return Records(
        organisation=organisation.legal_name,
        statement_title=statement.title,
        statement_version=statement.version,
        effective_date=statement.effective_date,
        controller=RecordTable(
            "controller_records",
            "Controller records (Art. 30(1))",
            CONTROLLER_COLUMNS,
            controller_rows(programme, organisation, names),
            CONTROLLER_NOTE,
        ),
        processor=RecordTable(
            "processor_records",
            "Processor records (Art. 30(2))",
            PROCESSOR_COLUMNS,
            processor_rows(programme, organisation, names, day),
            processor_note(programme),
        ),
        generated_on=day,
        digest=programme_digest(programme),
    )
