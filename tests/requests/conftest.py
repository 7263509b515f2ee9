"""Shared set-up of the request tests: the shop database, its programme, the DSR engine on it.

Test modules import the helpers as ``requestcases`` (importlib mode adds no test folder
to sys.path).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.connectors.sql import SqlConnector
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

HASH_KEY = b"request-tests-hash-key"


@dataclasses.dataclass
class FixedClock:
    at: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def shop_db(sqlite_url: str) -> str:
    shopdb.build(sqlite_url, customers=20, seed=7)
    return sqlite_url


@pytest.fixture
def programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


@pytest.fixture
def service(shop_db: str, programme: Programme, tmp_path: Path) -> Iterator[DsrService]:
    connector = SqlConnector("shop", shop_db)
    store = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    yield DsrService(programme, {"shop": connector}, store, FixedClock(), HASH_KEY)
    store.close()
    connector.close()


def query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def email_of(url: str, customer_id: int) -> str:
    return str(query(url, "SELECT email FROM customer WHERE id = :c", c=customer_id)[0]["email"])


sys.modules.setdefault("requestcases", sys.modules[__name__])
