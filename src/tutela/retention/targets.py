"""What a sweep works on: one covered collection of one rule, compiled from the programme.

A :class:`Target` is everything the SQL of a sweep needs and nothing it must look up:
the table and its key, the column the period counts from (on the table itself, or on a
parent it references: an *event* such as the end of a scan), the period (or, for a
rule ``per_customer``, the customer column and each customer's own period), and what to
do with an expired row: delete it, anonymise its personal fields, or move it to an
archive table. Pure data: :mod:`tutela.retention.rules` builds targets, the executor in
:mod:`tutela.connectors.sweeps` runs them.

:func:`cutoff` is the one place a period becomes a bound: a row whose time is before it
has reached the end of its retention, exactly when :meth:`Duration.after` of its time is
at or before now, the computation erasure uses for rows kept under a legal obligation
(:mod:`tutela.rights.retained`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from tutela.programme.durations import Duration

Action = Literal["delete", "anonymise", "archive"]


@dataclass(frozen=True)
class Column:
    """A column a target reads: on the swept table, or on a parent through a reference.

    ``name`` alone is a column of the table. With ``parent``, ``via`` is the table's
    column that references ``parent.parent_key``, and ``name`` is the parent's column.
    ``type`` is the declared type (``datetime``, ``date``, ``integer``, ``string``...).
    """

    name: str
    type: str = "datetime"
    parent: str | None = None
    via: str | None = None
    parent_key: str | None = None

    @property
    def through_parent(self) -> bool:
        """True when the column is read on a parent (an event, or the customer of a scan)."""
        return self.parent is not None

    def describe(self) -> str:
        """``logged_at`` or ``scan.completed_at (via scan_id)``."""
        if self.parent is None:
            return self.name
        return f"{self.parent}.{self.name} (via {self.via})"


@dataclass(frozen=True)
class Masked:
    """A personal field an anonymising sweep overwrites: with NULL, or a fixed value."""

    name: str
    value: str | None = None


@dataclass(frozen=True)
class Target:
    """One covered collection of one rule: what the sweep selects and what it does.

    ``address`` is ``dataset.collection`` (as the programme writes it); ``table`` is the
    name the system's database knows. ``period`` is None for a rule ``per_customer``:
    each customer's period is given to the executor at run time. ``columns`` are the
    declared columns, in order (an archive copies them). ``per_event`` is True when the
    period counts from a parent's column: the sweep then proves its work per parent row.
    """

    rule: str
    action: Action
    system: str
    dataset: str
    table: str
    address: str
    key: str
    time: Column
    period: Duration | None
    customer: Column | None = None
    per_customer: bool = False
    masked: tuple[Masked, ...] = ()
    archive: str | None = None
    columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def per_event(self) -> bool:
        """True when the period counts from an event on a parent row (a scan's end)."""
        return self.time.through_parent


def cutoff(period: Duration, now: datetime) -> datetime:
    """The first instant whose retention has not ended at ``now``: rows before it have.

    A row with time ``t`` has reached its end when ``period.after(t) <= now``. Calendar
    months end on the last day of a shorter month (31 January + 1m = 28 February), so
    the bound is found by bisection around ``now - period`` on :meth:`Duration.after`
    itself (monotone), to the microsecond: the sweep and erasure agree on every row.
    """
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    guess = _minus(period, now)
    span = timedelta(days=8)
    low, high = guess - span, guess + span
    while _after(period, low) > now:  # never for a sane period; kept exact if it were
        low -= span
    while _after(period, high) <= now:
        high += span
    while high - low > timedelta(microseconds=1):  # after(low) <= now < after(high)
        middle = low + (high - low) / 2
        if _after(period, middle) <= now:
            low = middle
        else:
            high = middle
    return high


def date_bound(bound: datetime) -> date:
    """The bound for a DATE column: a date ``d`` has ended when ``d`` is before it.

    A date counts from its midnight (UTC), so ``d`` has ended when midnight of ``d`` is
    before ``bound``.
    """
    day = bound.astimezone(UTC).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return day + timedelta(days=1) if bound > midnight else day


def _after(period: Duration, start: datetime) -> datetime:
    try:
        return period.after(start)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def _minus(period: Duration, now: datetime) -> datetime:
    """``now`` less the period, roughly (the bisection makes it exact)."""
    try:
        return now - period.shortest
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) + timedelta(days=5)


@dataclass(frozen=True)
class Bound:
    """When rows of a target have reached their end: one cutoff, or one per customer.

    A row has ended when its time column is before ``before``; for a target
    ``per_customer``, when its customer column equals one of ``customers``' accounts and
    its time is before that customer's cutoff (customers not listed are kept).
    """

    before: datetime | None = None
    customers: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True)
class Condition:
    """One test of a filter hold on a column of the table: ``status = 'disputed'``.

    ``op`` is one of ``= != < <= > >= in``; ``value`` is a string, number or date (a list
    for ``in``). Compared as the database compares the column with the value.
    """

    column: str
    op: Literal["=", "!=", "<", "<=", ">", ">=", "in"]
    value: str | int | float | date | datetime | tuple[str | int | float, ...]


@dataclass(frozen=True)
class Exclusion:
    """Rows of one target that a legal hold protects; exactly one way is set.

    ``whole``: the collection is held. ``customer``: rows whose customer column equals
    this account. ``conditions``: rows matching all of them (a filter). ``keys``: the
    held subject's rows, by primary key. A condition the database finds unknown (NULL)
    protects the row.
    """

    hold: str
    whole: bool = False
    customer: str | None = None
    conditions: tuple[Condition, ...] = ()
    keys: tuple[object, ...] = ()


@dataclass(frozen=True)
class Counts:
    """What a sweep found or did in one key range of one target.

    ``examined``: rows in the range; ``ended``: rows whose retention ended; ``held``:
    ended rows a hold protects; ``affected``: rows deleted, anonymised or archived (the
    ended rows not held, when measured before the write). ``events`` maps each event's
    key (a parent row, ``str`` of its key) to the rows of it the write affects (per-event
    targets only).

    A count that is not ``exact`` only counted the range (a plain deletion, no hold, no
    event): ``affected`` is then at most ``examined``, and the write says how many went.
    """

    examined: int = 0
    ended: int = 0
    held: int = 0
    affected: int = 0
    events: tuple[tuple[str, int], ...] = ()
    exact: bool = True
