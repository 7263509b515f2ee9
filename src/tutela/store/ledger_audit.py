"""The ledger as stored, audited: rows read by SQL checked against the latest checkpoint.

:func:`tutela.ledger.audit.audit` checks decoded entries; a row in the store can also
be wrong in ways a decoded entry cannot show, each reported by the row's sequence
number: text that is no longer a canonical entry (**edited**), a row whose sequence
number is not the one inside its entry (**reordered**: rows swapped or renumbered),
a recorded leaf hash that is not 64 hex digits (**edited**), and a request column that
does not name the entry's request (**edited**: the index the console's request page
reads would hide the entry or show it on another request's page). Rows beyond the
checkpoint (appended since it was signed) are checked against their recorded leaf
hashes; only the next checkpoint can vouch for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutela.errors import TutelaError
from tutela.ledger.audit import AuditReport, Problem, ProblemKind, audit
from tutela.ledger.checkpoint import CheckpointError, VerifierKey, verify_checkpoint
from tutela.ledger.entries import Entry, EntryError
from tutela.store.ledger import StoredEntry

_MISSING = bytes(32)
"""What stands for the recorded leaf hash of a deleted row (it leads to no root)."""


def audit_rows(
    rows: Sequence[StoredEntry], note: str, verifier: VerifierKey, *, origin: str
) -> AuditReport:
    """Every problem of the stored ``rows`` against the signed checkpoint ``note``.

    A note that does not verify is the one problem reported: nothing else can be trusted.
    """
    try:
        checkpoint = verify_checkpoint(note, verifier, origin=origin)
    except CheckpointError as error:
        problem = Problem(ProblemKind.CHECKPOINT, None, str(error))
        return AuditReport(0, len(rows), (problem,))
    problems: list[Problem] = []
    covered: list[Entry] = []
    recorded: dict[int, bytes] = {}
    for row in rows:
        entry = _decoded(row, problems)
        digest = _recorded(row, problems)
        if digest is not None:
            recorded[row.seq] = digest
        if entry is None:
            continue
        if row.seq < checkpoint.size:
            covered.append(entry)
        elif digest is not None and entry.leaf_hash() != digest:
            detail = "its leaf hash is not the one recorded when it was appended"
            problems.append(Problem(ProblemKind.EDITED, row.seq, detail))
    report = audit(covered, checkpoint, _recorded_list(recorded, checkpoint.size))
    return AuditReport(checkpoint.size, len(rows), (*problems, *report.problems))


def _decoded(row: StoredEntry, problems: list[Problem]) -> Entry | None:
    """The row's entry; None (and a problem) when its text is not a canonical entry."""
    try:
        entry = Entry.decode(row.text.encode("utf-8"))
    except (EntryError, UnicodeEncodeError) as error:
        problems.append(Problem(ProblemKind.EDITED, row.seq, f"not a canonical entry: {error}"))
        return None
    if entry.seq != row.seq:
        detail = f"the row numbered {row.seq} holds entry {entry.seq}: rows swapped or renumbered"
        problems.append(Problem(ProblemKind.REORDERED, row.seq, detail))
    if row.request != entry.request:
        detail = "its request column does not name its entry's request (the request index)"
        problems.append(Problem(ProblemKind.EDITED, row.seq, detail))
    return entry


def _recorded(row: StoredEntry, problems: list[Problem]) -> bytes | None:
    """The row's recorded leaf hash; None (and a problem) when it is not 64 hex digits."""
    try:
        digest = bytes.fromhex(row.leaf_hash)
    except (ValueError, TypeError):
        digest = b""
    if len(digest) == 32:
        return digest
    detail = "its recorded leaf hash is not 64 hex digits"
    problems.append(Problem(ProblemKind.EDITED, row.seq, detail))
    return None


def _recorded_list(recorded: dict[int, bytes], size: int) -> list[bytes]:
    """The first ``size`` recorded leaf hashes by sequence number, a deleted row's as zeros."""
    return [recorded.get(seq, _MISSING) for seq in range(size)]


def head_entries(rows: Sequence[StoredEntry]) -> list[Entry]:
    """The entries of ``rows`` once each is canonical, numbered 0, 1, 2... and as recorded.

    What ``tutela ledger checkpoint`` signs; raises :class:`LedgerError` naming the
    first row that is not, rather than sign a log that was changed.
    """
    entries: list[Entry] = []
    for index, row in enumerate(rows):
        problems: list[Problem] = []
        entry = _decoded(row, problems)
        digest = _recorded(row, problems)
        if row.seq != index:
            problems.append(Problem(ProblemKind.DELETED, index, "missing"))
        elif entry is not None and digest is not None and entry.leaf_hash() != digest:
            detail = "its leaf hash is not the one recorded when it was appended"
            problems.append(Problem(ProblemKind.EDITED, row.seq, detail))
        if problems or entry is None:
            raise LedgerError(f"{problems[0]}; run `tutela ledger verify`")
        entries.append(entry)
    return entries


class LedgerError(TutelaError):
    """The stored ledger does not verify, or holds nothing to prove; the message says why."""
