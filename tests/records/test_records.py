"""RP-1, Art. 30: the controller and processor records built from the programme."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.records.build import (
    CONTROLLER_COLUMNS,
    PROCESSOR_COLUMNS,
    Records,
    build_records,
)

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"

SCAN_SYSTEM: dict[str, Any] = {
    "key": "scanner",
    "name": "Scan service",
    "owner": "Product",
    "role": "processor",
    "controller": "Each customer (the licensee)",
    "controller_contact": "The customer's privacy contact named in the order",
    "dpa": {"reference": "DPA-2026", "signed": "2026-01-10"},
    "hosting_country": "CA",
    "purposes": ["scanning"],
    "processing_activities": ["Scan IT assets", "Render diagrams"],
    "retention": "scan_24h",
    "security_measures": ["Scan results encrypted per tenant"],
    "datasets": [
        {
            "key": "scans",
            "name": "Scan results",
            "collections": [
                {"name": "asset", "fields": [{"name": "owner", "data_categories": ["user.name"]}]}
            ],
        }
    ],
}

CLOUD_US: dict[str, Any] = {
    "key": "cloud_us",
    "name": "US Cloud Inc.",
    "kind": "processor",
    "purposes": ["supply_services", "scanning"],
    "countries": ["US"],
    "safeguard": {
        "mechanism": "scc",
        "scc_module": "M2",
        "tia": {"reference": "TIA-7", "assessed_on": "2026-01-05", "review_on": "2027-01-05"},
    },
    "supplementary_measures": ["Encryption with keys held in the EU"],
}


def rich_programme() -> Programme:
    """The minimal programme plus a processor system, a US sub-processor, a joint controller."""
    data = load_programme(MINIMAL).model_dump(mode="json")
    data["organisation"]["eu_representative"] = {"name": "EU Rep SRL", "email": "rep@eu.test"}
    data["retention"].append({"key": "scan_24h", "name": "Scan data", "period": "24h"})
    data["purposes"].append(
        {
            "key": "scanning",
            "name": "Scan customers' IT assets",
            "description": "Run the scans our customers order.",
            "legal_basis": "contract",
            "profiling": {"profiling": True, "automated_decision": True, "logic": "Risk score"},
        }
    )
    data["systems"].append(SCAN_SYSTEM)
    data["recipients"] += [
        CLOUD_US,
        {
            "key": "partner",
            "name": "Partner NV",
            "kind": "joint_controller",
            "purposes": ["newsletter"],
        },
    ]
    return Programme.model_validate(data)


@pytest.fixture(scope="module")
def records() -> Records:
    return build_records(rich_programme(), generated_on=date(2026, 3, 1))


def row(records: Records, table: str, reference: str) -> dict[str, str]:
    rows = getattr(records, table).as_dicts()
    return next(r for r in rows if r["reference"] == reference)


@pytest.mark.parametrize("point", "abcdefg")
def test_RP_1_controller_record_has_every_art_30_1_item(point: str) -> None:
    assert any(column.source == f"Art. 30(1)({point})" for column in CONTROLLER_COLUMNS)


@pytest.mark.parametrize("point", "abcd")
def test_RP_1_processor_record_has_every_art_30_2_item(point: str) -> None:
    assert any(column.source == f"Art. 30(2)({point})" for column in PROCESSOR_COLUMNS)


def test_RP_1_one_controller_record_per_purpose(records: Records) -> None:
    references = [r["reference"] for r in records.controller.as_dicts()]
    assert references == ["supply_services", "newsletter", "scanning"]


def test_RP_1_processor_record_always_exists_even_when_empty() -> None:
    records = build_records(load_programme(MINIMAL), generated_on=date(2026, 3, 1))
    assert records.processor.rows == ()
    assert records.processor.columns == PROCESSOR_COLUMNS
    assert "RP-1" in records.processor.note


def test_RP_1_controller_identity_representative_and_dpo(records: Records) -> None:
    record = row(records, "controller", "supply_services")
    assert record["controller"].startswith("Example Analytics SRL\nRue de la Loi 1, 1000 Brussels")
    assert "privacy@example.test" in record["controller"]
    assert record["representative"] == "EU Rep SRL\nrep@eu.test"
    assert record["dpo"] == "Data Protection Officer\ndpo@example.test"


def test_RP_1_joint_controller_listed_for_its_purpose(records: Records) -> None:
    assert "Partner NV" in row(records, "controller", "newsletter")["joint_controllers"]
    assert row(records, "controller", "supply_services")["joint_controllers"] == "None"


def test_RP_1_purpose_subjects_and_categories(records: Records) -> None:
    record = row(records, "controller", "supply_services")
    assert record["purpose"] == "Deliver the service our customers bought and invoice it."
    assert record["data_subjects"] == "Customer contacts"
    assert "(user.contact.email)" in record["data_categories"]
    assert "(user.name)" in record["data_categories"]


def test_RP_1_recipients_name_third_countries(records: Records) -> None:
    recipients = row(records, "controller", "supply_services")["recipients"].splitlines()
    assert "Example Cloud GmbH (processor; DE)" in recipients
    assert "US Cloud Inc. (processor; US; third country: US)" in recipients


def test_RP_1_transfers_give_country_safeguard_module_and_tia(records: Records) -> None:
    transfers = row(records, "controller", "supply_services")["transfers"]
    assert transfers.startswith("US Cloud Inc. → US: standard contractual clauses")
    assert "module M2" in transfers
    assert "TIA TIA-7 of 2026-01-05, review 2027-01-05" in transfers
    assert "Encryption with keys held in the EU" in transfers
    assert "no recipient outside the EEA" in row(records, "controller", "newsletter")["transfers"]


def test_RP_1_erasure_time_limit_per_category(records: Records) -> None:
    limits = row(records, "controller", "supply_services")["erasure_time_limits"]
    assert limits == (
        "User Contact Email, Name: 7y after contract end, then deleted - Contract term plus 7 years"
    )


def test_RP_1_erasure_time_limit_without_rule_says_so() -> None:
    data = rich_programme().model_dump(mode="json")
    data["purposes"][0]["retention"] = None
    records = build_records(Programme.model_validate(data))
    assert "Not stated" in row(records, "controller", "supply_services")["erasure_time_limits"]


def test_RP_1_security_measures_and_extras(records: Records) -> None:
    record = row(records, "controller", "supply_services")
    assert "Encryption at rest and in transit" in record["security_measures"]
    assert record["legal_basis"] == "Contract (Art. 6(1)(b))"
    assert record["sources"] == "Directly from you (subject)"
    assert record["profiling"] == "No"
    assert record["systems"] == "CRM (DE)"
    scanning = row(records, "controller", "scanning")
    assert scanning["profiling"] == "Automated decision (Art. 22): Risk score"


def test_art30_2_a_processor_system_without_register_entry_is_reported(
    records: Records,
) -> None:
    record = row(records, "processor", "scanner")
    assert record["controller"].splitlines() == [
        "NOT IN THE DPA REGISTER: no dpa_register entry names system 'scanner'",
        "Each customer (the licensee)",
        "The customer's privacy contact named in the order",
    ]
    assert "NOT IN THE DPA REGISTER: processor system(s) scanner" in records.processor.note
    assert record["processor"].startswith("Example Analytics SRL")
    assert record["processing"] == "Scan IT assets\nRender diagrams"
    assert record["representative"] == "EU Rep SRL\nrep@eu.test"
    assert "Data Protection Officer" in record["dpo"]


def test_art30_2_c_unregistered_system_still_lists_sub_processors_and_transfers(
    records: Records,
) -> None:
    record = row(records, "processor", "scanner")
    assert record["sub_processors"] == "US Cloud Inc. (processor; US; third country: US)"
    transfers = record["transfers"].splitlines()
    assert transfers[0].startswith("Scan service → Canada (CA, hosting): adequacy decision")
    assert transfers[1].startswith("US Cloud Inc. → US: standard contractual clauses")


def test_art30_2_d_unregistered_system_security_agreement_and_erasure(records: Records) -> None:
    record = row(records, "processor", "scanner")
    assert "Scan results encrypted per tenant" in record["security_measures"]
    assert "Role-based access control" in record["security_measures"]
    assert record["agreement"] == "DPA-2026, signed 2026-01-10"
    assert record["erasure"] == "24h after collection, then deleted - Scan data"
    assert record["systems"] == "Scan service (CA)"
    assert record["data_categories"] == "Name (user.name)"


def test_RP_1_records_identify_organisation_and_version(records: Records) -> None:
    assert (records.organisation, records.statement_version) == ("Example Analytics SRL", "1.0")
    assert records.effective_date is not None and records.effective_date.isoformat() == "2026-01-15"


def test_RP_1_build_is_deterministic() -> None:
    day = date(2026, 3, 1)
    first = build_records(rich_programme(), generated_on=day)
    assert first == build_records(rich_programme(), generated_on=day)
