"""One transaction per system for a whole batch run.

The resolve reads and the act writes of a system share one connection and one
transaction (as hand-written SQL would): one commit per system instead of one
per statement or per collection, and the writes apply to the rows the reads
found in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from types import TracebackType

from tutela.ports import Connector


class Sessions:
    """Open ``connector.transaction()`` for each of ``systems``; commit each on demand.

    :meth:`commit` ends one system's transaction; leaving the block commits
    those still open, or rolls every open one back when an exception leaves it.
    Calls on a system's connector inside the block join its transaction.
    """

    def __init__(self, connectors: Mapping[str, Connector], systems: Iterable[str]) -> None:
        self._connectors = connectors
        self._systems = sorted(set(systems))
        self._open: dict[str, ExitStack] = {}
        self._stack = ExitStack()

    def __enter__(self) -> Sessions:
        with ExitStack() as stack:
            for system in self._systems:
                session = ExitStack()
                session.enter_context(self._connectors[system].transaction())
                stack.push(session)
                self._open[system] = session
            self._stack = stack.pop_all()
        return self

    def commit(self, system: str) -> None:
        """Commit ``system``'s transaction now (ConnectorError if the commit fails)."""
        session = self._open.pop(system, None)
        if session is not None:
            session.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool:
        """Commit what is still open, or roll it back on an exception."""
        self._open.clear()
        return bool(self._stack.__exit__(kind, error, trace))
