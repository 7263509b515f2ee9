"""One request's entries proven against the latest checkpoint without reading the whole log.

The console's request page shows a request's entries and whether each is proven in the
latest signed checkpoint. :func:`request_bundle` makes that request's evidence bundle
(:mod:`tutela.ledger.bundle`) from three reads that do not grow with the log:

1. the request's rows, through the index ``(request, seq)`` (:meth:`SqlLedger.rows_of`);
2. the tile roots of the checkpoint's tree (:class:`TileCache`): built once per process
   from the recorded leaf hashes, read by primary key in chunks, and kept only once they
   lead to the checkpoint's signed root; a later checkpoint reads only the leaves from
   the first tile that was not full;
3. per tile holding one of the request's entries, its 256 recorded leaf hashes, which
   must lead to the kept tile root (:class:`tutela.ledger.tiles.TiledTree`).

Each entry goes in as stored, so an entry edited since it was signed no longer verifies
(:func:`tutela.ledger.verifier.verify_bundle`), nor does one whose tile's recorded hashes
were changed. What this does not do is audit the rest of the log: an entry of another
request edited, or a row deleted or moved to another request, is found by
``tutela ledger verify`` and the console's ledger page, not here.
"""

from __future__ import annotations

import threading
from itertools import groupby
from typing import TYPE_CHECKING, Any

from tutela.ledger.bundle import bundle_document
from tutela.ledger.checkpoint import Checkpoint, CheckpointError, verify_checkpoint
from tutela.ledger.merkle import HASH_SIZE, MerkleTree
from tutela.ledger.tiles import TILE_HEIGHT, TiledTree, tile_roots
from tutela.store.ledger_audit import LedgerError

if TYPE_CHECKING:
    from tutela.ledger.checkpoint import VerifierKey
    from tutela.store.ledger import SqlLedger

CHUNK = 1 << 16
"""Recorded leaf hashes read per query while the tile roots are built (a whole number of tiles)."""

_VERIFY = "run `tutela ledger verify`"


class TileCache:
    """The tile roots of the latest checkpoint's tree, kept once they lead to its root.

    Safe to share between threads: one builds while the others wait for its result.
    Raises :class:`~tutela.store.ledger_audit.LedgerError` when the recorded leaf hashes
    do not lead to the checkpoint's root, or a row below its size is missing.
    """

    def __init__(self, ledger: SqlLedger, height: int = TILE_HEIGHT, chunk: int = CHUNK) -> None:
        self.ledger, self.height = ledger, height
        self.chunk = max(chunk >> height, 1) << height
        self._tree: TiledTree | None = None
        self._lock = threading.Lock()

    def tree(self, checkpoint: Checkpoint) -> TiledTree:
        """The tiled tree of ``checkpoint``'s size whose root is its signed root."""
        with self._lock:
            kept = self._tree
            if kept is not None and kept.size == checkpoint.size and kept.root() == checkpoint.root:
                return kept
            tree = None
            if kept is not None and kept.size < checkpoint.size:
                tree = self._grown(kept, checkpoint.size)
            if tree is None or tree.root() != checkpoint.root:
                tree = self._grown(None, checkpoint.size)
            if tree.root() != checkpoint.root:
                raise LedgerError(
                    f"log: root: the recorded leaf hashes do not lead to the root of the "
                    f"checkpoint of size {checkpoint.size}; {_VERIFY}"
                )
            self._tree = tree
            return tree

    def leaves(self, tree: TiledTree, tile: int) -> list[bytes]:
        """The recorded leaf hashes of ``tile`` of ``tree``, as stored now."""
        return self._recorded(*tree.span(tile))

    def _grown(self, kept: TiledTree | None, size: int) -> TiledTree:
        """The tree of ``size`` leaves: ``kept``'s full tiles, then the roots read after them."""
        roots = list(kept.roots[: kept.complete]) if kept is not None else []
        for first in range(len(roots) << self.height, size, self.chunk):
            leaves = self._recorded(first, min(first + self.chunk, size))
            roots.extend(tile_roots(leaves, self.height))
        return TiledTree(size, roots, self.height)

    def _recorded(self, start: int, end: int) -> list[bytes]:
        """The recorded leaf hashes of entries ``start`` to ``end - 1``; LedgerError if not all."""
        texts = self.ledger.recorded(start, end)
        if len(texts) != end - start:
            raise LedgerError(
                f"log: deleted: entries {start} to {end - 1} are not all there; {_VERIFY}"
            )
        try:
            hashes = [bytes.fromhex(text) for text in texts]
        except (ValueError, TypeError):
            hashes = []
        if len(hashes) != len(texts) or any(len(digest) != HASH_SIZE for digest in hashes):
            detail = f"entries {start} to {end - 1}: a recorded leaf hash is not 64 hex digits"
            raise LedgerError(f"log: edited: {detail}; {_VERIFY}")
        return hashes


def request_bundle(
    tiles: TileCache, request: str, note: str, verifier: VerifierKey, *, origin: str
) -> dict[str, Any]:
    """The evidence bundle of ``request``'s entries in the checkpoint ``note``, from tiles.

    The bundle is that of :meth:`tutela.store.ledger_proofs.LedgerProofs.evidence` on an
    intact log, entries as stored; check it with
    :func:`tutela.ledger.verifier.verify_bundle`. Raises LedgerError when the note does
    not verify or the tiles do not lead to its root,
    :class:`~tutela.ledger.merkle.ProofError` when a tile's recorded leaf hashes changed
    since its root was kept, and :class:`~tutela.ledger.verifier.BundleError` (a
    ProofError) when the request has no signed entry.
    """
    try:
        checkpoint = verify_checkpoint(note, verifier, origin=origin)
    except CheckpointError as error:
        raise LedgerError(f"log: checkpoint: {error}; {_VERIFY}") from None
    rows = [row for row in tiles.ledger.rows_of(request) if row.seq < checkpoint.size]
    proven: list[tuple[int, str, list[bytes]]] = []
    if rows:
        tree = tiles.tree(checkpoint)
        for tile, in_tile in groupby(rows, key=lambda row: tree.tile_of(row.seq)):
            leaves = MerkleTree(tiles.leaves(tree, tile))
            proven.extend((row.seq, row.text, tree.inclusion(row.seq, leaves)) for row in in_tile)
    return bundle_document(checkpoint.origin, request, note, verifier, proven)
