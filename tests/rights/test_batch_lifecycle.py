"""Batches are never replayed, keep the least, and end cleanly (issue 13: items 1, 2, 3, 10).

Every run is a new batch; only an explicit resume reuses a stored resolution,
and only for rows still as resolved. tutela's store keeps keyed hashes and
counts: after each request type, no identity, no personal value, no secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, FailOnSecondWrite, email
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError, RequestError
from tutela.programme.durations import Duration
from tutela.programme.models import Programme
from tutela.rights.models import SubjectRequest
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore


@dataclass
class Clock:
    at: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def store_dump(store: SqlDsrStore) -> str:
    engine: Any = store._engine  # read back every table the store wrote, as an auditor would
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        return "\n".join(
            repr(tuple(row))
            for table in tables
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"'))
        )


def personal_values(url: str, customer: int) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT email, name, phone FROM customer WHERE id = :i"), {"i": customer}
        ).one()
        street = connection.execute(
            sa.text("SELECT street FROM address WHERE id = :i"), {"i": customer}
        ).scalar_one()
        ips = connection.execute(
            sa.text("SELECT ip FROM login_event WHERE customer_id = :i"), {"i": customer}
        ).scalars()
        values = [*row, street, *ips]
    engine.dispose()
    return [str(value) for value in values]


def service(programme: Programme, shop: Any, store: SqlDsrStore, **extra: Any) -> DsrService:
    return DsrService(
        programme,
        {"shop": shop},
        store,
        extra.pop("clock", Clock()),
        HASH_KEY,
        restriction_store=store,
        **extra,
    )


def test_OB_2_the_store_holds_no_personal_data_after_any_request_type(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    dsr = service(programme, shop, store)
    secrets = [*personal_values(shop_url, 4), "Zed Q. Newname", HASH_KEY.decode()]
    subject = (("email", email(4)),)
    for request in (
        SubjectRequest("access", subject),
        SubjectRequest("portability", subject),
        SubjectRequest("rectification", subject, (("customer.name", "Zed Q. Newname"),)),
        SubjectRequest("restriction", subject),
        SubjectRequest("erasure", subject),
    ):
        result = dsr.run([request])
        assert result.results[0].found, request.type
        dump = store_dump(store)
        leaked = [value for value in secrets if value in dump]
        assert leaked == [], f"after {request.type}: {leaked}"
        assert store.checkpoints(result.batch_id) == {}  # closed: checkpoints purged
        record = store.batch(result.batch_id)
        assert record is not None and record.digest.startswith("h:")
        assert record.status == "done" and record.counts == result.counts


def test_ER_1_every_run_is_a_new_batch_and_says_nothing_came_from_the_store(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    dsr = service(programme, shop, store)
    first = dsr.run([SubjectRequest("access", (("email", email(2)),))])
    second = dsr.run([SubjectRequest("access", (("email", email(2)),))])
    assert first.batch_id != second.batch_id
    assert second.resumed == () and second.resumed_from is None


def _stopped_erasure(programme: Programme, shop: SqlConnector, store: SqlDsrStore) -> str:
    requests = [SubjectRequest("erasure", (("email", email(5)),))]
    with pytest.raises(ConnectorError) as raised:
        service(programme, FailOnSecondWrite(shop), store).run(requests)
    assert raised.value.batch is not None
    return raised.value.batch


def test_ER_1_a_resume_refuses_rows_changed_since_the_batch_resolved_them(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    batch = _stopped_erasure(programme, shop, store)
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:  # the subject logs in again meanwhile: a new row
        connection.execute(
            sa.text("INSERT INTO login_event (customer_id, ip) VALUES (5, '10.9.9.9')")
        )
    engine.dispose()
    requests = [SubjectRequest("erasure", (("email", email(5)),))]
    with pytest.raises(RequestError, match=r"shop\.login_event changed since batch"):
        service(programme, shop, store).resume(batch, requests)
    assert personal_values(shop_url, 5)[0] == email(5)  # nothing more was written


def test_a_batch_another_process_holds_is_said_to_run_elsewhere(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    batch = _stopped_erasure(programme, shop, store)
    now = Clock().now()
    assert store.claim_batch(batch, now, now + timedelta(minutes=10)) is not None  # another one
    requests = [SubjectRequest("erasure", (("email", email(5)),))]
    with pytest.raises(RequestError, match="running in another process"):
        service(programme, shop, store).resume(batch, requests)
    later = Clock(now + timedelta(minutes=11))
    resumed = service(programme, shop, store, clock=later).resume(batch, requests)
    assert resumed.batch_id == batch and resumed.results[0].found


def test_AC_5_answers_wait_for_delivery_then_store_purge_removes_them(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, tmp_path: Path
) -> None:
    clock = Clock()
    window = Duration.parse("72h")
    dsr = service(programme, shop, store, clock=clock, delivery_window=window)
    result = dsr.run([SubjectRequest("access", (("email", email(1)),))])
    assert set(store.checkpoints(result.batch_id)) == {"answers"}  # awaiting delivery
    assert store.purge(clock.now()) == {"answers": 0, "abandoned": 0}
    assert store.purge(clock.now() + timedelta(hours=73))["answers"] == 1
    assert store.checkpoints(result.batch_id) == {}
    assert email(1) not in store_dump(store)


def test_store_purge_abandons_stale_open_batches(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    batch = _stopped_erasure(programme, shop, store)
    assert store.checkpoints(batch)  # kept for a resume while the batch is open
    assert store.purge(Clock().now(), open_before=Clock().now())["abandoned"] == 0
    later = Clock().now() + timedelta(days=31)
    assert store.purge(later, open_before=later - timedelta(days=30))["abandoned"] == 1
    assert store.checkpoints(batch) == {}
    record = store.batch(batch)
    assert record is not None and record.status == "abandoned"


def test_tutela_store_purge_command(tmp_path: Path) -> None:
    env = {"TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}"}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = CliRunner().invoke(app, ["store", "purge", "--open-older-than", "30d"], env=env)
    assert result.exit_code == 0, result.output
    assert "purged 0 expired answer(s); abandoned 0 stale open batch(es)" in result.output
    bad = CliRunner().invoke(app, ["store", "purge", "--open-older-than", "soon"], env=env)
    assert bad.exit_code == 7 and "--open-older-than" in bad.output
    assert "Traceback" not in bad.output
