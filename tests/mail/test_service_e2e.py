"""A request's whole life as a service: from the privacy@ mailbox to the download, over HTTP.

A shop customer writes to privacy@ (a real dovecot); ``tutela mail fetch`` makes the
request and mails the acknowledgement, with the status link, and the code (a real
aiosmtpd server); the subject verifies through the API with the link's token and the
code (ID-1); staff approve with an admin API key; a worker completes the request and
mails the "answered" message with the signed download link (DL-10); the subject
downloads the ZIP through it (AC-5), whose data.json holds the customer's rows (AC-1);
the ledger verifies against a signed checkpoint. Once in-process (TestClient, the
in-process worker's ``run_once``), once through Celery on Redis with real ``tutela
serve`` and ``tutela worker`` processes on PostgreSQL. A missing dovecot or Redis fails.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.mail.conftest import (
    HASH_KEY,
    MAIL_FROM,
    STORE_KEY,
    Inbox,
    deliver_raw,
    environment,
    free_port,
    imap_url,
    run,
)

from tutela.api.app import create_app
from tutela.bootstrap import build
from tutela.jobs.worker import Worker
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.requests.package import read_package
from tutela.testing import shopdb
from tutela.testing.processes import Processes, listening, wait_for

WORDS = "Please send me a copy of all the personal data you hold about me."
REDIS_DB = "redis://127.0.0.1:6379/10"  # this file's own Redis database, flushed first
STATUS_LINK = re.compile(r"(https?://\S+/requests/([0-9a-f-]{36})/status\?token=(\S+))")
DOWNLOAD_LINK = re.compile(r"(https?://\S+/requests/[0-9a-f-]{36}/download\?token=\S+)")


@pytest.fixture
def shop(tmp_path: Path) -> str:
    """A shop database on SQLite with synthetic customers."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(url, customers=10, seed=16)
    return url


def service_environ(store: str, shop: str, ports: tuple[int, int], public: str) -> dict[str, str]:
    """The settings of tutela as a service over ``store``, the shop, SMTP and IMAP ``ports``."""
    return environment(store, ports[0]) | {
        "TUTELA_SHOP_URL": shop,
        "TUTELA_IMAP_URL": imap_url(ports[1]),
        "TUTELA_PUBLIC_URL": public,
        "TUTELA_ANSWER_WINDOW": "7d",
        "TUTELA_LEDGER_KEY": generate_key("shop.example.test/ledger").private_text(),
    }


def customer(shop: str, number: int) -> dict[str, Any]:
    """The shop's customer at ``number`` (ordered by id), as a dict."""
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM customer ORDER BY id")).mappings().all()
        orders = connection.execute(
            sa.text("SELECT id FROM orders WHERE customer_id = :c"), {"c": rows[number]["id"]}
        )
        found = dict(rows[number]) | {"orders": sorted(orders.scalars())}
    engine.dispose()
    return found


def written_by(address: str) -> bytes:
    """The subject's mail to privacy@, in their own words (DL-1: no form needed)."""
    message = EmailMessage()
    message["From"], message["To"] = address, MAIL_FROM
    message["Subject"] = "My personal data"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="customer.example.test")
    message.set_content(f"Hello,\n\n{WORDS}\n\nThank you\n")
    return message.as_bytes()


def mail_arrives(env: dict[str, str], dovecot: int, address: str) -> None:
    """The subject's mail lands in the mailbox and ``tutela mail fetch`` makes the request."""
    deliver_raw(dovecot, written_by(address))
    result = run(env, "mail", "fetch")
    assert "1 read, 1 handled, 0 left unseen" in result.output, result.output


def mails_to(inbox: Inbox, address: str, subject: str) -> list[str]:
    """The bodies of the messages to ``address`` whose subject holds ``subject``."""
    found = [m for m in inbox.messages if m["To"] == address and subject in str(m["Subject"])]
    return [str(m.get_content()) for m in found]


def acknowledged(inbox: Inbox, address: str) -> tuple[str, str, str]:
    """The status link of the acknowledgement (DL-10), its request id and token."""
    (body,) = mails_to(inbox, address, "We received your request")
    match = STATUS_LINK.search(body)
    assert match is not None, body
    return match.group(1), match.group(2), match.group(3)


def mailed_code(inbox: Inbox, address: str) -> str:
    """The code of the verification message (ID-1: sent to the address on file)."""
    (body,) = mails_to(inbox, address, "verification code")
    (code,) = re.findall(r"\b(\d{6})\b", body)
    return str(code)


def verify_and_approve(http: httpx.Client, inbox: Inbox, address: str, key: str) -> tuple[str, str]:
    """The subject verifies with the mailed link's token and code; staff approve. (id, token)."""
    link, request_id, token = acknowledged(inbox, address)
    shown = http.get(link)  # the link as mailed: the token in the query
    assert shown.status_code == 200, shown.text
    assert shown.json()["state"] == "awaiting_identity"
    path = f"/api/v1/requests/{request_id}"
    code = {"code": mailed_code(inbox, address)}
    verified = http.post(f"{path}/verify", params={"token": token}, json=code)
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] in ("verified", "awaiting_approval")
    staff = {"Authorization": f"Bearer {key}"}
    approved = http.post(f"/api/v1/staff/requests/{request_id}/approve", headers=staff)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "in_progress"
    return request_id, token


def downloaded(
    http: httpx.Client, inbox: Inbox, person: dict[str, Any], request: str, token: str
) -> None:
    """The subject downloads the answer through the mailed link; the ZIP holds their rows."""
    (body,) = mails_to(inbox, person["email"], "is answered")
    match = DOWNLOAD_LINK.search(body)
    assert match is not None, body
    status = http.get(f"/api/v1/requests/{request}/status", headers={"X-Status-Token": token})
    assert status.json()["state"] == "completed"
    assert status.json()["download_url"] == match.group(1)
    answer = http.get(match.group(1))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    data = json.loads(read_package(answer.content)["data.json"])
    collections = {c["collection"]: c["rows"] for c in data["collections"]}
    (row,) = collections["shop_db.customer"]
    assert (row["id"], row["email"], row["name"]) == (person["id"], person["email"], person["name"])
    assert sorted(r["id"] for r in collections.get("shop_db.orders", [])) == person["orders"]


def ledger_verifies(env: dict[str, str], request: str) -> None:
    """Sign a checkpoint and audit the whole ledger; the request's steps are in it."""
    run(env, "ledger", "checkpoint")
    assert "ledger intact" in run(env, "ledger", "verify").output
    actions = [e.action for e in build(env).ledger().entries() if e.request == request]
    for action in ("submitted", "acknowledged", "code_sent", "completed", "answer_downloaded"):
        assert action in actions, actions
    assert actions.count("completed") == 1


def test_AC_1_DL_10_mail_to_download_over_http_in_process(
    tmp_path: Path, shop: str, dovecot: int, inbox: tuple[Inbox, int]
) -> None:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    env = service_environ(store, shop, (inbox[1], dovecot), "http://testserver")
    run(env, "db", "upgrade")
    person = customer(shop, 3)
    mail_arrives(env, dovecot, person["email"])
    key = run(env, "keys", "create", "alice", "--role", "admin").stdout.strip()
    application = build(env)
    programme = load_programme(shopdb.shop_programme_path())
    with TestClient(create_app(application, programme), raise_server_exceptions=False) as http:
        request, token = verify_and_approve(http, inbox[0], person["email"], key)
        assert Worker(application, programme).run_once() == 1  # the in-process worker
        downloaded(http, inbox[0], person, request, token)
    ledger_verifies(env, request)
    held = (tmp_path / "store.sqlite").read_bytes().decode("latin-1")
    assert person["email"] not in held  # the store keeps keyed digests and sealed values only


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Processes]]:
    """Make the processes of a test; they are killed whatever happens."""
    made: list[Processes] = []

    def make(environ: dict[str, str]) -> Processes:
        made.append(Processes(environ, tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.stop()


def completed_by_celery(env: dict[str, str], request: str, group: Processes) -> None:
    """The request's step was run once, by a pool process of ``tutela worker`` (not serve)."""
    jobs = build(env).jobs()
    wait_for("the step marked done", lambda: jobs.steps(request)[0].state == "done", group)
    (step,) = jobs.steps(request)
    assert step.attempts == 1
    pid = int(str(step.claimed_by).rsplit(":", 2)[1])
    assert os.getpgid(pid) == group.started[1].pid  # the worker's group: the Celery pool


def fresh_broker() -> str:
    """This file's Redis database, emptied; a failure (never a skip) when Redis is down."""
    try:
        redis.Redis.from_url(REDIS_DB, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_DB} is not reachable: {error}")
    return REDIS_DB


@pytest.mark.celery
@pytest.mark.postgres
def test_AC_1_DL_10_mail_to_download_through_celery_on_redis(
    postgres_url: str,
    shop: str,
    dovecot: int,
    inbox: tuple[Inbox, int],
    processes: Callable[[dict[str, str]], Processes],
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = service_environ(postgres_url, shop, (inbox[1], dovecot), public)
    env["TUTELA_BROKER_URL"] = fresh_broker()
    run(env, "db", "upgrade")
    group = processes(env)
    group.start("serve", "serve", env["TUTELA_PROGRAMME"], "--port", str(port))
    group.start("worker", "worker", "--concurrency", "1")
    person = customer(shop, 4)
    mail_arrives(env, dovecot, person["email"])
    key = run(env, "keys", "create", "alice", "--role", "admin").stdout.strip()
    with httpx.Client(base_url=public, timeout=10) as http:
        wait_for("the API listens", lambda: listening(http), group, 30)
        request, token = verify_and_approve(http, inbox[0], person["email"], key)
        answered = lambda: bool(mails_to(inbox[0], person["email"], "is answered"))  # noqa: E731
        wait_for("the Celery worker completes and mails the answer", answered, group)
        downloaded(http, inbox[0], person, request, token)
    completed_by_celery(env, request, group)
    ledger_verifies(env, request)
    assert HASH_KEY not in group.logs() and STORE_KEY not in group.logs()
