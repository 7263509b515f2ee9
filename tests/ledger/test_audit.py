"""Tamper detection: every kind of change to a log is found and named by sequence number."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tutela.ledger.audit import AuditReport, ProblemKind, audit, audit_note
from tutela.ledger.checkpoint import Checkpoint, generate_key, sign_checkpoint
from tutela.ledger.entries import Entry
from tutela.ledger.merkle import tree_head

ORIGIN = "tutela.example/ledger"
START = datetime(2025, 1, 1, tzinfo=UTC)
ACTIONS = ("received", "verified", "approved", "erased", "answered")


def make_log(size: int) -> list[Entry]:
    return [
        Entry(
            seq=i,
            time=START + timedelta(minutes=i),
            actor="system" if i % 2 else "staff:ann",
            action=ACTIONS[i % len(ACTIONS)],
            request=f"req-{i // 5}",
            after=f"h:{i:064x}",
        )
        for i in range(size)
    ]


def head(log: list[Entry]) -> tuple[Checkpoint, list[bytes]]:
    recorded = [entry.leaf_hash() for entry in log]
    return Checkpoint(ORIGIN, len(log), tree_head(recorded)), recorded


def kinds(report: AuditReport) -> set[tuple[ProblemKind, int | None]]:
    return {(problem.kind, problem.seq) for problem in report.problems}


def test_an_intact_log_passes() -> None:
    log = make_log(12)
    checkpoint, recorded = head(log)
    report = audit(log, checkpoint, recorded)
    assert report.ok
    assert report.lines() == ["ok: 12 entries match the checkpoint of size 12"]


def test_an_empty_log_matches_the_empty_checkpoint() -> None:
    assert audit([], head([])[0], []).ok


def test_an_edited_entry_is_named_by_its_recorded_leaf_hash() -> None:
    log = make_log(12)
    checkpoint, recorded = head(log)
    log[7] = dataclasses.replace(log[7], action="refused")
    report = audit(log, checkpoint, recorded)
    assert kinds(report) == {(ProblemKind.EDITED, 7), (ProblemKind.ROOT, None)}
    assert "entry 7: edited:" in "\n".join(report.lines())


def test_an_edit_without_recorded_hashes_shows_as_a_root_mismatch() -> None:
    log = make_log(6)
    checkpoint, _ = head(log)
    log[2] = dataclasses.replace(log[2], actor="staff:bob")
    assert kinds(audit(log, checkpoint)) == {(ProblemKind.ROOT, None)}


def test_a_deleted_entry_is_named_as_a_gap() -> None:
    log = make_log(10)
    checkpoint, recorded = head(log)
    del log[4]
    report = audit(log, checkpoint, recorded)
    assert report.of_kind(ProblemKind.DELETED) == [4]
    assert not report.of_kind(ProblemKind.EDITED)
    assert report.of_kind(ProblemKind.ROOT) == [None]


def test_deleted_entries_at_the_end_and_in_runs_are_named() -> None:
    log = make_log(10)
    checkpoint, recorded = head(log)
    report = audit(log[:2] + log[5:8], checkpoint, recorded)
    assert report.of_kind(ProblemKind.DELETED) == [2, 8]
    assert "entry 2: deleted: missing, and the 2 after it to 4" in report.lines()


def test_an_inserted_entry_is_named_as_a_duplicate_or_beyond_the_checkpoint() -> None:
    log = make_log(8)
    checkpoint, recorded = head(log)
    forged = dataclasses.replace(log[3], action="answered")
    extra = dataclasses.replace(log[7], seq=8)
    report = audit([*log[:4], forged, *log[4:], extra], checkpoint, recorded)
    assert report.of_kind(ProblemKind.INSERTED) == [3, 8]
    assert report.of_kind(ProblemKind.ROOT) == [None]


def test_reordered_entries_are_named() -> None:
    log = make_log(8)
    checkpoint, recorded = head(log)
    log[2], log[5] = log[5], log[2]
    report = audit(log, checkpoint, recorded)
    assert set(report.of_kind(ProblemKind.REORDERED)) == {3, 4, 2}
    assert not report.of_kind(ProblemKind.EDITED)
    assert report.of_kind(ProblemKind.ROOT) == [None]


def test_a_checkpoint_of_another_log_is_a_root_mismatch() -> None:
    log = make_log(8)
    _, recorded = head(log)
    other, _ = head(make_log(9)[1:])
    report = audit(log, other, recorded)
    assert report.of_kind(ProblemKind.ROOT) == [None, None]
    assert not report.ok


def test_edited_recorded_hashes_are_caught_by_the_root() -> None:
    log = make_log(5)
    checkpoint, recorded = head(log)
    recorded[1] = bytes(32)
    report = audit(log, checkpoint, recorded)
    assert kinds(report) == {(ProblemKind.EDITED, 1), (ProblemKind.ROOT, None)}


def test_audit_note_verifies_the_signature_first() -> None:
    log = make_log(4)
    checkpoint, recorded = head(log)
    key, other = generate_key(ORIGIN), generate_key(ORIGIN)
    note = sign_checkpoint(checkpoint, key)
    assert audit_note(log, note, key.verifier, origin=ORIGIN, recorded=recorded).ok
    report = audit_note(log, sign_checkpoint(checkpoint, other), key.verifier, origin=ORIGIN)
    assert kinds(report) == {(ProblemKind.CHECKPOINT, None)}
    assert "not signed by key" in report.lines()[1]
    tampered = note.replace("\n4\n", "\n3\n")
    assert audit_note(log, tampered, key.verifier, origin=ORIGIN).of_kind(
        ProblemKind.CHECKPOINT
    ) == [None]


@given(size=st.integers(1, 20), data=st.data())
def test_any_single_change_to_an_entry_is_detected(size: int, data: st.DataObject) -> None:
    log = make_log(size)
    checkpoint, recorded = head(log)
    seq = data.draw(st.integers(0, size - 1))
    change: dict[str, Any] = data.draw(
        st.sampled_from(
            [
                {"action": "forged"},
                {"actor": "staff:eve"},
                {"request": "req-other"},
                {"before": "0" * 64},
                {"time": START - timedelta(days=1)},
            ]
        )
    )
    log[seq] = dataclasses.replace(log[seq], **change)
    report = audit(log, checkpoint, recorded)
    assert report.of_kind(ProblemKind.EDITED) == [seq]
    assert report.of_kind(ProblemKind.ROOT) == [None]
