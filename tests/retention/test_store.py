"""Retention's state in tutela's store, each change with its ledger entry (issue 18).

On SQLite, PostgreSQL and MariaDB: holds, scan policies, a sweep's progress and its
per-event rows, finishing with ``swept`` and ``scan_deleted`` entries, and the proofs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tutela.errors import RequestError
from tutela.ledger.entries import EntryError
from tutela.programme.durations import Duration
from tutela.retention.holds import Hold, hold_digest
from tutela.retention.ports import EventProof, Progress, ScanPolicy
from tutela.retention.reports import proof_digest, rule_digest
from tutela.retention.targets import Column, Condition, Counts, Target
from tutela.store import migrate
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.retention import SqlRetentionStore
from tutela.store.retention_tables import hold_table

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
ASSETS = Target(
    rule="scan_data",
    action="delete",
    system="scans",
    dataset="scan_db",
    table="asset",
    address="scan_db.asset",
    key="id",
    time=Column("completed_at", "datetime", "scan", "scan_id", "id"),
    period=None,
    customer=Column("customer_id", "integer", "scan", "scan_id", "id"),
    per_customer=True,
)
LOGINS = replace(
    ASSETS,
    rule="login_events",
    table="login_event",
    address="app.login_event",
    key="code",
    time=Column("at"),
    period=Duration.parse("13m"),
    customer=None,
    per_customer=False,
)


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    opened = open_ledger(database_url)
    yield opened
    opened.close()


@pytest.fixture
def store(ledger: SqlLedger) -> SqlRetentionStore:
    return SqlRetentionStore(ledger.engine, ledger)


def _hold(**fields: object) -> Hold:
    values: dict[str, object] = {
        "id": "00000000-0000-4000-8000-000000000001",
        "scope": "filter",
        "reason": "Claim 2026-14: ann@example.test disputes her invoice",
        "owner": "legal",
        "placed_at": NOW,
        "review_at": date(2027, 1, 31),
        "collection": "scan_db.asset",
        "conditions": (
            Condition("status", "=", "'; DROP TABLE tutela_retention_hold; --"),
            Condition("id", "in", (1, 2, 3)),
            Condition("seen", "<", date(2026, 1, 1)),
            Condition("at", ">=", datetime(2026, 1, 1, 8, 30, tzinfo=UTC)),
            Condition("score", "!=", 2.5),
        ),
    }
    return Hold(**{**values, **fields})  # type: ignore[arg-type]


def test_RT_3_holds_round_trip_with_their_ledger_entries(
    store: SqlRetentionStore, ledger: SqlLedger
) -> None:
    assert migrate.revision(ledger.engine) == migrate.head() == "0015_ledger_request_index"
    held = _hold()
    subject = _hold(
        id="00000000-0000-4000-8000-000000000002",
        scope="subject",
        subject="h:" + "a" * 64,
        identity="email",
        sealed=b"\x01sealed-bytes\x00" * 10,
        collection=None,
        conditions=(),
        review_at=None,
    )
    store.place_hold(held, "staff:ann")
    store.place_hold(subject, "system")
    assert store.holds() == [held, subject]
    lifted = store.lift_hold(subject.id, "staff:bob", "Settled out of court", LATER)
    assert lifted.sealed is None and lifted.lifted_by == "staff:bob" and not lifted.active
    assert store.holds() == [held]
    assert store.holds(include_lifted=True) == [held, lifted]
    entries = [(e.actor, e.action, e.request, e.before, e.after) for e in ledger.entries()]
    assert entries == [
        ("staff:ann", "hold_placed", held.id, None, hold_digest(held)),
        ("system", "hold_placed", subject.id, None, hold_digest(subject)),
        ("staff:bob", "hold_lifted", subject.id, hold_digest(subject), hold_digest(lifted)),
    ]
    text = json.dumps([e.to_json() for e in ledger.entries()])
    assert "example.test" not in text and "Settled" not in text and "aaaa" not in text


def test_RT_3_lifting_twice_or_an_unknown_hold_is_refused(
    store: SqlRetentionStore, ledger: SqlLedger
) -> None:
    store.place_hold(_hold(), "system")
    store.lift_hold(_hold().id, "system", "done", LATER)
    for hold_id in (_hold().id, "nope", "' OR '1'='1"):
        with pytest.raises(RequestError, match="no active hold"):
            store.lift_hold(hold_id, "system", "again", LATER)
    assert [e.action for e in ledger.entries()] == ["hold_placed", "hold_lifted"]


def test_a_bad_actor_stores_no_hold(store: SqlRetentionStore, ledger: SqlLedger) -> None:
    with pytest.raises(EntryError):
        store.place_hold(_hold(), "Ann Smith <ann@example.test>")
    assert store.holds(include_lifted=True) == [] and ledger.entries() == []


def test_RT_1_scan_policies_replace_each_other_with_ledger_entries(
    store: SqlRetentionStore, ledger: SqlLedger
) -> None:
    store.set_policy(ScanPolicy("acme", "24h", "cli", NOW), "staff:ann")
    store.set_policy(ScanPolicy("globex", "keep", "cli", NOW), "staff:ann")
    store.set_policy(ScanPolicy("acme", "48h", "cli", LATER), "staff:bob")
    assert store.policies() == {
        "acme": ScanPolicy("acme", "48h", "cli", LATER),
        "globex": ScanPolicy("globex", "keep", "cli", NOW),
    }
    entries = ledger.entries()
    assert [(e.action, e.request) for e in entries] == [
        ("scan_policy", "acme"),
        ("scan_policy", "globex"),
        ("scan_policy", "acme"),
    ]
    assert len({e.after for e in entries}) == 3


def test_RT_2_a_sweep_records_ranges_events_and_finishes_with_proofs(
    store: SqlRetentionStore, ledger: SqlLedger
) -> None:
    assert store.open_sweep() is None
    store.start_sweep("0123456789ab", NOW, "system")
    assert store.open_sweep() == ("0123456789ab", NOW)
    first = Counts(10, 4, 1, 3, (("10", 2), ("11", 1)))
    store.planned("0123456789ab", ASSETS, 1, 11, first, customer="acme")
    progress = store.progress("0123456789ab")
    assert progress == {
        ("scan_data", "scan_db.asset#acme"): Progress(start=1, pending=(1, 11, first))
    }
    store.done("0123456789ab", ASSETS, 1, 11, first, 0.25, customer="acme", longest=0.2)
    second = Counts(5, 2, 0, 2, (("11", 1), ("12", 1)))
    store.done("0123456789ab", ASSETS, 11, None, second, 0.5, customer="acme", longest=0.4)
    store.done("0123456789ab", LOGINS, "a", "m", Counts(3, 1, 0, 1), 0.1)
    lane = store.progress("0123456789ab")[("scan_data", "scan_db.asset#acme")]
    assert lane.finished and lane.pending is None and lane.totals == Counts(15, 6, 1, 5)
    assert (lane.seconds, lane.longest) == (0.75, 0.4)
    logins = store.progress("0123456789ab")[("login_events", "app.login_event")]
    assert logins.start == "m" and not logins.finished
    rows = {(r.rule, r.event, r.customer): dict(r.rows) for r in store.event_rows("0123456789ab")}
    assert rows == {
        ("scan_data", "10", "acme"): {"scan_db.asset": 2},
        ("scan_data", "11", "acme"): {"scan_db.asset": 2},
        ("scan_data", "12", "acme"): {"scan_db.asset": 1},
    }
    report = {
        "rows": [
            {"rule": "scan_data", "collection": "scan_db.asset", "deleted": 5},
            {"rule": "login_events", "collection": "app.login_event", "deleted": 1},
        ]
    }
    proofs = [
        EventProof("0123456789ab", "scan_data", event, "acme", {"scan_db.asset": n}, LATER)
        for event, n in (("10", 2), ("11", 2), ("12", 1))
    ]
    store.finish_sweep("0123456789ab", report, proofs, "system", at=LATER)
    assert store.open_sweep() is None and store.progress("0123456789ab") == {}
    assert store.event_rows("0123456789ab") == []
    assert store.report("0123456789ab") == report
    assert store.proofs("acme") == proofs and store.proofs("globex") == []
    entries = [(e.action, e.request, e.after) for e in ledger.entries()]
    window = (NOW, LATER)
    assert entries == [
        (
            "swept",
            "sweep:0123456789ab:1",
            rule_digest("0123456789ab", "scan_data", window, NOW, report["rows"][:1]),
        ),
        (
            "swept",
            "sweep:0123456789ab:2",
            rule_digest("0123456789ab", "login_events", window, NOW, report["rows"][1:]),
        ),
        *[
            ("scan_deleted", f"scan:0123456789ab:{n}", proof_digest(p))
            for n, p in enumerate(proofs, 1)
        ],
    ]
    with pytest.raises(RequestError, match="not open"):
        store.finish_sweep("0123456789ab", report, [], "system", at=LATER)


def test_RT_2_a_failing_finish_leaves_the_sweep_open(
    store: SqlRetentionStore, ledger: SqlLedger
) -> None:
    store.start_sweep("aaaaaaaaaaaa", NOW, "system")
    store.done("aaaaaaaaaaaa", LOGINS, 1, None, Counts(1, 1, 0, 1), 0.1)
    with pytest.raises(EntryError):
        report = {"rows": [{"rule": "login_events", "deleted": 1}]}
        store.finish_sweep("aaaaaaaaaaaa", report, [], "not an actor", at=LATER)
    assert store.open_sweep() == ("aaaaaaaaaaaa", NOW)
    assert store.progress("aaaaaaaaaaaa")[("login_events", "app.login_event")].finished
    assert ledger.entries() == []


def test_the_store_keeps_no_identity_in_clear(store: SqlRetentionStore) -> None:
    store.place_hold(
        _hold(scope="subject", subject="h:" + "b" * 64, identity="email", sealed=b"\x01opaque"),
        "system",
    )
    with store.engine.connect() as connection:
        row = connection.execute(sa.select(hold_table)).mappings().one()
    assert "example" not in str(row["sealed"]) and row["subject"].startswith("h:")
