"""Staff logins of the console (``tutela_staff_login``): a name, a role, an argon2 hash.

:class:`SqlLoginStore` implements :class:`tutela.access.logins.LoginStore`. A row holds
the argon2id hash of the password, never the password; ``totp`` is reserved for a sealed
TOTP secret (NULL while admins have no second factor). Adding a login appends its ledger
entry (``login_created``, actor ``staff:<name>``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING

import sqlalchemy as sa

from tutela.access.logins import LoginEvent, LoginRecord, LoginService
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.lifecycle_tables import LongBinary
from tutela.store.tables import UtcDateTime, metadata

if TYPE_CHECKING:
    from tutela.ports import Clock

STAFF_LOGIN = "tutela_staff_login"
STAFF_LOGIN_NAME_INDEX = "uq_tutela_staff_login_name"


def staff_login_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_staff_login`` (shared with the migration ``0010_console``)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("hash", sa.String(255), nullable=False),
        sa.Column("totp", LongBinary, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled_at", UtcDateTime, nullable=True),
    ]


staff_login_table = sa.Table(
    STAFF_LOGIN,
    metadata,
    *staff_login_columns(),
    sa.Index(STAFF_LOGIN_NAME_INDEX, "name", unique=True),
)
_BY_NAME = sa.select(staff_login_table).where(staff_login_table.c.name == sa.bindparam("wanted"))


class SqlLoginStore:
    """The staff logins in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def create(self, record: LoginRecord, event: LoginEvent) -> bool:
        """Insert ``record`` with ``event``'s entry; False when the name is taken already."""
        row = {field.name: getattr(record, field.name) for field in fields(LoginRecord)}
        row["role"], row["totp"] = str(record.role), None
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(_BY_NAME, {"wanted": record.name}).first() is not None:
                return False
            connection.execute(sa.insert(staff_login_table), [row])
            entry = NewEntry(
                event.time, event.actor, event.action, event.login_id, None, event.after
            )
            self.ledger.append(connection, [entry])
        return True

    def find(self, name: str) -> LoginRecord | None:
        """The login named ``name``, or None."""
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(_BY_NAME, {"wanted": name}).mappings().first()
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


def login_service(ledger: SqlLedger, clock: Clock) -> LoginService:
    """The staff logins in the store behind ``ledger`` (at the head revision), by ``clock``."""
    return LoginService(SqlLoginStore(ledger.engine, ledger), clock)


def _entry(event: LoginEvent) -> NewEntry:
    return NewEntry(event.time, event.actor, event.action, event.login_id, None, event.after)
