"""Pooled database connections are checked before use only after sitting idle.

SQLAlchemy's ``pool_pre_ping`` sends a ping on every checkout: one more round
trip for every transaction tutela opens, its store's and its connectors'. A
connection returned to the pool a moment ago is alive; one that waited may
have been closed by the server, a proxy or a restart, and is replaced before
use (HikariCP skips its check within 500 ms of the last use the same way). A
connection that dies while in use still fails its statement (a retryable
error) and SQLAlchemy then discards the whole pool.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

IDLE_SECONDS = 1.0
"""A pooled connection idle longer than this is pinged before it is lent out."""

_USED = "tutela_last_used"


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
