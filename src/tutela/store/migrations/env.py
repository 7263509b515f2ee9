"""Alembic environment of tutela's store: run on the connection the caller hands over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from tutela.store.tables import metadata

VERSION_TABLE = "tutela_alembic_version"


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as opened:
        _run(opened)
    engine.dispose()
