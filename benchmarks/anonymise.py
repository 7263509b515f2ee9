"""Anonymised releases of UCI Adult: information loss and time, beside anjana (issue 21).

    python benchmarks/anonymise.py [--data PATH] [--out DIR] [--limit N] [--synthetic N]
        [--seed S] [--no-peer] [--no-lattice]

Reads ``--data`` (default ``../shared/data/adult.data``: no header, the 15 Adult columns,
spaces stripped; ``--limit`` keeps the first N records) and releases it with
``tutela.anonymise.release.anonymise``: quasi-identifiers age (a number), education,
marital-status, occupation, sex and native-country (the trees of ``adult_hierarchies.py``;
age in intervals of 5, 10 and 20 years, then ``*``), at most 5% of records suppressed.

Runs: k=5 and k=10 (each written to ``--out DIR`` as ``adult_k5.csv`` and ``adult_k10.csv``:
the quasi-identifiers and ``income`` under their original names, generalised, suppressed
records left out); distinct l-diversity l=3 on income (income has two values, so it is
refused, and the reason printed) and l=2; t-closeness t=0.2 on income; all with k=5.
tutela runs ``auto`` (Mondrian, local recoding; the lattice too when it is small) and, unless
``--no-lattice``, the optimal full-domain lattice search, the same kind of recoding as
anjana's. The peer, anjana 1.2.3 (``--no-peer`` skips it), gets the same hierarchies in its
format (one array per level, aligned leaf by leaf).

Every release, tutela's and anjana's, is scored by the same code (:func:`score`), from the
released table and the hierarchies: GCP is the mean over released records and
quasi-identifiers of the NCP of the released value (an interval ``a-b``: ``(b - a) /
(max - min)`` of the source's ages; a tree node: ``(leaves under it - 1) / (leaves - 1)``;
an exact value 0, ``*`` 1); discernibility ``sum f^2`` over the released classes plus
``records`` per suppressed record; suppression the share of records left out. The floor
is the minimal hand-written step of any release: a pandas groupby counting the classes of
the final release (the cost of just measuring k); the ratio is tutela's time over it.

``--synthetic N`` also releases an N-row table (k=5 and k=10) built by sampling each of
Adult's columns independently (numpy, seeded by ``--seed``), without the peer. Targets
(printed beside, not asserted): GCP <= 0.15 at k=5 and <= 0.20 at k=10 within 5%
suppression; at most 10 s for Adult and 60 s for 1,000,000 synthetic rows. Issue 21's
anjana baseline: GCP 0.203 at k=5, 0.276 at k=10, 4-5% suppressed (its GCP definition may
differ from the one above, which is applied here to both tools alike).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import platform
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tutela.anonymise.hierarchies import STAR, NumericHierarchy
from tutela.anonymise.privacy import PrivacyModel
from tutela.anonymise.release import Algorithm, Release, ReleaseSpec, anonymise
from tutela.anonymise.table import QuasiSpec
from tutela.errors import ReleaseRefused


def _sibling(name: str) -> ModuleType:
    """The benchmark module ``name`` beside this file, without putting its folder on sys.path."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import adult_hierarchies as trees
else:
    trees = _sibling("adult_hierarchies")

COLUMNS = [
    *("age", "workclass", "fnlwgt", "education", "education-num", "marital-status"),
    *("occupation", "relationship", "race", "sex", "capital-gain", "capital-loss"),
    *("hours-per-week", "native-country", "income"),
]
QI = ["age", "education", "marital-status", "occupation", "sex", "native-country"]
SENSITIVE = "income"
AGE_WIDTHS = (5.0, 10.0, 20.0)  # nested intervals, so anjana's chain of levels can hold them
BUDGET = 0.05
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "adult.data"
TARGET_GCP = {5: 0.15, 10: 0.20}
TARGET_ADULT_S, TARGET_SYNTHETIC_S = 10.0, 60.0


@dataclass(frozen=True)
class Run:
    """One release to make: its label, model, and the file it is written to (if any)."""

    label: str
    model: PrivacyModel
    sensitive: tuple[str, ...] = ()
    csv_name: str | None = None


@dataclass(frozen=True)
class Score:
    """A release scored by :func:`score`, with the time it took."""

    gcp: float
    discernibility: float
    suppressed: int
    records: int
    k: int
    seconds: float
    floor: float

    @property
    def suppression(self) -> float:
        """The share of records left out."""
        return self.suppressed / self.records if self.records else 0.0


# --- data -----------------------------------------------------------------------------------


def read_adult(path: Path, limit: int | None) -> pd.DataFrame:
    """The quasi-identifiers and income of Adult, as strings (object columns)."""
    with path.open(newline="") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle) if len(row) == 15]
    frame = pd.DataFrame(rows[:limit] if limit else rows, columns=COLUMNS, dtype=object)
    return frame[[*QI, SENSITIVE]].reset_index(drop=True)


def synthetic(adult: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """``rows`` records, each column sampled independently from Adult's values."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {name: adult[name].to_numpy()[rng.integers(0, len(adult), rows)] for name in adult},
        dtype=object,
    )


# --- the shared hierarchies and the shared scoring -----------------------------------------


def quasi_specs() -> tuple[QuasiSpec, ...]:
    """tutela's declaration of the six quasi-identifiers."""
    age = QuasiSpec("age", "number", widths=AGE_WIDTHS)
    return (age, *(QuasiSpec(n, "category", tree=trees.HIERARCHIES[n]) for n in QI[1:]))


def peer_hierarchies(frame: pd.DataFrame) -> dict[str, dict[int, np.ndarray]]:
    """The same hierarchies in anjana's format: per QI, level -> values aligned by leaf."""
    ages = NumericHierarchy("age", frame["age"].tolist(), AGE_WIDTHS)
    found = {"age": {i: np.array(level.labels, dtype=object)[level.groups] for i, level in
                     enumerate(ages.levels)}}  # fmt: skip
    for name in QI[1:]:
        tree = trees.HIERARCHIES[name]
        leaves = sorted(tree)
        depth = len(tree[leaves[0]])
        levels = {0: np.array(leaves, dtype=object)}
        for height in range(depth):
            levels[height + 1] = np.array([tree[leaf][height] for leaf in leaves], dtype=object)
        levels[depth + 1] = np.array([STAR] * len(leaves), dtype=object)
        found[name] = levels
    return found


class Scorer:
    """The NCP of any released value, from the source and the hierarchies (both tools)."""

    def __init__(self, source: pd.DataFrame) -> None:
        ages = pd.to_numeric(source["age"])
        self.low, self.width = float(ages.min()), float(ages.max() - ages.min())
        self.leaves: dict[str, set[str]] = {}
        self.under: dict[str, dict[str, int]] = {}
        for name in QI[1:]:
            present = set(source[name])
            self.leaves[name] = present
            counts: dict[str, int] = {}
            for leaf in present:
                for node in trees.HIERARCHIES[name][leaf]:
                    counts[node] = counts.get(node, 0) + 1
            self.under[name] = counts

    def ncp(self, name: str, value: str) -> float:
        """0 exact, 1 ``*``; an interval or a node by its share of the domain."""
        if value == STAR:
            return 1.0
        if name == "age":
            low, _, high = value.partition("-")
            return (float(high) - float(low)) / self.width if high and self.width else 0.0
        if value in self.leaves[name]:
            return 0.0
        size = len(self.leaves[name])
        covered = self.under[name].get(value) or len(value.split("|"))  # a node, or a set
        return (covered - 1) / (size - 1) if size > 1 else 0.0


def score(released: pd.DataFrame, records: int, scorer: Scorer, seconds: float) -> Score:
    """GCP, discernibility, suppression and k of ``released`` (one of ``records``)."""
    count = len(released)
    if count == 0:
        return Score(1.0, float(records * records), records, records, 0, seconds, 0.0)
    total = 0.0
    for name in QI:
        values = released[name].astype(str)
        losses = {value: scorer.ncp(name, value) for value in values.unique()}
        total += float(values.map(losses).sum())
    start = time.perf_counter()
    sizes = released.groupby(QI, sort=False).size()  # the floor: just measuring k
    floor = time.perf_counter() - start
    suppressed = records - count
    return Score(
        gcp=total / (count * len(QI)),
        discernibility=float((sizes.to_numpy(dtype=np.float64) ** 2).sum()) + suppressed * records,
        suppressed=suppressed,
        records=records,
        k=int(sizes.min()),
        seconds=seconds,
        floor=floor,
    )


# --- the two tools ----------------------------------------------------------------------------


def run_tutela(
    frame: pd.DataFrame, run: Run, algorithm: Algorithm
) -> tuple[Release | None, float, str]:
    """tutela's release (None when refused, with the reason), and its time."""
    columns = {name: frame[name].tolist() for name in frame.columns}
    spec = ReleaseSpec(
        quasi_specs(),
        run.model,
        sensitive=(SENSITIVE,),
        max_suppression=BUDGET,
        algorithm=algorithm,
    )
    start = time.perf_counter()
    try:
        release = anonymise(columns, spec)
    except ReleaseRefused as refused:
        return None, time.perf_counter() - start, str(refused)
    return release, time.perf_counter() - start, release.report.algorithm


def run_anjana(frame: pd.DataFrame, run: Run) -> tuple[pd.DataFrame, float]:
    """anjana's release of ``frame`` under ``run``'s model (an empty frame when it fails)."""
    from anjana import anonymity  # imported here: optional peer

    hierarchies = peer_hierarchies(frame)
    model = run.model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 deprecates the option below
        with pd.option_context("future.infer_string", False):
            # anjana 1.2.3 needs numpy arrays from ``.values`` (pandas 3 gives StringArrays)
            found, seconds = _anjana_call(anonymity, frame, model, hierarchies)
    if len(found) == 0:
        return pd.DataFrame(columns=[*QI, SENSITIVE]), seconds
    return found[[*QI, SENSITIVE]].reset_index(drop=True), seconds


def _anjana_call(
    anonymity: ModuleType,
    frame: pd.DataFrame,
    model: PrivacyModel,
    hierarchies: dict[str, dict[int, np.ndarray]],
) -> tuple[pd.DataFrame, float]:
    """The anjana function for ``model``, timed."""
    start = time.perf_counter()
    if model.t is not None:
        found = anonymity.t_closeness(
            frame, [], QI, SENSITIVE, model.k, model.t, BUDGET * 100, hierarchies
        )
    elif model.l is not None:
        found = anonymity.l_diversity(
            frame, [], QI, SENSITIVE, model.k, model.l, BUDGET * 100, hierarchies
        )
    else:
        found = anonymity.k_anonymity(frame, [], QI, model.k, BUDGET * 100, hierarchies)
    return found, time.perf_counter() - start


# --- printing -----------------------------------------------------------------------------


def line(label: str, tool: str, result: Score, target: str = "") -> str:
    """``k=5  tutela  GCP 0.0429  discernibility 377,625  suppression 0.00% ...``."""
    ratio = result.seconds / result.floor if result.floor else 0.0
    return (
        f"{label:<14} {tool:<22} GCP {result.gcp:.4f}  discernibility "
        f"{result.discernibility:>13,.0f}  suppression {result.suppression:6.2%} "
        f"({result.suppressed:,})  time {result.seconds:7.2f} s  k {result.k:<4} "
        f"floor {result.floor:.4f} s ({ratio:,.0f}x){target}"
    ).rstrip()


def header(data: str, frame: pd.DataFrame, peer: bool) -> list[str]:
    """What ran where, and the definitions."""
    versions = f"numpy {np.__version__}, pandas {pd.__version__}"
    if peer:
        from importlib.metadata import version

        versions += f", anjana {version('anjana')}, pycanon {version('pycanon')}"
    return [
        f"tutela anonymise benchmark: {data}, {len(frame):,} records",
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {versions}",
        f"quasi-identifiers: {', '.join(QI)} (age in {'/'.join(f'{w:g}' for w in AGE_WIDTHS)}"
        f"-year intervals, the others adult_hierarchies.py); sensitive: {SENSITIVE}; "
        f"at most {BUDGET:.0%} suppressed",
        "GCP: mean NCP over released records and QIs (interval (b-a)/(max-min), node "
        "(leaves-1)/(all leaves-1), * = 1), the same code for both tools",
        "discernibility: sum f^2 over released classes + records x suppressed; floor: a pandas "
        "groupby counting the release's classes (x = time / floor)",
        "issue 21's anjana baseline (its own GCP definition): 0.203 at k=5, 0.276 at k=10, "
        "4-5% suppressed",
    ]


def compare(label: str, ours: Score, peer: Score) -> str:
    """tutela over anjana, per figure."""

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "-"

    return (
        f"{label:<14} {'tutela / anjana':<22} GCP {ratio(ours.gcp, peer.gcp)}  discernibility "
        f"{ratio(ours.discernibility, peer.discernibility)}  time "
        f"{ratio(ours.seconds, peer.seconds)}"
    )


def write_csv(release: Release, path: Path) -> None:
    """The released rows under their original column names."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(release.header)
        writer.writerows(release.rows)


# --- the runs -------------------------------------------------------------------------------

RUNS = (
    Run("k=5", PrivacyModel(k=5), csv_name="adult_k5.csv"),
    Run("k=10", PrivacyModel(k=10), csv_name="adult_k10.csv"),
    Run("l=3 (distinct)", PrivacyModel(k=5, l=3)),
    Run("l=2 (distinct)", PrivacyModel(k=5, l=2)),
    Run("t=0.2", PrivacyModel(k=5, t=0.2)),
)


def target_for(run: Run, seconds_target: float) -> str:
    """The issue's targets for a run, printed beside its line."""
    goal = TARGET_GCP.get(run.model.k) if run.model.l is None and run.model.t is None else None
    gcp = f"GCP <= {goal:.2f}, " if goal is not None else ""
    return f"   target: {gcp}<= {BUDGET:.0%} suppressed, <= {seconds_target:g} s"


def release_all(
    frame: pd.DataFrame, runs: Sequence[Run], options: argparse.Namespace, target_s: float
) -> None:
    """Each run with tutela (auto, and the lattice), then anjana; print their lines."""
    scorer = Scorer(frame)
    for run in runs:
        release, seconds, note = run_tutela(frame, run, "auto")
        if release is None:
            print(f"{run.label:<14} {'tutela':<22} refused: {note}")
            ours: Score | None = None
        else:
            released = pd.DataFrame(release.rows, columns=list(release.header))
            ours = score(released, len(frame), scorer, seconds)
            own = f"  (tutela's own report: GCP {release.report.gcp:.4f})"
            print(line(run.label, f"tutela ({note})", ours, target_for(run, target_s)) + own)
            if run.csv_name and options.out:
                name = run.csv_name if frame is options.adult else f"synthetic_k{run.model.k}.csv"
                write_csv(release, Path(options.out) / name)
        if not options.no_lattice and release is not None and note != "lattice":
            full, seconds, note = run_tutela(frame, run, "lattice")
            if full is not None:
                released = pd.DataFrame(full.rows, columns=list(full.header))
                print(
                    line(
                        run.label, "tutela (lattice)", score(released, len(frame), scorer, seconds)
                    )
                )
            else:
                print(f"{run.label:<14} {'tutela (lattice)':<22} refused: {note}")
        if options.no_peer or frame is not options.adult:
            continue
        peer_rows, peer_seconds = run_anjana(frame, run)
        if len(peer_rows) == 0:
            print(f"{run.label:<14} {'anjana':<22} refused: no release ({peer_seconds:.2f} s)")
            continue
        peer = score(peer_rows, len(frame), scorer, peer_seconds)
        print(line(run.label, "anjana", peer))
        if ours is not None:
            print(compare(run.label, ours, peer))


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options."""
    parser = argparse.ArgumentParser(prog="benchmarks/anonymise.py", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Adult's CSV file")
    parser.add_argument(
        "--out", help="folder for adult_k5.csv and adult_k10.csv (and synthetic_k5/k10.csv)"
    )
    parser.add_argument("--limit", type=int, help="only the first N records of --data")
    parser.add_argument("--synthetic", type=int, help="also an N-row synthetic table")
    parser.add_argument("--seed", type=int, default=21, help="seed of the synthetic table")
    parser.add_argument("--no-peer", action="store_true", help="skip anjana")
    parser.add_argument("--no-lattice", action="store_true", help="skip tutela's lattice run")
    options = parser.parse_args(argv)
    if options.limit is not None and options.limit < 20:
        parser.error("--limit must be at least 20")
    if options.synthetic is not None and options.synthetic < 20:
        parser.error("--synthetic must be at least 20")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """Print the Adult runs (and the synthetic ones); 0."""
    options = parse(argv)
    adult = read_adult(options.data, options.limit)
    options.adult = adult
    if options.out:
        Path(options.out).mkdir(parents=True, exist_ok=True)
    print("\n".join(header(str(options.data), adult, not options.no_peer)))
    print()
    release_all(adult, RUNS, options, TARGET_ADULT_S)
    if options.synthetic:
        table = synthetic(adult, options.synthetic, options.seed)
        print(f"\nsynthetic: {len(table):,} records, Adult's columns sampled independently "
              f"(seed {options.seed}); no peer, no lattice")  # fmt: skip
        options.no_lattice = True
        release_all(table, RUNS[:2], options, TARGET_SYNTHETIC_S)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
