"""The sweep loop behind ``RetentionService.run``: rules enforced range by range (RT-2, RT-3).

Per covered collection (a :class:`~tutela.retention.targets.Target`) a sweep walks the
table by key ranges, counts each range (:meth:`Sweeper.measure`), records it as planned,
writes it (:meth:`Sweeper.apply`) and records it done, so a sweep killed at any point
resumes exactly where it stopped, with the same ``now``. Ranges grow or shrink so that
each write takes about ``budget`` seconds: tables stay online. Rows a legal hold protects
are never written (RT-3). A rule ``per_customer`` sweeps each customer's rows in a pass of
its own (a lane), with that customer's period (seed §9), and proves per event (a scan)
what it deleted.

A :class:`Sweeping` is built per run; it reaches the systems only through a
:class:`~tutela.retention.ports.Sweeper` per system and the store only through
:class:`~tutela.retention.ports.RetentionStore`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from tutela.errors import StoreError, TutelaError
from tutela.programme.models import Programme
from tutela.retention import scan
from tutela.retention.holds import Hold, exclusions
from tutela.retention.ports import (
    EventProof,
    Key,
    Progress,
    RetentionStore,
    ScanPolicy,
    Sweeper,
    lane,
)
from tutela.retention.reports import ReportRow, SweepReport
from tutela.retention.targets import Bound, Counts, Exclusion, Target, cutoff

SubjectKeys = Callable[[str, str], Mapping[str, Sequence[object]]]
Seal = Callable[[bytes], bytes]

MIN_WIDTH = 100
"""The fewest keys a range holds once widths adapt (unless the first width is smaller)."""


@dataclass
class _Lane:
    """One pass over a target: all its rows, or one customer's (a rule ``per_customer``)."""

    target: Target
    customer: str | None
    bound: Bound
    exclusions: Sequence[Exclusion]


@dataclass
class _Tally:
    """What a dry run found on one lane (a real sweep's tallies are in the store)."""

    counts: Counts = field(default_factory=Counts)
    seconds: float = 0.0
    longest: float = 0.0


@dataclass
class _Sweep:
    """The state of one run: its id, ``now``, and the sweepers opened on the way."""

    id: str
    now: datetime
    dry_run: bool
    resumed: bool
    progress: dict[tuple[str, str], Progress]
    sweepers: dict[str, Sweeper] = field(default_factory=dict)
    tallies: dict[tuple[str, str], _Tally] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Sweeping:
    """One run's sweep of the chosen targets, built per run by the service.

    ``sweeper(system)`` opens the system's sweeper (closed at the end of the run);
    ``now()`` is the clock's time to the second; ``policies()`` the customers' scan-data
    choices; ``subject_keys``/``unseal`` find a subject hold's row keys; ``budget`` is the
    seconds a write aims at; ``first_width`` the keys of the first range.
    """

    def __init__(
        self,
        programme: Programme,
        store: RetentionStore,
        sweeper: Callable[[str], Sweeper],
        now: Callable[[], datetime],
        policies: Callable[[], Sequence[ScanPolicy]],
        *,
        subject_keys: SubjectKeys | None,
        unseal: Seal | None,
        budget: float,
        first_width: int,
    ) -> None:
        self.programme = programme
        self.store = store
        self.sweeper = sweeper
        self.now = now
        self.policies = policies
        self.subject_keys = subject_keys
        self.unseal = unseal
        self.budget = budget
        self.first_width = first_width

    def run(self, chosen: Sequence[Target], *, dry_run: bool, actor: str) -> SweepReport:
        """Sweep ``chosen`` once (resuming the interrupted sweep if there is one); the report."""
        run = self._begin(dry_run, actor)
        holds = self.store.holds()
        policies = self.policies()
        keys = self._key_lookup()
        try:
            for target in chosen:
                self._sweep_target(run, target, holds, policies, keys)
        finally:
            for sweeper in run.sweepers.values():
                sweeper.close()
        report = self._report(run, chosen)
        if not dry_run:
            self._finish(run, report, actor)
        return report

    def _begin(self, dry_run: bool, actor: str) -> _Sweep:
        if dry_run:
            return _Sweep(secrets.token_hex(6), self.now(), True, False, {})
        opened = self.store.open_sweep()
        if opened is not None:
            sweep, now = opened
            return _Sweep(sweep, now, False, True, self.store.progress(sweep))
        sweep, now = secrets.token_hex(6), self.now()
        self.store.start_sweep(sweep, now, actor)
        return _Sweep(sweep, now, False, False, {})

    def _sweep_target(
        self,
        run: _Sweep,
        target: Target,
        holds: Sequence[Hold],
        policies: Sequence[ScanPolicy],
        keys: Callable[[Hold, str], Sequence[object] | None],
    ) -> None:
        """Every lane of ``target``; an error is kept on its row, a store failure raised."""
        try:
            accounts = {c.key: c.account for c in self.programme.dpa_register}
            excluded, notes = exclusions(holds, target, accounts, keys)
            run.notes += [note for note in notes if note not in run.notes]
            for one in self._lanes(run, target, policies, excluded):
                self._sweep_lane(run, one)
        except StoreError:
            raise
        except Exception as error:  # one collection's failure is reported; the others run
            run.errors[(target.rule, target.address)] = _error_text(error)

    def _lanes(
        self,
        run: _Sweep,
        target: Target,
        policies: Sequence[ScanPolicy],
        excluded: Sequence[Exclusion],
    ) -> list[_Lane]:
        if not target.per_customer:
            if target.period is None:
                return []
            return [_Lane(target, None, Bound(before=cutoff(target.period, run.now)), excluded)]
        found = scan.customer_cutoffs(self.programme, policies, target, run.now)
        return [
            _Lane(target, key, Bound(customers=((account, before),)), excluded)
            for key, account, before in found
        ]

    def _sweep_lane(self, run: _Sweep, one: _Lane) -> None:
        """Walk one lane's key ranges from where it stopped, to the end of the table."""
        target = one.target
        sweeper = self._sweeper(run, target.system)
        progress = run.progress.get((target.rule, lane(target.address, one.customer)))
        if progress is not None and progress.finished:
            return
        start = progress.start if progress is not None else None
        if progress is not None and progress.pending is not None:
            start = self._rerun_pending(run, one, sweeper, progress.pending)
            if start is None:
                return
        span = sweeper.span(target, one.bound)
        if span is None:
            self._record(run, one, None, None, Counts(), 0.0, 0.0)
            return
        lo: Key = span[0] if start is None else start
        width, pace = self.first_width, _Pace(self.budget)
        while True:
            hi = sweeper.boundary(target, lo, width)
            if hi is not None and _past(hi, span[1]):
                hi = None  # the last range: to the end of the span
            counts, spent = self._measured(run, one, sweeper, lo, hi)
            if pace.too_many(counts.affected) and width > MIN_WIDTH:
                width = max(MIN_WIDTH, width // 2)  # a dense range: narrow it, count again
                continue
            spent = self._range(run, one, sweeper, lo, hi, counts, spent)
            pace.learn(counts.affected, spent)
            width = self._adapt(width, spent)
            if hi is None:
                return
            lo = hi

    def _measured(
        self, run: _Sweep, one: _Lane, sweeper: Sweeper, lo: Key, hi: Key | None
    ) -> tuple[Counts, float]:
        """The range counted, and the seconds counting took."""
        started = time.perf_counter()
        counts = sweeper.measure(one.target, one.bound, one.exclusions, lo, hi, exact=run.dry_run)
        return counts, time.perf_counter() - started

    def _range(
        self,
        run: _Sweep,
        one: _Lane,
        sweeper: Sweeper,
        lo: Key,
        hi: Key | None,
        counts: Counts,
        measured: float,
    ) -> float:
        """Plan, write and record one counted range; the seconds its write took."""
        target = one.target
        if run.dry_run or counts.affected == 0:
            self._record(run, one, lo, hi, counts, measured, measured)
            return measured
        self.store.planned(run.id, target, lo, hi, counts, customer=one.customer)
        started = time.perf_counter()
        affected = sweeper.apply(target, one.bound, one.exclusions, lo, hi)
        applied = time.perf_counter() - started
        done = replace(counts, affected=affected)
        if not counts.exact:  # the write says how many had ended: no hold, so all went
            done = replace(done, ended=affected, exact=True)
        self._record(run, one, lo, hi, done, measured + applied, max(measured, applied))
        return applied

    def _rerun_pending(
        self,
        run: _Sweep,
        one: _Lane,
        sweeper: Sweeper,
        pending: tuple[Key, Key | None, Counts],
    ) -> Key | None:
        """Write again a range planned before a crash; the key to go on from (None: done).

        Rows the crashed run already wrote are gone: the range is credited with its
        planned count when the rerun affects fewer, so the totals match an uninterrupted run.
        """
        lo, hi, planned = pending
        left = None
        if not planned.exact:  # only the range was counted: what left it since went
            left = sweeper.measure(one.target, one.bound, one.exclusions, lo, hi).examined
        started = time.perf_counter()
        affected = sweeper.apply(one.target, one.bound, one.exclusions, lo, hi)
        spent = time.perf_counter() - started
        if left is None:
            credited = replace(planned, affected=max(planned.affected, affected))
        else:
            gone = max(0, planned.examined - left) + affected
            credited = replace(planned, ended=gone, affected=gone, exact=True)
        self._record(run, one, lo, hi, credited, spent, spent)
        return hi

    def _record(
        self,
        run: _Sweep,
        one: _Lane,
        lo: Key | None,
        hi: Key | None,
        counts: Counts,
        seconds: float,
        longest: float,
    ) -> None:
        target = one.target
        if not run.dry_run:
            self.store.done(
                run.id, target, lo, hi, counts, seconds, customer=one.customer, longest=longest
            )
            return
        tally = run.tallies.setdefault((target.rule, lane(target.address, one.customer)), _Tally())
        tally.counts = _added(tally.counts, counts)
        tally.seconds += seconds
        tally.longest = max(tally.longest, longest)

    def _adapt(self, width: int, spent: float) -> int:
        """The next width: scaled toward ``budget`` seconds, by ×0.5 to ×2 a step."""
        factor = 2.0 if spent <= 0 else min(2.0, max(0.5, self.budget / spent))
        return max(min(MIN_WIDTH, self.first_width), int(width * factor))

    def _sweeper(self, run: _Sweep, system: str) -> Sweeper:
        if system not in run.sweepers:
            run.sweepers[system] = self.sweeper(system)
        return run.sweepers[system]

    def _key_lookup(self) -> Callable[[Hold, str], Sequence[object] | None]:
        """A subject hold's row keys per collection, looked up once per hold and run."""
        found: dict[str, Mapping[str, Sequence[object]]] = {}
        lookup, unseal = self.subject_keys, self.unseal
        # the engine does not walk a processor's systems (requests go to the controller):
        # where the lookup found nothing there, a subject hold keeps the collection whole
        unreachable = {
            f"{dataset.key}.{collection.name}"
            for system in self.programme.systems
            if system.role == "processor"
            for dataset in system.datasets
            for collection in dataset.collections
        }

        def keys(hold: Hold, address: str) -> Sequence[object] | None:
            if lookup is None or unseal is None or hold.sealed is None or not hold.identity:
                return None
            if hold.id not in found:
                found[hold.id] = lookup(hold.identity, unseal(hold.sealed).decode())
            if address in unreachable and address not in found[hold.id]:
                return None
            return list(found[hold.id].get(address, ()))

        return keys

    def _report(self, run: _Sweep, chosen: Sequence[Target]) -> SweepReport:
        progress = {} if run.dry_run else self.store.progress(run.id)
        rows = [_row(run, target, progress) for target in _unique(chosen)]
        return SweepReport(run.id, run.now, run.dry_run, run.resumed, tuple(rows), tuple(run.notes))

    def _finish(self, run: _Sweep, report: SweepReport, actor: str) -> None:
        at = self.now()
        proofs = [
            EventProof(run.id, rows.rule, rows.event, rows.customer, dict(rows.rows), at)
            for rows in self.store.event_rows(run.id)
            if sum(rows.rows.values()) > 0
        ]
        self.store.finish_sweep(run.id, report.to_dict(), proofs, actor, at=at)


# --- small steps ----------------------------------------------------------------------------


class _Pace:
    """How many rows a write takes a second, learnt as a lane goes: what bounds a range.

    Along a time column a range of a few seconds may hold a burst of rows; a range whose
    count is over four budgets' worth is narrowed before anything is written.
    """

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.rows = 0
        self.seconds = 0.0

    def learn(self, rows: int, seconds: float) -> None:
        if rows > 0 and seconds > 0:
            self.rows += rows
            self.seconds += seconds

    def too_many(self, rows: int) -> bool:
        if self.seconds <= 0.05 or rows <= 0:
            return False
        return rows > 4 * self.budget * self.rows / self.seconds


def _past(hi: Key, end: Key) -> bool:
    """True when a range ending at ``hi`` (exclusive) already holds ``end`` (inclusive)."""
    try:
        return bool(hi > end)
    except TypeError:
        return False


def _row(run: _Sweep, target: Target, progress: Mapping[tuple[str, str], Progress]) -> ReportRow:
    """A target's report row: its lanes' totals (rows examined once, not once per lane)."""
    found = run.tallies if run.dry_run else progress
    parts = [
        (value.counts, value.seconds, value.longest)
        if isinstance(value, _Tally)
        else (value.totals, value.seconds, value.longest)
        for (rule, name), value in found.items()
        if rule == target.rule and name.partition("#")[0] == target.address
    ]
    return ReportRow(
        rule=target.rule,
        collection=target.address,
        action=target.action,
        examined=max((p[0].examined for p in parts), default=0),
        ended=sum(p[0].ended for p in parts),
        affected=sum(p[0].affected for p in parts),
        held=sum(p[0].held for p in parts),
        seconds=sum(p[1] for p in parts),
        longest_statement=max((p[2] for p in parts), default=0.0),
        error=run.errors.get((target.rule, target.address)),
    )


def _unique(chosen: Sequence[Target]) -> list[Target]:
    seen: set[tuple[str, str]] = set()
    found = []
    for target in chosen:
        if (target.rule, target.address) not in seen:
            seen.add((target.rule, target.address))
            found.append(target)
    return found


def _added(total: Counts, more: Counts) -> Counts:
    return Counts(
        total.examined + more.examined,
        total.ended + more.ended,
        total.held + more.held,
        total.affected + more.affected,
        total.events + more.events,
    )


def _error_text(error: Exception) -> str:
    """What failed, without secrets: tutela's own messages, else the kind of error only."""
    if isinstance(error, TutelaError):
        return str(error)[:500]
    return f"{type(error).__name__} (see the service log)"
