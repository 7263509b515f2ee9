"""The privacy@ mailbox read over IMAP from a real dovecot, and received by tutela's listener.

dovecot (Debian's dovecot-imapd, installed by .ci/run) is started per test with its own
configuration: a Maildir in a temporary folder, one passwd-file user, plain IMAP on a
free loopback port. A missing dovecot fails the test, never skips it.
"""

from __future__ import annotations

import imaplib
import json
import shutil
import smtplib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.mail.conftest import CORPUS, Inbox, free_port, run

from tutela.bootstrap import build
from tutela.errors import ConfigurationError
from tutela.notify.imap import ImapReader
from tutela.notify.smtp_listener import TRY_LATER, listen
from tutela.programme.loader import load_programme
from tutela.requests.mail import MailError
from tutela.testing import shopdb

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
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    for name in names:
        raw = (CORPUS / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client.append("INBOX", None, None, raw)
    client.logout()


def unseen(port: int) -> int:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    found = client.uid("SEARCH", "UNSEEN")[1][0].split()
    client.logout()
    return len(found)


def imap_url(port: int, password: str = PASSWORD) -> str:
    return f"imap://{USER}:{password}@127.0.0.1:{port}/INBOX"


def test_DL_1_mail_fetched_over_imap_becomes_requests_and_queue_entries(
    dovecot: int, env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    deliver(dovecot, "en_access.eml", "en_question.eml", "out_of_office.eml")
    fetched = {**env, "TUTELA_IMAP_URL": imap_url(dovecot)}
    result = run(fetched, "mail", "fetch")
    assert "3 read, 3 handled, 0 left unseen" in result.output
    assert PASSWORD not in result.output
    (made,) = json.loads(run(env, "requests", "list", "--format", "json").output)
    assert made["type"] == "access" and made["state"] == "awaiting_identity"
    assert len(json.loads(run(env, "mail", "queue", "--format", "json").output)) == 2
    assert unseen(dovecot) == 0
    assert "0 read" in run(fetched, "mail", "fetch").output
    assert [m["To"] for m in inbox[0].messages] == ["ann@example.test"] * 2  # ack and code


def test_a_crash_while_handling_leaves_the_message_unseen_for_the_next_fetch(
    dovecot: int, env: dict[str, str]
) -> None:
    deliver(dovecot, "en_erasure.eml", "nl_complaint.eml")
    reader = ImapReader.from_url(imap_url(dovecot))
    calls: list[bytes] = []

    def crashing(raw: bytes) -> None:
        calls.append(raw)
        if len(calls) == 1:
            raise RuntimeError("the reader died")

    report = reader.fetch(crashing)
    assert (report.read, report.handled, report.left_unseen) == (2, 1, 1)
    assert report.failures == ("RuntimeError",) and unseen(dovecot) == 1
    mailbox = build(env).mailbox(load_programme(shopdb.shop_programme_path()))
    again = reader.fetch(mailbox.ingest)
    assert (again.read, again.handled) == (1, 1) and unseen(dovecot) == 0
    assert b"delete my account" in calls[0]


def test_a_refused_login_is_a_connector_error_without_the_password(
    dovecot: int, env: dict[str, str]
) -> None:
    wrong = {**env, "TUTELA_IMAP_URL": imap_url(dovecot, "Wr0ng-Secret-9")}
    result = run(wrong, "mail", "fetch", code=5)
    assert "refused the login" in result.output and "Wr0ng-Secret-9" not in result.output
    with pytest.raises(MailError, match="cannot reach"):
        ImapReader.from_url(imap_url(free_port())).fetch(lambda raw: None)


@pytest.mark.parametrize(
    "url",
    ["", "http://a@b/", "imaps://host/INBOX", "imap://user:pw@:99/", "imaps://u:p@h:notaport/"],
)
def test_a_malformed_imap_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ImapReader.from_url(url)
    assert "pw" not in str(raised.value).replace("password", "")


def test_an_imap_url_gives_host_port_user_and_mailbox() -> None:
    reader = ImapReader.from_url("imaps://priv%40x.test:p%2Fw@mail.x.test/Privacy")
    assert (reader.host, reader.port, reader.user, reader.password, reader.mailbox) == (
        "mail.x.test",
        993,
        "priv@x.test",
        "p/w",
        "Privacy",
    )
    assert reader.ssl and "p/w" not in repr(reader)


def test_the_smtp_listener_ingests_what_it_receives_and_defers_on_failure(
    env: dict[str, str], inbox: tuple[Inbox, int]
) -> None:
    mailbox = build(env).mailbox(load_programme(shopdb.shop_programme_path()))
    port = free_port()
    controller = listen(mailbox.ingest, port=port, max_size=mailbox.max_size)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("bob@example.test", ["privacy@shop.example.test"],
                            (CORPUS / "en_erasure.eml").read_bytes())  # fmt: skip
    finally:
        controller.stop()
    (made,) = json.loads(run(env, "requests", "list", "--format", "json").output)
    assert made["type"] == "erasure"
    failing = listen(lambda raw: 1 / 0, port=port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPDataError) as e:
            client.sendmail("a@example.test", ["p@example.test"], b"Subject: x\r\n\r\nhi\r\n")
        assert e.value.smtp_code == int(TRY_LATER[:3])
    finally:
        failing.stop()
