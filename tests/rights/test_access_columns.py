"""Access shows every column of the subject's rows, but other people's data (AC-1, Art. 15(4))."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock, email

from tutela.connectors.sql import SqlConnector
from tutela.programme.models import Programme
from tutela.rights.answers import render_batch
from tutela.rights.models import SubjectRequest
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore


def _with_gift_messages_about_others(programme: Programme) -> Programme:
    system = programme.systems[0]
    dataset = system.datasets[0]
    collections = []
    for collection in dataset.collections:
        fields = [
            f.model_copy(update={"about_others": "written to the gift's recipient"})
            if (collection.name, f.name) == ("order_item", "gift_message")
            else f
            for f in collection.fields
        ]
        collections.append(collection.model_copy(update={"fields": fields}))
    changed = system.model_copy(
        update={"datasets": [dataset.model_copy(update={"collections": collections})]}
    )
    return programme.model_copy(update={"systems": [changed]})


def _access(programme: Programme, shop: SqlConnector, store: SqlDsrStore) -> Any:
    service = DsrService(programme, {"shop": shop}, store, FixedClock(), HASH_KEY)
    return service.run([SubjectRequest("access", (("email", email(2)),))])


def test_AC_1_access_shows_undeclared_and_non_personal_columns(
    programme: Programme, store: SqlDsrStore, shop_url: str
) -> None:
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customer ADD COLUMN nickname VARCHAR(40)"))
        connection.execute(sa.text("UPDATE customer SET nickname = 'Bee' WHERE id = 2"))
    engine.dispose()
    shop = SqlConnector("shop", shop_url)
    try:
        result = _access(programme, shop, store)
    finally:
        shop.close()
    collections = {c.collection: c for c in result.results[0].collections}
    [customer] = collections["shop.customer"].rows
    assert customer["nickname"] == "Bee"  # a column the programme does not declare
    assert {item["product"] for item in collections["shop.order_item"].rows} == {"tea"}


def test_AC_1_other_peoples_data_is_withheld_with_the_reason(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    result = _access(_with_gift_messages_about_others(programme), shop, store)
    items = {c.collection: c for c in result.results[0].collections}["shop.order_item"]
    assert all("gift_message" not in row for row in items.rows)
    assert items.withheld == {"gift_message": "written to the gift's recipient"}
    assert "withheld gift_message: written to the gift's recipient" in render_batch(result)
