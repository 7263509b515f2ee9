"""A decision point kept current from the store: every process sees every withdrawal.

:class:`DecisionPoint` holds a compiled :class:`~tutela.consent.decisions.DecisionTable`.
Before deciding, when ``refresh`` seconds have passed since its last look, it reads the
store's latest change and, when it moved, folds the new events in
(:meth:`~tutela.consent.decisions.DecisionTable.apply`). A choice recorded by any process
on the same store is so honoured everywhere within about ``refresh`` seconds (CO-3).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tutela.consent.decisions import Decision, DecisionTable
from tutela.consent.records import ChoiceEvent, subject_ref
from tutela.errors import ConfigurationError, RequestError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.requests.records import identity_values

RECENT = 10_000
"""How many of the last events loaded are remembered, not to fold one in twice."""

Who = Mapping[str, str] | str
"""A subject: an identity ``{name: value}``, or its keyed reference."""


class EventSource(Protocol):
    """The store's choice events, in the order stored, and the number of the last one."""

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The events in the order stored, after row ``since_id`` only."""
        ...

    def latest_change(self) -> int:
        """The number of the last event stored (0 when none)."""
        ...


class DecisionPoint:
    """Decisions for ``programme`` from the events of ``store``, refreshed every ``refresh`` s.

    Safe to share between threads. ``hash_key`` turns an identity into its reference; a
    point without one decides for references only.
    """

    def __init__(
        self,
        store: EventSource,
        programme: Programme,
        clock: Clock,
        refresh: float = 0.2,
        *,
        hash_key: bytes | None = None,
    ) -> None:
        self.store, self.programme, self.clock = store, programme, clock
        self.refresh, self.hash_key = refresh, hash_key
        self._lock = threading.Lock()
        self._table: DecisionTable | None = None
        self._seen = 0
        self._recent: frozenset[str] = frozenset()
        self._checked: datetime | None = None

    def decide(self, who: Who, purpose: str, at: datetime | None = None) -> Decision:
        """The decision for the subject ``who`` and ``purpose`` at ``at`` (default now)."""
        table = self.table()
        return table.decide(self.subject(who), purpose, at or self.clock.now())

    def decide_many(self, items: Iterable[tuple[Who, str, datetime | None]]) -> list[Decision]:
        """The decisions for ``(who, purpose, at)`` items, in order, from one table."""
        table, now = self.table(), self.clock.now()
        return [table.decide(self.subject(w), p, at or now) for w, p, at in items]

    def subject(self, who: Who) -> str:
        """The keyed reference of ``who`` (its first identity), or ``who`` when a reference."""
        if isinstance(who, str):
            return who
        if not who:
            raise RequestError("give an identity, e.g. {'email': 'alice@example.com'}")
        if not self.hash_key:
            raise ConfigurationError(
                f"no hash key: set {self.programme.masking.hash_key_env} or TUTELA_HASH_KEY "
                "(subjects are kept only as keyed references)"
            )
        name, value = next(iter(identity_values(who).items()))
        return subject_ref(name, value, self.hash_key)

    def table(self) -> DecisionTable:
        """The table, first brought up to date when ``refresh`` seconds have passed."""
        now = self.clock.now()
        table, checked = self._table, self._checked
        fresh = checked is not None and (now - checked).total_seconds() < self.refresh
        if table is not None and fresh:
            return table
        with self._lock:
            return self._update(now)

    def _update(self, now: datetime) -> DecisionTable:
        latest = self.store.latest_change()
        if self._table is None:
            events = self.store.events()
            self._table = DecisionTable.compile(self.programme, events)
            self._remember(latest, events)
        elif latest != self._seen:
            events = self.store.events(since_id=self._seen)
            fresh = [e for e in events if e.id not in self._recent]
            self._table = self._table.apply(fresh)
            self._remember(latest, events)
        self._checked = now
        return self._table

    def _remember(self, latest: int, events: Sequence[ChoiceEvent]) -> None:
        """Events stored after ``latest`` was read come again next time: skip them then."""
        self._seen = latest
        self._recent = frozenset(e.id for e in events[-RECENT:])
