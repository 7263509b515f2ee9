"""The DSR store on SQLite, PostgreSQL and MariaDB: migrations, batches, checkpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from minishop import FixedClock

from tutela.errors import ConfigurationError, StoreError
from tutela.ports import BatchRecord, RestrictionRecord
from tutela.store.dsr import SqlDsrStore

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_store_migrates_on_first_use_and_again_is_harmless(database_url: str) -> None:
    SqlDsrStore(database_url, FixedClock()).close()
    store = SqlDsrStore(database_url, FixedClock())
    store.close()
    engine = sa.create_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"tutela_dsr_batch", "tutela_dsr_checkpoint", "tutela_restriction"} <= tables
    assert "tutela_alembic_version" in tables


def test_store_keeps_the_first_batch_record_and_typed_payloads(database_url: str) -> None:
    store = SqlDsrStore(database_url, FixedClock())
    first = store.open_batch(BatchRecord("b1", "erasure", 2, AT))
    again = store.open_batch(BatchRecord("b1", "erasure", 9, datetime.now(UTC)))
    assert again == first and again.created_at == AT
    payload = {"rows": [{"id": 1, "total": Decimal("10.50"), "on": date(2025, 1, 2), "b": b"\x00"}]}
    store.save_checkpoint("b1", "resolve", payload)
    assert store.checkpoints("b1") == {"resolve": payload}
    store.finish_batch("b1", "done")
    assert store.batch("b1") == BatchRecord("b1", "erasure", 2, AT, "done", finished_at=AT)
    assert store.checkpoints("b1") == {}  # a closed batch keeps no checkpoint
    store.close()


def test_RS_2_restrictions_are_recorded_with_the_checkpoint(database_url: str) -> None:
    store = SqlDsrStore(database_url, FixedClock())
    store.open_batch(BatchRecord("b2", "restriction", 1, AT))
    record = RestrictionRecord("email", "a@b.c", ("storage", "consent"), "RS-1", "b2", AT)
    store.save_checkpoint("b2", "subjects", {}, [record])
    assert store.restrictions("email", "a@b.c") == [record]
    assert store.restrictions("email", "other@b.c") == []
    with pytest.raises(StoreError):
        store.save_checkpoint("b2", "subjects", {})
    store.close()


def test_store_url_errors_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="TUTELA_DATABASE_URL"):
        SqlDsrStore("nonsense://", FixedClock())


def test_a_new_batch_is_recorded_with_its_first_checkpoints_in_one_commit(
    database_url: str,
) -> None:
    store = SqlDsrStore(database_url, FixedClock())
    assert store.find_batch("b3") == (None, {})
    record = RestrictionRecord("email", "a@b.c", ("storage", "tax"), "ER-2", "b3", AT)
    steps = {"resolve": {"rows": [1]}, "subjects": {}}
    batch = BatchRecord("b3", "erasure", 1, AT)
    store.save_checkpoints("b3", steps, [record], opening=batch)
    assert store.find_batch("b3") == (batch, steps)
    assert store.restrictions("email", "a@b.c") == [record]
    store.save_checkpoints("b3", {"act:c": {"rows": 2}}, durable=False)  # progress only
    assert store.find_batch("b3")[1]["act:c"] == {"rows": 2}
    store.save_checkpoints("b3", {}, status="done", counts={"shop.c": 2})
    closed, left = store.find_batch("b3")
    assert left == {} and closed is not None and closed.counts == {"shop.c": 2}
    assert store.restrictions("email", "a@b.c") == [record]  # restrictions outlive the batch
    store.close()


def test_a_failed_save_records_none_of_its_parts(database_url: str) -> None:
    store = SqlDsrStore(database_url, FixedClock())
    store.save_checkpoints("b4", {"resolve": {}}, opening=BatchRecord("b4", "erasure", 1, AT))
    record = RestrictionRecord("email", "x@b.c", ("storage",), "ER-2", "b4", AT)
    with pytest.raises(StoreError):
        store.save_checkpoints("b4", {"act:c": {"rows": 1}, "resolve": {}}, [record], status="done")
    assert store.find_batch("b4") == (BatchRecord("b4", "erasure", 1, AT), {"resolve": {}})
    assert store.restrictions("email", "x@b.c") == []
    store.close()
