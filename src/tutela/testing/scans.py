"""Recent synthetic scans for the Cloudockit example's scan store: the demo's retention tour.

:func:`add_scans` gives each processor customer of the DPA register that has an
``account`` and uses the scan store three scans with the people and resources they
found: one completed 72 hours ago (past both the 24 h and the 48 h choice), one 30 hours
ago (past 24 h only) and one just now (kept by every choice). ``tutela retention run``
then deletes exactly what each customer chose, and ``tutela retention proof`` shows it.
Times are naive UTC, as :mod:`tutela.testing.synthetic` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tutela.programme.models import Programme
from tutela.programme.register import ControllerCustomer

SCAN_AGES = (timedelta(hours=72), timedelta(hours=30), timedelta(minutes=5))
"""How long ago each customer's scans completed: past 48 h, past 24 h only, just now."""

SYSTEM = "scan_store"
"""The example's scan-store system (its tables: scan, asset_owner, asset)."""


@dataclass(frozen=True)
class AddedScan:
    """One scan added: its id, its customer's key and account, and when it completed."""

    id: int
    customer: str
    account: str
    completed_at: datetime


def add_scans(
    url: str, programme: Programme, now: datetime, *, owners: int = 2, assets: int = 3
) -> list[AddedScan]:
    """Add :data:`SCAN_AGES` scans per scan-store customer to the database at ``url``.

    Each scan gets ``owners`` people (asset owners) and ``assets`` resources per owner.
    Customers without an ``account`` (their id in the scan store) are skipped. Returns
    the scans added, oldest first per customer.
    """
    customers = [c for c in programme.dpa_register if SYSTEM in c.systems and c.account is not None]
    engine = sa.create_engine(url)
    try:
        tables = sa.MetaData()
        tables.reflect(engine, only=["scan", "asset_owner", "asset"])
        with engine.begin() as connection:
            return [
                _add(connection, tables, scan, owners, assets)
                for scan in _planned(connection, tables, customers, now)
            ]
    finally:
        engine.dispose()


def _planned(
    connection: sa.Connection,
    tables: sa.MetaData,
    customers: list[ControllerCustomer],
    now: datetime,
) -> list[AddedScan]:
    first = _next_id(connection, tables.tables["scan"])
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    scans: list[AddedScan] = []
    for customer in customers:
        for age in SCAN_AGES:
            number = first + len(scans)
            scans.append(AddedScan(number, customer.key, str(customer.account), moment - age))
    return scans


def _add(
    connection: sa.Connection, tables: sa.MetaData, scan: AddedScan, owners: int, assets: int
) -> AddedScan:
    scan_table, owner_table = tables.tables["scan"], tables.tables["asset_owner"]
    asset_table = tables.tables["asset"]
    started = scan.completed_at - timedelta(minutes=20)
    connection.execute(
        scan_table.insert(),
        {
            "id": scan.id,
            "customer_id": int(scan.account) if scan.account.isdigit() else scan.account,
            "tenant_ref": f"demo tenant of {scan.customer}",
            "started_at": started,
            "completed_at": scan.completed_at,
        },
    )
    owner_id = _next_id(connection, owner_table)
    asset_id = _next_id(connection, asset_table)
    for n in range(owners):
        name = f"owner{scan.id}-{n}"
        connection.execute(
            owner_table.insert(),
            {
                "id": owner_id + n,
                "scan_id": scan.id,
                "display_name": f"Demo Owner {scan.id}.{n}",
                "email": f"{name}@{scan.customer.replace('_', '-')}.test",
                "principal_name": f"{name}@tenant.test",
            },
        )
        rows = [
            {
                "id": asset_id + n * assets + m,
                "scan_id": scan.id,
                "owner_id": owner_id + n,
                "resource_type": "virtual machine",
                "resource_name": f"vm-{scan.id}-{n}-{m}",
                "discovered_at": started,
            }
            for m in range(assets)
        ]
        connection.execute(asset_table.insert(), rows)
    return scan


def _next_id(connection: sa.Connection, table: sa.Table) -> int:
    """One more than the table's greatest id (1 for an empty table)."""
    found = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
    return int(found or 0) + 1
