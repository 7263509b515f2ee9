"""An API over a real SQLite store, the shop programme and database, and a real SMTP server."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
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

HASH_KEY = "api-test-hash-key"
STORE_KEY = StoreKey.generate()


class Inbox:
    """An aiosmtpd handler keeping every message it received."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def code_for(self, address: str) -> str:
        message = [m for m in self.messages if m["To"] == address][-1]
        body = message.get_payload(decode=True).decode()
        (code,) = re.findall(r"\b(\d{6})\b", body)
        return str(code)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


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
