"""The retention use cases: sweeps, legal holds, scan policies and proofs (issue 18).

:meth:`RetentionService.run` enforces the programme's rules (RT-2): per covered collection
(a :class:`~tutela.retention.targets.Target`) it walks the table by key ranges, counts
each range (:meth:`Sweeper.measure`), records it as planned, writes it
(:meth:`Sweeper.apply`) and records it done, so a sweep killed at any point resumes
exactly where it stopped, with the same ``now``. Ranges grow or shrink so that each write
takes about ``budget`` seconds: tables stay online. Rows a legal hold protects are never
written (RT-3). A rule ``per_customer`` sweeps each customer's rows in a pass of its own,
with that customer's period (seed §9), and proves per event (a scan) what it deleted.

The service reaches the systems only through a :class:`~tutela.retention.ports.Sweeper`
per system and the store only through :class:`~tutela.retention.ports.RetentionStore`.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tutela.errors import ConfigurationError, RequestError, StoreError, TutelaError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.retention import scan
from tutela.retention.holds import (
    MAX_OWNER,
    MAX_REASON,
    Hold,
    Scope,
    checked_collection,
    checked_identity,
    checked_review,
    checked_scope,
    checked_text,
    declared_identities,
    exclusions,
    written_identity,
)
from tutela.retention.ports import (
    EventProof,
    Key,
    Progress,
    RetentionStore,
    ScanPolicy,
    Sweeper,
    lane,
)
from tutela.retention.reports import ReportRow, SweepReport, proof_document
from tutela.retention.rules import targets as compile_targets
from tutela.retention.targets import Bound, Condition, Counts, Exclusion, Target, cutoff

Reference = Callable[[str, str], str]
Seal = Callable[[bytes], bytes]
SubjectKeys = Callable[[str, str], Mapping[str, Sequence[object]]]

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


class RetentionService:
    """Sweeps, holds, scan policies and proofs of one programme.

    ``sweeper(system)`` opens the system's sweeper (closed at the end of each run);
    ``reference(identity, value)`` is the keyed reference of an identity (``h:`` and
    HMAC-SHA256 hex); ``seal``/``unseal`` keep a held identity under the store key (subject
    holds are refused without them); ``subject_keys(identity, value)`` gives a subject's row
    keys per ``dataset.collection`` (without it a subject hold protects every collection it
    covers, whole). ``budget`` is the seconds a write aims at; ``first_width`` the keys of
    the first range.
    """

    def __init__(
        self,
        programme: Programme,
        store: RetentionStore,
        sweeper: Callable[[str], Sweeper],
        clock: Clock,
        *,
        reference: Reference,
        seal: Seal | None = None,
        unseal: Seal | None = None,
        subject_keys: SubjectKeys | None = None,
        budget: float = 0.3,
        first_width: int = 10_000,
    ) -> None:
        self.programme = programme
        self.store = store
        self.sweeper = sweeper
        self.clock = clock
        self.reference = reference
        self.seal = seal
        self.unseal = unseal
        self.subject_keys = subject_keys
        self.budget = budget
        self.first_width = first_width

    # --- sweeps --------------------------------------------------------------------------

    def run(
        self, *, dry_run: bool = False, rules: Sequence[str] = (), actor: str = "system"
    ) -> SweepReport:
        """Sweep the rules (all with ``covers``, or those keyed ``rules``) once; the report.

        Resumes the interrupted sweep if there is one (same ``now``). A dry run counts what
        would go and changes and records nothing. An error on one collection is reported
        on its row; the others still run. Raises PolicyError for an unknown rule.
        """
        chosen = compile_targets(self.programme, list(rules) if rules else None)
        run = self._begin(dry_run, actor)
        holds = self.store.holds()
        policies = self.scan_policies()
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
            return _Sweep(secrets.token_hex(6), self._now(), True, False, {})
        opened = self.store.open_sweep()
        if opened is not None:
            sweep, now = opened
            return _Sweep(sweep, now, False, True, self.store.progress(sweep))
        sweep, now = secrets.token_hex(6), self._now()
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
        at = self._now()
        proofs = [
            EventProof(run.id, rows.rule, rows.event, rows.customer, dict(rows.rows), at)
            for rows in self.store.event_rows(run.id)
            if sum(rows.rows.values()) > 0
        ]
        self.store.finish_sweep(run.id, report.to_dict(), proofs, actor, at=at)

    # --- holds ---------------------------------------------------------------------------

    def place_hold(
        self,
        *,
        scope: str,
        reason: str,
        owner: str,
        review_at: date | None = None,
        identity: tuple[str, str] | None = None,
        customer: str | None = None,
        collection: str | None = None,
        conditions: Sequence[str | Condition] = (),
        actor: str = "system",
    ) -> Hold:
        """Place a legal hold (RT-3), checked against the programme, and ledger it.

        ``collection`` and ``filter`` holds name their collection (never whole tables by
        default); a filter has 1 to 20 conditions (``status=disputed``) on its columns; a
        ``customer`` hold names a DPA register key; a ``subject`` hold an identity
        ``(type, value)`` the programme declares, kept as a keyed reference and sealed.
        Raises :class:`RequestError` saying what to fix, ConfigurationError for a subject
        hold without the store key.
        """
        kind = checked_scope(scope)
        address, where = checked_collection(self.programme, kind, collection, conditions)
        subject, identity_type, sealed = self._hold_subject(kind, identity)
        hold = Hold(
            id=str(uuid.uuid4()),
            scope=kind,
            reason=checked_text(reason, "reason", MAX_REASON),
            owner=checked_text(owner, "owner", MAX_OWNER),
            placed_at=self._now(),
            review_at=checked_review(review_at),
            subject=subject,
            identity=identity_type,
            sealed=sealed,
            customer=self._hold_customer(kind, customer),
            collection=address,
            conditions=where,
        )
        self.store.place_hold(hold, actor)
        return hold

    def lift_hold(self, hold_id: str, *, actor: str, reason: str) -> Hold:
        """Lift an active hold with a reason (ledgered); its sealed identity is purged."""
        if not isinstance(hold_id, str) or not 0 < len(hold_id) <= 36:
            raise RequestError("no active hold has that id: see `tutela retention hold list`")
        return self.store.lift_hold(
            hold_id, actor, checked_text(reason, "reason", MAX_REASON), self._now()
        )

    def holds(self, *, include_lifted: bool = False) -> list[Hold]:
        """The active holds (and the lifted ones when asked), oldest first."""
        return self.store.holds(include_lifted=include_lifted)

    def held_for(self, identities: Mapping[str, str]) -> list[Hold]:
        """The active subject holds on any of ``identities`` (for erasure requests, ER-2)."""
        declared = set(declared_identities(self.programme))
        refs = set()
        for name, value in identities.items():
            if name not in declared or not isinstance(value, str):
                continue
            try:
                written = written_identity(self.programme, name, value)
            except RequestError:
                continue
            refs.add(self.reference(name, written))
        return [h for h in self.store.holds() if h.scope == "subject" and h.subject in refs]

    def _hold_subject(
        self, kind: Scope, identity: tuple[str, str] | None
    ) -> tuple[str | None, str | None, bytes | None]:
        checked = checked_identity(self.programme, kind, identity)
        if checked is None:
            return None, None, None
        if self.seal is None:
            raise ConfigurationError(
                "subject holds keep the identity sealed: set TUTELA_STORE_KEY to place one"
            )
        name, written = checked
        return self.reference(name, written), name, self.seal(written.encode())

    def _hold_customer(self, kind: Scope, customer: str | None) -> str | None:
        if kind != "customer":
            if customer is not None:
                raise RequestError("a customer is for customer holds only")
            return None
        if customer is None:
            raise RequestError("a customer hold names a customer of the DPA register")
        return scan.register_customer(self.programme, customer).key

    # --- scan policies and proofs --------------------------------------------------------

    def scan_policies(self) -> list[ScanPolicy]:
        """Each DPA register customer's scan-data choice: stored, register's, or ``keep``."""
        return scan.policies(self.programme, self.store.policies())

    def set_scan_policy(self, customer: str, choice: str, *, actor: str) -> ScanPolicy:
        """Store a customer's choice (one of the rules' ``choices``, or ``keep``); ledgered."""
        key = scan.register_customer(self.programme, customer).key
        policy = ScanPolicy(key, scan.valid_choice(self.programme, choice), "cli", self._now())
        self.store.set_policy(policy, actor)
        return policy

    def proof(self, customer: str) -> list[EventProof]:
        """What the sweeps deleted of the customer's scans, per scan, oldest first (seed §9)."""
        return self.store.proofs(scan.register_customer(self.programme, customer).key)

    def proof_document(self, customer: str, fmt: str = "json") -> str:
        """The customer's proof as ``json`` or ``csv`` text, with its name and DPA reference."""
        found = scan.register_customer(self.programme, customer)
        if fmt not in ("json", "csv"):
            raise RequestError("a proof is exported as json or csv")
        return proof_document(
            found, self.store.proofs(found.key), generated_at=self._now(), fmt=fmt
        )

    def _now(self) -> datetime:
        """The clock's time to the second (every backend keeps seconds: digests stay equal)."""
        return self.clock.now().replace(microsecond=0)


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
