"""Art. 30(2), PR-1..PR-4: the processor record, one row per controller of the DPA register."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tutela.errors import PolicyErrors
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.records.build import PROCESSOR_COLUMNS, Records, build_records

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
EXAMPLE = ROOT / "examples" / "cloudockit"
DAY = date(2026, 3, 1)


def system(key: str, country: str, **extra: Any) -> dict[str, Any]:
    """A processor system holding scan data (a processor-only category) and a name."""
    fields = [
        {"name": "id", "primary_key": True},
        {"name": "owner", "data_categories": ["user.name"]},
        {"name": "asset", "data_categories": ["user.scan.asset"]},
    ]
    return {
        "key": key,
        "name": f"{key.title()} store",
        "owner": "Product",
        "role": "processor",
        "dpa": {"reference": f"{key} terms v2", "terms": ["delete_or_return"]},
        "hosting_country": country,
        "processing_activities": [f"Run {key} for the customer"],
        "retention": "scan_rule",
        "security_measures": [f"{key} encrypted per customer"],
        "datasets": [
            {"key": f"{key}_db", "name": key, "collections": [{"name": "t", "fields": fields}]}
        ],
        **extra,
    }


def recipient(key: str, countries: list[str], **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": key.title(), "kind": "processor", "countries": countries, **extra}


SCC = {
    "mechanism": "scc",
    "scc_module": "M3",
    "tia": {"reference": "TIA-9", "assessed_on": "2026-01-05", "review_on": "2027-01-05"},
}

CUSTOMERS: list[dict[str, Any]] = [
    {
        "key": "industries",
        "name": "Example Industries SA",
        "contact": "privacy@industries.test",
        "country": "FR",
        "dpo": "DPO, dpo@industries.test",
        "dpa_reference": "DPA-1",
        "signed": "2025-03-14",
        "systems": ["scanner", "vault"],
        "scan_retention": "24h",
    },
    {
        "key": "logistics",
        "name": "Sample Logistics GmbH",
        "contact": "privacy@logistics.test",
        "country": "DE",
        "dpa_reference": "DPA-2",
        "systems": ["scanner"],
        "scan_retention": "48h",
    },
    {
        "key": "holdings",
        "name": "Demo Holdings Ltd",
        "contact": "it@holdings.example.com",
        "country": "GB",
        "representative": "EU Rep BV, rep@example.com",
        "dpa_reference": "DPA-3",
        "systems": ["scanner"],
    },
]


def processor_programme(**changes: Any) -> Programme:
    """The minimal programme with two processor systems, sub-processors and a DPA register."""
    data = load_programme(MINIMAL).model_dump(mode="json")
    data["categories"] = [
        {"key": "user.scan", "name": "Scan data", "parent": "user"},
        {"key": "user.scan.asset", "name": "Scanned assets", "parent": "user.scan"},
    ]
    data["retention"].append(
        {
            "key": "scan_rule",
            "name": "Scans",
            "period": "48h",
            "choices": ["24h", "48h"],
            "trigger": "scan_completed",
        }
    )
    data["systems"] += [system("scanner", "NL"), system("vault", "US")]
    data["recipients"] += [
        recipient("scan_host", ["NL", "CA"], categories=["user.scan"]),
        recipient("us_backup", ["US"], categories=["user.scan.asset"], safeguard=SCC),
        recipient("mailer", ["US"], categories=["user.name"], safeguard=SCC),
        {**recipient("scan_partner", ["BE"], categories=["user.scan"]), "kind": "controller"},
    ]
    data["dpa_register"] = CUSTOMERS
    data.update(changes)
    return Programme.model_validate(data)


@pytest.fixture(scope="module")
def records() -> Records:
    return build_records(processor_programme(), generated_on=DAY)


def row(records: Records, reference: str) -> dict[str, str]:
    return next(r for r in records.processor.as_dicts() if r["reference"] == reference)


# --- Art. 30(2)(a): the controllers, the processor, the sub-processors ----------------------


def test_art30_2_a_one_record_per_controller_of_the_register(records: Records) -> None:
    assert [r["reference"] for r in records.processor.as_dicts()] == [
        "industries",
        "logistics",
        "holdings",
    ]
    assert records.processor.note.startswith("One record per controller (customer)")
    assert "NOT IN THE DPA REGISTER" not in records.processor.note


def test_art30_2_a_names_each_controller_and_contact(records: Records) -> None:
    assert row(records, "industries")["controller"].splitlines() == [
        "Example Industries SA",
        "privacy@industries.test",
        "France (FR)",
    ]
    assert row(records, "holdings")["controller"].splitlines()[0] == "Demo Holdings Ltd"


def test_art30_2_a_controller_representative_and_dpo_where_given(records: Records) -> None:
    holdings, industries = row(records, "holdings"), row(records, "industries")
    assert holdings["controller_representative"] == "EU Rep BV, rep@example.com"
    assert holdings["controller_dpo"] == "None recorded"
    assert industries["controller_representative"].startswith("Not required (established in")
    assert industries["controller_dpo"] == "DPO, dpo@industries.test"


def test_art30_2_a_processor_own_name_contact_and_dpo(records: Records) -> None:
    record = row(records, "logistics")
    assert record["processor"].startswith("Example Analytics SRL\nRue de la Loi 1")
    assert "privacy@example.test" in record["processor"]
    assert record["dpo"] == "Data Protection Officer\ndpo@example.test"
    assert record["representative"].startswith("Not required")


def test_art28_2_sub_processors_hold_processor_only_categories(records: Records) -> None:
    subs = row(records, "industries")["sub_processors"].splitlines()
    assert subs == [
        "Scan_Host (processor; NL, CA; third country: CA)",
        "Us_Backup (processor; US; third country: US)",
    ]


def test_art28_2_shared_categories_and_controllers_are_not_sub_processors(
    records: Records,
) -> None:
    subs = row(records, "industries")["sub_processors"]
    assert "Mailer" not in subs  # user.name: also held as a controller
    assert "Scan_Partner" not in subs  # kind controller, not a processor


def test_art28_2_sub_processor_by_purpose_of_the_system() -> None:
    programme = processor_programme()
    data = programme.model_dump(mode="json")
    data["systems"][1]["purposes"] = ["supply_services"]  # scanner
    records = build_records(Programme.model_validate(data), generated_on=DAY)
    assert "Example Cloud GmbH (processor; DE)" in row(records, "logistics")["sub_processors"]


# --- Art. 30(2)(b)-(d) ------------------------------------------------------------------


def test_art30_2_b_categories_of_processing_per_controller(records: Records) -> None:
    assert (
        row(records, "industries")["processing"]
        == "Run scanner for the customer\nRun vault for the customer"
    )
    assert row(records, "logistics")["processing"] == "Run scanner for the customer"
    assert row(records, "logistics")["systems"] == "Scanner store (NL)"
    categories = row(records, "logistics")["data_categories"].splitlines()
    assert categories == ["Name (user.name)", "Scanned assets (user.scan.asset)"]


def test_art30_2_c_transfers_of_hosting_and_sub_processors(records: Records) -> None:
    transfers = row(records, "industries")["transfers"].splitlines()
    assert transfers[0] == (
        "Vault store → United States (US, hosting): the hosting provider's safeguard "
        "(see sub-processors)"
    )
    assert transfers[1].startswith("Scan_Host → CA: no safeguard recorded")
    assert transfers[2].startswith("Us_Backup → US: standard contractual clauses")
    assert "module M3" in transfers[2] and "TIA TIA-9" in transfers[2]


def test_art30_2_c_hosting_in_an_adequate_country_names_the_decision() -> None:
    data = processor_programme().model_dump(mode="json")
    data["systems"][2]["hosting_country"] = "CA"  # vault
    records = build_records(Programme.model_validate(data), generated_on=DAY)
    transfers = row(records, "industries")["transfers"]
    assert "Vault store → Canada (CA, hosting): adequacy decision (Art. 45), Decision" in transfers


def test_art30_2_c_no_transfer_says_none() -> None:
    data = processor_programme().model_dump(mode="json")
    data["recipients"] = [
        r for r in data["recipients"] if r["key"] not in {"scan_host", "us_backup"}
    ]
    records = build_records(Programme.model_validate(data), generated_on=DAY)
    assert row(records, "logistics")["transfers"] == (
        "None (no processor system or sub-processor outside the EEA)"
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("DOC-49", "suitable safeguards documented in DOC-49 (Art. 49(1) 2nd subpara.)"),
        (None, "documentation of suitable safeguards NOT RECORDED (Art. 49(1) 2nd subpara.)"),
    ],
)
def test_art30_2_c_art49_1_second_subparagraph_gives_the_documentation(
    reference: str | None, expected: str
) -> None:
    data = processor_programme().model_dump(mode="json")
    data["recipients"][-3]["safeguard"] = {  # us_backup
        "mechanism": "derogation",
        "derogation": "Art. 49(1) second subparagraph: compelling legitimate interests",
        "reference": reference,
    }
    records = build_records(Programme.model_validate(data), generated_on=DAY)
    assert expected in row(records, "logistics")["transfers"]


def test_art30_2_d_security_measures_of_processor_and_systems(records: Records) -> None:
    measures = row(records, "industries")["security_measures"].splitlines()
    assert measures[:2] == ["Encryption at rest and in transit", "Role-based access control"]
    assert "scanner encrypted per customer" in measures
    assert "vault encrypted per customer" in measures
    assert "vault encrypted per customer" not in row(records, "logistics")["security_measures"]


def test_art28_3_agreement_of_each_controller(records: Records) -> None:
    assert row(records, "industries")["agreement"].splitlines() == [
        "DPA-1, signed 2025-03-14",
        "Terms: scanner terms v2",
        "Terms: vault terms v2",
    ]
    assert row(records, "logistics")["agreement"].startswith("DPA-2\n")


def test_PR_3_erasure_follows_each_controllers_instruction(records: Records) -> None:
    end = "; deleted or returned when the services end (Art. 28(3)(g))"
    assert row(records, "logistics")["erasure"] == (
        f"Scanner store: deleted 48h after scan completed, as the customer chose{end}"
    )
    assert row(records, "industries")["erasure"].splitlines()[1] == (
        f"Vault store: deleted 24h after scan completed, as the customer chose{end}"
    )
    assert row(records, "holdings")["erasure"] == (
        f"Scanner store: kept - the customer chose no deletion after scan completed{end}"
    )


def test_RP_1_processor_columns_carry_their_provision() -> None:
    sources = {column.key: column.source for column in PROCESSOR_COLUMNS}
    assert sources["controller"] == sources["controller_dpo"] == "Art. 30(2)(a)"
    assert sources["processing"] == "Art. 30(2)(b)"
    assert sources["transfers"] == "Art. 30(2)(c)"
    assert sources["security_measures"] == "Art. 30(2)(d)"


# --- gaps and bad references ---------------------------------------------------------------


def test_art30_2_a_processor_system_no_entry_names_is_reported() -> None:
    register = [{**c, "systems": ["scanner"]} for c in CUSTOMERS]
    records = build_records(processor_programme(dpa_register=register), generated_on=DAY)
    vault = row(records, "vault")
    assert vault["controller"].startswith("NOT IN THE DPA REGISTER: no dpa_register entry")
    assert "NOT IN THE DPA REGISTER: processor system(s) vault" in records.processor.note


def test_art30_2_a_entry_without_system_says_so() -> None:
    register = [{**CUSTOMERS[0], "systems": []}]
    records = build_records(processor_programme(dpa_register=register), generated_on=DAY)
    assert row(records, "industries")["processing"] == "Not recorded (the entry names no system)"


def test_art30_2_register_naming_an_unknown_system_is_a_clear_error() -> None:
    register = [{**CUSTOMERS[1], "systems": ["scanner", "scaner"]}]
    with pytest.raises(PolicyErrors) as raised:
        build_records(processor_programme(dpa_register=register), generated_on=DAY)
    [error] = raised.value.errors
    assert error.path == "dpa_register[logistics].systems[1]"
    assert "names system 'scaner', which is not declared" in error.message


def test_art30_2_register_naming_a_controller_system_is_a_clear_error() -> None:
    register = [{**CUSTOMERS[1], "systems": ["crm"]}]
    with pytest.raises(PolicyErrors) as raised:
        build_records(processor_programme(dpa_register=register), generated_on=DAY)
    [error] = raised.value.errors
    assert "names system 'crm', which has role: controller" in error.message
    assert error.hint is not None and "role: processor" in error.hint


def test_art30_2_register_with_a_customer_twice_is_a_clear_error() -> None:
    register = [CUSTOMERS[1], CUSTOMERS[1]]
    with pytest.raises(PolicyErrors, match="customer 'logistics' is written 2 times"):
        build_records(processor_programme(dpa_register=register), generated_on=DAY)


# --- the example ---------------------------------------------------------------------------


def test_art30_2_cloudockit_has_a_record_per_customer_with_its_choice() -> None:
    records = build_records(load_programme(EXAMPLE), generated_on=DAY)
    rows = records.processor.as_dicts()
    assert len(rows) == 3
    assert all(r["systems"] == "Cloudockit SaaS scan store (NL)" for r in rows)
    chosen = ["deleted 24h after", "deleted 48h after", "kept - the customer chose no deletion"]
    assert all(choice in r["erasure"] for choice, r in zip(chosen, rows, strict=True))
    assert all("Hosting providers of our website" in r["sub_processors"] for r in rows)
    assert "NOT IN THE DPA REGISTER" not in records.processor.note
