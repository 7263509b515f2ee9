"""The SQL connector's options, checked, and its engine (built by :mod:`tutela.sqlengine`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import ConfigurationError

OPTIONS: dict[str, type] = {
    "schema": str,
    "max_params": int,
    "connect_timeout": int,
    "statement_timeout": int,
}
"""Connector options a programme may set under ``connector.options``, with their types."""

_SMALLEST = {"max_params": 1, "connect_timeout": 1, "statement_timeout": 0}
"""The smallest value of each numeric option (``statement_timeout: 0`` means no limit)."""


@dataclass(frozen=True)
class SqlOptions:
    """The checked ``connector.options`` of a SQL system; timeouts in seconds.

    The timeouts default to :mod:`tutela.sqlengine`'s; the application passes
    ``TUTELA_CONNECT_TIMEOUT`` and ``TUTELA_STATEMENT_TIMEOUT`` unless the
    programme sets the option for the system.
    """

    schema: str | None = None
    max_params: int | None = None
    connect_timeout: int = sqlengine.CONNECT_TIMEOUT
    statement_timeout: int = sqlengine.STATEMENT_TIMEOUT

    @classmethod
    def parse(cls, options: Mapping[str, object], *, system: str) -> SqlOptions:
        """Check ``options``; :class:`ConfigurationError` names an unknown or mistyped one."""
        for name, value in options.items():
            kind = OPTIONS.get(name)
            if kind is None:
                known = ", ".join(sorted(OPTIONS))
                raise ConfigurationError(
                    f"system {system!r}: unknown connector option {name!r} (known: {known})"
                )
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ConfigurationError(
                    f"system {system!r}: connector option {name!r} must be {kind.__name__}"
                )
            smallest = _SMALLEST.get(name)
            if smallest is not None and isinstance(value, int) and value < smallest:
                raise ConfigurationError(
                    f"system {system!r}: connector option {name!r} must be at least {smallest}"
                )
        return cls(**options)  # type: ignore[arg-type]


def create_engine(url: sa.URL, system: str, options: SqlOptions) -> sa.Engine:
    """The engine of ``system`` (see :func:`tutela.sqlengine.create_engine`)."""
    return sqlengine.create_engine(
        url,
        owner=f"system {system!r}",
        system=system,
        connect_timeout=options.connect_timeout,
        statement_timeout=options.statement_timeout,
        must_exist=True,
    )
