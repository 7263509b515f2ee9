"""The one way tutela opens a SQL database: its store's and its connectors' alike.

:func:`create_engine` hides bound values in errors, sets a connect timeout,
turns on SQLite's foreign keys (and, for tutela's own store, WAL with
``synchronous = NORMAL``), and checks pooled connections before use only
after they sat idle (:func:`ping_after_idle`).

Why idle-only: SQLAlchemy's ``pool_pre_ping`` sends a ping on every checkout,
one more round trip for every transaction tutela opens. A connection returned
to the pool a moment ago is alive; one that waited may have been closed by the
server, a proxy or a restart, and is replaced before use (HikariCP skips its
check within 500 ms of the last use the same way). A connection that dies
while in use still fails its statement (a retryable error) and SQLAlchemy then
discards the whole pool.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela.errors import ConfigurationError, ConnectorError

IDLE_SECONDS = 1.0
"""A pooled connection idle longer than this is pinged before it is lent out."""

CONNECT_TIMEOUT = 10
"""Seconds to wait for a database server to accept a connection."""

_USED = "tutela_last_used"
_TIMEOUT_ARGUMENT = {"postgresql": "connect_timeout", "mysql": "connect_timeout"}
_DRIVERS = "use sqlite, postgresql (psycopg) or mysql/mariadb (pymysql)"


def create_engine(
    url: sa.URL | str,
    *,
    owner: str,
    system: str | None = None,
    connect_timeout: int = CONNECT_TIMEOUT,
    wal: bool = False,
    must_exist: bool = False,
) -> sa.Engine:
    """An engine for ``url``; errors name ``owner`` (``system 'shop'``, ``TUTELA_DATABASE_URL``).

    ``wal`` puts a SQLite file in WAL mode (tutela's own store); ``must_exist``
    refuses a SQLite file that is not there (a connector must not create an
    empty database where the user mistyped a path). Raises
    :class:`ConfigurationError` when no installed driver opens the URL and
    :class:`ConnectorError` for a missing SQLite file.
    """
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigurationError(
            f"{owner} is not a database URL tutela can open "
            "(sqlite:///file, postgresql+psycopg://..., mysql+pymysql://...)"
        ) from None
    if must_exist:
        _check_sqlite_file(parsed, system or owner)
    try:
        argument = _TIMEOUT_ARGUMENT.get(parsed.get_backend_name(), "timeout")
        engine = sa.create_engine(
            parsed, hide_parameters=True, connect_args={argument: connect_timeout}
        )
    except (sa.exc.NoSuchModuleError, ModuleNotFoundError, sa.exc.ArgumentError):
        raise ConfigurationError(
            f"{owner}: no installed SQL driver for {parsed.drivername!r}; {_DRIVERS}"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_wal_pragmas if wal else _sqlite_pragmas)
    ping_after_idle(engine)
    return engine


def ping_after_idle(engine: sa.Engine, seconds: float = IDLE_SECONDS) -> None:
    """Ping a pooled connection on checkout when it was idle over ``seconds``.

    Used instead of ``pool_pre_ping``; a dead connection is replaced by a fresh one.
    """

    def used(_connection: Any, record: Any, *_: Any) -> None:
        record.info[_USED] = time.monotonic()

    def lent(connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_USED)
        if last is not None and time.monotonic() - last <= seconds:
            return
        try:
            engine.dialect.do_ping(connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, connection, None):
                raise sa.exc.DisconnectionError() from error
            raise
        record.info[_USED] = time.monotonic()

    sa.event.listen(engine, "connect", used)
    sa.event.listen(engine, "checkin", used)
    sa.event.listen(engine, "checkout", lent)


def _check_sqlite_file(url: sa.URL, system: str) -> None:
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if not database.startswith("file:") and not Path(database).is_file():
        raise ConnectorError(
            f"SQLite database file {database!r} does not exist", system=system, retryable=False
        )


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    _pragmas(connection, "foreign_keys = ON")


def _sqlite_wal_pragmas(connection: Any, _record: object) -> None:
    _pragmas(connection, "journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON")


def _pragmas(connection: Any, *pragmas: str) -> None:
    cursor = connection.cursor()
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
