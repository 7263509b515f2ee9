"""How fast the decision point answers in memory, next to a bare dict lookup.

    python benchmarks/decisions.py [--subjects 1000000] [--decisions 1000000] [--rounds 3]
        [--http [--http-store postgresql] [--http-subjects N] [--processes 2] [--clients 4]
         [--seconds 10] [--rate 500] [--propagation-rounds 20]]

Builds ``--subjects`` subjects with 5 choice events each on average (consent given and
withdrawn, objections and their lifting, restrictions with and without an end, opt-outs)
over the Cloudockit programme's purposes, in memory (no database). Measures compiling the
:class:`~tutela.consent.decisions.DecisionTable`, its memory (tracemalloc, scaled to one
million subjects, measured on at most 100,000), and ``--decisions`` decisions on one
thread, now (``decide(subject, purpose)``, the ``in-process:`` line) and at a given time
after every event, the best of ``--rounds``; the floor is a bare dict lookup per
decision. Target: 1,000,000 decisions/s. ``--http`` adds the HTTP figures
(``decisions_http.py``: batch, single latency, withdrawal propagation across processes).
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tutela.consent.decisions import DecisionTable
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.testing.machine import describe

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"
START = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = (
    [Kind.CONSENT_GIVEN] * 5
    + [Kind.CONSENT_WITHDRAWN] * 2
    + [Kind.OBJECTION, Kind.OBJECTION_LIFTED, Kind.RESTRICTION, Kind.RESTRICTION_LIFTED]
    + [Kind.OPT_OUT]
)


def events(subjects: int, purposes: Sequence[str], seed: int) -> Iterator[ChoiceEvent]:
    """About five events per subject, at random minutes in the first half of 2026."""
    rng = random.Random(seed)
    for n in range(subjects):
        subject = f"h:{n:064x}"
        for i in range(rng.randint(1, 9)):
            kind = rng.choice(KINDS)
            wide = kind in (Kind.RESTRICTION, Kind.OPT_OUT) and rng.random() < 0.5
            purpose = ALL_PURPOSES if wide else rng.choice(purposes)
            at = START + timedelta(minutes=rng.randrange(260_000))
            ends = at + timedelta(days=30) if kind is Kind.RESTRICTION and i % 2 else None
            yield ChoiceEvent(f"{n}-{i}", subject, purpose, kind, at, Method.API, ends_at=ends)


def rate(
    function: object, queries: list[tuple[str, str]], at: datetime | None, rounds: int
) -> float:
    """Best decisions per second of ``function(subject, purpose, at)`` over ``queries``."""
    call = function  # a local name: one lookup less per call
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for subject, purpose in queries:
            call(subject, purpose, at)  # type: ignore[operator]
        best = max(best, len(queries) / (time.perf_counter() - started))
    return best


def batch_rate(
    table: DecisionTable, queries: list[tuple[str, str]], at: datetime, rounds: int
) -> float:
    """Best decisions per second of ``table.decide_many`` over ``queries`` in one call."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        table.decide_many(queries, at)
        best = max(best, len(queries) / (time.perf_counter() - started))
    return best


def memory(programme: Programme, stream: list[ChoiceEvent], subjects: int) -> float:
    """Bytes the table of the first ``subjects`` subjects holds (tracemalloc), per subject."""
    first = [e for e in stream if int(e.subject[2:], 16) < subjects]
    tracemalloc.start()
    table = DecisionTable.compile(programme, first)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del table
    return size / subjects


def main(argv: Sequence[str] | None = None) -> int:
    """Build, compile, measure and print the table; 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also measure over HTTP")
    parser.add_argument("--http-store", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--http-subjects", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--propagation-rounds", type=int, default=20)
    args = parser.parse_args(argv)
    programme = load_programme(EXAMPLE)
    keys = [p.key for p in programme.purposes]
    stream = list(events(args.subjects, keys, args.seed))
    started = time.perf_counter()
    table = DecisionTable.compile(programme, stream)
    compiled = time.perf_counter() - started
    size = memory(programme, stream, min(args.subjects, 100_000))
    rng = random.Random(args.seed + 1)
    queries = [
        (f"h:{rng.randrange(args.subjects):064x}", rng.choice(keys)) for _ in range(args.decisions)
    ]
    at = START + timedelta(days=400)
    floor = dict.fromkeys(table.subjects)  # the same subjects, nothing per purpose
    tutela = rate(table.decide, queries, None, args.rounds)
    timed = rate(table.decide, queries, at, args.rounds)
    bare = rate(lambda s, p, _: floor.get(s), queries, None, args.rounds)
    batched = batch_rate(table, queries, at, args.rounds)
    allowed = sum(table.decide(s, p, at).allow for s, p in queries[:10_000])
    print(describe())
    print(f"{args.subjects:,} subjects, {len(stream):,} events, {len(keys)} purposes")
    print(f"{'compile':<28}{compiled * 1000:>14,.1f} ms")
    print(f"{'memory per 1M subjects':<28}{size * 1e6 / 2**20:>14,.1f} MiB")
    print(f"{'decisions/s (tutela, now)':<28}{tutela:>14,.0f}")
    print(f"{'decisions/s (at a time)':<28}{timed:>14,.0f}")
    print(f"{'decisions/s (decide_many)':<28}{batched:>14,.0f}")
    print(f"{'decisions/s (dict floor)':<28}{bare:>14,.0f}")
    print(f"{'floor / tutela':<28}{bare / tutela:>14.2f}x")
    print(f"allowed in a sample: {allowed / 100:.1f} %")
    print(f"in-process: {tutela:,.0f} decisions/s")
    if args.http:
        del table, stream, floor, queries
        http(args)
    return 0


def http(args: argparse.Namespace) -> None:
    """Measure the HTTP figures (``decisions_http``) and print their lines."""
    import decisions_http

    figures = decisions_http.measure(
        args.http_store,
        args.http_subjects,
        args.processes,
        args.clients,
        args.seconds,
        args.rate,
        args.propagation_rounds,
    )
    for line in decisions_http.report(
        figures, args.http_subjects, args.processes, args.clients, args.rate
    ):
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
