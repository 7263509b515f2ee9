"""Retention in tutela's store: sweeps in progress, the rows they wrote, and their proofs.

:class:`SqlRetentionStore` implements :class:`tutela.retention.ports.RetentionStore` on
the tables of :mod:`tutela.store.retention_tables`. Holds and scan policies come from
:class:`tutela.store.retention_holds.SqlHoldStore`, which it extends (sharing its engine,
ledger and error guard); this module adds the sweeps. Closing a sweep writes, on the same
connection and in the same transaction, one ``swept`` entry per rule (RT-2: rule, counts,
time window) and one ``scan_deleted`` per event proof (seed §9). Entries hold ids and
digests only, never an identity.

A sweep's progress is one row per (sweep, rule, lane): the next key, the range counted and
not yet recorded done, and running totals, so a sweep killed at any point resumes exactly
(:meth:`planned`, then :meth:`done`, each its own short transaction).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from tutela.errors import RequestError
from tutela.retention.ports import EventProof, EventRows, Key, Progress, lane
from tutela.retention.reports import proof_digest, rule_digest
from tutela.retention.targets import Counts, Target
from tutela.store.ledger import NewEntry
from tutela.store.retention_holds import SqlHoldStore
from tutela.store.retention_tables import (
    event_proof_table,
    sweep_event_table,
    sweep_progress_table,
    sweep_table,
)

_BATCH = 500
"""How many events one statement reads or writes at a time."""


class SqlRetentionStore(SqlHoldStore):
    """Retention's state in the store behind ``engine`` (its schema upgraded by the caller).

    Holds and scan policies are :class:`SqlHoldStore`'s; sweeps and proofs are here.
    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    # --- sweeps --------------------------------------------------------------------------

    def open_sweep(self) -> tuple[str, datetime] | None:
        """The unfinished sweep (its id and the ``now`` it runs at), if one was interrupted."""
        table = sweep_table
        query = (
            sa.select(table.c.id, table.c.now)
            .where(table.c.finished_at.is_(None))
            .order_by(table.c.started_at.desc())
            .limit(1)
        )
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (str(row[0]), row[1])

    def start_sweep(self, sweep: str, now: datetime, actor: str) -> None:
        """Record a sweep starting at ``now`` (every cutoff is computed from it)."""
        row = {"id": sweep, "now": now, "started_at": now, "actor": actor}
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(sweep_table), [row])

    def progress(self, sweep: str) -> dict[tuple[str, str], Progress]:
        """Per (rule, lane): how far the sweep got."""
        table = sweep_progress_table
        query = sa.select(table).where(table.c.sweep == sweep)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return {(row["rule"], row["lane"]): _progress(row) for row in rows}

    def planned(
        self,
        sweep: str,
        target: Target,
        lo: Key,
        hi: Key | None,
        counts: Counts,
        *,
        customer: str | None = None,
    ) -> None:
        """Record a range counted and about to be written."""
        values = {
            "pending_lo": _key_text(lo),
            "pending_hi": _key_text(hi),
            "pending": json.dumps(_counts_json(counts)),
        }
        with self.guard(), self.engine.begin() as connection:
            self._ensure(connection, sweep, target, customer, lo)
            connection.execute(
                sa.update(sweep_progress_table)
                .where(*_lane_is(sweep, target, customer))
                .values(**values)
            )

    def done(
        self,
        sweep: str,
        target: Target,
        lo: Key,
        hi: Key | None,
        counts: Counts,
        seconds: float,
        *,
        customer: str | None = None,
        longest: float = 0.0,
    ) -> None:
        """Record a range written (``counts.affected`` rows), and its per-event rows."""
        table = sweep_progress_table
        where = _lane_is(sweep, target, customer)
        with self.guard(), self.engine.begin() as connection:
            self._ensure(connection, sweep, target, customer, lo)
            row = connection.execute(sa.select(table).where(*where)).mappings().one()
            connection.execute(
                sa.update(table)
                .where(*where)
                .values(
                    start=_key_text(hi),
                    finished=hi is None,
                    examined=row["examined"] + counts.examined,
                    ended=row["ended"] + counts.ended,
                    held=row["held"] + counts.held,
                    affected=row["affected"] + counts.affected,
                    pending_lo=None,
                    pending_hi=None,
                    pending=None,
                    seconds=row["seconds"] + seconds,
                    longest=max(row["longest"], longest),
                )
            )
            if counts.events:
                _add_events(connection, sweep, target, customer, counts.events)

    def event_rows(self, sweep: str) -> list[EventRows]:
        """The rows the sweep wrote per (rule, event), accumulated over its ranges."""
        table = sweep_event_table
        query = sa.select(table).where(table.c.sweep == sweep).order_by(table.c.rule, table.c.event)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            EventRows(row["rule"], row["event"], row["customer"], json.loads(row["rows"]))
            for row in rows
        ]

    def finish_sweep(
        self,
        sweep: str,
        report: Mapping[str, Any],
        proofs: Sequence[EventProof],
        actor: str,
        *,
        at: datetime | None = None,
    ) -> None:
        """Close the sweep: one ledger entry per rule (``swept``) and per event proof.

        The sweep's progress and accumulated event rows are dropped: the report and the
        proofs now hold what they said. Raises :class:`RequestError` for a sweep that is
        not open.
        """
        at = at or datetime.now(UTC).replace(microsecond=0)
        with self.guard(), self.engine.begin() as connection:
            found = connection.execute(
                sa.select(sweep_table.c.now, sweep_table.c.started_at).where(
                    sweep_table.c.id == sweep, sweep_table.c.finished_at.is_(None)
                )
            ).first()
            if found is None:
                raise RequestError("that sweep is not open: it finished or never started")
            now, started = found
            entries = _swept_entries(sweep, report, (started, at), now, actor, at)
            rows, proof_entries = _proof_rows(sweep, proofs, actor, at)
            connection.execute(
                sa.update(sweep_table)
                .where(sweep_table.c.id == sweep)
                .values(finished_at=at, report=json.dumps(dict(report), sort_keys=True))
            )
            if rows:
                connection.execute(sa.insert(event_proof_table), rows)
            for table in (sweep_event_table, sweep_progress_table):
                connection.execute(sa.delete(table).where(table.c.sweep == sweep))
            self.ledger.append(connection, [*entries, *proof_entries])

    def report(self, sweep: str) -> dict[str, Any] | None:
        """The stored report of a finished sweep, or None."""
        query = sa.select(sweep_table.c.report).where(sweep_table.c.id == sweep)
        with self.guard(), self.engine.connect() as connection:
            text = connection.execute(query).scalar()
        return None if text is None else dict(json.loads(text))

    def proofs(self, customer: str | None = None) -> list[EventProof]:
        """The per-event proofs, of one customer when given, oldest first."""
        table = event_proof_table
        query = sa.select(table).order_by(table.c.seq)
        if customer is not None:
            query = query.where(table.c.customer == customer)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_proof(row) for row in rows]

    def _ensure(
        self,
        connection: sa.Connection,
        sweep: str,
        target: Target,
        customer: str | None,
        lo: Key,
    ) -> None:
        """Create the lane's progress row, starting at ``lo``, when it has none yet."""
        table = sweep_progress_table
        query = (
            sa.select(sa.func.count()).select_from(table).where(*_lane_is(sweep, target, customer))
        )
        if connection.execute(query).scalar():
            return
        row = {
            "sweep": sweep,
            "rule": target.rule,
            "lane": lane(target.address, customer),
            "customer": customer,
            "start": _key_text(lo),
            "finished": False,
            **dict.fromkeys(("examined", "ended", "held", "affected"), 0),
            "seconds": 0.0,
            "longest": 0.0,
        }
        connection.execute(sa.insert(table), [row])


# --- rows and values ------------------------------------------------------------------------


def _lane_is(sweep: str, target: Target, customer: str | None) -> tuple[Any, ...]:
    table = sweep_progress_table
    return (
        table.c.sweep == sweep,
        table.c.rule == target.rule,
        table.c.lane == lane(target.address, customer),
    )


def _add_events(
    connection: sa.Connection,
    sweep: str,
    target: Target,
    customer: str | None,
    events: Sequence[tuple[str, int]],
) -> None:
    """Add a range's rows per event to the sweep's accumulated rows (read, then write)."""
    table = sweep_event_table
    counts: dict[str, int] = {}
    for event, rows in events:
        counts[str(event)] = counts.get(str(event), 0) + int(rows)
    keys = sorted(counts)
    for start in range(0, len(keys), _BATCH):
        batch = keys[start : start + _BATCH]
        found = connection.execute(
            sa.select(table.c.event, table.c.rows).where(
                table.c.sweep == sweep, table.c.rule == target.rule, table.c.event.in_(batch)
            )
        ).all()
        present: dict[str, dict[str, int]] = {str(e): json.loads(r) for e, r in found}
        inserts: list[dict[str, Any]] = []
        for event in batch:
            known: dict[str, int] | None = present.get(event)
            if known is None:
                inserts.append(
                    {
                        "sweep": sweep,
                        "rule": target.rule,
                        "event": event,
                        "customer": customer,
                        "rows": json.dumps({target.address: counts[event]}),
                    }
                )
                continue
            known[target.address] = known.get(target.address, 0) + counts[event]
            connection.execute(
                sa.update(table)
                .where(table.c.sweep == sweep, table.c.rule == target.rule, table.c.event == event)
                .values(rows=json.dumps(known, sort_keys=True))
            )
        if inserts:
            connection.execute(sa.insert(table), inserts)


def _swept_entries(
    sweep: str,
    report: Mapping[str, Any],
    window: tuple[datetime, datetime],
    now: datetime,
    actor: str,
    at: datetime,
) -> list[NewEntry]:
    """One ``swept`` entry per rule of the report, in the order the rules first appear."""
    rows: list[Mapping[str, Any]] = list(report.get("rows", ()))
    rules = list(dict.fromkeys(str(row["rule"]) for row in rows))
    return [
        NewEntry(
            at,
            actor,
            "swept",
            f"sweep:{sweep}:{number}",
            None,
            rule_digest(sweep, rule, window, now, [row for row in rows if row["rule"] == rule]),
        )
        for number, rule in enumerate(rules, 1)
    ]


def _proof_rows(
    sweep: str, proofs: Sequence[EventProof], actor: str, at: datetime
) -> tuple[list[dict[str, Any]], list[NewEntry]]:
    rows, entries = [], []
    for number, proof in enumerate(proofs, 1):
        request = f"scan:{sweep}:{number}"
        rows.append(
            {
                "sweep": proof.sweep,
                "rule": proof.rule,
                "event": proof.event,
                "customer": proof.customer,
                "rows": json.dumps(dict(proof.rows), sort_keys=True),
                "deleted_at": proof.deleted_at,
                "due_at": proof.due_at,
                "request": request,
            }
        )
        entries.append(NewEntry(at, actor, "scan_deleted", request, None, proof_digest(proof)))
    return rows, entries


def _key_text(key: Key | None) -> str | None:
    """A range end as JSON text: integers stay integers, times are tagged, others are text."""
    if key is None:
        return None
    if isinstance(key, datetime):
        return json.dumps({"datetime": key.isoformat()})
    if isinstance(key, date):
        return json.dumps({"date": key.isoformat()})
    if isinstance(key, bool) or not isinstance(key, int | str | float):
        key = str(key)
    return json.dumps(key)


def _key_value(text: str | None) -> Key | None:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict) and "datetime" in value:
        return datetime.fromisoformat(str(value["datetime"]))
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(str(value["date"]))
    return value


def _counts_json(counts: Counts) -> dict[str, Any]:
    return {
        "examined": counts.examined,
        "ended": counts.ended,
        "held": counts.held,
        "affected": counts.affected,
        "events": [[str(event), int(rows)] for event, rows in counts.events],
        "exact": counts.exact,
    }


def _counts(data: Mapping[str, Any]) -> Counts:
    events = tuple((str(event), int(rows)) for event, rows in data.get("events", ()))
    return Counts(
        int(data["examined"]),
        int(data["ended"]),
        int(data["held"]),
        int(data["affected"]),
        events,
        bool(data.get("exact", True)),
    )


def _progress(row: sa.RowMapping) -> Progress:
    pending = None
    if row["pending"] is not None:
        counts = _counts(json.loads(row["pending"]))
        pending = (_key_value(row["pending_lo"]), _key_value(row["pending_hi"]), counts)
    totals = Counts(row["examined"], row["ended"], row["held"], row["affected"])
    return Progress(
        start=_key_value(row["start"]),
        finished=bool(row["finished"]),
        totals=totals,
        pending=pending,
        seconds=float(row["seconds"]),
        longest=float(row["longest"]),
    )


def _proof(row: sa.RowMapping) -> EventProof:
    return EventProof(
        sweep=row["sweep"],
        rule=row["rule"],
        event=row["event"],
        customer=row["customer"],
        rows=json.loads(row["rows"]),
        deleted_at=row["deleted_at"],
        due_at=row["due_at"],
    )
