"""The controller record of GDPR Art. 30(1): one row per purpose (processing activity).

Each row gives every item of Art. 30(1)(a)-(g) for one purpose, plus the legal basis, the
sources, profiling and the systems, which make the record useful for an audit. The time
limits for erasure are per data category (Art. 30(1)(f), :mod:`tutela.records.retention`).
"""

from __future__ import annotations

from tutela.programme.models import Organisation, Programme, Purpose
from tutela.records.names import Names
from tutela.records.retention import erasure_limits
from tutela.records.tables import Column
from tutela.records.wording import (
    cell_lines,
    contact_text,
    legal_basis_text,
    organisation_text,
    profiling_text,
    recipient_text,
    representative_text,
    security_text,
    transfers_text,
)

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

CONTROLLER_NOTE = (
    "One record per purpose (processing activity) for which the organisation is the controller."
)


def controller_rows(
    programme: Programme, organisation: Organisation, names: Names
) -> tuple[tuple[str, ...], ...]:
    """One Art. 30(1) row per purpose of ``programme``, cells in column order."""
    return tuple(_row(programme, organisation, purpose, names) for purpose in programme.purposes)


def _row(
    programme: Programme, organisation: Organisation, purpose: Purpose, names: Names
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
        "erasure_time_limits": erasure_limits(programme, purpose, names),
        "security_measures": security_text(organisation, systems),
        "legal_basis": legal_basis_text(purpose),
        "sources": cell_lines(names.sources.get(key, key) for key in purpose.sources),
        "profiling": profiling_text(purpose),
        "systems": cell_lines(f"{s.name} ({s.hosting_country})" for s in systems),
    }
    return tuple(cells[column.key] for column in CONTROLLER_COLUMNS)
