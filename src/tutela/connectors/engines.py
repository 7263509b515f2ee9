"""Engines for the SQL connector: options, drivers, timeouts, SQLite pragmas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela.errors import ConfigurationError, ConnectorError
from tutela.liveness import ping_after_idle

OPTIONS: dict[str, type] = {"schema": str, "max_params": int, "connect_timeout": int}
"""Connector options a programme may set under ``connector.options``, with their types."""

_CONNECT_TIMEOUT_ARG = {
    "postgresql": "connect_timeout",
    "mysql": "connect_timeout",
    "mariadb": "connect_timeout",
}


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
    """An engine for ``url``: bound values hidden in errors, idle pooled connections checked."""
    _check_sqlite_file(url, system)
    argument = _CONNECT_TIMEOUT_ARG.get(url.get_backend_name(), "timeout")
    try:
        engine = sa.create_engine(
            url,
            hide_parameters=True,
            connect_args={argument: options.connect_timeout},
        )
    except (sa.exc.NoSuchModuleError, ModuleNotFoundError, sa.exc.ArgumentError):
        raise ConfigurationError(
            f"system {system!r}: no installed SQL driver for {url.drivername!r}; "
            "use sqlite, postgresql (psycopg) or mysql/mariadb (pymysql)"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    ping_after_idle(engine)
    return engine


def _check_sqlite_file(url: sa.URL, system: str) -> None:
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if not database.startswith("file:") and not Path(database).is_file():
        raise ConnectorError(
            f"SQLite database file {database!r} does not exist", system=system, retryable=False
        )


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
