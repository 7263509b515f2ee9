"""The lifecycle store on every backend: what a request keeps for a while, and its ledger."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from tutela.errors import RequestError, StoreError
from tutela.requests.codes import CodeRecord
from tutela.requests.keeping import (
    AnswerKind,
    AnswerRecord,
    Channel,
    NotificationRecord,
    NotificationState,
)
from tutela.requests.records import LedgerStep, RequestRecord
from tutela.store import migrate
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.lifecycle import SqlLifecycleStore
from tutela.store.request_tables import request_table
from tutela.store.requests import SqlRequestStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DIGEST = "ab" * 32
EMPTY = hashlib.sha256(b"").hexdigest()


def _id() -> str:
    return str(uuid.uuid4())


def _step(action: str, after: str = DIGEST, before: str | None = None) -> LedgerStep:
    return LedgerStep(NOW, "system", action, before, after)


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    opened = open_ledger(database_url)
    yield opened
    opened.close()


@pytest.fixture
def store(ledger: SqlLedger) -> SqlLifecycleStore:
    return SqlLifecycleStore(ledger.engine, ledger)


def _actions(ledger: SqlLedger) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.action, e.request, e.before, e.after) for e in ledger.entries()]


def test_id2_a_sealed_identity_round_trips_is_replaced_and_purged(
    store: SqlLifecycleStore,
) -> None:
    request = _id()
    assert store.secret(request) is None
    store.save_secret(request, b"\x00sealed-1", NOW)
    store.save_secret(request, b"\x00sealed-2", NOW + timedelta(minutes=1))
    assert store.secret(request) == b"\x00sealed-2"
    assert store.purge_secret(request) is True
    assert store.secret(request) is None
    assert store.purge_secret(request) is False


def test_id1_a_code_round_trips_is_replaced_and_commits_with_its_step(
    store: SqlLifecycleStore, ledger: SqlLedger
) -> None:
    request = _id()
    first = CodeRecord(request, "1" * 64, NOW, NOW + timedelta(minutes=15))
    store.save_code(first)
    assert store.code(request) == first and ledger.entries() == []
    second = CodeRecord(request, "2" * 64, NOW, NOW + timedelta(minutes=15), 3, 5, True)
    store.save_code(second, _step("code_issued"))
    assert store.code(request) == second
    assert store.code(_id()) is None
    assert _actions(ledger) == [("code_issued", request, None, DIGEST)]


def test_id2_code_limits_count_until_a_window_is_full_and_name_the_wait(
    store: SqlLifecycleStore,
) -> None:
    identity, source = "code-identity:" + "c" * 64, "code-source:" + "d" * 64
    limits = {identity: (2, timedelta(hours=1)), source: (3, timedelta(hours=1))}
    assert store.count_rate(limits, NOW - timedelta(minutes=30)) == 0
    assert store.count_rate(limits, NOW) == 0
    wait = store.count_rate(limits, NOW + timedelta(minutes=1))
    assert wait == 29 * 60, "the first code leaves the hour's window 29 minutes later"
    other = {"code-identity:" + "e" * 64: (2, timedelta(hours=1)), source: (3, timedelta(hours=1))}
    assert store.count_rate(other, NOW) == 0, "the refusal counted nothing at the source"
    assert store.count_rate(other, NOW) != 0, "now the source's window is full"
    assert store.count_rate(limits, NOW + timedelta(minutes=31)) == 0


def test_id2_code_limits_keep_no_key_in_clear(store: SqlLifecycleStore) -> None:
    key = "code-source:192.0.2.7"
    store.count_rate({key: (5, timedelta(hours=1))}, NOW)
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM tutela_rate_window")).all()
    assert len(rows) == 1 and "192.0.2.7" not in repr(rows)


def _answer(request: str, expires: datetime, digest: str = DIGEST) -> AnswerRecord:
    return AnswerRecord(
        request, AnswerKind.PACKAGE, "application/zip", "answer.zip", digest, 9, NOW, expires
    )


def test_ac5_an_answer_round_trips_is_replaced_and_counts_its_downloads(
    store: SqlLifecycleStore, ledger: SqlLedger
) -> None:
    request = _id()
    store.save_answer(_answer(request, NOW + timedelta(days=30)), b"old", _step("answered"))
    big = bytes(range(256)) * 400  # 100 KiB: more than MariaDB's BLOB holds
    letter = AnswerRecord(
        request, AnswerKind.LETTER, "text/html", "letter.html", "cd" * 32, len(big), NOW, NOW
    )
    store.save_answer(letter, big, _step("answered", "cd" * 32))
    store.record_download(request, _step("downloaded", "cd" * 32))
    store.record_download(request, _step("downloaded", "cd" * 32))
    assert store.answer(request) == (replace(letter, downloads=2), big)
    assert store.answer(_id()) is None
    with pytest.raises(RequestError, match="no answer to download"):
        store.record_download(_id(), _step("downloaded"))
    assert [a[0] for a in _actions(ledger)] == ["answered", "answered", "downloaded", "downloaded"]


def test_rt2_purge_drops_expired_bytes_keeps_the_rows_and_ledgers_each(
    store: SqlLifecycleStore, ledger: SqlLedger
) -> None:
    expired = sorted([_id(), _id()])
    waiting = _id()
    for number, request in enumerate(expired):
        digest = f"{number}" * 64
        store.save_answer(_answer(request, NOW, digest), b"zip", _step("answered", digest))
    store.save_answer(_answer(waiting, NOW + timedelta(seconds=1)), b"zip", _step("answered"))
    assert store.purge_answers(NOW, "system") == expired
    for number, request in enumerate(expired):
        found = store.answer(request)
        assert found is not None
        assert found == (replace(_answer(request, NOW, f"{number}" * 64), purged_at=NOW), None)
    assert store.answer(waiting) == (_answer(waiting, NOW + timedelta(seconds=1)), b"zip")
    purges = [a for a in _actions(ledger) if a[0] == "answer_purged"]
    assert purges == [("answer_purged", r, f"{n}" * 64, EMPTY) for n, r in enumerate(expired)]
    assert store.purge_answers(NOW + timedelta(seconds=1), "staff:ann") == [waiting]
    assert ledger.entries()[-1].actor == "staff:ann"
    assert store.purge_answers(NOW + timedelta(days=1), "system") == []


def _notice(
    request: str, recipient: str, next_at: datetime | None = NOW, **changes: object
) -> NotificationRecord:
    record = NotificationRecord(
        _id(),
        request,
        recipient,
        Channel.EMAIL,
        f"privacy@{recipient}.example",
        NotificationState.PENDING,
        0,
        next_at,
        NOW,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_nr1_one_notification_per_request_and_recipient_the_first_kept(
    store: SqlLifecycleStore,
) -> None:
    request = _id()
    mailer, crm = _notice(request, "mailer"), _notice(request, "crm", channel=Channel.WEBHOOK)
    store.add_notifications([mailer, crm], {mailer.id: b"m1", crm.id: b"c1"})
    again, shop = _notice(request, "mailer"), _notice(request, "shop")
    twice = _notice(request, "shop")
    store.add_notifications([again, shop, twice], {again.id: b"m2", shop.id: b"s1"})
    assert store.notifications(request) == [crm, mailer, shop]
    sealed = {n.id: message for n, message in store.due_notifications(NOW, 10)}
    assert sealed == {crm.id: b"c1", mailer.id: b"m1", shop.id: b"s1"}
    assert store.notifications(_id()) == []


def test_nr1_due_notifications_come_earliest_first_up_to_the_limit(
    store: SqlLifecycleStore,
) -> None:
    first, second = _id(), _id()
    records = [
        _notice(first, "late", NOW),
        _notice(first, "early", NOW - timedelta(hours=1)),
        _notice(second, "middle", NOW - timedelta(minutes=5)),
        _notice(second, "future", NOW + timedelta(seconds=1)),
        _notice(second, "unscheduled", None),
        _notice(second, "done", NOW - timedelta(days=1), state=NotificationState.DELIVERED),
    ]
    store.add_notifications(records, {})
    due = store.due_notifications(NOW, 10)
    assert [(n.recipient, message) for n, message in due] == [
        ("early", None),
        ("middle", None),
        ("late", None),
    ]
    assert [n.recipient for n, _ in store.due_notifications(NOW, 2)] == ["early", "middle"]


def test_nr1_updating_a_notification_drops_its_message_once_delivered(
    store: SqlLifecycleStore, ledger: SqlLedger
) -> None:
    request = _id()
    record = _notice(request, "mailer")
    store.add_notifications([record], {record.id: b"sealed"})
    retry = replace(record, attempts=1, next_at=NOW + timedelta(minutes=5), last_error="x" * 400)
    store.update_notification(retry, _step("notify_retry"))
    assert store.due_notifications(NOW + timedelta(minutes=5), 5) == [
        (replace(retry, last_error="x" * 300), b"sealed")
    ]
    done = replace(
        retry, state=NotificationState.DELIVERED, attempts=2, next_at=None, delivered_at=NOW
    )
    store.update_notification(done, _step("notified"))
    assert store.notifications(request) == [replace(done, last_error="x" * 300)]
    assert store.due_notifications(NOW + timedelta(days=1), 5) == []
    engine = ledger.engine
    with engine.connect() as connection:
        sealed = connection.execute(sa.text("SELECT sealed FROM tutela_notification")).scalar()
    assert sealed is None
    with pytest.raises(RequestError, match="not in the store"):
        store.update_notification(_notice(request, "other"), _step("notified"))
    assert [a[0] for a in _actions(ledger)] == ["notify_retry", "notified"]


def _request(request: str) -> RequestRecord:
    return RequestRecord(
        request, "erasure", "gdpr", "received", NOW, date(2026, 4, 2), "one month", False,
        "h:" + "e" * 64, "Europe/Brussels", "BE", NOW, NOW,
    )  # fmt: skip


def test_dl1_the_request_store_keeps_details_and_residence(ledger: SqlLedger) -> None:
    requests = SqlRequestStore(ledger.engine, ledger)
    before = _request(_id())
    requests.insert(before, _step("submitted"))
    assert requests.get(before.id) == before
    after = replace(before, state="verified", details='{"ground":"a"}', residence="US-CA")
    requests.update(before, after, _step("verified"))
    assert requests.get(before.id) == after


def test_a_store_without_the_lifecycle_tables_fails_with_a_store_error(sqlite_url: str) -> None:
    store = SqlLifecycleStore(sa.create_engine(sqlite_url))
    with pytest.raises(StoreError, match="tutela's store failed"):
        store.code(_id())


def test_an_upgrade_from_0004_keeps_the_requests_and_runs_again_harmlessly(
    database_url: str,
) -> None:
    config = migrate.alembic_config(database_url)
    command.upgrade(config, "0004_requests")
    engine = sa.create_engine(database_url)
    row = _request(_id())
    fields = {c.name for c in request_table.columns} - {"details", "residence"}
    with engine.begin() as connection:
        connection.execute(sa.insert(request_table), [{k: getattr(row, k) for k in fields}])
    migrate.upgrade(engine)
    assert migrate.revision(engine) == migrate.head()
    assert SqlRequestStore(engine).get(row.id) == row  # details and residence None
    command.stamp(config, "0004_requests")  # as if 0005 was killed before its stamp
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.revision(engine) == migrate.head()
    assert SqlRequestStore(engine).get(row.id) == row
    command.downgrade(config, "0004_requests")
    assert "tutela_answer" not in sa.inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert SqlRequestStore(engine).get(row.id) == row
    engine.dispose()
