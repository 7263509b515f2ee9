"""The evidence bundle of one request: its entries, proven in a signed log, as one JSON.

A bundle holds the request's entries (their canonical JSON, the exact leaf data), an
RFC 9162 inclusion proof for each (§2.1.3.1) against the tree size and root of a signed
checkpoint, the C2SP checkpoint note itself and the verifier key. Anyone can check it
offline with :mod:`tutela.ledger.verifier` (``python -m tutela.ledger.verifier``), which
needs nothing from tutela but the ``merkle`` and ``checkpoint`` modules. The format is
described there (``tutela-evidence-bundle/1``). Entries hold ids and keyed digests only,
so a bundle can be handed to a data subject or a supervisory authority as evidence of
what was done for a request (GDPR.md FEE-2, RT-2: keep the evidence) without disclosing
anyone's data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tutela.ledger.checkpoint import Checkpoint, CheckpointError, VerifierKey, open_note
from tutela.ledger.entries import Entry
from tutela.ledger.merkle import MerkleTree
from tutela.ledger.verifier import FORMAT, BundleError


def build_bundle(
    log: Sequence[Entry], request: str, note: str, verifier: VerifierKey
) -> dict[str, Any]:
    """The evidence bundle of ``request``: its entries among the first ``size`` of ``log``.

    ``log`` is the whole log in sequence order (``log[i].seq == i``) and ``note`` a
    checkpoint signed by ``verifier``; the bundle proves each of the request's entries
    against that checkpoint's size and root. Raises :class:`BundleError` if the note
    does not verify, the log does not lead to its root (audit it), or the request has
    no entry in it.
    """
    checkpoint = _signed_checkpoint(note, verifier)
    tree = _checked_tree(log, checkpoint)
    mine = [entry for entry in log[: checkpoint.size] if entry.request == request]
    proven = [
        (entry.seq, entry.encode().decode("ascii"), tree.inclusion(entry.seq, checkpoint.size))
        for entry in mine
    ]
    return bundle_document(checkpoint.origin, request, note, verifier, proven)


def bundle_document(
    origin: str,
    request: str,
    note: str,
    verifier: VerifierKey,
    proven: Sequence[tuple[int, str, Sequence[bytes]]],
) -> dict[str, Any]:
    """The bundle of ``request`` from its entries already proven: (index, text, audit path).

    Raises :class:`BundleError` when ``proven`` is empty (the request has no entry in
    the checkpoint's log). Checks nothing else: :func:`tutela.ledger.verifier.verify_bundle`
    does.
    """
    if not proven:
        raise BundleError(f"request {request!r:.70} has no entry in the checkpoint's log")
    return {
        "format": FORMAT,
        "origin": origin,
        "request": request,
        "checkpoint": note,
        "verifier_key": str(verifier),
        "entries": [
            {"index": index, "entry": text, "proof": [node.hex() for node in path]}
            for index, text, path in proven
        ],
    }


def bundle_text(bundle: dict[str, Any]) -> str:
    """The bundle as a JSON document (indented, keys sorted, final newline)."""
    return json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _signed_checkpoint(note: str, verifier: VerifierKey) -> Checkpoint:
    """The checkpoint of a note whose signature by ``verifier`` verifies (C2SP)."""
    try:
        return Checkpoint.parse(open_note(note, verifier))
    except CheckpointError as error:
        raise BundleError(f"checkpoint does not verify: {error}") from None


def _checked_tree(log: Sequence[Entry], checkpoint: Checkpoint) -> MerkleTree:
    """The tree of the log's first ``size`` entries, once its root is the signed one."""
    covered = log[: checkpoint.size]
    if len(covered) < checkpoint.size:
        raise BundleError(f"the log has {len(log)} entries, fewer than the checkpoint's size")
    misplaced = next((i for i, entry in enumerate(covered) if entry.seq != i), None)
    if misplaced is not None:
        raise BundleError(f"log position {misplaced} holds entry {covered[misplaced].seq}")
    tree = MerkleTree([entry.leaf_hash() for entry in covered])
    if tree.root() != checkpoint.root:
        raise BundleError("the log does not lead to the checkpoint's root: audit it")
    return tree
