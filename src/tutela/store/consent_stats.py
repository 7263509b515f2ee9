"""Consent statistics computed by the store: events counted per purpose, kind and period.

The console's consent page (docs/web.md) reads two aggregates of ``tutela_choice_event``,
each one set-based statement with a ``GROUP BY`` (never a loop over events):

- :func:`choice_counts`: how many events of each kind were recorded per purpose in each
  period of ``width_days`` days from ``start`` (UTC), for the kinds asked;
- :func:`consent_standing`: per purpose, how many subjects currently consent and how
  many have withdrawn, from each subject's latest consent event (CO-3: a withdrawal
  counts at once).

Only counts leave the store: never a subject's reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tutela.consent.records import Kind
from tutela.store.consent_tables import choice_event_table
from tutela.store.engine import store_error
from tutela.store.tables import UtcDateTime

_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class PeriodCount:
    """``count`` events of ``kind`` for ``purpose`` in period ``period`` (0 = from ``start``)."""

    purpose: str
    kind: str
    period: int
    count: int


def choice_counts(
    engine: sa.Engine, start: datetime, width_days: int, kinds: Sequence[Kind]
) -> list[PeriodCount]:
    """Events of ``kinds`` recorded at or after ``start``, counted per purpose, kind and period.

    A period is ``width_days`` days long, numbered from 0 at ``start`` (timezone-aware).
    Raises :class:`~tutela.errors.StoreError` when the database fails.
    """
    table = choice_event_table
    begin = sa.literal(start, UtcDateTime)
    inner = (
        sa.select(
            table.c.purpose,
            table.c.kind,
            _period(engine.dialect.name, table.c.at, begin, width_days).label("period"),
        )
        .where(table.c.at >= begin, table.c.kind.in_([kind.value for kind in kinds]))
        .subquery()
    )
    query = (
        sa.select(inner.c.purpose, inner.c.kind, inner.c.period, sa.func.count().label("n"))
        .group_by(inner.c.purpose, inner.c.kind, inner.c.period)
        .order_by(inner.c.purpose, inner.c.period, inner.c.kind)
    )
    rows = _all(engine, query)
    return [PeriodCount(str(r.purpose), str(r.kind), int(r.period), int(r.n)) for r in rows]


def consent_standing(engine: sa.Engine) -> dict[str, dict[str, int]]:
    """Per purpose, subjects whose latest consent event is each kind (given or withdrawn).

    ``{"newsletter": {"consent_given": 12, "consent_withdrawn": 3}}``; a purpose no one
    ever consented to is absent. Raises :class:`~tutela.errors.StoreError`.
    """
    table = choice_event_table
    consent = (Kind.CONSENT_GIVEN.value, Kind.CONSENT_WITHDRAWN.value)
    latest = (
        sa.select(sa.func.max(table.c.seq).label("seq"))
        .where(table.c.kind.in_(consent))
        .group_by(table.c.subject, table.c.purpose)
        .subquery()
    )
    query = (
        sa.select(table.c.purpose, table.c.kind, sa.func.count().label("n"))
        .join(latest, table.c.seq == latest.c.seq)
        .group_by(table.c.purpose, table.c.kind)
    )
    standing: dict[str, dict[str, int]] = {}
    for row in _all(engine, query):
        standing.setdefault(str(row.purpose), {})[str(row.kind)] = int(row.n)
    return standing


def _period(dialect: str, column: Any, start: Any, width_days: int) -> Any:
    """The number of the ``width_days``-day period ``column`` falls in, from ``start``."""
    width = _DAY_SECONDS * max(1, width_days)
    if dialect == "sqlite":
        seconds = _epoch(column) - _epoch(start)  # whole seconds: exact integer division
        return seconds // width
    if dialect == "postgresql":
        seconds = sa.extract("epoch", column - start)
    else:  # MariaDB and MySQL
        seconds = sa.func.timestampdiff(sa.text("SECOND"), start, column)
    return sa.cast(sa.func.floor(seconds / width), sa.Integer)


def _epoch(value: Any) -> Any:
    """SQLite's whole seconds since 1970 of a stored time."""
    return sa.cast(sa.func.strftime("%s", value), sa.Integer)


def _all(engine: sa.Engine, query: sa.Executable) -> Sequence[sa.Row[Any]]:
    """Every row of ``query``; a SQLAlchemy error becomes a StoreError without secrets."""
    try:
        with engine.connect() as connection:
            return connection.execute(query).all()
    except sa.exc.SQLAlchemyError as error:
        raise store_error(error, engine.url) from None
