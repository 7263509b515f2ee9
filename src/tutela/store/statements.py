"""The statement versions the privacy centre has served (``tutela_statement_version``).

One row per version and language: the statement as JSON data
(:mod:`tutela.statement.view_json`, rendered again through the pages' autoescaped
templates, never stored HTML), its SHA-256, the effective date and when it was first
served. The first text served for a version is kept: a later programme with the same
version number and other words does not overwrite it (the statement should have got a
new version; :meth:`SqlStatementArchive.publish` reports it). Each new row appends a
``statement_published`` ledger entry (id ``statement:<version>:<language>``) whose
``after`` is the digest, so the archived text is
provably the one served.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from tutela.statement.view import StatementView
from tutela.statement.view_json import from_data, to_data
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.tables import LongText, UtcDateTime, metadata

STATEMENT_VERSION = "tutela_statement_version"


def statement_version_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_statement_version`` (shared with its migration)."""
    return [
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("effective_on", sa.Date, nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", LongText, nullable=False),
        sa.Column("published_at", UtcDateTime, nullable=False),
    ]


statement_version_table = sa.Table(STATEMENT_VERSION, metadata, *statement_version_columns())


@dataclass(frozen=True)
class ArchivedVersion:
    """One served version in one language, without its text."""

    version: str
    language: str
    effective_on: date | None
    digest: str
    published_at: datetime


@dataclass(frozen=True)
class Published:
    """What :meth:`SqlStatementArchive.publish` did: stored it, had it, or kept other words."""

    version: str
    language: str
    stored: bool
    differs: bool


class SqlStatementArchive:
    """The served statements in the store behind ``ledger``'s engine (at the head revision).

    Raises :class:`~tutela.errors.StoreError` when the database fails.
    """

    def __init__(self, ledger: SqlLedger) -> None:
        self.ledger = ledger
        self.engine = ledger.engine

    def publish(
        self,
        view: StatementView,
        version: str,
        effective_on: date | None,
        now: datetime,
        actor: str = "system",
    ) -> Published:
        """Archive ``view`` as ``version`` in its language unless that pair is archived."""
        body = json.dumps(to_data(view), ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        key = (version, view.language)
        with self.guard(), self.engine.begin() as connection:
            found = connection.execute(_DIGEST, {"v": version, "l": view.language}).scalar()
            if found is not None:
                return Published(*key, stored=False, differs=found != digest)
            row = {"version": version, "language": view.language, "effective_on": effective_on}
            row |= {"digest": digest, "body": body, "published_at": now}
            connection.execute(sa.insert(statement_version_table), [row])
            subject = _ledger_id(version, view.language)
            entry = NewEntry(now, actor, "statement_published", subject, None, digest)
            self.ledger.append(connection, [entry])
        return Published(*key, stored=True, differs=False)

    def versions(self, language: str) -> list[ArchivedVersion]:
        """The versions archived in ``language``, the latest published first."""
        t = statement_version_table
        columns = (t.c.version, t.c.language, t.c.effective_on, t.c.digest, t.c.published_at)
        query = sa.select(*columns).where(t.c.language == language)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query.order_by(t.c.published_at.desc(), t.c.version)).all()
        return [ArchivedVersion(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def read(self, version: str, language: str) -> tuple[ArchivedVersion, StatementView] | None:
        """The archived ``version`` in ``language`` with its text, or None."""
        t = statement_version_table
        query = sa.select(t).where(t.c.version == version, t.c.language == language)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        about = ArchivedVersion(
            row.version, row.language, row.effective_on, row.digest, row.published_at
        )
        data: Any = json.loads(row.body)
        return about, from_data(data)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _ledger_id(version: str, language: str) -> str:
    """The ledger's id of a version in a language, e.g. ``statement:1.0:en``.

    A version the ledger cannot take as an id (it takes letters, digits and ``. _ : -``)
    is named by the first 16 hex digits of its SHA-256.
    """
    if not _PLAIN.fullmatch(version):
        version = hashlib.sha256(version.encode("utf-8")).hexdigest()[:16]
    return f"statement:{version}:{language}"


_PLAIN = re.compile(r"[A-Za-z0-9._-]{1,40}")
_DIGEST = sa.select(statement_version_table.c.digest).where(
    statement_version_table.c.version == sa.bindparam("v"),
    statement_version_table.c.language == sa.bindparam("l"),
)
