r"""Hearing of new choice events as they are committed: PostgreSQL ``LISTEN``.

:class:`ChangeListener` holds one connection of its own in a daemon thread, ``LISTEN``\\ s
on :data:`tutela.store.consent.CHANNEL` and calls ``changed`` (the decision point's
:meth:`~tutela.consent.point.DecisionPoint.changed`) after each notification, so a
withdrawal committed by any process is honoured here at once. When the connection
fails it connects again after ``retry`` seconds; meanwhile the decision point's own
refresh keeps it current. Other databases have no such channel: :func:`listen` returns
None for them and the refresh (a change counter) does the work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa

from tutela.store.consent import CHANNEL

log = logging.getLogger(__name__)
GIVE_UP = 5
"""Connections failed in a row after which the listener stops (the refresh goes on)."""


class ChangeListener:
    """Calls ``changed`` after each committed change of the choice events (PostgreSQL)."""

    def __init__(self, engine: sa.Engine, changed: Callable[[], None], retry: float = 1.0) -> None:
        self.engine, self.changed, self.retry = engine, changed, retry
        self._stop = threading.Event()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tutela-listen", daemon=True)

    def start(self) -> ChangeListener:
        """Start listening in the background; return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (within about a second)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set() and failures < GIVE_UP:
            try:
                self._listen()
            except Exception as error:  # any failure: connect again later
                failures = 1 if self.ready.is_set() else failures + 1  # was it listening?
                self.ready.clear()
                log.warning("listening for consent changes failed (%s)", type(error).__name__)
                self._stop.wait(self.retry * failures)
        if failures >= GIVE_UP:
            log.warning(
                "stopped listening for consent changes: the refresh keeps decisions current"
            )

    def _listen(self) -> None:
        with self.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(sa.text(f"LISTEN {CHANNEL}"))
            driver = connection.connection.driver_connection
            self.changed()  # what was committed before LISTEN took effect
            self.ready.set()
            while not self._stop.is_set():
                heard = False
                for _ in driver.notifies(timeout=0.5):  # type: ignore[union-attr]
                    heard = True
                    break
                if heard:
                    self.changed()


def listen(engine: sa.Engine, changed: Callable[[], None]) -> ChangeListener | None:
    """A started listener on ``engine`` when it is PostgreSQL, else None."""
    if engine.dialect.name != "postgresql":
        return None
    return ChangeListener(engine, changed).start()
