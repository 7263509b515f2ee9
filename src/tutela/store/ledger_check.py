"""The stored ledger checked end to end, with an outcome a person can read (the console).

:func:`check_ledger` answers the three questions of the console's *Verify the ledger*
button, in the terms of ``tutela ledger verify``:

1. **the chain**: every stored entry is canonical, in sequence and as recorded, and the
   entries the latest checkpoint covers lead to its signed root
   (:func:`tutela.store.ledger_audit.audit_rows`);
2. **the signature**: the latest checkpoint's note is signed by the ledger's key for this
   origin;
3. **consistency**: the previous checkpoint's tree is a prefix of the latest one's
   (an RFC 9162 consistency proof from the previous size to the latest, checked against
   both signed roots): nothing signed earlier was rewritten since.

Nothing is raised for tampering: every problem is in the outcome, naming the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutela.ledger.audit import ProblemKind
from tutela.ledger.checkpoint import CheckpointError, VerifierKey, verify_checkpoint
from tutela.ledger.merkle import MerkleTree, ProofError, verify_consistency
from tutela.store.ledger import SqlLedger, StoredEntry
from tutela.store.ledger_audit import audit_rows
from tutela.store.operations import CheckpointRecord, checkpoints


@dataclass(frozen=True)
class LedgerCheck:
    """What a check found.

    ``size`` is the latest checkpoint's tree size (0 without one); ``signed`` whether its
    signature verifies (None without a checkpoint); ``consistent`` whether the previous
    checkpoint is a prefix of it (None when there is no previous one or the chain is
    broken); ``problems`` one line per problem, naming the entry.
    """

    entries: int
    size: int
    signed: bool | None
    consistent: bool | None
    previous: int | None
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        """True when nothing is wrong (an unsigned, empty ledger is intact)."""
        return not self.problems and self.consistent is not False

    @property
    def pending(self) -> int:
        """Entries appended since the latest checkpoint, not yet signed."""
        return max(0, self.entries - self.size)


def check_ledger(ledger: SqlLedger, verifier: VerifierKey, origin: str) -> LedgerCheck:
    """Audit ``ledger`` against its two latest checkpoints (see the module doc)."""
    rows = ledger.rows()
    found = checkpoints(ledger.engine, 2)
    if not found:
        missing = f"log: checkpoint: none signed for the {len(rows)} entries"
        return LedgerCheck(len(rows), 0, None, None, None, (missing,) if rows else ())
    latest = found[0]
    report = audit_rows(rows, latest.note, verifier, origin=origin)
    signed = not report.of_kind(ProblemKind.CHECKPOINT)
    problems: tuple[str, ...] = tuple(str(problem) for problem in report.problems)
    if len(found) < 2:
        return LedgerCheck(len(rows), report.size, signed, None, None, problems)
    previous = found[1]
    consistent = None
    if report.ok:
        consistent, detail = _consistent(rows, previous, latest, verifier, origin)
        problems = problems if consistent else (*problems, detail)
    return LedgerCheck(len(rows), report.size, signed, consistent, previous.size, problems)


def _consistent(
    rows: Sequence[StoredEntry],
    previous: CheckpointRecord,
    latest: CheckpointRecord,
    verifier: VerifierKey,
    origin: str,
) -> tuple[bool, str]:
    """Whether ``previous``'s signed tree is a prefix of ``latest``'s; the reason when not."""
    try:
        first = verify_checkpoint(previous.note, verifier, origin=origin)
        second = verify_checkpoint(latest.note, verifier, origin=origin)
        tree = MerkleTree([bytes.fromhex(row.leaf_hash) for row in rows[: second.size]])
        proof = tree.consistency(first.size, second.size)
        verify_consistency(first.size, second.size, proof, first.root, second.root)
    except CheckpointError as error:
        return False, f"previous checkpoint (size {previous.size}): {error}"
    except (ProofError, ValueError) as error:
        return False, f"previous checkpoint (size {previous.size}): not a prefix: {error}"
    return True, ""
