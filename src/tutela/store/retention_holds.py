"""Legal holds and scan-data policies in tutela's store, with their ledger entries.

:class:`SqlHoldStore` holds the part of :class:`tutela.retention.ports.RetentionStore`
that records decisions rather than sweeps: legal holds (placed, lifted, owing an erasure
they delayed, settled) and each customer's scan-data choice, on the tables of
:mod:`tutela.store.retention_tables`. Every change is written with its ledger entry on the
same connection, in the same transaction: ``hold_placed``, ``hold_lifted``,
``erasure_owed``, ``hold_settled`` and ``scan_policy``. Entries hold ids and digests only:
never a hold's reason, never an identity. :class:`tutela.store.retention.SqlRetentionStore`
extends it with sweeps and their proofs; it lives apart so each module stays readable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from tutela.errors import RequestError
from tutela.retention.holds import Hold, hold_digest
from tutela.retention.ports import ScanPolicy
from tutela.retention.reports import canonical_digest
from tutela.retention.targets import Condition
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.retention_tables import hold_table, scan_policy_table


class SqlHoldStore:
    """Holds and scan policies in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    # --- holds ---------------------------------------------------------------------------

    def place_hold(self, hold: Hold, actor: str) -> None:
        """Store a new hold and its ``hold_placed`` entry in one transaction."""
        entry = NewEntry(hold.placed_at, actor, "hold_placed", hold.id, None, hold_digest(hold))
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(hold_table), [_hold_row(hold)])
            self.ledger.append(connection, [entry])

    def lift_hold(self, hold_id: str, actor: str, reason: str, at: datetime) -> Hold:
        """Lift an active hold (``hold_lifted``), purging its sealed identity.

        A hold that kept data from an erasure request (``erasure_owed``) keeps its sealed
        identity until :meth:`settle` records that data erased. Raises
        :class:`RequestError` when no active hold has that id.
        """
        table = hold_table
        with self.guard(), self.engine.begin() as connection:
            row = (
                connection.execute(
                    sa.select(table).where(table.c.id == hold_id, table.c.lifted_at.is_(None))
                )
                .mappings()
                .first()
            )
            if row is None:
                raise RequestError("no active hold has that id: see `tutela retention hold list`")
            held = _hold(row)
            lifted = _lifted(held, actor, reason, at)
            connection.execute(
                sa.update(table)
                .where(table.c.id == hold_id, table.c.lifted_at.is_(None))
                .values(
                    lifted_at=at,
                    lifted_by=actor,
                    lift_reason=reason,
                    sealed=held.sealed if held.erasure_owed else None,
                )
            )
            entry = NewEntry(
                at, actor, "hold_lifted", hold_id, hold_digest(held), hold_digest(lifted)
            )
            self.ledger.append(connection, [entry])
        return lifted

    def owe_erasure(self, hold_id: str, request: str, actor: str, at: datetime) -> bool:
        """Record that an active subject hold kept data from erasure ``request``.

        Ledgered (``erasure_owed``: the hold's id, and the digest of the hold and request).
        False when the hold is no longer active or already owes one.
        """
        table = hold_table
        with self.guard(), self.engine.begin() as connection:
            done = connection.execute(
                sa.update(table)
                .where(
                    table.c.id == hold_id,
                    table.c.lifted_at.is_(None),
                    table.c.erasure_owed.is_(None),
                )
                .values(erasure_owed=request)
            ).rowcount
            if done:
                digest = hashlib.sha256(f"{hold_id}:{request}".encode()).hexdigest()
                entry = NewEntry(at, actor, "erasure_owed", hold_id, None, digest)
                self.ledger.append(connection, [entry])
        return bool(done)

    def settle(self, hold_id: str, actor: str, at: datetime) -> None:
        """Record the data a lifted hold kept from erasure erased, purging the identity.

        Ledgered (``hold_settled``); nothing happens for a hold that owes nothing.
        """
        table = hold_table
        with self.guard(), self.engine.begin() as connection:
            done = connection.execute(
                sa.update(table)
                .where(
                    table.c.id == hold_id,
                    table.c.lifted_at.is_not(None),
                    table.c.erasure_owed.is_not(None),
                )
                .values(erasure_owed=None, sealed=None)
            ).rowcount
            if done:
                digest = hashlib.sha256(f"{hold_id}:settled".encode()).hexdigest()
                entry = NewEntry(at, actor, "hold_settled", hold_id, None, digest)
                self.ledger.append(connection, [entry])

    def unsettled(self) -> list[Hold]:
        """Lifted holds whose kept data still waits for its erasure."""
        query = sa.select(hold_table).where(
            hold_table.c.lifted_at.is_not(None), hold_table.c.erasure_owed.is_not(None)
        )
        with self.guard(), self.engine.connect() as connection:
            return [_hold(row) for row in connection.execute(query).mappings()]

    def holds(self, *, include_lifted: bool = False) -> list[Hold]:
        """Every active hold (and the lifted ones when asked), oldest first."""
        query = sa.select(hold_table).order_by(hold_table.c.placed_at, hold_table.c.id)
        if not include_lifted:
            query = query.where(hold_table.c.lifted_at.is_(None))
        with self.guard(), self.engine.connect() as connection:
            return [_hold(row) for row in connection.execute(query).mappings()]

    # --- scan policies -------------------------------------------------------------------

    def set_policy(self, policy: ScanPolicy, actor: str) -> None:
        """Store a customer's scan-data choice (``scan_policy``), replacing the previous one."""
        at = policy.set_at or datetime.now(UTC)
        row = {
            "customer": policy.customer,
            "choice": policy.choice,
            "source": policy.source,
            "set_at": at,
            "actor": actor,
        }
        digest = canonical_digest({**row, "set_at": at.isoformat()})
        entry = NewEntry(at, actor, "scan_policy", _request_id(policy.customer), None, digest)
        table = scan_policy_table
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.customer == policy.customer))
            connection.execute(sa.insert(table), [row])
            self.ledger.append(connection, [entry])

    def policies(self) -> dict[str, ScanPolicy]:
        """The stored scan-data choices by customer key."""
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(sa.select(scan_policy_table)).mappings().all()
        return {
            row["customer"]: ScanPolicy(
                row["customer"], row["choice"], row["source"], row["set_at"]
            )
            for row in rows
        }

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


# --- holds and policies as rows ------------------------------------------------------------


def _request_id(key: str) -> str:
    """A ledger request id for ``key``: itself when it fits, else a digest of it."""
    if len(key) <= 64:
        return key
    return "customer:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _lifted(hold: Hold, actor: str, reason: str, at: datetime) -> Hold:
    return replace(hold, lifted_at=at, lifted_by=actor, lift_reason=reason, sealed=None)


def _hold_row(hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.id,
        "scope": hold.scope,
        "reason": hold.reason,
        "owner": hold.owner,
        "placed_at": hold.placed_at,
        "review_at": hold.review_at,
        "subject": hold.subject,
        "identity": hold.identity,
        "sealed": hold.sealed,
        "customer": hold.customer,
        "collection": hold.collection,
        "conditions": json.dumps([_condition_json(c) for c in hold.conditions]),
        "lifted_at": hold.lifted_at,
        "lifted_by": hold.lifted_by,
        "lift_reason": hold.lift_reason,
    }


def _hold(row: sa.RowMapping) -> Hold:
    conditions = tuple(_condition(item) for item in json.loads(row["conditions"]))
    sealed = row["sealed"]
    return Hold(
        id=row["id"],
        scope=row["scope"],
        reason=row["reason"],
        owner=row["owner"],
        placed_at=row["placed_at"],
        review_at=row["review_at"],
        subject=row["subject"],
        identity=row["identity"],
        sealed=bytes(sealed) if sealed is not None else None,
        customer=row["customer"],
        collection=row["collection"],
        conditions=conditions,
        lifted_at=row["lifted_at"],
        lifted_by=row["lifted_by"],
        lift_reason=row["lift_reason"],
        erasure_owed=row["erasure_owed"],
    )


def _condition_json(condition: Condition) -> dict[str, Any]:
    value = condition.value
    stored: Any
    if isinstance(value, datetime):
        kind, stored = "datetime", value.isoformat()
    elif isinstance(value, date):
        kind, stored = "date", value.isoformat()
    elif isinstance(value, tuple):
        kind, stored = "list", list(value)
    else:
        kind, stored = "value", value
    return {"column": condition.column, "op": condition.op, "kind": kind, "value": stored}


def _condition(item: Mapping[str, Any]) -> Condition:
    kind, value = item["kind"], item["value"]
    if kind == "datetime":
        value = datetime.fromisoformat(value)
    elif kind == "date":
        value = date.fromisoformat(value)
    elif kind == "list":
        value = tuple(value)
    return Condition(item["column"], item["op"], value)
