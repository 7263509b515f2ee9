"""Erasure never masks a key column (ER-1): issue 13 item 7.

An imported Fides dataset puts ``user.unique_id`` on its foreign keys; with the
default ``null`` masking an erasure would have nulled the columns that tie a
subject's orders, cards and logins to them, and ``tutela check`` found nothing.
Now ``check`` reports it as ``erasure/masks-key-column``, the plan shows the
column as kept with the reason, and after a real erasure every child row still
joins to its parent.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock

from tutela.checks import run_checks
from tutela.connectors.sql import SqlConnector
from tutela.programme.importers.fides import FidesImport, import_datasets, systems_yaml
from tutela.programme.loader import LoadedProgramme, load
from tutela.programme.models import Programme
from tutela.programme.yaml_documents import read_document
from tutela.rights.answers import render_plan
from tutela.rights.models import Plan, SubjectRequest
from tutela.rights.planner import plan_request
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

TESTS = Path(__file__).resolve().parents[1]
FIDES = TESTS / "programme" / "fixtures_fides" / "postgres_example.yml"
MINIMAL = TESTS / "fixtures" / "minimal"
RULE = "erasure/masks-key-column"
SHOP_KEYS = {
    "customer": "address_id",
    "orders": "customer_id",
    "order_item": "order_id",
    "payment_card": "customer_id",
    "login_event": "customer_id",
}
"""The foreign key of each shop collection, given a personal category by :func:`keyed_shop`."""


def keyed_shop(rule: dict[str, str] | None = None) -> LoadedProgramme:
    """The shop programme with ``user.unique_id`` on every foreign key, masking default null."""
    loaded = load(shopdb.shop_programme_path())
    data = loaded.programme.model_dump()
    data["masking"]["default"] = "null"
    if rule is not None:
        data["masking"]["rules"].append(rule)
    for collection in data["systems"][0]["datasets"][0]["collections"]:
        for f in collection["fields"]:
            if SHOP_KEYS.get(collection["name"]) == f["name"]:
                f["data_categories"] = ["user.unique_id"]
    return dataclasses.replace(loaded, programme=Programme.model_validate(data))


def imported_fides(tmp_path: Path) -> LoadedProgramme:
    """The minimal programme plus the Fides example's PostgreSQL dataset, as imported."""
    document = read_document(FIDES)
    imported = import_datasets(document.data, source=str(FIDES), locations=document.values)
    postgres = FidesImport(datasets=imported.datasets[:1])
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    text = systems_yaml(postgres, system="shop", owner="Shop team", hosting_country="BE")
    (folder / "shop.yml").write_text(text, encoding="utf-8")
    return load(folder)


def fides_programme(tmp_path: Path) -> LoadedProgramme:
    """The imported dataset with every field's categories as the Fides file writes them.

    Fides puts ``user.unique_id`` on the primary key ``customer.id`` and on each
    ``customer_id`` reference; ``tutela import fides`` now leaves them off keys, an
    older import or a hand edit puts them back.
    """
    loaded = imported_fides(tmp_path)
    fides = read_document(FIDES).data["dataset"][0]
    written = {
        (c["name"], f["name"]): list(f.get("data_categories") or [])
        for c in fides["collections"]
        for f in c["fields"]
    }
    data = loaded.programme.model_dump()
    for system in data["systems"]:
        for dataset in system["datasets"]:
            for c in dataset["collections"] if dataset["key"] == "postgres_shop" else []:
                for f in c["fields"]:
                    f["data_categories"] = written[(c["name"], f["name"])]
    return dataclasses.replace(loaded, programme=Programme.model_validate(data))


def only_shop(loaded: LoadedProgramme) -> Programme:
    return loaded.programme.model_copy(
        update={"systems": [s for s in loaded.programme.systems if s.key == "shop"]}
    )


def kept(plan: Plan) -> dict[str, str | None]:
    """``collection.field`` → reason, for every field the erasure plan keeps as a key."""
    return {
        f"{step.collection}.{f.name}": f.reason
        for step in plan.steps
        for f in step.fields
        if f.action == "key"
    }


def masked(plan: Plan) -> set[str]:
    return {f"{s.collection}.{f.name}" for s in plan.steps for f in s.fields if f.action == "mask"}


# --- check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "strategy"),
    [(None, "null"), ({"category": "user.unique_id", "strategy": "hash"}, "hash")],
    ids=["masking-default-null", "category-rule-hash"],
)
def test_ER_1_check_reports_masking_that_reaches_a_foreign_key(
    rule: dict[str, str] | None, strategy: str
) -> None:
    findings = [f for f in run_checks(keyed_shop(rule)) if f.rule == RULE]
    named = {f.message.split("'")[1]: f for f in findings}
    masked_collections = {c: f for c, f in SHOP_KEYS.items() if c != "payment_card"}
    assert set(named) == {f"shop_db.{c}.{f}" for c, f in masked_collections.items()}
    # payment_card is erased by deleting whole rows: no strategy masks its key
    orders = named["shop_db.orders.customer_id"]
    assert orders.severity == "error"
    assert "key: used by reference orders.customer_id → customer.id" in orders.message
    assert f"erasure strategy is {strategy}" in orders.message
    assert orders.location is not None and orders.location.source.endswith("systems.yml")


def test_ER_1_check_passes_the_shop_as_shipped() -> None:
    assert [f for f in run_checks(load(shopdb.shop_programme_path())) if f.rule == RULE] == []


def test_ER_1_check_reports_the_imported_fides_dataset(tmp_path: Path) -> None:
    findings = [f for f in run_checks(fides_programme(tmp_path)) if f.rule == RULE]
    named = {f.message.split("'")[1]: f.message for f in findings}
    assert set(named) == {
        "postgres_shop.customer.id",
        "postgres_shop.orders.customer_id",
        "postgres_shop.payment_card.customer_id",
        "postgres_shop.login.customer_id",
    }
    assert "is a primary key" in named["postgres_shop.customer.id"]
    # address_id and shipping_address_id carry only system.operations: never masked, not reported


def test_ER_1_check_passes_the_fides_dataset_as_tutela_imports_it(tmp_path: Path) -> None:
    assert [f for f in run_checks(imported_fides(tmp_path)) if f.rule == RULE] == []


# --- plan ----------------------------------------------------------------------------------


def test_ER_1_plan_keeps_foreign_keys_and_says_why() -> None:
    plan = plan_request(keyed_shop().programme, "erasure", ["email"])
    assert kept(plan) == {
        "customer.address_id": "key: used by reference customer.address_id → address.id",
        "orders.customer_id": "key: used by reference orders.customer_id → customer.id",
        "order_item.order_id": "key: used by reference order_item.order_id → orders.id",
        "login_event.customer_id": "key: used by reference login_event.customer_id → customer.id",
    }  # payment_card rows are deleted whole (erase: delete)
    assert not masked(plan) & {f"{c}.{f}" for c, f in SHOP_KEYS.items()}
    text = render_plan(plan, {})
    assert "customer_id: kept (key: used by reference orders.customer_id → customer.id)" in text


def test_ER_1_plan_keeps_the_fides_keys_and_primary_key(tmp_path: Path) -> None:
    plan = plan_request(only_shop(fides_programme(tmp_path)), "erasure", ["email"])
    assert kept(plan) == {
        "customer.id": "primary key",
        "orders.customer_id": "key: used by reference orders.customer_id → customer.id",
        "payment_card.customer_id": "key: used by reference payment_card.customer_id → customer.id",
        "login.customer_id": "key: used by reference login.customer_id → customer.id",
    }
    assert masked(plan) == {
        "customer.email",
        "customer.name",
        "address.street",
        "address.city",
        "address.zip",
        "payment_card.ccn",
        "payment_card.name",
        "login.time",
    }


# --- erasure on the databases: every child row still joins to its parent -------------------


def joins(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each child's (id, parent id) pairs that join to their parent, by direct SQL."""
    queries = {
        "orders": "SELECT o.id, c.id FROM orders o JOIN customer c ON o.customer_id = c.id",
        "order_item": "SELECT i.id, o.id FROM order_item i JOIN orders o ON i.order_id = o.id",
        "login_event": (
            "SELECT e.id, c.id FROM login_event e JOIN customer c ON e.customer_id = c.id"
        ),
        "customer": "SELECT c.id, a.id FROM customer c JOIN address a ON c.address_id = a.id",
    }
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            name: sorted(tuple(row) for row in connection.execute(sa.text(sql)))
            for name, sql in queries.items()
        }
    engine.dispose()
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlDsrStore]:
    opened = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    yield opened
    opened.close()


def test_ER_1_shop_erasure_leaves_every_child_joined_to_its_parent(
    database_url: str, store: SqlDsrStore
) -> None:
    shopdb.build(database_url, customers=12, seed=3)
    before = joins(database_url)
    assert before["orders"] and before["login_event"]
    service = DsrService(
        keyed_shop().programme,
        {"shop": SqlConnector("shop", database_url)},
        store,
        FixedClock(),
        hash_key=HASH_KEY,
    )
    try:
        result = service.run([SubjectRequest("erasure", (("customer_id", "5"),))])
    finally:
        service.close()
    assert result.counts["shop_db.customer"] == 1
    assert joins(database_url) == before


fides_metadata = sa.MetaData()
sa.Table(
    "address",
    fides_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("street", sa.String(100)),
    sa.Column("city", sa.String(60)),
    sa.Column("zip", sa.String(10)),
)
sa.Table(
    "customer",
    fides_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(254)),
    sa.Column("name", sa.String(80)),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("address.id")),
    sa.Column("created", sa.DateTime),
)
for child in ("orders", "payment_card", "login"):
    extra = {
        "orders": [sa.Column("shipping_address_id", sa.Integer, sa.ForeignKey("address.id"))],
        "payment_card": [sa.Column("ccn", sa.String(30)), sa.Column("name", sa.String(80))],
        "login": [sa.Column("time", sa.DateTime)],
    }[child]
    sa.Table(
        child,
        fides_metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
        *extra,
    )
CHILDREN = ("orders", "payment_card", "login")


def build_fides_shop(url: str) -> None:
    engine = sa.create_engine(url)
    fides_metadata.create_all(engine)
    tables = fides_metadata.tables
    people = (1, 2, 3)
    with engine.begin() as connection:
        connection.execute(
            tables["address"].insert(), [{"id": i, "street": "Main"} for i in people]
        )
        connection.execute(
            tables["customer"].insert(),
            [
                {"id": i, "email": f"c{i}@example.test", "name": f"C{i}", "address_id": i}
                for i in people
            ],
        )
        for child in CHILDREN:
            rows = [{"id": i * 10 + k, "customer_id": i} for i in people for k in (1, 2, 3)]
            connection.execute(tables[child].insert(), rows)
    engine.dispose()


def children_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            child: sorted(
                tuple(row)
                for row in connection.execute(
                    sa.text(
                        f"SELECT t.id, c.id FROM {child} t JOIN customer c ON t.customer_id = c.id"
                    )
                )
            )
            for child in CHILDREN
        }
    engine.dispose()
    return found


def test_ER_1_fides_erasure_keeps_every_row_tied_to_its_customer(
    database_url: str, store: SqlDsrStore, tmp_path: Path
) -> None:
    build_fides_shop(database_url)
    before = children_of(database_url)
    service = DsrService(
        only_shop(fides_programme(tmp_path)),
        {"shop": SqlConnector("shop", database_url)},
        store,
        FixedClock(),
        hash_key=HASH_KEY,
    )
    try:
        service.run([SubjectRequest("erasure", (("email", "c2@example.test"),))])
    finally:
        service.close()
    assert children_of(database_url) == before
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        erased = connection.execute(sa.text("SELECT email, name FROM customer WHERE id = 2")).one()
    engine.dispose()
    assert tuple(erased) == (None, None)  # the personal fields were erased, the keys kept
