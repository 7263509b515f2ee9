"""The privacy@ mailbox read over IMAP from a real dovecot, and received by tutela's listener.

The dovecot fixture and ``deliver`` are in conftest.py (shared with test_service_e2e.py).
"""

from __future__ import annotations

import imaplib
import json
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from tests.mail.conftest import CORPUS, PASSWORD, USER, Inbox, deliver, free_port, imap_url, run

from tutela.bootstrap import build
from tutela.errors import ConfigurationError
from tutela.notify.imap import ImapReader
from tutela.notify.smtp_listener import TRY_LATER, listen
from tutela.programme.loader import load_programme
from tutela.requests.mail import MailError
from tutela.testing import shopdb


def unseen(port: int) -> int:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    found = client.uid("SEARCH", "UNSEEN")[1][0].split()
    client.logout()
    return len(found)


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
    dates: list[datetime | None] = []

    def crashing(raw: bytes, *, received_at: datetime | None) -> None:
        calls.append(raw)
        dates.append(received_at)
        if len(calls) == 1:
            raise RuntimeError("the reader died")

    report = reader.fetch(crashing)
    assert (report.read, report.handled, report.left_unseen) == (2, 1, 1)
    assert report.failures == ("RuntimeError",) and unseen(dovecot) == 1
    mailbox = build(env).mailbox(load_programme(shopdb.shop_programme_path()))
    again = reader.fetch(mailbox.ingest)
    assert (again.read, again.handled) == (1, 1) and unseen(dovecot) == 0
    assert b"delete my account" in calls[0]
    now = datetime.now(UTC)  # DL-1: the clock starts when the mailbox received it
    assert all(d is not None and abs(d - now) < timedelta(minutes=5) for d in dates)


def test_a_refused_login_is_a_connector_error_without_the_password(
    dovecot: int, env: dict[str, str]
) -> None:
    wrong = {**env, "TUTELA_IMAP_URL": imap_url(dovecot, "Wr0ng-Secret-9")}
    result = run(wrong, "mail", "fetch", code=5)
    assert "refused the login" in result.output and "Wr0ng-Secret-9" not in result.output
    with pytest.raises(MailError, match="cannot reach"):
        ImapReader.from_url(imap_url(free_port())).fetch(lambda raw, received_at: None)


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
