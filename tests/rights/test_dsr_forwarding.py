"""PR-2: requests about processor-role data are forwarded to the controller, not answered."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock

from tutela.connectors.sql import SqlConnector
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme, System
from tutela.rights.executor import execute_batch
from tutela.rights.models import SubjectRequest
from tutela.rights.planner import plan_request
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"

SCANS = System.model_validate(
    {
        "key": "scans",
        "name": "Customer scan store",
        "owner": "Engineering",
        "role": "processor",
        "controller": "Each customer",
        "controller_contact": "the customer's administrator",
        "dpa": {"reference": "DPA v1"},
        "hosting_country": "BE",
        "connector": {"type": "sql", "url_env": "TUTELA_SCANS_URL"},
        "datasets": [
            {
                "key": "scan_db",
                "name": "Scans",
                "collections": [
                    {
                        "name": "asset_owner",
                        "erase": "delete",
                        "fields": [
                            {"name": "id", "primary_key": True},
                            {
                                "name": "email",
                                "identity": "email",
                                "data_categories": ["user.contact.email"],
                            },
                        ],
                    }
                ],
            }
        ],
    }
)


def shop_with_scans() -> Programme:
    shop = load_programme(shopdb.shop_programme_path())
    return shop.model_copy(update={"systems": [*shop.systems, SCANS]})


def test_PR_2_processor_collections_are_not_planned_but_forwarded() -> None:
    plan = plan_request(load_programme(EXAMPLE), "erasure", ["email"])
    assert not [step for step in plan.steps if step.system == "scan_store"]
    (forwarded,) = plan.forwarded
    assert forwarded.system == "scan_store"
    assert "customer" in forwarded.controller.lower()
    assert "scan_db.asset_owner" in forwarded.collections


def test_PR_2_processor_data_is_untouched_by_an_erasure(tmp_path: Path) -> None:
    shop_url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    scans_url = f"sqlite:///{tmp_path / 'scans.sqlite'}"
    shopdb.build(shop_url, customers=5, seed=3)
    engine = sa.create_engine(scans_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE asset_owner (id INTEGER PRIMARY KEY, email TEXT)"))
        connection.execute(sa.text("INSERT INTO asset_owner VALUES (1, :e)"), {"e": "x@y.test"})
    with sa.create_engine(shop_url).begin() as connection:
        connection.execute(sa.text("UPDATE customer SET email = 'x@y.test' WHERE id = 1"))
    connectors = {"shop": SqlConnector("shop", shop_url), "scans": SqlConnector("scans", scans_url)}
    store = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    request = SubjectRequest("erasure", (("email", "x@y.test"),))

    result = execute_batch(
        shop_with_scans(), [request], connectors, store, FixedClock(), hash_key=HASH_KEY
    )

    assert [f.system for f in result.forwarded] == ["scans"]
    assert result.results[0].found
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT email FROM asset_owner")).all()
    assert [tuple(r) for r in rows] == [("x@y.test",)]
    for connector in connectors.values():
        connector.close()
    engine.dispose()


def test_PR_2_identity_known_only_to_a_processor_system_is_forwarded() -> None:
    plan = plan_request(load_programme(EXAMPLE), "access", ["principal_name"])
    assert plan.steps == ()
    assert [f.system for f in plan.forwarded] == ["scan_store"]
