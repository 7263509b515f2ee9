"""A shop database, tutela's store at head and an application on them, for the job tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela.bootstrap import Application, build
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb


def shop_environ(tmp_path: Path, store_url: str) -> dict[str, str]:
    """The settings of a worker on a fresh shop and the store at ``store_url`` (upgraded)."""
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=8, seed=11)
    open_ledger(store_url).close()
    return {
        "TUTELA_DATABASE_URL": store_url,
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": "jobs-test-hash-key",
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
    }


def customer_emails(shop_url: str, count: int) -> list[str]:
    """The e-mail addresses of the first ``count`` customers of the shop."""
    engine = sa.create_engine(shop_url)
    with engine.connect() as connection:
        query = sa.text("SELECT email FROM customer ORDER BY id LIMIT :n")
        found = [str(e) for e in connection.execute(query, {"n": count}).scalars()]
    engine.dispose()
    return found


def approved(app: Application, programme: Programme, kind: str, email: str) -> str:
    """Submit a request for ``email``, accept the identity, approve it; its id."""
    service = app.request_service(programme)
    record = service.submit(kind, {"email": email})
    app.verification().accept(record.id, "known session")
    if service.show(record.id).state != "in_progress":
        service.approve(record.id)
    return record.id


def ledger_actions(app: Application, request_id: str) -> list[str]:
    """The actions the ledger recorded for ``request_id``, in order."""
    return [e.action for e in app.ledger().entries() if e.request == request_id]


@pytest.fixture
def programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


@pytest.fixture
def app(tmp_path: Path) -> Application:
    return build(shop_environ(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}"))
