"""Bring tutela's store to the newest schema with Alembic, and check that it is there.

:func:`upgrade` is what ``tutela db upgrade`` runs (library callers and tests
may upgrade on open); every other command only checks, with
:func:`require_current`, and refuses a store not at the newest revision. An
upgrade is safe to run again (Alembic skips what is applied) and to resume:
every step is idempotent (:mod:`tutela.store.migrations.steps`), so a migration
killed half-way on MariaDB, whose DDL commits on its own, completes on the next
run. On PostgreSQL and MariaDB, processes upgrading a new store at the same time
take turns (a session lock held until the migration has committed). No
``alembic.ini`` is needed.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from tutela.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

LOCK_NAME = "tutela_store_migration"
LOCK_KEY = 0x7475_7465_6C61
"""The PostgreSQL advisory lock key (``tutela`` in ASCII) and the MariaDB lock name."""

LOCK_SECONDS = 60
"""How long MariaDB waits for another process's migration before giving up."""

UPGRADE_HINT = "run `tutela db upgrade`"
"""What a user does about a store that is not set up or is older than this tutela."""


class StoreNotCurrent(StoreError):
    """The store's schema is not the one this tutela needs: not set up, older, or newer."""


_CURRENT: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
"""Engines whose store was found (or made) current: checking them again asks nothing."""


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
    _CURRENT.add(engine)


def prepare(engine: sa.Engine, *, check_only: bool) -> None:
    """What opening a store does: :func:`upgrade` it, or (``check_only``) :func:`require_current`.

    On any failure the engine's connections are closed before the error goes on
    to the caller (SQLAlchemy errors included, for the caller to translate).
    """
    try:
        if check_only:
            require_current(engine)
        else:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise


def require_current(engine: sa.Engine) -> None:
    """Refuse the store behind ``engine`` unless its schema is at this tutela's newest revision.

    Raises :class:`StoreNotCurrent` saying what to do: run ``tutela db upgrade``
    for a store not set up or older, upgrade tutela for a store written by a
    newer one. Reads the revision once per engine; SQLAlchemy errors are left
    to the caller. Creates nothing in the store.
    """
    if engine in _CURRENT:
        return
    found = revision(engine)
    head, known = _revisions()
    if found != head:
        raise StoreNotCurrent(_not_current(engine, found, head, known))
    _CURRENT.add(engine)


def head() -> str:
    """The newest revision of tutela's migrations (what ``tutela db upgrade`` brings a store to)."""
    return _revisions()[0]


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """The newest revision of tutela's migrations, and every revision they know."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if head is None:  # pragma: no cover - tutela ships its migrations
        raise StoreError("tutela's migrations are missing: reinstall tutela")
    return head, frozenset(step.revision for step in script.walk_revisions())


def _not_current(engine: sa.Engine, found: str | None, head: str, known: frozenset[str]) -> str:
    """The refusal for a store at revision ``found`` (None: no schema), the URL without password."""
    where = f"tutela's store at {engine.url.render_as_string(hide_password=True)}"
    if found is None:
        return f"{where} is not set up (no schema): {UPGRADE_HINT}"
    if found in known:
        return f"{where} is at revision {found}, this tutela needs {head}: {UPGRADE_HINT}"
    return (
        f"{where} is at revision {found}, which this tutela does not know "
        "(written by a newer tutela?): upgrade tutela, "
        "or point TUTELA_DATABASE_URL at another store"
    )


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


VERSION_TABLE = "tutela_alembic_version"
"""Where Alembic keeps the store's revision (as ``migrations/env.py`` configures it)."""


def revision(engine: sa.Engine) -> str | None:
    """The store's current schema revision (None for a store never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
