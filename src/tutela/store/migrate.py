"""Bring tutela's store to the newest schema with Alembic, programmatically.

Called on first use of a store in a process; safe to call again (Alembic
skips what is applied) and to resume: every step is idempotent
(:mod:`tutela.store.migrations.steps`), so a migration killed half-way on
MariaDB, whose DDL commits on its own, completes on the next run. On
PostgreSQL and MariaDB, processes opening a new store at the same time take
turns (a session lock held until the migration has committed). No
``alembic.ini`` is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError

from tutela.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

LOCK_NAME = "tutela_store_migration"
LOCK_KEY = 0x7475_7465_6C61
"""The PostgreSQL advisory lock key (``tutela`` in ASCII) and the MariaDB lock name."""

LOCK_SECONDS = 60
"""How long MariaDB waits for another process's migration before giving up."""


def alembic_config(url: str = "") -> Config:
    """An Alembic configuration pointing at tutela's migrations (and ``url``, if given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration not yet applied to the store behind ``engine``.

    Raises :class:`StoreError` when the store's schema is one this version of
    tutela does not know (written by a newer tutela) or another process keeps
    migrating it; SQLAlchemy errors are left to the caller.
    """
    config = alembic_config()
    with _migration_lock(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:
            raise StoreError(
                f"tutela's store cannot be upgraded: {error} "
                "(was it written by a newer version of tutela?)"
            ) from None


@contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    """Hold a session lock on its own connection, so it outlives the migration's commit."""
    name = engine.dialect.name
    if name not in ("postgresql", "mysql", "mariadb"):
        yield
        return
    with engine.connect() as connection:
        if name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        else:
            taken = connection.execute(
                sa.text("SELECT GET_LOCK(:name, :seconds)"),
                {"name": LOCK_NAME, "seconds": LOCK_SECONDS},
            ).scalar()
            if taken != 1:
                raise StoreError(
                    f"another process has been upgrading tutela's store for {LOCK_SECONDS} s; "
                    "try again when it is done"
                )
        try:
            yield
        finally:
            unlock = "pg_advisory_unlock(:key)" if name == "postgresql" else "RELEASE_LOCK(:name)"
            connection.execute(sa.text(f"SELECT {unlock}"), {"key": LOCK_KEY, "name": LOCK_NAME})
            connection.commit()


_VERSION_TABLE = "tutela_alembic_version"
"""Where Alembic keeps the store's revision (as ``migrations/env.py`` configures it)."""


def revision(engine: sa.Engine) -> str | None:
    """The store's current schema revision (None for a store never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": _VERSION_TABLE})
        return context.get_current_revision()
