"""The mailbox on each store backend: claimed once, queued, threaded, ledgered together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.mail.conftest import CORPUS, Inbox, environment

from tutela.bootstrap import build
from tutela.programme.loader import load_programme
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb


@pytest.fixture
def mailbox_env(database_url: str, inbox: tuple[Inbox, int]) -> dict[str, str]:
    open_ledger(database_url).close()
    return environment(database_url, inbox[1])


def test_DL_1_a_message_is_claimed_once_on_every_backend(mailbox_env: dict[str, str]) -> None:
    application = build(mailbox_env)
    mailbox = application.mailbox(load_programme(shopdb.shop_programme_path()))
    raw = (CORPUS / "nl_access_base64.eml").read_bytes()
    first = mailbox.ingest(raw)
    again = mailbox.ingest(raw)
    assert first.request and first.type == "access" and first.acknowledged
    assert (again.request_id, again.repeated) == (first.request_id, True)
    queued = mailbox.ingest((CORPUS / "two_from.eml").read_bytes())
    assert [row.id for row in mailbox.queue()] == [queued.queue_id]
    assert application.ledger().entries()[-1].request == f"mail:{queued.mail_id}"
    application.ledger().close()


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


class Crash(BaseException):
    """The reader dies between claiming a message and making its request."""


def test_an_interrupted_message_goes_to_staff_never_to_a_second_request(
    mailbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    application = build(mailbox_env)
    application.clock = clock = Clock()
    mailbox = application.mailbox(load_programme(shopdb.shop_programme_path()))
    raw = (CORPUS / "en_erasure.eml").read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(mailbox.requests, "submit", crash)
        with pytest.raises(Crash):
            mailbox.ingest(raw)
    soon = mailbox.ingest(raw)  # another reader may still be at it: left alone
    assert (soon.request, soon.queue_id, soon.reason) == (False, None, "being handled")
    clock.moment += timedelta(hours=1)
    late = mailbox.ingest(raw)
    assert late.queue_id and "interrupted" in str(late.reason)
    assert application.request_service().list() == []
    application.ledger().close()
