"""What the retention service needs from the outside: the systems' SQL and tutela's store.

:class:`Sweeper` is implemented by :class:`tutela.connectors.sweeps.SqlSweeper` (one per
system); :class:`RetentionStore` by :class:`tutela.store.retention.SqlRetentionStore`.
Both are reached only through these protocols, so the service stays free of SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tutela.retention.holds import Hold
from tutela.retention.targets import Bound, Counts, Exclusion, Target

Key = Any
"""A primary-key value: an int, or a string for text keys."""


class Sweeper(Protocol):
    """Set-based statements on one system's database, one key range at a time.

    A range is ``lo <= key < hi``; ``hi`` None means to the end of the table. Every
    method runs in its own short transaction; :meth:`apply` commits its write.
    """

    def span(self, target: Target, bound: Bound | None = None) -> tuple[Key, Key] | None:
        """The least and greatest value ranges run along; None when there is none.

        Ranges run along the primary key, or along the time column when the database
        can reach rows by it (then a "key" is a time, a width is seconds, and the span
        ends at ``bound``'s latest cutoff).
        """
        ...

    def boundary(self, target: Target, lo: Key, width: int) -> Key | None:
        """The exclusive end of the range starting at ``lo`` holding about ``width`` keys.

        Integer keys: ``lo + width``. Other keys: the key ``width`` rows after ``lo`` in
        key order (None when fewer remain).
        """
        ...

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
        """Count the range: rows examined, ended, held, and those the write would affect.

        With ``exact`` False, a plain deletion with no hold may count only the range
        (``Counts.exact`` False): the write then says how many rows had ended.
        """
        ...

    def apply(
        self,
        target: Target,
        bound: Bound,
        exclusions: Sequence[Exclusion],
        lo: Key,
        hi: Key | None,
    ) -> int:
        """Delete, anonymise or archive the range's ended rows not held; rows affected."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


@dataclass(frozen=True)
class ScanPolicy:
    """A processor customer's choice for its scan data: ``24h``, ``48h`` or ``keep``."""

    customer: str
    choice: str
    source: str
    set_at: datetime | None = None


@dataclass(frozen=True)
class EventProof:
    """What one sweep deleted of one event's data (a scan): rows per collection, and when."""

    sweep: str
    rule: str
    event: str
    customer: str | None
    rows: Mapping[str, int]
    deleted_at: datetime
    due_at: datetime | None = None


@dataclass(frozen=True)
class Progress:
    """How far a sweep got on one target: the next key to start from, and the totals.

    ``pending`` is a range planned (counted) but not recorded done: it is run again on
    resume, and credited with its planned count when the rerun finds nothing left.
    """

    start: Key | None = None
    finished: bool = False
    totals: Counts = field(default_factory=Counts)
    pending: tuple[Key, Key | None, Counts] | None = None
    seconds: float = 0.0
    longest: float = 0.0


@dataclass(frozen=True)
class EventRows:
    """Rows a sweep wrote so far of one event (a parent row), per collection address."""

    rule: str
    event: str
    customer: str | None
    rows: Mapping[str, int]


def lane(address: str, customer: str | None = None) -> str:
    """The part of a target a sweep tracks: its collection, or one customer's rows of it.

    A rule ``per_customer`` sweeps each customer's rows in a pass of its own, so that the
    rows of each event are known to be that customer's: ``scan_db.asset#acme``.
    """
    return address if customer is None else f"{address}#{customer}"


class RetentionStore(Protocol):
    """Holds, scan policies, sweeps in progress and per-event proofs, with the ledger."""

    def place_hold(self, hold: Hold, actor: str) -> None:
        """Store a new hold and its ledger entry (``hold_placed``) in one transaction."""
        ...

    def lift_hold(self, hold_id: str, actor: str, reason: str, at: datetime) -> Hold:
        """Lift an active hold (``hold_lifted``), purging its sealed identity."""
        ...

    def owe_erasure(self, hold_id: str, request: str, actor: str, at: datetime) -> bool:
        """Record that an active subject hold kept data from erasure ``request``."""
        ...

    def settle(self, hold_id: str, actor: str, at: datetime) -> None:
        """Record a lifted hold's kept data erased, purging its sealed identity."""
        ...

    def unsettled(self) -> list[Hold]:
        """Lifted holds whose kept data still waits for its erasure."""
        ...

    def holds(self, *, include_lifted: bool = False) -> list[Hold]:
        """Every active hold (and the lifted ones when asked), oldest first."""
        ...

    def set_policy(self, policy: ScanPolicy, actor: str) -> None:
        """Store a customer's scan-data choice (``scan_policy``), replacing the previous one."""
        ...

    def policies(self) -> dict[str, ScanPolicy]:
        """The stored scan-data choices by customer key."""
        ...

    def open_sweep(self) -> tuple[str, datetime] | None:
        """The unfinished sweep (its id and the ``now`` it runs at), if one was interrupted."""
        ...

    def start_sweep(self, sweep: str, now: datetime, actor: str) -> None:
        """Record a sweep starting at ``now`` (every cutoff is computed from it)."""
        ...

    def progress(self, sweep: str) -> dict[tuple[str, str], Progress]:
        """Per (rule, lane): how far the sweep got (see :func:`lane`)."""
        ...

    def planned(
        self,
        sweep: str,
        target: Target,
        lo: Key,
        hi: Key | None,
        counts: Counts,
        *,
        customer: str | None = None,
    ) -> None:
        """Record a range counted and about to be written (of one customer's lane, if given)."""
        ...

    def done(
        self,
        sweep: str,
        target: Target,
        lo: Key,
        hi: Key | None,
        counts: Counts,
        seconds: float,
        *,
        customer: str | None = None,
        longest: float = 0.0,
    ) -> None:
        """Record a range written (``counts.affected`` rows), and its per-event rows.

        ``seconds`` is the range's time, ``longest`` its longest single statement.
        """
        ...

    def event_rows(self, sweep: str) -> list[EventRows]:
        """The rows the sweep wrote per (rule, event), accumulated over its ranges."""
        ...

    def finish_sweep(
        self,
        sweep: str,
        report: Mapping[str, Any],
        proofs: Sequence[EventProof],
        actor: str,
        *,
        at: datetime | None = None,
    ) -> None:
        """Close the sweep at ``at``: one ledger entry per rule (``swept``) and per proof."""
        ...

    def proofs(self, customer: str | None = None) -> list[EventProof]:
        """The per-event proofs, of one customer when given, oldest first."""
        ...
