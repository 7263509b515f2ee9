"""Tamper detection: a log's entries checked against a signed checkpoint.

A checkpoint (c2sp.org/tlog-checkpoint) fixes a tree size and the RFC 9162 root of the
first that many entries (§2.1.1). :func:`audit` reads the entries as stored and names
every problem it finds, by sequence number and kind:

- **edited**: an entry whose leaf hash is no longer the one recorded when it was
  appended (only with the recorded leaf hashes; without them an edit shows as a root
  that no longer matches, and cannot be pinned to one entry);
- **deleted**: a sequence number below the checkpoint's size that no entry has;
- **inserted**: a duplicate sequence number, or one at or beyond the checkpoint's size;
- **reordered**: a sequence number smaller than one read before it;
- **root**: the entries, or the recorded leaf hashes, no longer lead to the
  checkpoint's root; **checkpoint**: the note's signature or origin does not verify.

Pass the entries the checkpoint covers (the first ``size`` of a longer log). The
report is data: ``tutela ledger verify`` prints :meth:`AuditReport.lines` and exits
non-zero unless :attr:`AuditReport.ok`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutela.ledger.checkpoint import Checkpoint, CheckpointError, VerifierKey, verify_checkpoint
from tutela.ledger.entries import Entry
from tutela.ledger.merkle import tree_head


class ProblemKind(StrEnum):
    """What kind of tampering a problem shows."""

    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    ROOT = "root"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class Problem:
    """One problem: its kind, the sequence number it concerns (if one), and the detail."""

    kind: ProblemKind
    seq: int | None
    detail: str

    def __str__(self) -> str:
        """``entry 3: edited: ...``, or ``log: root: ...`` for the whole log."""
        where = "log" if self.seq is None else f"entry {self.seq}"
        return f"{where}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class AuditReport:
    """The outcome of an audit: the checkpoint's size, entries read, and the problems."""

    size: int
    entries: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def lines(self) -> list[str]:
        """The report for a person: one line when intact, else one line per problem."""
        if self.ok:
            return [f"ok: {self.entries} entries match the checkpoint of size {self.size}"]
        head = f"tampered: {len(self.problems)} problem(s) in {self.entries} entries"
        return [f"{head} (checkpoint size {self.size})", *map(str, self.problems)]

    def of_kind(self, kind: ProblemKind) -> list[int | None]:
        """The sequence numbers of the problems of one kind (None for the whole log)."""
        return [p.seq for p in self.problems if p.kind is kind]


def audit(
    entries: Sequence[Entry],
    checkpoint: Checkpoint,
    recorded: Sequence[bytes] | None = None,
) -> AuditReport:
    """Check stored ``entries`` against a verified ``checkpoint`` (size and root).

    ``recorded`` holds the leaf hashes kept when the entries were appended, indexed by
    sequence number: with them an edited entry is named. Nothing is raised for
    tampering; every problem found is in the report.
    """
    problems = [*_sequence_problems(entries, checkpoint.size)]
    if recorded is not None:
        problems += _edited(entries, recorded)
        if tree_head(list(recorded[: checkpoint.size])) != checkpoint.root:
            detail = "the recorded leaf hashes do not lead to the checkpoint's root"
            problems.append(Problem(ProblemKind.ROOT, None, detail))
    if tree_head([entry.leaf_hash() for entry in entries]) != checkpoint.root:
        detail = f"the entries no longer lead to the root signed for size {checkpoint.size}"
        problems.append(Problem(ProblemKind.ROOT, None, detail))
    return AuditReport(checkpoint.size, len(entries), tuple(problems))


def audit_note(
    entries: Sequence[Entry],
    note: str | bytes,
    verifier: VerifierKey | str,
    *,
    origin: str,
    recorded: Sequence[bytes] | None = None,
) -> AuditReport:
    """:func:`audit` against a signed checkpoint note, verified first (C2SP signed-note).

    A note that does not verify (another key, an edit, another origin) is reported as
    a ``checkpoint`` problem: without a trusted checkpoint nothing else can be checked.
    """
    try:
        checkpoint = verify_checkpoint(note, verifier, origin=origin)
    except CheckpointError as error:
        problem = Problem(ProblemKind.CHECKPOINT, None, str(error))
        return AuditReport(0, len(entries), (problem,))
    return audit(entries, checkpoint, recorded)


def _sequence_problems(entries: Sequence[Entry], size: int) -> list[Problem]:
    """Inserted, reordered and deleted entries, from the sequence numbers alone."""
    problems: list[Problem] = []
    seen: set[int] = set()
    highest = -1
    for entry in entries:
        seq = entry.seq
        if seq in seen:
            problems.append(Problem(ProblemKind.INSERTED, seq, "a second entry with this number"))
        elif seq >= size:
            detail = f"beyond the {size} entries the checkpoint covers"
            problems.append(Problem(ProblemKind.INSERTED, seq, detail))
        elif seq < highest:
            detail = f"stored after entry {highest}, out of sequence"
            problems.append(Problem(ProblemKind.REORDERED, seq, detail))
        seen.add(seq)
        highest = max(highest, seq)
    return problems + _gaps(seen, size)


def _gaps(seen: set[int], size: int) -> list[Problem]:
    """One ``deleted`` problem per run of missing sequence numbers below ``size``."""
    problems, seq = [], 0
    while seq < size:
        if seq in seen:
            seq += 1
            continue
        end = seq
        while end + 1 < size and end + 1 not in seen:
            end += 1
        detail = "missing" if end == seq else f"missing, and the {end - seq} after it to {end}"
        problems.append(Problem(ProblemKind.DELETED, seq, detail))
        seq = end + 1
    return problems


def _edited(entries: Sequence[Entry], recorded: Sequence[bytes]) -> list[Problem]:
    """Entries whose leaf hash differs from the one recorded when they were appended."""
    problems = []
    for entry in entries:
        if entry.seq < len(recorded) and entry.leaf_hash() != recorded[entry.seq]:
            detail = "its leaf hash is not the one recorded when it was appended"
            problems.append(Problem(ProblemKind.EDITED, entry.seq, detail))
    return problems
