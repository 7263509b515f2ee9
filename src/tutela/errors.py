"""The one exception tree of tutela.

Every failure a user can fix has its own type carrying what to fix::

    TutelaError
    ├── PolicyError          one problem in the programme: source file, line, column,
    │                        field path, what was expected, what was found, a hint
    ├── PolicyErrors         every PolicyError of one load, reported together
    ├── RequestError         a data-subject request that cannot be planned or run
    ├── ConnectorError       a system that cannot be reached or answered badly
    │                        (``retryable`` says whether running again may help)
    ├── StoreError           tutela's own store failed
    ├── ConfigurationError   settings or environment are missing or wrong
    └── AnonymisationError   an anonymised release that cannot be made as declared
        └── ReleaseRefused   a release that misses its declared privacy model

Interfaces (CLI, API) map these to exit codes and problem details in one table
each; no traceback reaches the user for any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class TutelaError(Exception):
    """Root of every error tutela raises on purpose.

    ``batch`` names the DSR batch an error stopped, when it was recorded and can
    be resumed (``tutela dsr resume PROGRAMME BATCH ...``); None otherwise.
    """

    batch: str | None = None


@dataclass(frozen=True)
class Location:
    """Where a value sits in the programme sources (1-based line and column)."""

    source: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        """Render as ``file:line:column`` (parts that are unknown are left out)."""
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class PolicyError(TutelaError):
    """One problem in the programme, with everything needed to fix it."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        path: str = "",
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.location = location
        self.path = path
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """One readable line (plus hint): ``file:line:col: path: message``."""
        head = f"{self.location}: " if self.location else ""
        field = f"{self.path}: " if self.path else ""
        text = f"{head}{field}{self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected}"
            text += f", found {self.found})" if self.found is not None else ")"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class PolicyErrors(TutelaError):
    """All problems found while loading one programme, reported at once."""

    def __init__(self, errors: Sequence[PolicyError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the programme:"]
        lines += [error.render() for error in self.errors]
        super().__init__("\n".join(lines))


class RequestError(TutelaError):
    """A data-subject request that cannot be planned or executed as asked."""


class ConnectorError(TutelaError):
    """A system could not be reached or answered in an unexpected way.

    ``retryable`` is True when running the same work again may succeed
    (a dropped connection, a lock timeout), False when input must change.
    """

    def __init__(self, message: str, *, system: str | None = None, retryable: bool = False):
        self.system = system
        self.retryable = retryable
        prefix = f"system {system!r}: " if system else ""
        super().__init__(f"{prefix}{message}")


class StoreError(TutelaError):
    """tutela's own store failed to read or write."""


class ConfigurationError(TutelaError):
    """Settings or environment variables are missing or invalid."""


class AnonymisationError(TutelaError):
    """An anonymised release cannot be made as declared (a value outside its hierarchy)."""


class ReleaseRefused(AnonymisationError):
    """A release misses its declared privacy model; the message says which part failed."""
