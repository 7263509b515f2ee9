"""A sweep killed mid-way and run again ends exactly as an uninterrupted one (RT-2, issue 18).

Each test sweeps the scan store once without interruption, rebuilds it identically, then
kills a sweep part-way: by an exception no handler catches (before or after a write is
committed, the two places a crash can fall), or by SIGKILL of a process running it. The
rerun resumes the open sweep at its own ``now`` and must leave the same rows, report the
same totals and prove the same events.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.retention import test_service as base
from tests.retention.test_service import T0, World, build_system, contents, system_sweeper, totals

from tutela.retention.ports import Key, Sweeper
from tutela.retention.reports import SweepReport
from tutela.retention.targets import Bound, Counts, Exclusion, Target

pytestmark = pytest.mark.slow  # processes killed mid-sweep on three backends: `make test-slow`

system_url = base.system_url
world = base.world
"""The fixtures of the service's tests: the same world, swept with interruptions."""

ROOT = Path(__file__).resolve().parents[2]
FAST = {"first_width": 3, "budget": 1e-9}
"""Ranges of 3 keys that never grow: many ranges on a small table."""


class Killed(BaseException):
    """What a kill looks like to the code running: nothing catches it."""


class KillingSweeper:
    """A real sweeper that dies at its ``after``-th write, before or after committing it."""

    def __init__(self, inner: Sweeper, after: int, when: str, count: list[int]) -> None:
        self.inner, self.after, self.when, self.count = inner, after, when, count

    def span(self, target: Target, bound: Bound | None = None) -> tuple[Key, Key] | None:
        return self.inner.span(target, bound)

    def boundary(self, target: Target, lo: Key, width: int) -> Key | None:
        return self.inner.boundary(target, lo, width)

    def measure(
        self,
        target: Target,
        bound: Bound,
        exclusions: Sequence[Exclusion],
        lo: Key,
        hi: Key | None,
        *,
        exact: bool = True,
    ) -> Counts:
        return self.inner.measure(target, bound, exclusions, lo, hi, exact=exact)

    def apply(
        self, target: Target, bound: Bound, exclusions: Sequence[Exclusion], lo: Key, hi: Key | None
    ) -> int:
        self.count[0] += 1
        if self.count[0] == self.after and self.when == "before":
            raise Killed
        affected = self.inner.apply(target, bound, exclusions, lo, hi)
        if self.count[0] == self.after:
            raise Killed
        return affected

    def close(self) -> None:
        self.inner.close()


class SlowSweeper(KillingSweeper):
    """A real sweeper that pauses after each write, so a test can kill its process then."""

    def apply(
        self, target: Target, bound: Bound, exclusions: Sequence[Exclusion], lo: Key, hi: Key | None
    ) -> int:
        affected = self.inner.apply(target, bound, exclusions, lo, hi)
        time.sleep(0.3)
        return affected


def killing(url: str, after: int, when: str) -> Callable[[str], Sweeper]:
    opened = system_sweeper(url)
    count = [0]
    return lambda system: KillingSweeper(opened(system), after, when, count)


def outcome(world: World, report: SweepReport) -> tuple[Any, ...]:
    """What must not differ: rows left, report totals, and the events proven."""
    proofs = [
        (p.rule, p.event, p.customer, dict(p.rows))
        for p in world.store.proofs()
        if p.sweep == report.sweep
    ]
    return contents(world.system_url), totals(report), proofs


def uninterrupted(world: World, *, indexed: bool = False) -> tuple[Any, ...]:
    """The outcome of a sweep nobody kills; the scan store is then rebuilt as it was."""
    build_system(world.system_url, indexed=indexed)
    report = world.service(**FAST).run()
    expected = outcome(world, report)
    build_system(world.system_url, indexed=indexed)
    return expected


@pytest.mark.parametrize("when", ["before", "after"])
def test_RT_2_a_sweep_along_the_time_index_killed_mid_way_resumes_to_the_same_end(
    world: World, when: str
) -> None:
    rules = ["login_events"]
    build_system(world.system_url, indexed=True)
    report = world.service(**FAST).run(rules=rules)
    expected = outcome(world, report)
    assert sum(row.affected for row in report.rows) == 20
    build_system(world.system_url, indexed=True)
    sweeper = system_sweeper(world.system_url)("scans")
    try:
        assert sweeper.by_time(login_target(world))  # type: ignore[attr-defined]
    finally:
        sweeper.close()
    with pytest.raises(Killed):
        world.service(sweeper=killing(world.system_url, 5, when), **FAST).run(rules=rules)
    world.clock.now_at = T0 + timedelta(days=3)
    report = world.service(**FAST).run(rules=rules)
    assert report.resumed and report.now == T0
    assert outcome(world, report) == expected


def login_target(world: World) -> Target:
    from tutela.retention.rules import targets

    return next(t for t in targets(world.programme) if t.table == "login_event")


@pytest.mark.parametrize(
    ("after", "when"),
    [(1, "before"), (2, "after"), (4, "before"), (5, "after"), (9, "after")],
    ids=["first-write-lost", "second-committed", "fourth-lost", "fifth-committed", "ninth"],
)
def test_RT_2_a_sweep_killed_mid_way_resumes_to_the_same_end(
    world: World, after: int, when: str
) -> None:
    expected = uninterrupted(world)
    with pytest.raises(Killed):
        world.service(sweeper=killing(world.system_url, after, when), **FAST).run()
    opened = world.store.open_sweep()
    assert opened is not None and opened[1] == T0
    assert world.actions().count("swept") == 2  # only the first, finished sweep's
    world.clock.now_at = T0 + timedelta(days=3)  # a resumed sweep keeps its own now
    report = world.service(**FAST).run()
    assert report.resumed and report.sweep == opened[0] and report.now == T0
    assert outcome(world, report) == expected
    assert world.store.open_sweep() is None and world.actions().count("swept") == 4


def test_RT_2_a_sweep_killed_twice_still_ends_the_same(world: World) -> None:
    expected = uninterrupted(world)
    for after, when in ((3, "after"), (2, "before")):
        with pytest.raises(Killed):
            world.service(sweeper=killing(world.system_url, after, when), **FAST).run()
    report = world.service(**FAST).run()
    assert report.resumed and outcome(world, report) == expected


SCRIPT = """
import sys
from pathlib import Path

from tests.retention.test_service import Clock, service_for, system_sweeper, write_programme
from tests.retention.test_sweep_resume import FAST, SlowSweeper
from tutela.store.ledger import open_ledger
from tutela.store.retention import SqlRetentionStore

store_url, system_url, folder = sys.argv[1:4]
ledger = open_ledger(store_url)
opened = system_sweeper(system_url)
slow = lambda system: SlowSweeper(opened(system), 0, "never", [0])
store = SqlRetentionStore(ledger.engine, ledger)
programme = write_programme(Path(folder))
service_for(programme, store, system_url, Clock(), sweeper=slow, **FAST).run()
"""


def test_RT_2_a_sweep_process_killed_with_sigkill_resumes_to_the_same_end(
    world: World, database_url: str, tmp_path: Path
) -> None:
    expected = uninterrupted(world)
    script = tmp_path / "sweep.py"
    script.write_text(SCRIPT, encoding="utf-8")
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    folder = str(tmp_path / "programme-copy")
    process = subprocess.Popen(
        [sys.executable, str(script), database_url, world.system_url, folder],
        cwd=ROOT,
        env=environ,
        stderr=subprocess.PIPE,
    )
    try:
        assert _first_range_done(database_url, process), "the sweep recorded no range"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    opened = world.store.open_sweep()
    assert opened is not None
    report = world.service(**FAST).run()
    assert report.resumed and report.sweep == opened[0]
    assert outcome(world, report) == expected


def _first_range_done(store_url: str, process: subprocess.Popen[bytes]) -> bool:
    """Wait (at most two minutes) until the sweep in ``process`` recorded a range done."""
    engine = sa.create_engine(store_url)
    query = sa.text("SELECT COUNT(*) FROM tutela_sweep_progress WHERE examined > 0")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with engine.connect() as connection:
                    if connection.execute(query).scalar():
                        return True
            except sa.exc.DBAPIError:
                pass  # the table is not there yet: the process is still migrating
            time.sleep(0.02)
    finally:
        engine.dispose()
    if process.poll() is not None and process.stderr is not None:
        print(process.stderr.read().decode(errors="replace"))
    return False
