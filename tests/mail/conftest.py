"""Fixtures of the mailbox tests: a real SMTP server, a real dovecot, a store, the CLI runner.

dovecot (Debian's dovecot-imapd, installed by .ci/run) is started per test with its own
configuration: a Maildir in a temporary folder, one passwd-file user, plain IMAP on a
free loopback port. A missing dovecot fails the test, never skips it.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
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


USER, PASSWORD = "privacy", "imap-Pw-4711"
CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture
def dovecot() -> Iterator[int]:
    """A dovecot serving one mailbox on a free loopback port; stopped afterwards."""
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        pytest.fail("dovecot is not installed: apt-get install -y dovecot-imapd (see .ci/run)")
    root = Path(tempfile.mkdtemp(prefix="tutela-dovecot-"))  # short: socket paths are limited
    root.chmod(0o755)  # dovecot's unprivileged processes traverse it
    for folder in ("mail", "home"):
        (root / folder).mkdir()
        shutil.chown(root / folder, "nobody", "nogroup")
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port))
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")])
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail("dovecot stopped at start: see its log")
        try:
            imaplib.IMAP4("127.0.0.1", port, timeout=1).logout()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("dovecot did not listen in 10 s")


def deliver(port: int, *names: str) -> None:
    """Put the corpus messages ``names`` in the dovecot mailbox, unseen."""
    deliver_raw(port, *((CORPUS / name).read_bytes() for name in names))


def deliver_raw(port: int, *messages: bytes) -> None:
    """Put ``messages`` (RFC 5322 bytes) in the dovecot mailbox, unseen."""
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    for raw in messages:
        client.append("INBOX", None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    client.logout()


def imap_url(port: int, password: str = PASSWORD) -> str:
    """The ``TUTELA_IMAP_URL`` of the dovecot mailbox on ``port``."""
    return f"imap://{USER}:{password}@127.0.0.1:{port}/INBOX"
