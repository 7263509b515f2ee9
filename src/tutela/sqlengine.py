"""The one way tutela opens a SQL database: its store's and its connectors' alike.

:func:`create_engine` checks the URL (:func:`parse_url`), hides bound values in
errors, bounds every wait (below), turns on SQLite's foreign keys (and, for
tutela's own store, WAL with ``synchronous = NORMAL``), and checks pooled
connections before use only after they sat idle (:func:`ping_after_idle`).
:func:`classify` says what a failure was, in words safe to show.

Timeouts, in seconds, so that no server can hang tutela:

- PostgreSQL: ``connect_timeout`` (connection and handshake) and the session's
  ``statement_timeout`` (sent as ``options=-c statement_timeout=...``);
- MariaDB/MySQL (PyMySQL): ``connect_timeout``, and socket read and write
  timeouts equal to it until the handshake is done, so a port that accepts but
  never answers fails within ``connect_timeout``; then the session's
  ``max_statement_time`` (MariaDB; ``max_execution_time`` on MySQL) with
  ``statement_timeout + connect_timeout`` as the socket timeout behind it;
- SQLite: ``connect_timeout`` is the busy timeout (how long to wait for a lock).

A ``statement_timeout`` of 0 means no limit. A value the URL sets itself
(``options``, ``read_timeout``...) wins.

Why idle-only pings: SQLAlchemy's ``pool_pre_ping`` sends a ping on every
checkout, one more round trip for every transaction tutela opens. A connection
returned to the pool a moment ago is alive; one that waited may have been
closed by the server, a proxy or a restart, and is replaced before use
(HikariCP skips its check within 500 ms of the last use the same way). A
connection that dies while in use still fails its statement (a retryable error)
and SQLAlchemy then discards the whole pool.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela.errors import ConfigurationError, ConnectorError
from tutela.sqlfailures import Failure, classify, hide_secrets

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_DRIVERS",
    "IDLE_SECONDS",
    "STATEMENT_TIMEOUT",
    "URL_EXAMPLE",
    "Failure",
    "classify",
    "create_engine",
    "parse_url",
    "ping_after_idle",
]

IDLE_SECONDS = 1.0
"""A pooled connection idle longer than this is pinged before it is lent out."""

CONNECT_TIMEOUT = 10
"""Seconds to wait for a database server to accept a connection and finish its handshake."""

STATEMENT_TIMEOUT = 300
"""Seconds one statement may run before the server cancels it (0: no limit)."""

DEFAULT_DRIVERS: dict[str, str] = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
"""Driver used when a URL names only the database (``postgresql://`` uses psycopg 3)."""

URL_EXAMPLE = "postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path/file.db"
"""What a database URL looks like, for error messages."""

_USED = "tutela_last_used"
_DRIVERS = "use sqlite, postgresql (psycopg) or mysql/mariadb (pymysql)"
_DRIVER_FAULTS = (TypeError, ValueError, AttributeError, LookupError)
"""What a driver raises (instead of its own errors) for options it cannot use."""


def parse_url(url: sa.URL | str, *, owner: str) -> sa.URL:
    """``url`` parsed and checked, with the installed driver for a bare ``postgresql://``.

    :class:`ConfigurationError` names ``owner`` and never repeats the URL (it may
    hold a password). An ``@`` left unescaped in the password makes the rest of
    it look like a host name, so a host holding ``@`` is refused before anything
    is sent to a DNS server.
    """
    if isinstance(url, str):
        try:
            url = sa.make_url(url.strip())
        except sa.exc.ArgumentError:
            raise ConfigurationError(
                f"{owner} is not a database URL; expected something like {URL_EXAMPLE}"
            ) from None
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{owner} is not a database URL: its port is not a number (an unescaped "
                "'@' or ':' in the user part also causes this; write them as %40 and %3A)"
            ) from None
    if "@" in (url.host or ""):
        raise ConfigurationError(
            f"{owner}: the URL's user part holds an unescaped '@'; write each '@' of the "
            "user name or its secret as %40"
        )
    driver = DEFAULT_DRIVERS.get(url.drivername)
    return url.set(drivername=driver) if driver else url


def create_engine(
    url: sa.URL | str,
    *,
    owner: str,
    system: str | None = None,
    connect_timeout: int = CONNECT_TIMEOUT,
    statement_timeout: int = STATEMENT_TIMEOUT,
    wal: bool = False,
    must_exist: bool = False,
) -> sa.Engine:
    """An engine for ``url``; errors name ``owner`` (``system 'shop'``, ``TUTELA_DATABASE_URL``).

    Timeouts are in seconds (see the module's docstring). ``wal`` puts a SQLite
    file in WAL mode (tutela's own store); ``must_exist`` refuses a SQLite file
    that is not there (a connector must not create an empty database where the
    user mistyped a path). Raises :class:`ConfigurationError` for a URL that
    does not parse or that no installed driver opens, and :class:`ConnectorError`
    for a missing SQLite file.
    """
    parsed = parse_url(url, owner=owner)
    if must_exist:
        _check_sqlite_file(parsed, system or owner)
    _check_charset(parsed, owner)
    try:
        arguments = _connect_args(parsed, connect_timeout, statement_timeout)
        engine = sa.create_engine(parsed, hide_parameters=True, connect_args=arguments)
    except (sa.exc.NoSuchModuleError, ModuleNotFoundError, sa.exc.ArgumentError):
        raise ConfigurationError(
            f"{owner}: no installed SQL driver for {parsed.drivername!r}; {_DRIVERS}"
        ) from None
    _refuse_driver_faults(engine, owner, parsed.password)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_wal_pragmas if wal else _sqlite_pragmas)
    elif engine.dialect.name in ("mysql", "mariadb"):
        _limit_mysql_statements(engine, parsed, connect_timeout, statement_timeout)
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


def _connect_args(url: sa.URL, connect_timeout: int, statement_timeout: int) -> dict[str, Any]:
    """The driver's timeout arguments for ``url``, leaving out any the URL sets itself."""
    backend = url.get_backend_name()
    arguments: dict[str, Any] = {}
    if backend == "sqlite":
        arguments = {"timeout": connect_timeout}
    elif backend == "postgresql":
        arguments = {"connect_timeout": connect_timeout}
    elif backend in ("mysql", "mariadb"):
        arguments = {"connect_timeout": connect_timeout}
        if url.get_driver_name() == "pymysql":
            arguments |= {"read_timeout": connect_timeout, "write_timeout": connect_timeout}
    given = {name: value for name, value in arguments.items() if name not in url.query}
    if backend == "postgresql":
        given |= _pg_options(url, statement_timeout)  # added to the URL's own options
    return given


def _pg_options(url: sa.URL, statement_timeout: int) -> dict[str, str]:
    given = url.query.get("options", "")
    options = " ".join(given) if isinstance(given, tuple) else given
    if not statement_timeout or "statement_timeout" in options:
        return {}
    return {"options": f"{options} -c statement_timeout={statement_timeout * 1000}".strip()}


def _limit_mysql_statements(
    engine: sa.Engine, url: sa.URL, connect_timeout: int, statement_timeout: int
) -> None:
    """After the handshake: the session's statement limit and PyMySQL's socket timeouts."""
    backstop = statement_timeout + connect_timeout if statement_timeout else None
    widen = url.get_driver_name() == "pymysql" and "read_timeout" not in url.query

    def limit(connection: Any, _record: object) -> None:
        if statement_timeout:
            mariadb = "mariadb" in str(connection.get_server_info()).lower()
            variable, value = (
                ("max_statement_time", statement_timeout)
                if mariadb
                else ("max_execution_time", statement_timeout * 1000)
            )
            cursor = connection.cursor()
            cursor.execute(f"SET SESSION {variable} = {int(value)}")
            cursor.close()
        if widen and hasattr(connection, "_read_timeout"):
            # PyMySQL has no public setter; its socket timeouts are read per packet.
            connection._read_timeout = backstop
            connection._write_timeout = backstop

    sa.event.listen(engine, "connect", limit)


def _refuse_driver_faults(engine: sa.Engine, owner: str, password: str | None) -> None:
    """Turn a driver's TypeError & co. on connect (a URL option it cannot use) into an error."""
    dbapi_error = engine.dialect.loaded_dbapi.Error

    def connect(dialect: Any, _record: object, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except dbapi_error:
            raise
        except _DRIVER_FAULTS as error:
            detail = hide_secrets(str(error), (password,)) or type(error).__name__
            raise ConfigurationError(
                f"{owner}: the database driver cannot use the URL's options ({detail})"
            ) from None

    sa.event.listen(engine, "do_connect", connect)


def _check_charset(url: sa.URL, owner: str) -> None:
    charset = url.query.get("charset")
    if charset is None or url.get_driver_name() != "pymysql":
        return
    from pymysql.charset import charset_by_name

    if not isinstance(charset, str) or charset_by_name(charset) is None:
        raise ConfigurationError(
            f"{owner}: unknown character set in the URL's charset option; use utf8mb4"
        )


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
