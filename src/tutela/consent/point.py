"""A decision point kept current from the store: every process sees every withdrawal.

:class:`DecisionPoint` holds a compiled :class:`~tutela.consent.decisions.DecisionTable`.
Before deciding, when ``refresh`` seconds have passed since its last look, it reads the
store's latest change and, when it moved, folds the new events in
(:meth:`~tutela.consent.decisions.DecisionTable.apply`). A choice recorded by any process
on the same store is so honoured everywhere within about ``refresh`` seconds (CO-3).
Where the store can announce its changes (PostgreSQL ``LISTEN``/``NOTIFY``, see
:meth:`DecisionPoint.listen`), a change is folded in as soon as it is committed, and
the refresh is a safety net.

Rows are numbered when inserted but become visible when committed, so a row can appear
after a higher one was read. Each look therefore reads again the last :data:`MARGIN`
rows before the one it saw last, and skips the events it already folded in.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tutela.consent.decisions import Decision, DecisionTable
from tutela.consent.records import ChoiceEvent, Renewal, referencer
from tutela.errors import ConfigurationError, RequestError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.requests.records import MAX_IDENTITIES, identity_value, identity_values

MARGIN = 1_000
"""How many rows before the last one seen each look reads again (commits out of order)."""
RECENT = 20_000
"""How many of the last events folded in are remembered, not to fold one in twice."""
RENEWALS_EVERY = 30.0
"""Seconds between two looks at the announced renewals of consent."""

Who = Mapping[str, str] | str
"""A subject: an identity ``{name: value}``, or its keyed reference."""


class EventSource(Protocol):
    """The store's choice events, in the order stored, and the number of the last one."""

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The events in the order stored, after row ``since_id`` only."""
        ...

    def changes_since(self, after: int) -> tuple[int, int]:
        """The number of the last event, and how many are numbered after ``after``."""
        ...


class DecisionPoint:
    """Decisions for ``programme`` from the events of ``store``, refreshed every ``refresh`` s.

    Safe to share between threads. ``hash_key`` turns an identity into its reference; a
    point without one decides for references only. ``renewals`` reads the announced
    renewals of consent (:class:`~tutela.consent.records.Renewal`), looked at again every
    :data:`RENEWALS_EVERY` seconds. ``freeze`` (for a service process) moves each compiled
    table out of the garbage collector's sight (:func:`gc.freeze`): a million subjects
    are some fifteen million objects, and a full collection walking them all would stop
    every request for seconds.
    """

    def __init__(
        self,
        store: EventSource,
        programme: Programme,
        clock: Clock,
        refresh: float = 0.2,
        *,
        hash_key: bytes | None = None,
        renewals: Callable[[], Sequence[Renewal]] | None = None,
        freeze: bool = False,
    ) -> None:
        self.store, self.programme, self.clock = store, programme, clock
        self.refresh, self.hash_key, self.renewals = refresh, hash_key, renewals
        self.freeze = freeze
        self._lock = threading.Lock()
        self._table: DecisionTable | None = None
        self._window, self._token = 0, (0, 0)
        self._recent: deque[str] = deque(maxlen=RECENT)
        self._folded: set[str] = set()
        self._checked: datetime | None = None
        self._renewed: tuple[datetime, tuple[Renewal, ...]] | None = None
        self._table_renewals: tuple[Renewal, ...] = ()
        self._reference: Callable[[str, str], str] | None = None

    def decide(self, who: Who, purpose: str, at: datetime | None = None) -> Decision:
        """The decision for the subject ``who`` and ``purpose`` at ``at`` (default now)."""
        table = self.table()
        return table.decide(self.subject(who), purpose, at or self.clock.now())

    def decide_many(self, items: Iterable[tuple[Who, str, datetime | None]]) -> list[Decision]:
        """The decisions for ``(who, purpose, at)`` items, in order."""
        decide, subject, now = self.table().decide, self.subject, self.clock.now()
        return [decide(subject(w), p, at or now) for w, p, at in items]

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
        if self._reference is None:
            self._reference = referencer(self.hash_key)
        if not isinstance(who, Mapping) or len(who) > MAX_IDENTITIES:
            identity_values(who)  # refused, saying why (only the first identity is read)
        name, value = next(iter(who.items()))
        return self._reference(name, identity_value(name, value))

    def table(self) -> DecisionTable:
        """The table, first brought up to date when ``refresh`` seconds have passed."""
        now = self.clock.now()
        table, checked = self._table, self._checked
        fresh = checked is not None and (now - checked).total_seconds() < self.refresh
        if table is not None and fresh:
            return table
        with self._lock:
            return self._update(now)

    def changed(self) -> None:
        """Fold in what the store holds now (a listener calls this on each notification)."""
        with self._lock:
            self._update(self.clock.now(), force=True)

    def _update(self, now: datetime, force: bool = False) -> DecisionTable:
        renewals = self._renewals(now)
        table = self._table
        compiled = table is None or renewals != self._table_renewals
        if table is None or compiled:
            window, token = self._look(self.store.changes_since(0))
            events = self.store.events()
            table = DecisionTable.compile(self.programme, events, renewals, now)
            self._table, self._table_renewals = table, renewals
            self._folded.clear()
            self._recent.clear()
        else:
            found = self.store.changes_since(self._window)
            if not force and found == self._token:
                self._checked = now
                return table
            window, token = self._look(found)  # counted before reading: nothing slips by
            events = self.store.events(since_id=self._window)
            table.apply([e for e in events if e.id not in self._folded], now)
        self._remember(events)
        self._window, self._token = window, token
        if compiled and self.freeze:
            _freeze(events)
        self._checked = now
        return table

    def _look(self, found: tuple[int, int]) -> tuple[int, tuple[int, int]]:
        """The window to watch next (:data:`MARGIN` rows before the last) and its count."""
        window = max(0, found[0] - MARGIN)
        return window, self.store.changes_since(window)

    def _renewals(self, now: datetime) -> tuple[Renewal, ...]:
        if self.renewals is None:
            return ()
        known = self._renewed
        if known is not None and (now - known[0]).total_seconds() < RENEWALS_EVERY:
            return known[1]
        found = tuple(sorted(self.renewals(), key=lambda r: (r.purpose, r.effective_at)))
        self._renewed = (now, found)
        return found

    def _remember(self, events: Sequence[ChoiceEvent]) -> None:
        """Note the events folded in, so that reading them again folds nothing twice."""
        for event in events[-RECENT:]:
            if event.id in self._folded:
                continue
            if len(self._recent) == self._recent.maxlen:
                self._folded.discard(self._recent[0])
            self._recent.append(event.id)
            self._folded.add(event.id)


def _freeze(events: list[ChoiceEvent]) -> None:
    """Collect what compiling left behind, then freeze what remains (the table)."""
    events.clear()  # the caller's list: the events are garbage once folded in
    gc.collect()
    gc.freeze()
