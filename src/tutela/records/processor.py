"""The processor record of GDPR Art. 30(2): one row per controller acted for (RP-1, PR-4).

One row per entry of the DPA register (``dpa_register``): the customer as controller with
its contact, representative and DPO, the organisation as processor with its own, the
sub-processors (:mod:`tutela.records.customers`), and for the processor systems the
customer uses the categories of processing (30(2)(b)), the transfers (30(2)(c)) and the
security measures (30(2)(d)). A processor system that no entry names gets a row of its
own that says so, so the gap shows in the record rather than the system disappearing.
"""

from __future__ import annotations

from datetime import date

from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import ControllerCustomer, Organisation, Programme, System
from tutela.records.customers import (
    customer_systems,
    sub_processors,
    system_categories,
    unregistered_systems,
)
from tutela.records.names import Names
from tutela.records.tables import Column
from tutela.records.wording import (
    agreement_text,
    cell_lines,
    contact_text,
    hosting_transfer_text,
    organisation_text,
    recipient_text,
    representative_text,
    retention_text,
    security_text,
    third_countries,
    transfer_text,
)

PROCESSOR_COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference"),
    Column("controller", "Controller acted for, and contact details", "Art. 30(2)(a)"),
    Column("controller_representative", "Controller's representative", "Art. 30(2)(a)"),
    Column("controller_dpo", "Controller's data protection officer", "Art. 30(2)(a)"),
    Column("processor", "Processor name and contact details", "Art. 30(2)(a)"),
    Column("representative", "Processor's representative", "Art. 30(2)(a)"),
    Column("dpo", "Processor's data protection officer", "Art. 30(2)(a)"),
    Column("sub_processors", "Sub-processors", "Art. 30(2)(a), 28(2)"),
    Column("processing", "Categories of processing carried out", "Art. 30(2)(b)"),
    Column("transfers", "Transfers to third countries and safeguards", "Art. 30(2)(c)"),
    Column("security_measures", "Technical and organisational measures", "Art. 30(2)(d)"),
    Column("systems", "Systems (hosting country)"),
    Column("data_categories", "Categories of personal data"),
    Column("agreement", "Processing agreement", "Art. 28(3)"),
    Column("erasure", "Erasure as the controller instructs", "Art. 28(3)(a), (g)"),
)
"""Columns of the processor record (Art. 30(2)), one row per controller acted for."""

NOT_REGISTERED = "NOT IN THE DPA REGISTER"
"""How a processor system's row begins when no ``dpa_register`` entry names it."""


def processor_rows(
    programme: Programme, organisation: Organisation, names: Names, on: date
) -> tuple[tuple[str, ...], ...]:
    """One Art. 30(2) row per DPA register entry, then one per unregistered processor system."""
    rows = [_customer_row(programme, organisation, c, names, on) for c in programme.dpa_register]
    rows += [
        _unregistered_row(programme, organisation, s, names, on)
        for s in unregistered_systems(programme)
    ]
    return tuple(rows)


def processor_note(programme: Programme) -> str:
    """What the processor record holds, naming any processor system missing from the register."""
    missing = [system.key for system in unregistered_systems(programme)]
    if not programme.dpa_register and not missing:
        return (
            "No processing as a processor is declared (no dpa_register entry and no system "
            "has role: processor). This record is kept anyway: RP-1, Art. 30(2)."
        )
    note = "One record per controller (customer) in the DPA register (dpa_register)."
    if missing:
        note += (
            f" {NOT_REGISTERED}: processor system(s) {', '.join(missing)} - no entry names the"
            " controllers they process for; add them to dpa_register (Art. 30(2)(a))."
        )
    return note


def _customer_row(
    programme: Programme,
    organisation: Organisation,
    customer: ControllerCustomer,
    names: Names,
    on: date,
) -> tuple[str, ...]:
    systems = customer_systems(programme, customer)
    signed = f", signed {customer.signed.isoformat()}" if customer.signed else ""
    cells = {
        "reference": customer.key,
        "controller": customer_text(customer),
        "controller_representative": customer.representative or _no_representative(customer),
        "controller_dpo": customer.dpo or "None recorded",
        **_system_cells(programme, organisation, systems, names, on),
        "agreement": cell_lines(
            [f"{customer.dpa_reference}{signed}"]
            + [f"Terms: {s.dpa.reference}" for s in systems if s.dpa is not None]
        ),
        "erasure": cell_lines(_instructed_erasure(programme, customer, s) for s in systems),
    }
    return tuple(cells[column.key] for column in PROCESSOR_COLUMNS)


def _unregistered_row(
    programme: Programme, organisation: Organisation, system: System, names: Names, on: date
) -> tuple[str, ...]:
    stated = [system.controller or "", system.controller_contact or ""]
    rule = next((r for r in programme.retention if r.key == system.retention), None)
    cells = {
        "reference": system.key,
        "controller": cell_lines(
            [f"{NOT_REGISTERED}: no dpa_register entry names system '{system.key}'", *stated]
        ),
        "controller_representative": "Not recorded",
        "controller_dpo": "Not recorded",
        **_system_cells(programme, organisation, [system], names, on),
        "agreement": agreement_text(system),
        "erasure": retention_text(rule) if rule else "On the controller's instructions",
    }
    return tuple(cells[column.key] for column in PROCESSOR_COLUMNS)


def _system_cells(
    programme: Programme,
    organisation: Organisation,
    systems: list[System],
    names: Names,
    on: date,
) -> dict[str, str]:
    """The cells that come from the processor and the systems: 30(2)(a)-(d)."""
    subs = sub_processors(programme, systems)
    transfers = [hosting_transfer_text(s, on) for s in systems if _hosted_outside(s)]
    transfers += [transfer_text(r) for r in subs if third_countries(r)]
    return {
        "processor": organisation_text(organisation),
        "representative": representative_text(organisation),
        "dpo": contact_text(organisation.dpo) if organisation.dpo else "None designated",
        "sub_processors": cell_lines(recipient_text(r) for r in subs),
        "processing": cell_lines(_processing(s) for s in systems)
        if systems
        else "Not recorded (the entry names no system)",
        "transfers": cell_lines(transfers)
        if transfers
        else "None (no processor system or sub-processor outside the EEA)",
        "security_measures": security_text(organisation, systems),
        "systems": cell_lines(f"{s.name} ({s.hosting_country})" for s in systems),
        "data_categories": cell_lines(
            names.category(c) for s in systems for c in system_categories(s)
        ),
    }


def customer_text(customer: ControllerCustomer) -> str:
    """The controller's name, contact and country of establishment (Art. 30(2)(a))."""
    country = packaged_jurisdictions().country(customer.country)
    return "\n".join([customer.name, customer.contact, f"{country} ({customer.country})"])


def _no_representative(customer: ControllerCustomer) -> str:
    if packaged_jurisdictions().in_eea(customer.country):
        return "Not required (established in the EEA, Art. 27)"
    return "None recorded"


def _hosted_outside(system: System) -> bool:
    return not packaged_jurisdictions().in_eea(system.hosting_country)


def _processing(system: System) -> str:
    if system.processing_activities:
        return "\n".join(system.processing_activities)
    return system.description or f"{system.name}: not recorded"


def _instructed_erasure(programme: Programme, customer: ControllerCustomer, system: System) -> str:
    """The customer's documented deletion choice for ``system`` (PR-3, Art. 28(3)(a), (g))."""
    rule = next((r for r in programme.retention if r.key == system.retention), None)
    trigger = rule.trigger.replace("_", " ") if rule else "the scan"
    action = {"anonymise": "anonymised", "archive": "archived"}.get(
        rule.action if rule else "", "deleted"
    )
    end = ""
    if system.dpa is not None and "delete_or_return" in system.dpa.terms:
        end = "; deleted or returned when the services end (Art. 28(3)(g))"
    if customer.scan_retention:
        choice = f"{action} {customer.scan_retention} after {trigger}, as the customer chose"
        return f"{system.name}: {choice}{end}"
    return f"{system.name}: kept - the customer chose no deletion after {trigger}{end}"
