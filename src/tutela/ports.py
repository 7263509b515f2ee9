"""The Protocols services use to reach the outside world.

Capability cores and services depend on these shapes only; adapters
(:mod:`tutela.connectors`, :mod:`tutela.store`) implement them and
:mod:`tutela.bootstrap` wires them together. Every operation on a
:class:`Connector` is set-based: it takes a whole set of keys and sends one
statement (chunked only where the database limits bound parameters).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

Row = dict[str, Any]


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the system's catalog describes it."""

    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    length: int | None = None


@dataclass(frozen=True)
class ForeignKeyInfo:
    """A foreign key from ``columns`` of one collection to ``target`` columns of another."""

    columns: tuple[str, ...]
    target_collection: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class CollectionInfo:
    """A collection (table) as the system's catalog describes it."""

    name: str
    columns: tuple[ColumnInfo, ...]
    foreign_keys: tuple[ForeignKeyInfo, ...] = field(default_factory=tuple)

    def column(self, name: str) -> ColumnInfo:
        """The column called ``name``; KeyError if there is none."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


class IgnoreCase(str):
    """A ``match`` field compared case-insensitively: ``{IgnoreCase("email"): keys}``.

    Selects the rows whose field, lower-cased, is one of the keys lower-cased
    (an SQL connector sends ``lower(email) IN (...)``, or relies on a
    case-insensitive collation). It is the field's name as a ``str`` subclass,
    so a connector that does not know it sees the plain name and matches
    exactly. Identities declared case-insensitive (e-mail) are looked up this way.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        """``IgnoreCase('email')``."""
        return f"IgnoreCase({str(self)!r})"


def ignores_case(field: object) -> bool:
    """Whether a ``match`` field asks for case-insensitive matching (see :class:`IgnoreCase`)."""
    return isinstance(field, IgnoreCase)


@runtime_checkable
class Connector(Protocol):
    """Set-based reads and writes on one system (a database, a SaaS API, a person).

    ``match`` selects rows: ``{field: keys}`` means rows whose ``field`` is in
    ``keys``; a field given as :class:`IgnoreCase` compares lower-cased values.
    Every call takes whole key sets, so one call is one statement per
    collection (chunked where the backend limits bound parameters).
    Connectors raise :class:`tutela.errors.ConnectorError` on failure.
    """

    name: str

    def describe(self) -> list[CollectionInfo]:
        """The collections of the system with their columns and foreign keys."""
        ...

    def fetch(
        self, collection: str, match: Mapping[str, Sequence[Any]], columns: Sequence[str]
    ) -> list[Row]:
        """Rows of ``collection`` selected by ``match``, with only ``columns``."""
        ...

    def count(self, collection: str, match: Mapping[str, Sequence[Any]]) -> int:
        """How many rows ``match`` selects (for dry runs)."""
        ...

    def update(
        self, collection: str, match: Mapping[str, Sequence[Any]], values: Mapping[str, Any]
    ) -> int:
        """Set ``values`` (the same for every row) on the selected rows; return rows changed."""
        ...

    def update_rows(self, collection: str, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Set per-row values: each row maps ``key`` to its key value plus the new values."""
        ...

    def delete(self, collection: str, match: Mapping[str, Sequence[Any]]) -> int:
        """Delete the selected rows; return how many."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """A unit of work: everything inside commits together or not at all."""
        ...

    def explain(
        self,
        operation: str,
        collection: str,
        match: Mapping[str, Sequence[Any]],
        columns: Sequence[str] = (),
    ) -> str:
        """The statement text ``operation`` (fetch|count|update|delete) would send."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class Sampling(Protocol):
    """A connector that can read a bounded random sample of a collection (discovery).

    Never a full scan unless ``full`` is asked for: PostgreSQL samples pages with
    ``TABLESAMPLE``, other databases read a bounded random selection. NULLs are
    returned as they are; the caller skips them.
    """

    name: str

    def sample(
        self, collection: str, columns: Sequence[str], limit: int, *, full: bool = False
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` rows of ``columns`` (in that order) chosen at random."""
        ...


class Clock(Protocol):
    """Where services get the time from (always timezone-aware)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


def iter_chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Split ``values`` into consecutive slices of at most ``size`` items."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- DSR batches, checkpoints and restrictions (tutela's own store) ---------------------------


@dataclass(frozen=True)
class BatchRecord:
    """A batch of data-subject requests of one type, as tutela's store keeps it.

    ``id`` is new for every run; ``digest`` is a keyed hash of the batch's
    requests (so a resume can check it is given the same input, without the
    store holding the identities); ``counts`` are rows changed per collection.
    """

    id: str
    type: str
    requests: int
    created_at: datetime
    status: str = "running"
    digest: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)
    finished_at: datetime | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True)
class RestrictionRecord:
    """A subject (by one identity) whose data may only serve ``allowed`` purposes (RS-1/RS-2).

    ``collection``/``field`` narrow it to data kept under a legal obligation
    after an erasure (ER-2), with ``until`` its end date; empty means the
    whole subject is restricted.
    """

    identity: str
    value: str
    allowed: tuple[str, ...]
    reason: str
    batch_id: str
    created_at: datetime
    collection: str = ""
    field: str = ""
    until: datetime | None = None


class BatchStore(Protocol):
    """A store of DSR batches: each batch and the result of each of its finished steps.

    A checkpoint is written after the connector transaction of its step
    commits, so a resume of the batch skips it and reuses its result.
    Payloads are JSON-like (dict, list, str, int, float, bool, None) plus
    ``Decimal``, ``date``, ``datetime`` and ``bytes``, returned with their types.
    A batch is recorded with its first checkpoints, in the same transaction.
    Checkpoints live only while the batch is open: closing it deletes them, but
    for those named in ``keep`` (answers awaiting delivery until ``expires_at``).
    """

    def find_batch(self, batch_id: str) -> tuple[BatchRecord | None, dict[str, Any]]:
        """The stored batch and the payload of each of its finished steps; (None, {}) if new."""
        ...

    def save_checkpoints(
        self,
        batch_id: str,
        steps: Mapping[str, Any],
        restrictions: Sequence[RestrictionRecord] = (),
        *,
        opening: BatchRecord | None = None,
        status: str | None = None,
        durable: bool = True,
        counts: Mapping[str, int] | None = None,
        keep: Sequence[str] = (),
        expires_at: datetime | None = None,
        lease_until: datetime | None = None,
        lifted: Sequence[RestrictionRecord] = (),
    ) -> None:
        """Mark ``steps`` finished and record ``restrictions``, atomically.

        ``lifted`` removes the whole-subject restrictions of the subjects it names (RS-3).

        ``opening`` is a batch not stored yet, recorded in the same transaction.
        ``status`` (``done`` or ``failed``) is set in the same transaction with
        ``counts``; ``done`` also deletes the batch's checkpoints except ``keep``,
        which expire at ``expires_at``. ``lease_until`` extends the running
        batch's lease. ``durable=False`` marks progress a crash may lose without
        harm (a resume repeats the step with the same stored values): the store
        may commit it without waiting for the disk.
        """
        ...

    def claim_batch(self, batch_id: str, now: datetime, until: datetime) -> BatchRecord | None:
        """Lease the open batch ``batch_id`` to this process until ``until``.

        Returns the batch, or None when it does not exist, is done, or another
        process holds an unexpired lease on it (see :meth:`find_batch`).
        """
        ...

    def finish_batch(self, batch_id: str, status: str) -> None:
        """Set the batch's final status (``done`` or ``failed``) and release its lease."""
        ...


class RestrictionStore(Protocol):
    """A store of restrictions of processing, read by the decision point (RS-2, Recital 67).

    Subjects are stored by reference (a keyed hash of ``identity=value``, see
    :func:`tutela.rights.restrictions.subject_ref`), never by the identity value.
    """

    def restrictions(self, identity: str, value: str) -> list[RestrictionRecord]:
        """Every restriction recorded for the subject known by ``identity=value``."""
        ...


# --- the moderation queue of community posts (seed §9) ----------------------------------------


@dataclass(frozen=True)
class HeldPost:
    """A community post held for staff, as the queue keeps it: never its text in clear.

    ``post`` is the platform's own id of the post; ``spans`` are ``(start, end, class)``
    character offsets into the text (no text); ``digest`` is the keyed digest of the text
    (``h:`` and 64 hex digits). ``status`` is ``held``, ``allowed`` or ``removed``; the
    decision's time, actor and reason are set once staff decide.
    """

    id: str
    post: str
    received_at: datetime
    lang: str
    classes: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]
    digest: str
    status: str = "held"
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ModerationEntry:
    """The ledger entry a queue change is committed with: ids and digests only."""

    time: datetime
    actor: str
    action: str
    subject: str
    before: str | None
    after: str


class ModerationStore(Protocol):
    """The moderation queue (``tutela_moderation``); every change committed with its entry.

    The post's text is kept sealed while it is held and purged by the decision.
    """

    def hold(self, post: HeldPost, sealed: bytes, entry: ModerationEntry) -> None:
        """Insert ``post`` with its sealed text, committed with ``entry``."""
        ...

    def find(self, post: str, digest: str) -> HeldPost | None:
        """The post ``post`` with this text digest still held, or None (a repeated screening)."""
        ...

    def get(self, queue_id: str) -> HeldPost | None:
        """The queued post ``queue_id`` (held or decided), or None."""
        ...

    def sealed(self, queue_id: str) -> bytes | None:
        """The sealed text of ``queue_id``; None once decided (purged) or unknown."""
        ...

    def held(self, limit: int, offset: int) -> tuple[list[HeldPost], int]:
        """A page of the posts still held, oldest first, and how many are held in all."""
        ...

    def decide(self, decided: HeldPost, entry: ModerationEntry) -> bool:
        """Store the decision of a post still held, purge its text, with ``entry``.

        False (nothing written) when the post is no longer held: decided meanwhile.
        """
        ...
