"""Plans on the Cloudockit example: a person's request stays on that person's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.rights.planner import plan_request

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"


@pytest.fixture(scope="module")
def cloudockit() -> Programme:
    return load_programme(EXAMPLE)


def test_ER_1_contact_erasure_never_reaches_the_customer_company(cloudockit: Programme) -> None:
    plan = plan_request(cloudockit, "erasure", ["email"])
    addresses = {step.address for step in plan.steps}
    assert {"webshop_db.contact", "crm_db.contact", "support_db.ticket"} <= addresses
    assert "webshop_db.customer" not in addresses
    assert "crm_db.company" not in addresses


def test_ER_1_customer_account_request_reaches_the_account_and_its_orders(
    cloudockit: Programme,
) -> None:
    addresses = {s.address for s in plan_request(cloudockit, "erasure", ["customer_id"]).steps}
    assert {"webshop_db.customer", "webshop_db.sales_order", "webshop_db.invoice"} <= addresses
    assert "webshop_db.contact" not in addresses


def test_ER_2_invoices_are_retained_under_tax_law(cloudockit: Programme) -> None:
    invoice = plan_request(cloudockit, "erasure", ["email"]).step("webshop_db.invoice")
    kept = [f for f in invoice.fields if f.retention is not None]
    assert kept and all(f.retention.basis == "legal_obligation" for f in kept)
