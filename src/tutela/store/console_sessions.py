"""The console's sessions and admins' pending logins in tutela's store, shared by processes.

:class:`SqlSessionStore` reads and writes ``tutela_console_session`` and
``tutela_console_pending`` (:mod:`tutela.store.console`). Rows are keyed by the SHA-256 of
the cookie's value: the store never holds a session id or a pending login's token. A
session is read joined with its login, so a login disabled, removed or given another
role ends its sessions. The timing rules (idle, absolute, pending life) are the caller's
(:mod:`tutela.web.console_auth`); this module only stores, finds and deletes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tutela.store.console import pending_table, session_table, staff_login_table
from tutela.store.engine import store_error

_SESSION, _PENDING, _LOGIN = session_table.c, pending_table.c, staff_login_table.c
_FIND_SESSION = (
    sa.select(
        _SESSION.login_id,
        _SESSION.role,
        _SESSION.csrf,
        _SESSION.created_at,
        _SESSION.seen_at,
        _LOGIN.name,
        _LOGIN.role.label("login_role"),
        _LOGIN.disabled_at,
    )
    .select_from(session_table.join(staff_login_table, _LOGIN.id == _SESSION.login_id))
    .where(_SESSION.digest == sa.bindparam("wanted"))
)


@dataclass(frozen=True)
class StoredSession:
    """A session's row with its login: who (name and role now), the token, two times."""

    login_id: str
    name: str
    role: str
    login_role: str
    disabled_at: datetime | None
    csrf: str
    created_at: datetime
    seen_at: datetime


@dataclass(frozen=True)
class StoredPending:
    """An admin's login waiting for a code: which login, the form's token, when it began."""

    login_id: str
    csrf: str
    created_at: datetime


class SqlSessionStore:
    """The console's sessions in the store behind ``engine`` (at the head revision).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add_session(self, digest: str, login_id: str, role: str, csrf: str, now: datetime) -> None:
        """Keep a new session (created and seen ``now``) under ``digest``."""
        row: dict[str, object] = {"digest": digest, "login_id": login_id, "role": role}
        with self.guard(), self.engine.begin() as connection:
            row |= {"csrf": csrf, "created_at": now, "seen_at": now}
            connection.execute(sa.insert(session_table), [row])

    def session(self, digest: str) -> StoredSession | None:
        """The session under ``digest`` with its login, or None (also when the login is gone)."""
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(_FIND_SESSION, {"wanted": digest}).mappings().first()
        return None if row is None else StoredSession(**row)

    def touch(self, digest: str, now: datetime) -> None:
        """Record that the session under ``digest`` was used ``now``."""
        change = sa.update(session_table).where(_SESSION.digest == digest).values(seen_at=now)
        with self.guard(), self.engine.begin() as connection:
            connection.execute(change)

    def end_session(self, digest: str) -> None:
        """Delete the session under ``digest`` (nothing when there is none)."""
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.delete(session_table).where(_SESSION.digest == digest))

    def forget(self, idle_since: datetime, made_before: datetime, pending_before: datetime) -> None:
        """Delete the sessions ended by time and the pending logins begun too long ago.

        A session ends when unused since ``idle_since`` or made before ``made_before``; a
        pending login when begun before ``pending_before``.
        """
        old = sa.or_(_SESSION.seen_at < idle_since, _SESSION.created_at < made_before)
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.delete(session_table).where(old))
            connection.execute(sa.delete(pending_table).where(_PENDING.created_at < pending_before))

    def add_pending(self, digest: str, login_id: str, csrf: str, now: datetime) -> None:
        """Keep a login waiting for its code under ``digest``."""
        row = {"digest": digest, "login_id": login_id, "csrf": csrf, "created_at": now}
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(pending_table), [row])

    def pending(self, digest: str) -> StoredPending | None:
        """The login waiting under ``digest``, or None."""
        query = sa.select(_PENDING.login_id, _PENDING.csrf, _PENDING.created_at).where(
            _PENDING.digest == digest
        )
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else StoredPending(**row)

    def end_pending(self, digest: str) -> bool:
        """Delete the login waiting under ``digest``; False when there was none (used already)."""
        with self.guard(), self.engine.begin() as connection:
            gone = connection.execute(sa.delete(pending_table).where(_PENDING.digest == digest))
        return gone.rowcount == 1

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None
