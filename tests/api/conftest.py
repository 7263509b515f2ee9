"""An API over a real SQLite store, the shop programme and database, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox

HASH_KEY = "api-test-hash-key"
STORE_KEY = StoreKey.generate()


@pytest.fixture
def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(url, customers=12, seed=5)
    return url


@pytest.fixture
def environ(tmp_path: Path, shop: str, inbox: tuple[Inbox, int]) -> dict[str, str]:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()  # the store at the head revision
    return {
        "TUTELA_DATABASE_URL": store,
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_STORE_KEY": STORE_KEY,
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
        "TUTELA_MAIL_FROM": "privacy@shop.example.test",
        "TUTELA_PUBLIC_URL": "http://testserver",
        "TUTELA_ANSWER_WINDOW": "7d",
        "TUTELA_LEDGER_KEY": generate_key("tutela.local/ledger").private_text(),
    }


@pytest.fixture
def application(environ: dict[str, str]) -> Application:
    return build(environ)


@pytest.fixture
def programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


@pytest.fixture
def api(application: Application, programme: Programme) -> FastAPI:
    return create_app(application, programme, limits=SubjectLimits())


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(application: Application) -> dict[str, str]:
    """A key per role, by role name."""
    service = application.key_service()
    return {
        role: service.create(f"{role}-1", role).key
        for role in ("admin", "privacy_officer", "agent", "auditor")
    }


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
