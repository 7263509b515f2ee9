"""The console's request page at scale: one request's timeline and proofs, before and after.

    python benchmarks/ledger_page.py [--entries 200000] [--per-request 5] [--samples 50]
        [--before-samples 3] [--postgresql URL] [--seed 1]

Builds a ledger in tutela's store (a temporary SQLite file; with ``--postgresql`` also a
new PostgreSQL database on that server, dropped afterwards): ``--entries`` entries of
``entries / per-request`` requests, interleaved as a busy service appends them, through
``SqlLedger.append``; then signs a checkpoint of all of them. Times the page's ledger part
(its timeline: the request's entries and their proof status) for random requests:

- **before**: the timeline as it was made before the request index (copied below as
  :func:`before_timeline`): every entry read and decoded, and the whole ledger audited
  and rebuilt into a Merkle tree for the request's evidence bundle, on every view;
- **after, first view**: :func:`tutela.web.console_request_view.timeline_of` in a new
  process (no tiles kept): the tile roots are built from every recorded leaf hash once;
- **after**: every later view: the request's rows through the index ``(request, seq)``,
  the 256 recorded leaf hashes of each of its tiles, the proofs checked as a bundle;
- **floor**: the same reads and proofs in minimal hand-written code on the driver (one
  indexed SELECT, one primary-key range per tile, ``hashlib`` for the tile and the audit
  path against upper levels kept in memory, no decoding, no signature check).

Each view's statuses are checked to be the same for before, after and the floor.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from hashlib import sha256
from itertools import groupby
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from tutela.errors import TutelaError
from tutela.ledger.checkpoint import generate_key
from tutela.ledger.entries import Entry, EntryError
from tutela.ledger.verifier import verify_bundle
from tutela.store.ledger import NewEntry, SqlLedger, open_ledger
from tutela.store.ledger_proofs import LedgerProofs
from tutela.testing.machine import describe
from tutela.web.console_request_view import FAILED, PENDING, PROVED, timeline_of

ORIGIN = "tutela.example/benchmark"
KEY = generate_key(ORIGIN)
WHEN = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ACTIONS = ("submitted", "verified", "in_progress", "answer_kept", "completed")


# --- before: the page's timeline as it was made before the request index -------------------


def before_timeline(proofs: LedgerProofs, request: str) -> list[tuple[int, str]]:
    """(seq, status) of the request's entries: every row read, the whole ledger audited."""
    everything = []
    for row in proofs.ledger.rows():
        try:
            everything.append(Entry.decode(row.text.encode("utf-8")))
        except (EntryError, UnicodeEncodeError):
            continue
    mine = [entry for entry in everything if entry.request == request]
    latest = proofs.latest()
    assert latest is not None
    try:
        bundle = verify_bundle(proofs.evidence(request, KEY.verifier), KEY.verifier)
        proved = {int(fields["seq"]) for fields in bundle.entries}
    except (TutelaError, ValueError):
        proved = set()
    return [
        (e.seq, PENDING if e.seq >= latest.size else PROVED if e.seq in proved else FAILED)
        for e in mine
    ]


def after_timeline(proofs: LedgerProofs, request: str) -> list[tuple[int, str]]:
    rows, _size = timeline_of(proofs, request, KEY.verifier)
    return [(row.entry.seq, row.proof) for row in rows]


# --- the floor: the same reads and proofs by hand ---------------------------------------------


def _ledger_benchmark() -> ModuleType:
    """``ledger.py`` beside this file, whose hand-written tree the floor shares."""
    name = "tutela_benchmark_ledger_floor"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("ledger.py"))
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


_tree = _ledger_benchmark()
floor_levels = _tree.floor_levels
floor_inclusion = _tree.floor_inclusion
floor_root = _tree.floor_verify_inclusion


@dataclass
class Floor:
    """The floor's kept state: the upper levels of the tree (from the tile roots), its root."""

    connection: Any
    mark: str
    size: int
    upper: list[list[bytes]]

    @classmethod
    def built(cls, engine: sa.Engine, size: int) -> Floor:
        connection = engine.raw_connection()
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        cursor = connection.cursor()
        cursor.execute("SELECT leaf_hash FROM tutela_ledger_entry ORDER BY seq")
        leaves = [bytes.fromhex(text) for (text,) in cursor.fetchall()][:size]
        roots = [floor_levels(leaves[i : i + 256])[-1][0] for i in range(0, size, 256)]
        return cls(connection, mark, size, floor_levels(roots))

    def view(self, request: str) -> list[tuple[int, str]]:
        cursor, mark, root = self.connection.cursor(), self.mark, self.upper[-1][0]
        cursor.execute(
            f"SELECT seq, entry FROM tutela_ledger_entry WHERE request = {mark} ORDER BY seq",
            (request,),
        )
        rows = cursor.fetchall()
        statuses = []
        for tile, in_tile in groupby(rows, key=lambda row: row[0] >> 8):
            start, end = tile << 8, min((tile << 8) + 256, self.size)
            cursor.execute(
                "SELECT leaf_hash FROM tutela_ledger_entry"
                f" WHERE seq >= {mark} AND seq < {mark} ORDER BY seq",
                (start, end),
            )
            levels = floor_levels([bytes.fromhex(text) for (text,) in cursor.fetchall()])
            tile_ok = levels[-1][0] == self.upper[0][tile]
            for seq, text in in_tile:
                leaf = sha256(b"\x00" + text.encode()).digest()
                path = floor_inclusion(levels, seq - start) + floor_inclusion(self.upper, tile)
                ok = tile_ok and floor_root(seq, self.size, leaf, path) == root
                statuses.append((seq, PROVED if ok else FAILED))
        return statuses


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Row:
    store: str
    label: str
    times: list[float] = field(default_factory=list)


def timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def build(url: str, options: argparse.Namespace) -> tuple[SqlLedger, list[str], float]:
    """The ledger of the benchmark at ``url``, signed; its request ids; seconds to build it."""
    rng = random.Random(options.seed)
    requests = max(1, options.entries // options.per_request)
    names = [f"req-{i:08d}" for i in range(requests)]
    started = time.perf_counter()
    ledger = open_ledger(url)
    for start in range(0, options.entries, 10_000):
        batch = [
            NewEntry(
                WHEN + timedelta(seconds=i),
                rng.choice(("system", "staff:ann")),
                rng.choice(ACTIONS),
                rng.choice(names),
                after=f"{i:064x}",
            )
            for i in range(start, min(start + 10_000, options.entries))
        ]
        ledger.append_now(batch)
    LedgerProofs(ledger, ORIGIN).checkpoint(KEY)
    return ledger, names, time.perf_counter() - started


def measure(store: str, url: str, options: argparse.Namespace) -> tuple[list[Row], float]:
    ledger, names, built = build(url, options)
    rng = random.Random(options.seed + 1)
    asked = [rng.choice(names) for _ in range(options.samples)]
    rows = [Row(store, label) for label in ("before", "after, first view", "after", "floor")]
    before, first, after, floor_row = rows
    for name in asked[: options.before_samples]:
        seconds, expected = timed(partial(before_timeline, LedgerProofs(ledger, ORIGIN), name))
        before.times.append(seconds)
        fresh = LedgerProofs(ledger, ORIGIN)  # a new process: no tiles kept
        seconds, found = timed(partial(after_timeline, fresh, name))
        first.times.append(seconds)
        assert found == expected, (name, found, expected)
    proofs = LedgerProofs(ledger, ORIGIN)
    after_timeline(proofs, asked[0])  # keep the tiles
    floor = Floor.built(ledger.engine, options.entries)
    for name in asked:
        seconds, found = timed(partial(after_timeline, proofs, name))
        after.times.append(seconds)
        floor_seconds, by_hand = timed(partial(floor.view, name))
        floor_row.times.append(floor_seconds)
        assert found == by_hand, (name, found, by_hand)
    floor.connection.close()
    ledger.close()
    return rows, built


# --- the table ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def table(rows: Sequence[Row]) -> list[str]:
    floors = {row.store: statistics.median(row.times) for row in rows if row.label == "floor"}
    lines = [("store", "view", "p50", "p95", "samples", "vs floor")]
    for row in rows:
        p50 = statistics.median(row.times)
        lines.append(
            (
                row.store,
                row.label,
                duration(p50),
                duration(percentile(row.times, 0.95)),
                str(len(row.times)),
                f"{p50 / floors[row.store]:,.1f}x",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(line)
        )
        for line in lines
    ]


def fresh_postgresql(base: str) -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database on ``base``'s server, and how to drop it."""
    name = f"tutela_bench_page_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return sa.make_url(base).set(database=name).render_as_string(hide_password=False), drop


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/ledger_page.py", description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--per-request", type=int, default=5, help="entries per request")
    parser.add_argument("--samples", type=int, default=50, help="views timed after and floor")
    parser.add_argument("--before-samples", type=int, default=3, help="views timed before")
    parser.add_argument("--postgresql", help="a PostgreSQL URL whose server may create databases")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.entries < 1 or options.per_request < 1:
        parser.error("--entries and --per-request must be at least 1")
    if not 1 <= options.before_samples <= options.samples:
        parser.error("--before-samples must be between 1 and --samples")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    requests = max(1, options.entries // options.per_request)
    rows: list[Row] = []
    builds = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite_rows, built = measure(
            "sqlite", f"sqlite:///{Path(folder) / 'store.sqlite'}", options
        )
        rows += sqlite_rows
        builds.append(f"sqlite {built:.0f} s")
    if options.postgresql:
        url, drop = fresh_postgresql(options.postgresql)
        try:
            pg_rows, built = measure("postgresql", url, options)
        finally:
            drop()
        rows += pg_rows
        builds.append(f"postgresql {built:.0f} s")
    print(
        f"tutela request page: {options.entries:,} ledger entries of {requests:,} requests, "
        f"all in one signed checkpoint (built and signed in {', '.join(builds)})"
    )
    print(describe())
    print(
        "the page's timeline of a random request: before = every entry read and the whole "
        "ledger audited; after = the request index and tiles (first view: tiles built); "
        "floor = the same reads and proofs by hand"
    )
    print()
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
