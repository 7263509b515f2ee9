"""Art. 30(1)(f), RT-1: time limits for erasure per data category where the rules differ."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.records.build import build_records

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
EXAMPLE = ROOT / "examples" / "cloudockit"

SEVEN_YEARS = "7y after contract end, then deleted - Contract term plus 7 years"
TWO_YEARS = "2y after last contact, then deleted - Two years after last contact"
TEN_YEARS = "10y after invoice date, then deleted - Tax law"


def billing(**collection: Any) -> dict[str, Any]:
    """A controller system holding e-mail addresses (and names on invoices)."""
    invoice = {
        "name": "invoice",
        "fields": [
            {"name": "id", "primary_key": True},
            {"name": "issued_on"},
            {"name": "email", "data_categories": ["user.contact.email"]},
        ],
        **collection,
    }
    return {
        "key": "billing",
        "name": "Billing",
        "owner": "Finance",
        "hosting_country": "BE",
        "purposes": ["supply_services"],
        "datasets": [{"key": "billing_db", "name": "Billing", "collections": [invoice]}],
    }


def limits(programme: Programme, purpose: str = "supply_services") -> str:
    records = build_records(programme, generated_on=date(2026, 3, 1))
    row = next(r for r in records.controller.as_dicts() if r["reference"] == purpose)
    return row["erasure_time_limits"]


def programme_with(system: dict[str, Any], **changes: Any) -> Programme:
    data = load_programme(MINIMAL).model_dump(mode="json")
    data["systems"].append(system)
    data["retention"].append(
        {"key": "tax", "name": "Tax law", "period": "10y", "trigger": "invoice_date"}
    )
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return Programme.model_validate(data)


def test_art30_1_f_one_limit_when_every_category_agrees() -> None:
    assert limits(load_programme(MINIMAL)) == f"User Contact Email, Name: {SEVEN_YEARS}"


def test_art30_1_f_system_rules_that_differ_give_each_category_its_limit() -> None:
    programme = programme_with({**billing(), "retention": "two_years"})
    assert limits(programme).splitlines() == [
        f"User Contact Email in CRM: {SEVEN_YEARS}",
        f"User Contact Email in Billing: {TWO_YEARS}",
        f"Name: {SEVEN_YEARS}",
    ]


def test_art30_1_f_collection_naming_its_purposes_keeps_the_purpose_rule() -> None:
    programme = programme_with({**billing(purposes=["supply_services"]), "retention": "two_years"})
    assert limits(programme) == f"User Contact Email, Name: {SEVEN_YEARS}"


def test_art30_1_f_field_kept_under_a_legal_obligation_has_that_limit() -> None:
    def add_tax_purpose(purposes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tax = {
            "key": "bookkeeping",
            "name": "Bookkeeping",
            "description": "Keep invoices as tax law requires.",
            "legal_basis": "legal_obligation",
            "legal_obligation": "VAT Code art. 60",
            "categories": ["user.contact.email"],
            "retention": "tax",
        }
        return [*purposes, tax]

    invoice = billing(purposes=["supply_services", "bookkeeping"])
    programme = programme_with(invoice, purposes=add_tax_purpose)
    assert limits(programme).splitlines() == [
        f"User Contact Email in CRM: {SEVEN_YEARS}",
        f"User Contact Email in Billing (invoice): {TEN_YEARS}",
        f"Name: {SEVEN_YEARS}",
    ]


def test_art30_1_f_retention_from_names_the_date_of_each_row() -> None:
    programme = programme_with(billing(retention_from="issued_on"))
    assert limits(programme).splitlines() == [
        f"User Contact Email in CRM: {SEVEN_YEARS}",
        "User Contact Email in Billing (invoice): 7y after contract end (each row's "
        "invoice.issued_on), then deleted - Contract term plus 7 years",
        f"Name: {SEVEN_YEARS}",
    ]


def test_art30_1_f_category_held_nowhere_takes_the_purpose_rule() -> None:
    def add_phone(purposes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        purposes[0]["categories"].append("user.contact.phone_number")
        return purposes

    programme = programme_with({**billing(), "retention": "two_years"}, purposes=add_phone)
    assert f"User Contact Phone Number: {SEVEN_YEARS}" in limits(programme).splitlines()


def test_art30_1_f_without_any_rule_says_not_stated() -> None:
    def no_rule(purposes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        purposes[0]["retention"] = None
        return purposes

    programme = programme_with({**billing(), "retention": "two_years"}, purposes=no_rule)
    assert "User Contact Email in CRM: Not stated (no retention rule)" in limits(programme)


def test_art30_1_f_cloudockit_marketing_to_customers_per_system() -> None:
    lines = limits(load_programme(EXAMPLE), "direct_marketing_customers").splitlines()
    assert any(line.startswith("Organization in CRM: 3y after last contact") for line in lines)
    assert any(
        line.startswith("Organization in Marketing automation platform: 2y after last")
        for line in lines
    )


def test_art30_1_f_cloudockit_call_recordings_keep_their_one_month() -> None:
    text = limits(load_programme(EXAMPLE), "call_recording")
    assert text.startswith("Call recordings, ")
    assert text.endswith(": 1m after call recorded, then deleted - Call recordings")
