"""Retention ends per row, from the rule's trigger column; expired rows are erased (ER-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock, email, rows_of

from tutela.connectors.sql import SqlConnector
from tutela.programme.models import Collection, DatasetField, Programme
from tutela.rights.answers import render_batch
from tutela.rights.models import SubjectRequest
from tutela.rights.restrictions import subject_ref
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore


def _counted_from_created_at(programme: Programme) -> Programme:
    system = programme.systems[0]
    dataset = system.datasets[0]
    collections = [
        c.model_copy(update={"retention_from": "created_at", "fields": _random(c)})
        if c.name == "orders"
        else c
        for c in dataset.collections
    ]
    changed = system.model_copy(
        update={"datasets": [dataset.model_copy(update={"collections": collections})]}
    )
    return programme.model_copy(update={"systems": [changed]})


def _random(collection: Collection) -> list[DatasetField]:
    """Required columns get a strategy that fits them once their retention has passed."""
    return [
        f.model_copy(update={"masking": "random"}) if f.name in ("total", "created_at") else f
        for f in collection.fields
    ]


def test_ER_2_each_row_is_kept_until_its_own_date_and_expired_rows_are_erased(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:  # order 41 is from 2014: its ten years have passed
        connection.execute(sa.text("UPDATE orders SET created_at = '2014-05-06' WHERE id = 41"))
    engine.dispose()
    dsr = DsrService(
        _counted_from_created_at(programme),
        {"shop": shop},
        store,
        FixedClock(),
        HASH_KEY,
        restriction_store=store,
    )
    result = dsr.run([SubjectRequest("erasure", (("email", email(4)),))])
    [answer] = result.results
    kept = {r.field: r for r in answer.retained}
    assert kept["total"].until == datetime(2035, 1, 5, tzinfo=UTC)  # order 42: 2025-01-05 + 10y
    assert kept["total"].earliest == kept["total"].until  # only order 42 is still kept
    assert kept["total"].counted_from == "created_at"
    orders = {row["id"]: row for row in rows_of(shop_url, "orders", "customer_id = 4")}
    assert orders[42]["total"] is not None and str(orders[42]["created_at"]) == "2025-01-05"
    assert orders[41]["total"] != Decimal("41.50")  # erased (ER-1)
    assert str(orders[41]["created_at"]) != "2014-05-06"
    assert "each row from its created_at" in render_batch(result)
    restricted = store.restrictions("email", subject_ref("email", email(4), HASH_KEY))
    assert {r.until for r in restricted} == {datetime(2035, 1, 5, tzinfo=UTC)}


def test_ER_2_without_retention_from_the_period_counts_from_the_erasure(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    dsr = DsrService(programme, {"shop": shop}, store, FixedClock(), HASH_KEY)
    [answer] = dsr.run([SubjectRequest("erasure", (("email", email(2)),))]).results
    kept = {r.field: r for r in answer.retained}
    assert kept["total"].until == datetime(2036, 3, 2, 9, 0, tzinfo=UTC)
    assert kept["total"].counted_from is None and kept["total"].earliest is None
    assert date(2036, 3, 2) == kept["created_at"].until.date()  # type: ignore[union-attr]
