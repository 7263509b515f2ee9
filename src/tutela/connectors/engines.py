"""The SQL connector's options, checked, and its engine (built by :mod:`tutela.sqlengine`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import ConfigurationError

OPTIONS: dict[str, type] = {"schema": str, "max_params": int, "connect_timeout": int}
"""Connector options a programme may set under ``connector.options``, with their types."""


@dataclass(frozen=True)
class SqlOptions:
    """The checked ``connector.options`` of a SQL system."""

    schema: str | None = None
    max_params: int | None = None
    connect_timeout: int = 10

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
        return cls(**options)  # type: ignore[arg-type]


def create_engine(url: sa.URL, system: str, options: SqlOptions) -> sa.Engine:
    """The engine of ``system`` (see :func:`tutela.sqlengine.create_engine`)."""
    return sqlengine.create_engine(
        url,
        owner=f"system {system!r}",
        system=system,
        connect_timeout=options.connect_timeout,
        must_exist=True,
    )
