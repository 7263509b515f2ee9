"""Fixtures of the mailbox tests: a real SMTP server, a store, and the CLI runner."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.requests.sealing import StoreKey
from tutela.testing import shopdb

HASH_KEY = "mailbox-tests-hash-key"
STORE_KEY = StoreKey.generate()
CORPUS = Path(__file__).with_name("corpus")
MAIL_FROM = "privacy@shop.example.test"


class Inbox:
    """An aiosmtpd handler keeping every message it received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback and what it received."""
    port = free_port()
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def environment(store_url: str, smtp_port: int) -> dict[str, str]:
    """The settings of a mailbox on ``store_url`` sending through ``smtp_port``."""
    return {
        "TUTELA_DATABASE_URL": store_url,
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_STORE_KEY": STORE_KEY,
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?starttls=false",
        "TUTELA_MAIL_FROM": MAIL_FROM,
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
    }


@pytest.fixture
def env(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A fresh SQLite store at the head revision, with the shop programme and SMTP."""
    monkeypatch.chdir(tmp_path)
    environ = environment(f"sqlite:///{tmp_path / 'store.sqlite'}", inbox[1])
    run(environ, "db", "upgrade")
    return environ


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    """Run the CLI; no traceback and no secret ever in its output."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    assert HASH_KEY not in result.output and STORE_KEY not in result.output
    assert result.exit_code == code, result.output
    return result
