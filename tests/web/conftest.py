"""Shared fixtures of the pages' tests: a real SQLite store and shop, SMTP on loopback,
the app with a privacy officer ``alice`` (password :data:`PASSWORD`), and a client.

``login(client)`` logs ``alice`` in (the session cookie stays in the client);
``csrf_of(page)`` reads a form's token from a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
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
from tutela.store.console import login_service
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox

PASSWORD = "correct horse battery staple"


class Later:
    """A clock ``shift`` ahead of the wall clock."""

    def __init__(self, shift: timedelta) -> None:
        self.shift = shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


@pytest.fixture
def application(tmp_path: Path, inbox: tuple[Inbox, int]) -> Application:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=6, seed=5)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_SHOP_URL": shop,
            "TUTELA_HASH_KEY": "console-test-hash-key",
            "TUTELA_STORE_KEY": StoreKey.generate(),
            "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
            "TUTELA_MAIL_FROM": "privacy@shop.example.test",
            "TUTELA_PUBLIC_URL": "http://testserver",
            "TUTELA_LEDGER_KEY": generate_key("tutela.local/ledger").private_text(),
        }
    )


@pytest.fixture
def programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


@pytest.fixture
def app(application: Application, programme: Programme) -> FastAPI:
    login_service(application.ledger(), application.clock).add("alice", "privacy_officer", PASSWORD)
    return create_app(application, programme, limits=SubjectLimits())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def csrf(client: TestClient) -> str:
    page = client.get("/console/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def login(client: TestClient, name: str = "alice", password: str = PASSWORD) -> httpx.Response:
    token = csrf(client)
    response: httpx.Response = client.post(
        "/console/login", data={"csrf": token, "name": name, "password": password}
    )
    return response


def csrf_of(text: str) -> str:
    """The CSRF token of the first form of the page ``text``."""
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None, "the page has no form with a csrf field"
    return found.group(1)
