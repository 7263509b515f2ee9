"""What the console's operations pages read from tutela's store, and nothing else.

Read-only, set-based queries over tables other modules write: the latest retention
sweeps (``tutela_sweep``, with the report each finished sweep stored), the newest
messages of the privacy@ mailbox waiting for staff (``tutela_mail``, newest first, the
sealed message left in the store), the ledger's size and head, and its signed
checkpoints with the time each was kept (``tutela_ledger_checkpoint``). Each raises
:class:`~tutela.errors.StoreError` when the database fails, without secrets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tutela.requests.mail_records import MailRecord, MailState
from tutela.store.engine import store_error
from tutela.store.ledger_tables import ledger_checkpoint, ledger_entry
from tutela.store.retention_tables import sweep_table
from tutela.store.service_tables import mail_table

_MAIL_FIELDS = tuple(f.name for f in fields(MailRecord))


@dataclass(frozen=True)
class SweepRecord:
    """One sweep as stored: when it started and finished (None: interrupted), who ran it.

    ``report`` is the finished sweep's report (``SweepReport.to_dict()``); None while open.
    """

    id: str
    started_at: datetime
    finished_at: datetime | None
    actor: str
    report: dict[str, Any] | None


@dataclass(frozen=True)
class CheckpointRecord:
    """One signed checkpoint kept: the tree size it covers, its note, when it was kept."""

    size: int
    note: str
    created_at: datetime


@dataclass(frozen=True)
class LedgerHead:
    """The ledger's size and its last entry's number and recorded leaf hash (None: empty)."""

    entries: int
    last_seq: int | None
    leaf_hash: str | None


def recent_sweeps(engine: sa.Engine, limit: int = 20) -> list[SweepRecord]:
    """The ``limit`` latest sweeps, newest first (an interrupted one included)."""
    query = (
        sa.select(sweep_table)
        .order_by(sweep_table.c.started_at.desc(), sweep_table.c.id)
        .limit(max(1, min(limit, 500)))
    )
    return [_sweep(row) for row in _rows(engine, query)]


def queued_mail(engine: sa.Engine, limit: int = 100) -> tuple[list[MailRecord], int]:
    """The ``limit`` newest messages waiting for staff, newest first, and how many wait."""
    queued = mail_table.c.state == MailState.QUEUED.value
    query = (
        sa.select(*(mail_table.c[name] for name in _MAIL_FIELDS))
        .where(queued)
        .order_by(mail_table.c.received_at.desc(), mail_table.c.id)
        .limit(max(1, min(limit, 1000)))
    )
    total = sa.select(sa.func.count()).select_from(mail_table).where(queued)
    records = [_mail(row) for row in _rows(engine, query)]
    return records, int(_rows(engine, total)[0][0] or 0)


def sealed_mail(engine: sa.Engine, mail_id: str) -> bytes | None:
    """The sealed message ``mail_id`` as the mailbox kept it for staff, or None."""
    query = sa.select(mail_table.c.sealed).where(mail_table.c.id == mail_id)
    found = _rows(engine, query)
    return None if not found or found[0][0] is None else bytes(found[0][0])


def ledger_head(engine: sa.Engine) -> LedgerHead:
    """How many entries the ledger holds, and its last entry's number and leaf hash."""
    count = sa.select(sa.func.count(), sa.func.max(ledger_entry.c.seq)).select_from(ledger_entry)
    found: Any = _rows(engine, count)[0]
    entries, last = found
    if last is None:
        return LedgerHead(int(entries or 0), None, None)
    query = sa.select(ledger_entry.c.leaf_hash).where(ledger_entry.c.seq == last)
    return LedgerHead(int(entries), int(last), str(_rows(engine, query)[0][0]))


def checkpoints(engine: sa.Engine, limit: int = 2) -> list[CheckpointRecord]:
    """The ``limit`` largest checkpoints kept, largest (latest) first."""
    table = ledger_checkpoint
    query = sa.select(table).order_by(table.c.size.desc()).limit(max(1, min(limit, 100)))
    return [
        CheckpointRecord(int(row.size), str(row.note), row.created_at)
        for row in _rows(engine, query)
    ]


def _sweep(row: sa.Row[Any]) -> SweepRecord:
    report = None if row.report is None else dict(json.loads(row.report))
    return SweepRecord(str(row.id), row.started_at, row.finished_at, str(row.actor), report)


def _mail(row: sa.Row[Any]) -> MailRecord:
    values = dict(row._mapping)
    if values["confidence"] is not None:
        values["confidence"] = float(values["confidence"])
    return MailRecord(**values)


def _rows(engine: sa.Engine, query: sa.Executable) -> Sequence[sa.Row[Any]]:
    """Every row of ``query``; a SQLAlchemy error becomes a StoreError without secrets."""
    try:
        with engine.connect() as connection:
            return connection.execute(query).all()
    except sa.exc.SQLAlchemyError as error:
        raise store_error(error, engine.url) from None
