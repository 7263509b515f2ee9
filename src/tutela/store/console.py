"""The console's tables: staff logins (``tutela_staff_login``), sessions and pending logins.

:class:`SqlLoginStore` implements :class:`tutela.access.logins.LoginStore`. A login's row
holds the argon2id hash of the password, never the password; ``totp`` an admin's TOTP
secret sealed (:func:`tutela.access.logins.totp_key`) and ``totp_step`` the last step
accepted, so a code is used once. Adding a login appends its ledger entries
(``login_created``, and ``totp_enrolled`` for an admin; actor ``staff:<name>``) in the same
transaction; replacing a secret appends ``totp_enrolled`` and ends the login's sessions.
It also implements :class:`tutela.access.login_roster.RosterStore`: disabling a login
(``login_disabled``) or removing it (``login_removed``) deletes its sessions and pending
logins in the same transaction; enabling it appends ``login_enabled``.

``tutela_console_session`` and ``tutela_console_pending`` (migration ``0011_console_sessions``)
keep the console's sessions and the admins' logins waiting for a code, by the SHA-256 of
their cookie's value only (:mod:`tutela.store.console_sessions`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING

import sqlalchemy as sa

from tutela.access.login_roster import LoginRoster, LoginSummary, Removal
from tutela.access.logins import LoginEvent, LoginRecord, LoginService
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.lifecycle_tables import LongBinary
from tutela.store.rate_windows import rate_windows
from tutela.store.tables import UtcDateTime, metadata

if TYPE_CHECKING:
    from datetime import datetime

    from tutela.ports import Clock
    from tutela.requests.sealing import StoreKey

STAFF_LOGIN = "tutela_staff_login"
STAFF_LOGIN_NAME_INDEX = "uq_tutela_staff_login_name"
CONSOLE_SESSION = "tutela_console_session"
CONSOLE_SESSION_LOGIN_INDEX = "ix_tutela_console_session_login"
CONSOLE_PENDING = "tutela_console_pending"


def staff_login_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_staff_login`` made by the migration ``0010_console``."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("hash", sa.String(255), nullable=False),
        sa.Column("totp", LongBinary, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled_at", UtcDateTime, nullable=True),
    ]


def totp_step_column() -> sa.Column[object]:
    """The last TOTP step accepted of a login (added by ``0011_console_sessions``)."""
    return sa.Column("totp_step", sa.BigInteger, nullable=True)


def session_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_console_session``: never the session id, only its SHA-256."""
    return [
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("login_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("seen_at", UtcDateTime, nullable=False),
    ]


def pending_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_console_pending``: an admin's right password awaiting a code."""
    return [
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("login_id", sa.String(36), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    ]


staff_login_table = sa.Table(
    STAFF_LOGIN,
    metadata,
    *staff_login_columns(),
    totp_step_column(),
    sa.Index(STAFF_LOGIN_NAME_INDEX, "name", unique=True),
)
session_table = sa.Table(
    CONSOLE_SESSION,
    metadata,
    *session_columns(),
    sa.Index(CONSOLE_SESSION_LOGIN_INDEX, "login_id"),
)
pending_table = sa.Table(CONSOLE_PENDING, metadata, *pending_columns())
_LOGIN = staff_login_table.c
_BY_NAME = sa.select(staff_login_table).where(_LOGIN.name == sa.bindparam("wanted"))
_BY_ID = sa.select(staff_login_table).where(_LOGIN.id == sa.bindparam("wanted"))
_SUMMARIES = sa.select(
    _LOGIN.name,
    _LOGIN.role,
    _LOGIN.created_at,
    _LOGIN.disabled_at,
    _LOGIN.totp.is_not(None).label("totp_enrolled"),
).order_by(_LOGIN.name)


class SqlLoginStore:
    """The staff logins in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def create(self, record: LoginRecord, events: Sequence[LoginEvent]) -> bool:
        """Insert ``record`` with ``events``' entries; False when the name is taken already."""
        row = {field.name: getattr(record, field.name) for field in fields(LoginRecord)}
        row["role"] = str(record.role)
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(_BY_NAME, {"wanted": record.name}).first() is not None:
                return False
            connection.execute(sa.insert(staff_login_table), [row])
            self.ledger.append(connection, [_entry(event) for event in events])
        return True

    def find(self, name: str) -> LoginRecord | None:
        """The login named ``name``, or None."""
        return self._one(_BY_NAME, name)

    def find_id(self, login_id: str) -> LoginRecord | None:
        """The login whose id is ``login_id``, or None."""
        return self._one(_BY_ID, login_id)

    def set_totp(self, login_id: str, sealed: bytes, event: LoginEvent) -> None:
        """Replace the sealed TOTP secret, forget the last step and end the login's sessions."""
        change = (
            sa.update(staff_login_table)
            .where(_LOGIN.id == login_id)
            .values(totp=sealed, totp_step=None)
        )
        with self.guard(), self.engine.begin() as connection:
            connection.execute(change)
            _end_sessions(connection, login_id)
            self.ledger.append(connection, [_entry(event)])

    def accept_step(self, login_id: str, step: int) -> bool:
        """Record ``step`` as the last accepted, only when newer (one statement: no race)."""
        newer = sa.or_(_LOGIN.totp_step.is_(None), _LOGIN.totp_step < step)
        change = (
            sa.update(staff_login_table).where(_LOGIN.id == login_id, newer).values(totp_step=step)
        )
        with self.guard(), self.engine.begin() as connection:
            return connection.execute(change).rowcount == 1

    def summaries(self) -> list[LoginSummary]:
        """Every login by name: the hash and the sealed secret are not even read."""
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(_SUMMARIES).mappings().all()
        return [
            LoginSummary(**{**row, "totp_enrolled": bool(row["totp_enrolled"])}) for row in rows
        ]

    def set_disabled(self, login_id: str, at: datetime | None, event: LoginEvent) -> bool:
        """Disable the login since ``at`` (None: enable it), with ``event``; False when so already.

        Disabling deletes the login's sessions and pending logins in the same transaction.
        """
        now_so = _LOGIN.disabled_at.is_(None) if at is not None else _LOGIN.disabled_at.is_not(None)
        change = (
            sa.update(staff_login_table).where(_LOGIN.id == login_id, now_so).values(disabled_at=at)
        )
        with self.guard(), self.engine.begin() as connection:
            changed = connection.execute(change).rowcount == 1
            if at is not None:
                _end_sessions(connection, login_id)
            if changed:
                self.ledger.append(connection, [_entry(event)])
        return changed

    def remove(self, login_id: str, event: LoginEvent, keep_one_of: frozenset[str]) -> Removal:
        """Delete the login, its sessions and pending logins, with ``event``'s entry.

        Unless it is the last enabled login with a role in ``keep_one_of``: the target and
        every such login are locked first (in id order, so two removals cannot deadlock),
        so two removals at once cannot leave none.
        """
        guarded = sa.and_(_LOGIN.role.in_(sorted(keep_one_of)), _LOGIN.disabled_at.is_(None))
        locked = (
            sa.select(_LOGIN.id, _LOGIN.role, _LOGIN.disabled_at)
            .where(sa.or_(_LOGIN.id == login_id, guarded))
            .order_by(_LOGIN.id)
            .with_for_update()
        )
        with self.guard(), self.engine.begin() as connection:
            rows = connection.execute(locked).all()
            target = next((row for row in rows if row.id == login_id), None)
            if target is None:
                return Removal.GONE
            if target.role in keep_one_of and target.disabled_at is None and len(rows) == 1:
                return Removal.LAST_ADMIN
            connection.execute(sa.delete(staff_login_table).where(_LOGIN.id == login_id))
            _end_sessions(connection, login_id)
            self.ledger.append(connection, [_entry(event)])
        return Removal.REMOVED

    def _one(self, query: sa.Select[tuple[object, ...]], wanted: str) -> LoginRecord | None:
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query, {"wanted": wanted}).mappings().first()
        if row is None:
            return None
        return LoginRecord(**{field.name: row[field.name] for field in fields(LoginRecord)})

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def login_service(ledger: SqlLedger, clock: Clock, key: StoreKey | None = None) -> LoginService:
    """The staff logins in the store behind ``ledger`` (at the head revision), by ``clock``.

    ``key`` is the store key, which admins' second factor needs (see
    :class:`~tutela.access.logins.LoginService`). Login attempts count in the store, shared
    by every process (:func:`tutela.store.rate_windows.rate_windows`: in this process's
    memory without a store key).
    """
    windows = rate_windows(ledger.engine, key)
    return LoginService(SqlLoginStore(ledger.engine, ledger), clock, key=key, windows=windows)


def login_roster(ledger: SqlLedger, clock: Clock) -> LoginRoster:
    """The staff logins in the store behind ``ledger``, to list, disable, enable or remove."""
    return LoginRoster(SqlLoginStore(ledger.engine, ledger), clock)


def _end_sessions(connection: sa.Connection, login_id: str) -> None:
    """Delete the login's sessions and pending logins, in ``connection``'s transaction."""
    connection.execute(sa.delete(session_table).where(session_table.c.login_id == login_id))
    connection.execute(sa.delete(pending_table).where(pending_table.c.login_id == login_id))


def _entry(event: LoginEvent) -> NewEntry:
    return NewEntry(event.time, event.actor, event.action, event.login_id, None, event.after)
