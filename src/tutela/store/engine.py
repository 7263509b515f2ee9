"""How tutela's store opens its database and says what failed, never with a secret.

The store is ``TUTELA_DATABASE_URL``; its engine comes from
:func:`tutela.sqlengine.create_engine` (SQLite in WAL mode) with the timeouts of
``TUTELA_CONNECT_TIMEOUT`` and ``TUTELA_STATEMENT_TIMEOUT``. A failure becomes a
:class:`StoreError` saying which failure it was (:func:`tutela.sqlengine.classify`)
and what to check.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import StoreError

OWNER = "TUTELA_DATABASE_URL"

_HINTS = {
    "timeout": "raise TUTELA_CONNECT_TIMEOUT or TUTELA_STATEMENT_TIMEOUT if the server is slow",
    "refused": f"is the server running at the host and port of {OWNER}?",
    "unknown_host": f"check the host name in {OWNER}",
    "authentication": f"check the user and its credentials in {OWNER}",
    "no_database": f"create the database or fix its name in {OWNER}",
    "no_folder": f"create the folder or point {OWNER} elsewhere",
    "cannot_open": f"check the file's permissions or point {OWNER} elsewhere",
    "locked": "another process holds a lock; try again",
    "lost": "try again",
}
"""What to check, per kind of failure (kinds without a hint print none)."""


def open_engine(
    url: str,
    *,
    connect_timeout: int = sqlengine.CONNECT_TIMEOUT,
    statement_timeout: int = sqlengine.STATEMENT_TIMEOUT,
) -> sa.Engine:
    """The store's engine for ``url`` (ConfigurationError naming ``TUTELA_DATABASE_URL``)."""
    return sqlengine.create_engine(
        url,
        owner=OWNER,
        connect_timeout=connect_timeout,
        statement_timeout=statement_timeout,
        wal=True,
    )


def store_error(error: sa.exc.SQLAlchemyError, url: sa.URL) -> StoreError:
    """The :class:`StoreError` for ``error`` on the store at ``url``: which failure, what to do."""
    failure = sqlengine.classify(error, url=url)
    hint = _HINTS.get(failure.kind)
    return StoreError(f"tutela's store failed: {failure}" + (f" ({hint})" if hint else ""))
