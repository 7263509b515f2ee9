"""A standalone, offline verifier of tutela evidence bundles.

Run ``python -m tutela.ledger.verifier BUNDLE.json [--key VERIFIER_KEY]``, or call
:func:`verify_bundle`. It checks, with no network and no tutela store:

1. the checkpoint note's Ed25519 signature by the verifier key and its origin
   (C2SP signed-note and tlog-checkpoint), and takes size and root from it only then;
2. each entry: canonical JSON of the bundle's request, its sequence number the leaf
   index, and its inclusion proof leading from ``SHA-256(0x00 || entry)`` to the
   signed root (RFC 9162 §2.1.1 and §2.1.3.2);

and prints what it verified. A bundle carries its own verifier key for convenience:
pass the log's published key with ``--key`` (or ``key=``) to trust that one instead.

This module imports only the standard library, ``cryptography`` (through
``checkpoint``) and tutela.ledger's ``merkle`` and ``checkpoint`` modules (which
themselves import only ``tutela.errors``), so it can be copied beside them and
audited on its own; ``tests/ledger/test_bundle.py`` keeps it so.

The bundle format ``tutela-evidence-bundle/1`` is one JSON object::

    {"format": "tutela-evidence-bundle/1", "origin": ..., "request": ...,
     "checkpoint": <signed note text>, "verifier_key": <name+id+key>,
     "entries": [{"index": n, "entry": <canonical JSON text>, "proof": [<hex>, ...]}]}
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutela.ledger.checkpoint import Checkpoint, CheckpointError, VerifierKey, verify_checkpoint
from tutela.ledger.merkle import ProofError, leaf_hash, verify_inclusion

FORMAT = "tutela-evidence-bundle/1"


class BundleError(ProofError):
    """An evidence bundle that is malformed or does not verify; the message says why."""


@dataclass(frozen=True)
class Verified:
    """What a bundle proved: the checkpoint, the key, and the entries found in the log."""

    checkpoint: Checkpoint
    key: VerifierKey
    request: str
    entries: tuple[dict[str, Any], ...]

    def lines(self) -> list[str]:
        """The verification for a person, one line per fact."""
        root = base64.b64encode(self.checkpoint.root).decode()
        lines = [
            f"checkpoint: signed by {self.key.name}+{self.key.key_id.hex()}, "
            f"origin {self.checkpoint.origin}, size {self.checkpoint.size}, root {root}"
        ]
        for entry in self.entries:
            lines.append(
                f"entry {entry['seq']}: included: {entry['time']} {entry['actor']} "
                f"{entry['action']} (before {entry['before'] or '-'}, "
                f"after {entry['after'] or '-'})"
            )
        lines.append(f"verified: {len(self.entries)} entries of request {self.request}")
        return lines


def verify_bundle(bundle: Any, key: VerifierKey | str | None = None) -> Verified:
    """Verify an evidence bundle (its JSON object); raise :class:`BundleError` if it fails.

    ``key`` is the log's trusted verifier key; without it the bundle's own key is used.
    """
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BundleError(f"not an evidence bundle: 'format' must be {FORMAT!r}")
    request, origin = _text(bundle, "request"), _text(bundle, "origin")
    trusted = key if key is not None else _text(bundle, "verifier_key")
    try:
        verifier = VerifierKey.parse(trusted) if isinstance(trusted, str) else trusted
        checkpoint = verify_checkpoint(_text(bundle, "checkpoint"), verifier, origin=origin)
    except CheckpointError as error:
        raise BundleError(f"checkpoint does not verify: {error}") from None
    items = bundle.get("entries")
    if not isinstance(items, list) or not items:
        raise BundleError("the bundle has no entries")
    entries = tuple(_verified_entry(item, request, checkpoint) for item in items)
    return Verified(checkpoint, verifier, request, entries)


def verify_file(path: Path, key: VerifierKey | str | None = None) -> Verified:
    """:func:`verify_bundle` of a bundle file (UTF-8 JSON)."""
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"cannot read bundle {path}: {error}") from None
    return verify_bundle(bundle, key)


def _verified_entry(item: Any, request: str, checkpoint: Checkpoint) -> dict[str, Any]:
    """One entry checked for form, request and index, then for inclusion (§2.1.3.2)."""
    index = item.get("index") if isinstance(item, dict) else None
    if not isinstance(index, int) or isinstance(index, bool):
        raise BundleError("each bundle entry needs an integer 'index', 'entry' and 'proof'")
    text = _text(item, "entry")
    fields = _canonical_entry(text, index)
    if fields.get("seq") != index:
        raise BundleError(f"entry {index}: its sequence number is not its leaf index")
    if fields.get("request") != request:
        raise BundleError(f"entry {index}: it is not an entry of request {request}")
    proof = _proof(item.get("proof"), index)
    try:
        verify_inclusion(index, checkpoint.size, leaf_hash(text.encode()), proof, checkpoint.root)
    except ProofError as error:
        raise BundleError(f"entry {index} is not proven in the signed log: {error}") from None
    return fields


def _canonical_entry(text: str, index: int) -> dict[str, Any]:
    try:
        fields = json.loads(text)
    except json.JSONDecodeError:
        raise BundleError(f"entry {index}: not JSON") from None
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    if not isinstance(fields, dict) or canonical != text:
        raise BundleError(f"entry {index}: not a canonical JSON object")
    keys = {"action", "actor", "after", "before", "request", "seq", "time"}
    if set(fields) != keys:
        raise BundleError(f"entry {index}: its fields are not those of a ledger entry")
    return fields


def _proof(value: Any, index: int) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise BundleError(f"entry {index}: 'proof' must be a list of hex hashes")
    try:
        return [bytes.fromhex(h) for h in value]
    except ValueError:
        raise BundleError(f"entry {index}: a proof hash is not hex") from None


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise BundleError(f"the bundle's {name!r} is missing or not text")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Verify a bundle file and print what was verified; 0 if it verifies, 1 if not."""
    parser = argparse.ArgumentParser(
        prog="python -m tutela.ledger.verifier", description="Verify a tutela evidence bundle."
    )
    parser.add_argument("bundle", type=Path, help="the evidence bundle (JSON)")
    parser.add_argument("--key", help="the log's published verifier key (name+id+key)")
    args = parser.parse_args(argv)
    try:
        verified = verify_file(args.bundle, args.key)
    except BundleError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    if args.key is None:
        print("key: taken from the bundle; compare it with the log's published key")
    print("\n".join(verified.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
