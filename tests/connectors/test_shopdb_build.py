"""The shop test database: counts per table, whales, the programme, the module's command."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError
from tutela.programme.loader import load_programme
from tutela.testing import shopdb
from tutela.testing.shopgen import REGULAR, Pools, ShopRows, Span


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        counts = {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in shopdb.TABLES
        }
    engine.dispose()
    return counts


def test_build_loads_customers_with_their_orders_items_cards_and_logins(
    shop_url: str, shop_customers: int
) -> None:
    counts = _counts(shop_url)
    n = shop_customers
    assert counts["customer"] == counts["address"] == n
    assert counts["login_event"] == 10 * n
    assert 4 * n <= counts["orders"] <= 6 * n
    assert 2.5 * counts["orders"] <= counts["order_item"] <= 3.5 * counts["orders"]
    assert 0.5 * n <= counts["payment_card"] <= 1.5 * n


def test_build_report_matches_the_database_and_is_deterministic(database_url: str) -> None:
    report = shopdb.build(database_url, customers=20, seed=3)
    assert report.rows == _counts(database_url)
    again = ShopRows(Pools.make(3), Span(range(1, 21)), REGULAR)
    assert report.rows["order_item"] == sum(1 for _ in again.order_item())


def test_schema_has_unique_email_indexed_references_and_restriction_default(shop_url: str) -> None:
    engine = sa.create_engine(shop_url)
    inspector = sa.inspect(engine)
    indexes = {tuple(ix["column_names"]): ix for ix in inspector.get_indexes("customer")}
    assert indexes[("email",)]["unique"]
    for table in ("orders", "payment_card", "login_event"):
        indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}
        assert ("customer_id",) in indexed
        keys = inspector.get_foreign_keys(table)
        assert [(k["constrained_columns"], k["referred_table"]) for k in keys] == [
            (["customer_id"], "customer")
        ]
    with engine.connect() as connection:
        flags = connection.execute(sa.text("SELECT DISTINCT processing_restricted FROM customer"))
        assert [bool(row[0]) for row in flags] == [False]
    engine.dispose()
    connector = SqlConnector("shop", shop_url)
    with pytest.raises(ConnectorError):
        connector.update("orders", {"id": [1]}, {"customer_id": 999_999})
    connector.close()


def test_whales_get_ten_thousand_logins_and_a_thousand_orders(
    shop_url: str, shop_customers: int
) -> None:
    before = _counts(shop_url)
    whales = shopdb.add_whales(shop_url, count=2)
    assert [w.id for w in whales] == [shop_customers + 1, shop_customers + 2]
    after = _counts(shop_url)
    assert after["customer"] - before["customer"] == 2
    assert after["login_event"] - before["login_event"] == 20_000
    assert after["orders"] - before["orders"] == 2_000
    assert after["order_item"] - before["order_item"] == 6_000
    assert after["payment_card"] - before["payment_card"] == 10
    connector = SqlConnector("shop", shop_url)
    found = connector.fetch("customer", {"email": [w.email for w in whales]}, ["id"])
    assert sorted(row["id"] for row in found) == [w.id for w in whales]
    assert connector.count("login_event", {"customer_id": [whales[0].id]}) == 10_000
    connector.close()


def test_build_refuses_a_database_that_already_has_the_shop(
    shop_url: str, shop_customers: int
) -> None:
    with pytest.raises(ValueError, match="already holds shop tables"):
        shopdb.build(shop_url, customers=1)
    assert _counts(shop_url)["customer"] == shop_customers


def test_shop_programme_loads_and_describes_all_six_collections() -> None:
    programme = load_programme(shopdb.shop_programme_path())
    system = programme.system("shop")
    assert system.connector is not None and system.connector.url_env == "TUTELA_SHOP_URL"
    collections = {c.name: c for c in system.datasets[0].collections}
    assert set(collections) == {t.name for t in shopdb.TABLES}
    identities = {f.identity for c in collections.values() for f in c.fields if f.identity}
    assert identities == {"email", "customer_id"}
    assert collections["customer"].restriction_flag == "processing_restricted"
    assert collections["payment_card"].erase == "delete"
    assert "tax_records" in collections["orders"].purposes
    assert programme.purpose("tax_records").legal_basis == "legal_obligation"
    assert programme.retention_rule("tax_10y").period == "10y"


def test_module_command_builds_and_hides_the_password(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shopdb.main(["--url", sqlite_url, "--customers", "3", "--whales", "1"]) == 0
    out = capsys.readouterr().out
    assert "customer                 3 rows" in out and "whale 4:" in out
    secret_url = "postgresql://postgres:Sh0p-Secret@127.0.0.1:1/shop"
    assert shopdb.main(["--url", secret_url, "--customers", "1"]) == 1
    captured = capsys.readouterr()
    assert "Sh0p-Secret" not in captured.out + captured.err
    assert captured.err.startswith("error:")
