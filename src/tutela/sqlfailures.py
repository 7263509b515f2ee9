"""What went wrong on a SQL database, in words safe to show: for connectors and the store alike.

:func:`classify` turns a SQLAlchemy or driver exception into a :class:`Failure`:
its kind (timed out, connection refused, authentication failed, database does
not exist, ...), the driver's first line, and whether running the same work
again may succeed. The text never holds the password (nor any fragment the
caller names) nor a value the database quotes back (``Duplicate entry
'ann@example.test'``: bound values are personal data).

A failure is *retryable* when running the same work again may succeed: the
connection dropped, was refused or timed out, a lock wait timed out, a deadlock
or a serialization failure aborted the transaction. Missing tables or columns,
authentication, type errors and constraint violations are not: something must
change first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

KINDS: dict[str, str] = {
    "timeout": "timed out",
    "refused": "connection refused",
    "unknown_host": "unknown host",
    "authentication": "authentication failed",
    "no_database": "database does not exist",
    "no_folder": "folder does not exist",
    "cannot_open": "cannot open the database file",
    "missing_table": "missing table",
    "missing_column": "missing column",
    "conflict": "conflict",
    "locked": "locked",
    "lost": "connection lost",
    "error": "database error",
}
"""Every kind of failure, with the words a message starts with."""

_RETRYABLE_KINDS = frozenset({"timeout", "refused", "locked", "lost", "cannot_open"})

_PG_KINDS = {
    "28P01": "authentication",
    "28000": "authentication",
    "3D000": "no_database",
    "42P01": "missing_table",
    "42703": "missing_column",
    "55P03": "locked",
    "23505": "conflict",
}
_PG_RETRYABLE_CLASSES = ("08", "53", "57", "40")
"""SQLSTATE classes: connection, resources, operator intervention, transaction rollback."""

_MYSQL_KINDS = {
    1044: "authentication",
    1045: "authentication",
    1698: "authentication",
    1049: "no_database",
    1146: "missing_table",
    1054: "missing_column",
    1969: "timeout",
    3024: "timeout",
    1205: "locked",
    1062: "conflict",
    2006: "lost",
    2013: "lost",
    2055: "lost",
}
_MYSQL_RETRYABLE = frozenset({1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055})
"""Too many connections, shutdown, lock wait timeout, deadlock, killed, lost connection."""
_MYSQL_CONNECT = frozenset({2003, 2013})
"""Can't connect, lost connection: refused, unknown host or timed out, as the text says."""

_TEXT_KINDS = (
    (re.compile(r"timeout expired|timed out|statement timeout"), "timeout"),
    (re.compile(r"connection refused"), "refused"),
    (
        re.compile(
            r"failed to resolve host|could not translate host name|name or service not known"
            r"|nodename nor servname|temporary failure in name resolution|no address associated"
        ),
        "unknown_host",
    ),
    (
        re.compile(r'password authentication failed|no password supplied|role ".*" does not exist'),
        "authentication",
    ),
    (re.compile(r'database ".*" does not exist'), "no_database"),
    (re.compile(r"database (table )?is locked"), "locked"),
    (re.compile(r"unable to open database file"), "cannot_open"),
    (re.compile(r"no such table"), "missing_table"),
    (re.compile(r"no such column"), "missing_column"),
    (re.compile(r"unique constraint failed"), "conflict"),
)
"""Kinds read from the text, for errors without a code (psycopg's connect, SQLite)."""

_QUOTED_VALUE = re.compile(r"((?:entry|value:?|value for)\s+)'(?:[^'\\]|\\.)*'", re.IGNORECASE)
_SHORT_SECRET = 4
"""Secrets shorter than this are hidden only where they stand alone, not inside words."""


@dataclass(frozen=True)
class Failure:
    """What went wrong on a SQL database: ``kind`` (a key of :data:`KINDS`), a safe detail."""

    kind: str
    detail: str
    retryable: bool

    def __str__(self) -> str:
        """``kind words: detail`` (``timed out: connection timeout expired``)."""
        return f"{KINDS[self.kind]}: {self.detail}"


def classify(
    error: BaseException, *, url: sa.URL | None = None, secrets: Iterable[str | None] = ()
) -> Failure:
    """The :class:`Failure` behind ``error`` on the database at ``url``.

    The password of ``url`` and every one of ``secrets`` are hidden from the
    detail; for a SQLite file that cannot be opened, a missing folder is named.
    """
    original = getattr(error, "orig", None) or error
    hidden = (*secrets, url.password if url is not None else None)
    detail = _redact(hide_secrets(_text(original), hidden)) or "database error"
    kind = _kind(original)
    if kind == "cannot_open" and url is not None:
        folder = _missing_folder(url)
        if folder is not None:
            kind, detail = "no_folder", f"{folder!r}, where the SQLite file should be"
    retryable = kind in _RETRYABLE_KINDS or (kind == "error" and _retryable(error, original))
    return Failure(kind, detail, retryable)


def hide_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """The first line of ``text`` with every one of ``secrets`` replaced by ``***``."""
    stripped = text.strip()
    line = stripped.splitlines()[0].strip() if stripped else ""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(secret) >= _SHORT_SECRET:
            line = line.replace(secret, "***")
        else:
            line = re.sub(rf"(?<![\w@]){re.escape(secret)}(?![\w@])", "***", line)
    return line


def _text(original: object) -> str:
    code = _mysql_code(original)
    args: tuple[object, ...] = tuple(getattr(original, "args", ()))
    if code is not None and len(args) > 1:
        return f"{args[1]} (error {code})"
    return str(original)


def _redact(text: str) -> str:
    """Hide values the database quotes back (``Duplicate entry 'ann@example.test'``)."""
    return _QUOTED_VALUE.sub(lambda found: f"{found.group(1)}'***'", text)


def _kind(original: object) -> str:
    text = str(original).lower()
    code = _mysql_code(original)
    if code in _MYSQL_CONNECT:  # one code for several causes: the text says which
        return _text_kind(text) or _MYSQL_KINDS.get(code, "error")
    if code is not None:
        return _MYSQL_KINDS.get(code, "error")
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str) and state in _PG_KINDS:
        return _PG_KINDS[state]
    return _text_kind(text) or "error"


def _text_kind(text: str) -> str | None:
    return next((kind for pattern, kind in _TEXT_KINDS if pattern.search(text)), None)


def _retryable(error: BaseException, original: object) -> bool:
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.exc.DisconnectionError | sa.exc.TimeoutError):
        return True
    code = _mysql_code(original)  # first: PyMySQL errors carry a SQLSTATE too
    if code is not None:
        return code in _MYSQL_RETRYABLE
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith(_PG_RETRYABLE_CLASSES)
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
    return isinstance(error, sa.exc.OperationalError) and "connection" in str(original).lower()


def _missing_folder(url: sa.URL) -> str | None:
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    folder = Path(database).parent
    return None if folder.is_dir() else str(folder)


def _mysql_code(original: object) -> int | None:
    if type(original).__module__.startswith("pymysql"):
        args: tuple[object, ...] = tuple(getattr(original, "args", ()))
        if args and isinstance(args[0], int):
            return args[0]
    return None
