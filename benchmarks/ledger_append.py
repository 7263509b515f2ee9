"""Benchmark: appending ledger entries to tutela's store, batched, on SQLite and PostgreSQL.

Appends ``--entries`` entries in batches of ``--batch`` through ``SqlLedger.append``
(numbered inside the transaction, canonical encoding, leaf hash, one INSERT per batch)
and, as the floor, the same rows made and inserted by hand-written code (sorted-key JSON,
``hashlib``, one ``executemany`` per batch, no checks, no numbering lock). Prints
entries per second and the ratio. Target (issue 15): at least 10,000 entries/s batched.

    .venv/bin/python benchmarks/ledger_append.py --entries 100000 --batch 1000 \\
        --postgresql postgresql://root@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tutela.store.ledger import NewEntry, open_ledger
from tutela.store.ledger_tables import ledger_entry

DIGEST = "ab" * 32


def entries(count: int) -> list[NewEntry]:
    """``count`` entries of a request's steps (ids and digests only)."""
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    return [
        NewEntry(now, "system", "verified", f"req-{i // 5:08d}", DIGEST, DIGEST)
        for i in range(count)
    ]


def run_tutela(url: str, batches: list[list[NewEntry]]) -> float:
    ledger = open_ledger(url)
    start = time.perf_counter()
    for batch in batches:
        with ledger.engine.begin() as connection:
            ledger.append(connection, batch)
    elapsed = time.perf_counter() - start
    ledger.close()
    return elapsed


def run_floor(url: str, batches: list[list[NewEntry]]) -> float:
    """The same rows by hand: sorted-key JSON, SHA-256 leaf hash, one executemany per batch."""
    engine = sa.create_engine(url)
    stamp = datetime.now(UTC)
    start = time.perf_counter()
    seq = 0
    with engine.connect() as connection:
        for batch in batches:
            rows = []
            for item in batch:
                text = json.dumps(
                    {
                        "action": item.action,
                        "actor": item.actor,
                        "after": item.after,
                        "before": item.before,
                        "request": item.request,
                        "seq": seq,
                        "time": item.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                    sort_keys=True,
                    separators=(",", ":"),
                )
                leaf = hashlib.sha256(b"\x00" + text.encode()).hexdigest()
                rows.append({"seq": seq, "entry": text, "leaf_hash": leaf, "created_at": stamp})
                seq += 1
            connection.execute(sa.insert(ledger_entry), rows)
            connection.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def fresh(kind: str, base: str | None, folder: Path) -> str:
    """A new empty store of ``kind``: a SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite'}"
    assert base is not None
    name = f"tutela_bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return str(sa.make_url(base).set(database=name).render_as_string(hide_password=False))


def prepared_floor_url(url: str) -> str:
    """Create the schema (through tutela's migrations) so the floor inserts into the same table."""
    open_ledger(url).close()
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/ledger_append.py", description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--postgresql", help="a PostgreSQL URL whose server may create databases")
    options = parser.parse_args(argv)
    all_entries = entries(options.entries)
    batches = [
        all_entries[i : i + options.batch] for i in range(0, len(all_entries), options.batch)
    ]
    kinds = ["sqlite", *(["postgresql"] if options.postgresql else [])]
    print(f"tutela ledger append: {options.entries:,} entries in batches of {options.batch:,}")
    print(f"{'store':<12}{'tutela':>14}{'floor':>14}{'ratio':>8}  target >= 10,000/s")
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            ours = run_tutela(fresh(kind, options.postgresql, Path(folder)), batches)
            theirs = run_floor(
                prepared_floor_url(fresh(kind, options.postgresql, Path(folder))), batches
            )
            rate, floor_rate = options.entries / ours, options.entries / theirs
            met = "met" if rate >= 10_000 else "missed"
            print(f"{kind:<12}{rate:>12,.0f}/s{floor_rate:>12,.0f}/s{ours / theirs:>7.2f}x  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
