"""How fast the ledger's cryptographic core is, next to a minimal hand-written floor.

    python benchmarks/ledger.py [--entries 1000000] [--samples 1000] [--rounds 3] [--seed 1]

Builds its own log: ``--entries`` records of 40 bytes (an 8-byte id and a 32-byte keyed
digest, what the ledger holds), hashed as RFC 9162 leaves. Measures, for tutela
(``tutela.ledger``) and the floor (the same work in minimal hand-written code: lists
of ``bytes`` and ``hashlib.sha256``, the RFC 9162 loops inlined, no argument checks):
the tree head of all leaf hashes, verifying every entry against a root (leaf hashes and
tree head), building the tree that answers proofs, and per proof the inclusion and
consistency proofs of random leaves and sizes, generated and verified; then a checkpoint
signed and verified (the floor: bare Ed25519 over the same text). Whole-tree rows run
``--rounds`` times, per-proof rows ``--samples`` times; tutela and the floor alternate.
Targets: 1,000,000 entries verified in 10 s or less; an inclusion proof generated or
verified in 1 ms or less (p95).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from hashlib import sha256

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tutela.ledger import (
    Checkpoint,
    MerkleTree,
    generate_key,
    leaf_hash,
    sign_checkpoint,
    tree_head,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from tutela.testing.machine import describe

ORIGIN = "tutela.example/benchmark"
TARGETS = {  # seconds per call; per 1,000,000 entries for "verify every entry"
    "verify every entry": 10.0,
    "inclusion proof": 1e-3,
    "inclusion verification": 1e-3,
}


# --- the floor: the same work in minimal hand-written code ----------------------------------


def floor_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level, pairs hashed and an unpaired last node carried up."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        level = levels[-1]
        up = [
            sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        levels.append(up + level[-1:] if len(level) % 2 else up)
    return levels


def floor_root(leaves: list[bytes]) -> bytes:
    return floor_levels(leaves)[-1][0]


def floor_inclusion(levels: list[list[bytes]], index: int) -> list[bytes]:
    """The audit path in the whole tree: each level's sibling, where there is one."""
    path = []
    for level in levels[:-1]:
        if index ^ 1 < len(level):
            path.append(level[index ^ 1])
        index >>= 1
    return path


def floor_subtree(levels: list[list[bytes]], start: int, end: int) -> bytes:
    level = (end - start - 1).bit_length()
    if end == len(levels[0]) or end - start == 1 << level:
        return levels[level][start >> level]
    split = start + (1 << (level - 1))
    left = levels[level - 1][start >> (level - 1)]
    return sha256(b"\x01" + left + floor_subtree(levels, split, end)).digest()


def floor_consistency(levels: list[list[bytes]], first: int) -> list[bytes]:
    """PROOF(first, D[n]) of RFC 9162 §2.1.4.1 to the whole tree, iteratively."""
    path, start, end, whole = [], 0, len(levels[0]), True
    while first != end:
        split = start + (1 << ((end - start - 1).bit_length() - 1))
        if first <= split:
            path.append(floor_subtree(levels, split, end))
            end = split
        else:
            path.append(floor_subtree(levels, start, split))
            start, whole = split, False
    return (path if whole else [*path, floor_subtree(levels, start, end)])[::-1]


def floor_verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return r


def floor_verify_consistency(first: int, size: int, proof: list[bytes], root1: bytes) -> bytes:
    path = [root1, *proof] if first & (first - 1) == 0 else proof
    fn, sn = first - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if fn & 1 or fn == sn:
            fr, sr = sha256(b"\x01" + c + fr).digest(), sha256(b"\x01" + c + sr).digest()
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = sha256(b"\x01" + sr + c).digest()
        fn, sn = fn >> 1, sn >> 1
    return sr


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: tutela's and the floor's times in seconds."""

    label: str
    tutela: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(label: str, pairs: Sequence[tuple[Callable[[], object], Callable[[], object]]]) -> Row:
    """Alternate tutela and the floor, one pair of calls at a time."""
    row = Row(label)
    for ours, theirs in pairs:
        row.tutela.append(timed(ours))
        row.floor.append(timed(theirs))
    return row


@dataclass(frozen=True)
class Log:
    """The benchmark's log: its entries, leaf hashes, both trees and random probes."""

    entries: list[bytes]
    leaves: list[bytes]
    tree: MerkleTree
    levels: list[list[bytes]]
    indices: list[int]
    firsts: list[int]


def build(options: argparse.Namespace) -> Log:
    rng = random.Random(options.seed)
    n = options.entries
    blob = rng.randbytes(32 * n)
    entries = [i.to_bytes(8, "big") + blob[32 * i : 32 * i + 32] for i in range(n)]
    leaves = [leaf_hash(e) for e in entries]
    indices = [rng.randrange(n) for _ in range(options.samples)]
    firsts = [rng.randrange(1, n) for _ in range(options.samples)] if n > 1 else []
    return Log(entries, leaves, MerkleTree(leaves), floor_levels(leaves), indices, firsts)


def whole_tree_rows(log: Log, rounds: int) -> list[Row]:
    root = log.tree.root()

    def verify_all() -> None:
        assert tree_head([leaf_hash(e) for e in log.entries]) == root

    def floor_verify_all() -> None:
        assert floor_root([sha256(b"\x00" + e).digest() for e in log.entries]) == root

    return [
        measure(
            f"tree head ({len(log.leaves):,} leaf hashes)",
            [(partial(tree_head, log.leaves), partial(floor_root, log.leaves))] * rounds,
        ),
        measure("verify every entry", [(verify_all, floor_verify_all)] * rounds),
        measure(
            "build the proof tree",
            [(partial(MerkleTree, log.leaves), partial(floor_levels, log.leaves))] * rounds,
        ),
    ]


def inclusion_rows(log: Log) -> list[Row]:
    n, leaves, root = len(log.leaves), log.leaves, log.tree.root()
    paths = {i: log.tree.inclusion(i) for i in log.indices}
    for i in log.indices:  # the floor does the same work: same proofs, same roots
        assert paths[i] == floor_inclusion(log.levels, i)
        assert floor_verify_inclusion(i, n, leaves[i], paths[i]) == root

    def check(i: int) -> None:
        verify_inclusion(i, n, leaves[i], paths[i], root)

    def floor_check(i: int) -> None:
        assert floor_verify_inclusion(i, n, leaves[i], paths[i]) == root

    return [
        measure(
            "inclusion proof",
            [
                (partial(log.tree.inclusion, i), partial(floor_inclusion, log.levels, i))
                for i in log.indices
            ],
        ),
        measure(
            "inclusion verification",
            [(partial(check, i), partial(floor_check, i)) for i in log.indices],
        ),
    ]


def consistency_rows(log: Log) -> list[Row]:
    n, root = len(log.leaves), log.tree.root()
    roots = {m: log.tree.root(m) for m in log.firsts}
    proofs = {m: log.tree.consistency(m) for m in log.firsts}
    for m in log.firsts:
        assert proofs[m] == floor_consistency(log.levels, m)
        assert floor_verify_consistency(m, n, proofs[m], roots[m]) == root

    def check(m: int) -> None:
        verify_consistency(m, n, proofs[m], roots[m], root)

    def floor_check(m: int) -> None:
        assert floor_verify_consistency(m, n, proofs[m], roots[m]) == root

    return [
        measure(
            "consistency proof",
            [
                (partial(log.tree.consistency, m), partial(floor_consistency, log.levels, m))
                for m in log.firsts
            ],
        ),
        measure(
            "consistency verification",
            [(partial(check, m), partial(floor_check, m)) for m in log.firsts],
        ),
    ]


def checkpoint_rows(log: Log, samples: int) -> list[Row]:
    key, raw = generate_key(ORIGIN), Ed25519PrivateKey.generate()
    checkpoint = Checkpoint(ORIGIN, log.tree.size, log.tree.root())
    note, text = sign_checkpoint(checkpoint, key), checkpoint.text().encode()
    signature, public = raw.sign(text), raw.public_key()
    opened = partial(verify_checkpoint, note, key.verifier, origin=ORIGIN)
    return [
        measure(
            "checkpoint signing",
            [(partial(sign_checkpoint, checkpoint, key), partial(raw.sign, text))] * samples,
        ),
        measure(
            "checkpoint verification", [(opened, partial(public.verify, signature, text))] * samples
        ),
    ]


# --- the table ------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def target(row: Row, entries: int) -> str:
    """The row's target, and whether tutela's p95 meets it."""
    if row.label not in TARGETS:
        return ""
    limit = TARGETS[row.label] * (entries / 1e6 if row.label == "verify every entry" else 1)
    verdict = "met" if percentile(row.tutela, 0.95) <= limit else "MISSED"
    return f"<= {duration(limit)}: {verdict}"


def table(rows: Sequence[Row], entries: int) -> list[str]:
    header = ("", "tutela p50", "tutela p95", "floor p50", "floor p95", "tutela/floor", "target")
    lines = [header]
    for row in rows:
        many = len(row.tutela) > 1
        tutela50, floor50 = statistics.median(row.tutela), statistics.median(row.floor)
        lines.append(
            (
                row.label,
                duration(tutela50),
                duration(percentile(row.tutela, 0.95) if many else None),
                duration(floor50),
                duration(percentile(row.floor, 0.95) if many else None),
                f"{tutela50 / floor50:.2f}x",
                target(row, entries),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i in (0, 6) else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()
        for line in lines
    ]


def header(options: argparse.Namespace, built: float) -> list[str]:
    return [
        f"tutela ledger benchmark: {options.entries:,} entries of 40 bytes "
        f"(built and leaf-hashed in {built:.1f} s)",
        describe(),
        "floor: minimal hand-written code (lists of bytes, hashlib.sha256, the RFC 9162 "
        "loops inlined, no checks; bare Ed25519 for checkpoints)",
        f"whole-tree rows: {options.rounds} rounds; per-proof rows: {options.samples} random "
        "leaves or first sizes against the whole tree, p50/p95",
    ]


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/ledger.py", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1_000, help="proofs per proof row")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each whole-tree row")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.entries < 2 or options.samples < 1 or options.rounds < 1:
        parser.error("--entries must be at least 2, --samples and --rounds at least 1")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    started = time.perf_counter()
    log = build(options)
    built = time.perf_counter() - started
    rows = [
        *whole_tree_rows(log, options.rounds),
        *inclusion_rows(log),
        *consistency_rows(log),
        *checkpoint_rows(log, options.samples),
    ]
    print("\n".join([*header(options, built), "", *table(rows, options.entries)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
