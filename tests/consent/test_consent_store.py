"""Choice events in the store, each with its ledger entry, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tutela.consent.records import ChoiceEvent, Kind, Method, subject_ref
from tutela.errors import StoreError
from tutela.ledger.entries import EntryError
from tutela.store import migrate
from tutela.store.consent import SqlChoiceStore, event_digest
from tutela.store.ledger import SqlLedger, open_ledger

NOW = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
KEY = b"consent-store-key"
ANN = subject_ref("email", "ann@example.test", KEY)
BOB = subject_ref("email", "bob@example.test", KEY)


def _event(number: int, subject: str = ANN, kind: Kind = Kind.CONSENT_GIVEN) -> ChoiceEvent:
    return ChoiceEvent(
        id=f"00000000-0000-0000-0000-{number:012d}",
        subject=subject,
        purpose="direct_marketing",
        kind=kind,
        at=NOW + timedelta(minutes=number),
        method=Method.CHECKBOX,
        notice_version="marketing-consent-2026-1",
        language="en",
        jurisdiction="BE",
        evidence="form-17",
    )


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    opened = open_ledger(database_url)
    yield opened
    opened.close()


@pytest.fixture
def store(ledger: SqlLedger) -> SqlChoiceStore:
    return SqlChoiceStore(ledger.engine, ledger)


def test_co2_events_round_trip_with_one_ledger_entry_each(
    store: SqlChoiceStore, ledger: SqlLedger
) -> None:
    assert migrate.revision(ledger.engine) == migrate.head() == "0015_ledger_request_index"
    assert store.latest_change() == 0
    given, withdrawn = _event(1), _event(2, kind=Kind.CONSENT_WITHDRAWN)
    store.record([given, withdrawn], "staff:alice")
    store.record([_event(3, subject=BOB)], "system")
    assert store.events(subject=ANN) == [given, withdrawn]
    assert [e.subject for e in store.events()] == [ANN, ANN, BOB]
    entries = [(e.actor, e.action, e.request, e.before, e.after) for e in ledger.entries()]
    assert entries[:2] == [
        ("staff:alice", "consent_given", given.id, None, event_digest(given)),
        ("staff:alice", "consent_withdrawn", withdrawn.id, None, event_digest(withdrawn)),
    ]
    assert all(ANN not in str(entry) and BOB not in str(entry) for entry in entries)


def test_co2_latest_change_grows_and_since_id_reads_only_newer(store: SqlChoiceStore) -> None:
    store.record([_event(1)], "system")
    first = store.latest_change()
    store.record([_event(2, kind=Kind.CONSENT_WITHDRAWN)], "system")
    assert store.latest_change() > first
    assert [e.kind for e in store.events(since_id=first)] == [Kind.CONSENT_WITHDRAWN]
    assert store.events(since_id=store.latest_change()) == []


def test_co2_a_failing_ledger_append_stores_no_event(
    store: SqlChoiceStore, ledger: SqlLedger
) -> None:
    with pytest.raises(EntryError):
        store.record([_event(1)], "not a valid actor")
    assert store.events() == [] and ledger.entries() == []
    assert store.latest_change() == 0


def test_co2_a_duplicate_event_id_stores_nothing_and_appends_nothing(
    store: SqlChoiceStore, ledger: SqlLedger
) -> None:
    store.record([_event(1)], "system")
    with pytest.raises(StoreError):
        store.record([_event(2), _event(1)], "system")
    assert [e.id for e in store.events()] == [_event(1).id]
    assert len(ledger.entries()) == 1


def test_co2_the_table_has_its_subject_index(ledger: SqlLedger) -> None:
    indexes = sa.inspect(ledger.engine).get_indexes("tutela_choice_event")
    found = {index["name"]: index["column_names"] for index in indexes}
    assert found["ix_tutela_choice_event_subject"] == ["subject", "purpose", "at"]
