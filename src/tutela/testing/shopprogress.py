"""A progress bar on stderr for long shop builds (``python -m tutela.testing.shopdb``).

:class:`TerminalProgress` is a :class:`~tutela.testing.shopdb.BuildProgress`: the build
tells it each phase and each chunk of rows, never each row, so drawing costs the build
nothing measurable. Rich is imported only when a bar is made.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PHASES = {
    "create": "creating tables",
    "load": "loading rows",
    "index": "adding indexes and keys",
    "analyze": "analyzing",
}
"""How each phase of a build is shown."""


class TerminalProgress:
    """Rows loaded against an estimated total, the table or phase running, and the time."""

    def __init__(self, expected_rows: int, console: Console | None = None) -> None:
        """A bar for about ``expected_rows`` rows, drawn on ``console`` (default: stderr)."""
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description:<26}"),
            BarColumn(),
            TextColumn("{task.completed:>13,.0f} rows"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self._task = self._bar.add_task(PHASES["create"], total=max(expected_rows, 1))

    def __enter__(self) -> TerminalProgress:
        """Start drawing."""
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop drawing; after a build that finished, the bar shows it full."""
        if kind is None:
            done = self._bar.tasks[0].completed
            self._bar.update(self._task, total=max(done, 1), description="done")
        self._bar.stop()

    def phase(self, name: str) -> None:
        """Show the phase that starts."""
        self._bar.update(self._task, description=PHASES.get(name, name))

    def rows(self, table: str, count: int) -> None:
        """Advance by one chunk of ``table``."""
        self._bar.update(self._task, advance=count, description=f"loading {table}")
