"""Driver exceptions turned into :class:`tutela.errors.ConnectorError`.

A failure is *retryable* when running the same work again may succeed: the
connection dropped or was refused, a lock wait timed out, a deadlock or a
serialization failure aborted the transaction. Missing tables or columns,
type errors and constraint violations are not: the input must change.
Messages carry the driver's first line only: never the statement's bound
values (they are personal data) and never the password.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from tutela.errors import ConnectorError

_PG_RETRYABLE_CLASSES = ("08", "53", "57", "40")
"""SQLSTATE classes: connection, resources, operator intervention, transaction rollback."""
_PG_RETRYABLE_STATES = frozenset({"55P03"})  # lock_not_available
_PG_MISSING = {"42P01": "table", "42703": "column"}

_MYSQL_RETRYABLE = frozenset({1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055})
"""Too many connections, shutdown, lock wait timeout, deadlock, killed, lost connection."""
_MYSQL_MISSING = {1146: "table", 1054: "column"}

_SQLITE_RETRYABLE = ("database is locked", "database table is locked", "unable to open")
_SQLITE_MISSING = {"no such table": "table", "no such column": "column"}

_QUOTED_VALUE = re.compile(r"((?:entry|value:?|value for)\s+)'(?:[^'\\]|\\.)*'", re.IGNORECASE)


def translate(
    error: sa.exc.SQLAlchemyError, *, system: str, password: str | None
) -> ConnectorError:
    """The :class:`ConnectorError` for a SQLAlchemy or driver ``error`` on ``system``."""
    original = getattr(error, "orig", None) or error
    message = _redact(_first_line(_text(original), password))
    retryable = _retryable(error, original)
    missing = _missing(original)
    if missing:
        message = f"missing {missing}: {message}"
    return ConnectorError(message, system=system, retryable=retryable and not missing)


def _text(original: object) -> str:
    code = _mysql_code(original)
    args: tuple[object, ...] = tuple(getattr(original, "args", ()))
    if code is not None and len(args) > 1:
        return f"{args[1]} (error {code})"
    return str(original)


def _redact(text: str) -> str:
    """Hide values the database quotes back (``Duplicate entry 'ann@example.test'``)."""
    return _QUOTED_VALUE.sub(lambda found: f"{found.group(1)}'***'", text)


def _first_line(text: str, password: str | None) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "database error"
    if password:
        line = line.replace(password, "***")
    return line


def _retryable(error: sa.exc.SQLAlchemyError, original: object) -> bool:
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.exc.DisconnectionError | sa.exc.TimeoutError):
        return True
    code = _mysql_code(original)  # first: PyMySQL errors carry a SQLSTATE too
    if code is not None:
        return code in _MYSQL_RETRYABLE
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith(_PG_RETRYABLE_CLASSES) or state in _PG_RETRYABLE_STATES
    text = str(original).lower()
    if any(marker in text for marker in _SQLITE_RETRYABLE):
        return True
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
    return isinstance(error, sa.exc.OperationalError) and "connection" in text


def _missing(original: object) -> str | None:
    code = _mysql_code(original)
    if code is not None:
        return _MYSQL_MISSING.get(code)
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str):
        return _PG_MISSING.get(state)
    text = str(original).lower()
    return next((kind for marker, kind in _SQLITE_MISSING.items() if marker in text), None)


def _mysql_code(original: object) -> int | None:
    if type(original).__module__.startswith("pymysql"):
        args: tuple[object, ...] = tuple(getattr(original, "args", ()))
        if args and isinstance(args[0], int):
            return args[0]
    return None
