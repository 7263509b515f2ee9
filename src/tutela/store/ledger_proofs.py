"""The ledger's use cases shared by ``tutela ledger`` and the API: sign, prove, export.

:class:`LedgerProofs` signs a checkpoint of the stored ledger's head (refusing a ledger
that no longer matches its last checkpoint), and answers inclusion proofs, consistency
proofs and evidence bundles against the latest checkpoint once the ledger audits clean.
For the console's request page it also reads one request's entries and proves them
through the request index and the tiles of :mod:`tutela.store.ledger_tiles`, without
auditing or reading the whole ledger (:meth:`LedgerProofs.request_entries`,
:meth:`LedgerProofs.request_evidence`).
Raises :class:`~tutela.store.ledger_audit.LedgerError` when the ledger does not verify or
holds nothing to prove, :class:`~tutela.ledger.merkle.ProofError` for sizes or indexes
outside the checkpoint, :class:`~tutela.ledger.verifier.BundleError` for a request with
no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutela.ledger.entries import Entry, EntryError
from tutela.ledger.merkle import MerkleTree, ProofError
from tutela.store.ledger_audit import LedgerError, audit_rows, head_entries
from tutela.store.ledger_tiles import TileCache, request_bundle

if TYPE_CHECKING:
    from tutela.ledger.checkpoint import SigningKey, VerifierKey
    from tutela.store.ledger import SqlLedger


@dataclass(frozen=True)
class Signed:
    """A signed checkpoint: the tree size it covers and its note (C2SP tlog-checkpoint)."""

    size: int
    note: str


class LedgerProofs:
    """Checkpoints and proofs of ``ledger``, whose checkpoints carry ``origin``."""

    def __init__(self, ledger: SqlLedger, origin: str) -> None:
        self.ledger, self.origin = ledger, origin
        self.tiles = TileCache(ledger)

    def checkpoint(self, key: SigningKey) -> Signed:
        """Sign the current head with ``key`` and keep the note; LedgerError if tampered."""
        from tutela.ledger.checkpoint import Checkpoint, sign_checkpoint
        from tutela.ledger.merkle import tree_head

        self._check_latest(key.verifier)
        entries = head_entries(self.ledger.rows())
        root = tree_head([entry.leaf_hash() for entry in entries])
        note = sign_checkpoint(Checkpoint(self.origin, len(entries), root), key)
        self.ledger.save_checkpoint(note, len(entries))
        return Signed(len(entries), note)

    def latest(self) -> Signed | None:
        """The latest checkpoint kept, or None before the first."""
        found = self.ledger.latest_checkpoint()
        return None if found is None else Signed(*found)

    def inclusion(self, seq: int, verifier: VerifierKey) -> dict[str, Any]:
        """The inclusion proof of entry ``seq`` against the latest checkpoint (RFC 9162)."""
        entries, note = self.audited(verifier)
        if not 0 <= seq < len(entries):
            raise ProofError(f"entry {seq} is not in the latest checkpoint (size {len(entries)})")
        tree = MerkleTree([entry.leaf_hash() for entry in entries])
        return {
            "seq": seq,
            "entry": entries[seq].encode().decode("ascii"),
            "leaf_hash": tree.leaf(seq).hex(),
            "tree_size": len(entries),
            "root": tree.root().hex(),
            "proof": [node.hex() for node in tree.inclusion(seq)],
            "checkpoint": note,
            "verifier_key": str(verifier),
        }

    def consistency(self, first: int, second: int | None, verifier: VerifierKey) -> dict[str, Any]:
        """The consistency proof from tree size ``first`` to ``second`` (default: latest)."""
        entries, note = self.audited(verifier)
        tree = MerkleTree([entry.leaf_hash() for entry in entries])
        size = len(entries) if second is None else second
        proof = tree.consistency(first, size)  # ProofError for sizes outside the tree
        return {
            "first": first,
            "second": size,
            "first_root": tree.root(first).hex(),
            "second_root": tree.root(size).hex(),
            "proof": [node.hex() for node in proof],
            "checkpoint": note,
            "verifier_key": str(verifier),
        }

    def evidence(self, request: str, verifier: VerifierKey) -> dict[str, Any]:
        """The evidence bundle of ``request``'s entries (``python -m tutela.ledger.verifier``)."""
        from tutela.ledger.bundle import build_bundle

        entries, note = self.audited(verifier)
        return build_bundle(entries, request, note, verifier)

    def request_entries(self, request: str) -> list[Entry]:
        """``request``'s entries by sequence number, found through the request index.

        Only rows that decode and name ``request`` themselves: an edited row is left out
        here and fails :meth:`request_evidence` instead.
        """
        found = []
        for row in self.ledger.rows_of(request):
            try:
                entry = Entry.decode(row.text.encode("utf-8"))
            except (EntryError, UnicodeEncodeError):
                continue
            if entry.request == request:
                found.append(entry)
        return found

    def request_evidence(self, request: str, verifier: VerifierKey) -> dict[str, Any]:
        """``request``'s evidence bundle from the index and tiles, the ledger not audited.

        What the request page checks its proofs with
        (:func:`tutela.store.ledger_tiles.request_bundle`); :meth:`evidence` audits first.
        """
        latest = self.ledger.latest_checkpoint()
        if latest is None:
            raise LedgerError("no checkpoint yet: sign one with `tutela ledger checkpoint`")
        return request_bundle(self.tiles, request, latest[1], verifier, origin=self.origin)

    def audited(self, verifier: VerifierKey) -> tuple[list[Entry], str]:
        """The entries the latest checkpoint covers and its note, once the ledger verifies."""
        rows, latest = self.ledger.rows(), self.ledger.latest_checkpoint()
        if latest is None:
            raise LedgerError("no checkpoint yet: sign one with `tutela ledger checkpoint`")
        report = audit_rows(rows, latest[1], verifier, origin=self.origin)
        if not report.ok:
            raise LedgerError(f"{report.problems[0]}; run `tutela ledger verify`")
        return [Entry.decode(row.text.encode("ascii")) for row in rows[: report.size]], latest[1]

    def _check_latest(self, verifier: VerifierKey) -> None:
        """Refuse to sign a new head when the ledger no longer matches the last checkpoint."""
        latest = self.ledger.latest_checkpoint()
        if latest is None:
            return
        report = audit_rows(self.ledger.rows(), latest[1], verifier, origin=self.origin)
        if not report.ok:
            raise LedgerError(f"{report.problems[0]}; run `tutela ledger verify`")
