"""The retention service on real databases: sweeps, holds, scan data and proofs (issue 18).

tutela's store is on ``database_url`` (SQLite, PostgreSQL, MariaDB); the scan store, the
swept system, is a second database of the same kind, written with SQLAlchemy. The clock
is the only fake: its time is set by each test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import MARIADB_ADMIN_URL, PG_ADMIN_URL, _fresh_database

from tutela import sqlengine
from tutela.connectors.sweeps import SqlSweeper
from tutela.consent.records import subject_ref
from tutela.errors import ConfigurationError, PolicyError, RequestError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey, Use, seal, unseal
from tutela.retention.ports import Sweeper
from tutela.retention.reports import proof_digest
from tutela.retention.service import RetentionService
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.retention import SqlRetentionStore

MINISHOP = Path(__file__).resolve().parents[1] / "rights" / "fixtures" / "minishop"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HASH_KEY = b"retention-service-test-key"
STORE_KEY = StoreKey.parse(StoreKey.generate())
ACCOUNTS = {"acme": 1, "globex": 2, "initech": 3}
"""The register's customers and their ids in the scan store: 24 h, 48 h, keep."""
AGES = (timedelta(hours=72), timedelta(hours=30), timedelta(minutes=5))
"""Each customer's scans end this long before T0: past 48 h, past 24 h only, just now."""

PROGRAMME = """\
retention:
  - key: scan_data
    name: Customers' scanned data
    choices: [24h, 48h]
    trigger: scan_completed
    per_customer: true
    covers:
      collections: [scan_db.asset, scan_db.scan]
  - key: login_events
    name: Login events
    period: 13m
    trigger: logged
    covers:
      collections: [scan_db.login_event]

purposes:
  - key: security
    name: Security
    description: Keep the service secure.
    legal_basis: legitimate_interests
    legitimate_interest: {interest: Security, necessity: Needed, balancing: Low impact}
    categories: [user.device]
    retention: login_events

dpa_register:
  - {key: acme, name: Acme SA, contact: privacy@acme.test, country: FR,
     dpa_reference: DPA-1, systems: [scans], scan_retention: 24h, account: "1"}
  - {key: globex, name: Globex GmbH, contact: privacy@globex.test, country: DE,
     dpa_reference: DPA-2, systems: [scans], scan_retention: 48h, account: "2"}
  - {key: initech, name: Initech Ltd, contact: privacy@initech.test, country: GB,
     dpa_reference: DPA-3, systems: [scans], account: "3"}

systems:
  - key: scans
    name: Scan store
    owner: Engineering
    hosting_country: BE
    role: processor
    controller: Each customer
    purposes: [security]
    retention: scan_data
    connector: {type: sql, url_env: SCANS_URL}
    datasets:
      - key: scan_db
        name: Scans
        collections:
          - name: scan
            retention_from: completed_at
            customer_field: customer_id
            fields:
              - {name: id, type: integer, primary_key: true}
              - {name: customer_id, type: integer, identity: customer_id}
              - {name: completed_at, type: datetime}
          - name: asset
            retention_from: scan.completed_at
            customer_field: scan.customer_id
            fields:
              - {name: id, type: integer, primary_key: true}
              - name: scan_id
                type: integer
                references: [{to: scan.id}]
              - {name: email, type: string, identity: email, data_categories: [user.contact.email]}
              - {name: status, type: string}
          - name: login_event
            retention_from: at
            fields:
              - {name: id, type: integer, primary_key: true}
              - {name: email, type: string, identity: email, data_categories: [user.contact.email]}
              - {name: status, type: string}
              - {name: at, type: datetime, data_categories: [user.device]}
"""


class Clock:
    """The test's clock: its time is whatever the test sets."""

    def __init__(self, now: datetime = T0) -> None:
        self.now_at = now

    def now(self) -> datetime:
        return self.now_at


# --- the world: a programme, a scan store, tutela's store -----------------------------------


def write_programme(folder: Path) -> Programme:
    """The programme above, in ``folder``, loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisation.yml").write_bytes((MINISHOP / "organisation.yml").read_bytes())
    (folder / "retention.yml").write_text(PROGRAMME, encoding="utf-8")
    return load_programme(folder)


def build_system(url: str, at: datetime = T0, logins: int = 30, *, indexed: bool = False) -> None:
    """The scan store: 3 scans per customer, 2 assets each; ``logins`` login events.

    Scans end :data:`AGES` before ``at``; assets of globex's scans number 0 are
    ``disputed``. Login events 1 to 20 are 500 days old, the rest 10 days; ann's are 1
    and 25.
    """
    metadata = sa.MetaData()
    scan = sa.Table(
        "scan",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer),
        sa.Column("completed_at", sa.DateTime),
    )
    asset = sa.Table(
        "asset",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("scan_id", sa.Integer),
        sa.Column("email", sa.String(200)),
        sa.Column("status", sa.String(200)),
    )
    login = sa.Table(
        "login_event",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200)),
        sa.Column("status", sa.String(200)),
        sa.Column("at", sa.DateTime),
    )
    if indexed:  # sweeps then run along the time index (rows are in time order)
        sa.Index("login_event_at", login.c.at)
    naive = at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    scans, assets = [], []
    for customer, account in ACCOUNTS.items():
        for n, age in enumerate(AGES):
            sid = account * 10 + n
            scans.append({"id": sid, "customer_id": account, "completed_at": naive - age})
            for m in range(2):
                status = "disputed" if m == 0 and customer == "globex" else "ok"
                email = f"{customer}-{sid}-{m}@example.test"
                assets.append(
                    {"id": sid * 10 + m, "scan_id": sid, "email": email, "status": status}
                )
    events = [
        {
            "id": i,
            "email": "ann@example.test" if i in (1, 25) else f"user{i}@example.test",
            "status": "disputed" if i == 3 else "ok",
            "at": naive - timedelta(days=500 if i <= 20 else 10, seconds=7 * i if indexed else 0),
        }
        for i in range(1, logins + 1)
    ]
    engine = sa.create_engine(url)
    try:
        metadata.drop_all(engine)
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(scan.insert(), scans)
            connection.execute(asset.insert(), assets)
            if events:
                connection.execute(login.insert(), events)
    finally:
        engine.dispose()


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the scan store's tables, in key order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: [
                    tuple(row)
                    for row in connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
                ]
                for table in ("scan", "asset", "login_event")
            }
    finally:
        engine.dispose()


def ids(url: str, table: str) -> list[int]:
    """The keys left in ``table``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                row[0] for row in connection.execute(sa.text(f"SELECT id FROM {table} ORDER BY id"))
            ]
    finally:
        engine.dispose()


def lookup_keys(url: str) -> Callable[[str, str], Mapping[str, Sequence[object]]]:
    """The held subject's row keys per collection, read from the scan store by e-mail."""

    def keys(identity: str, value: str) -> Mapping[str, Sequence[object]]:
        assert identity == "email"
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                return {
                    f"scan_db.{table}": [
                        row[0]
                        for row in connection.execute(
                            sa.text(f"SELECT id FROM {table} WHERE email = :v"), {"v": value}
                        )
                    ]
                    for table in ("asset", "login_event")
                }
        finally:
            engine.dispose()

    return keys


def system_sweeper(url: str) -> Callable[[str], Sweeper]:
    """The real SQL sweeper of the scan store, opened per run."""

    def open_sweeper(system: str) -> Sweeper:
        return SqlSweeper(sqlengine.create_engine(url, owner="test"), system)

    return open_sweeper


def service_for(
    programme: Programme,
    store: SqlRetentionStore,
    system_url: str,
    clock: Clock,
    *,
    sweeper: Callable[[str], Sweeper] | None = None,
    keys: bool = True,
    sealing: bool = True,
    **options: Any,
) -> RetentionService:
    """The service under test, wired as bootstrap wires it."""
    return RetentionService(
        programme,
        store,
        sweeper or system_sweeper(system_url),
        clock,
        reference=lambda name, value: subject_ref(name, value, HASH_KEY),
        seal=(lambda clear: seal(STORE_KEY, Use.HOLD, "legal-hold", clear)) if sealing else None,
        unseal=(lambda box: unseal(STORE_KEY, Use.HOLD, "legal-hold", box)) if sealing else None,
        subject_keys=lookup_keys(system_url) if keys else None,
        **options,
    )


@pytest.fixture
def system_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the store's kind: the scan store the sweeps run on."""
    backend = sa.make_url(database_url).get_backend_name()
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'scans.sqlite'}"
        return
    yield from _fresh_database(
        PG_ADMIN_URL if backend == "postgresql" else MARIADB_ADMIN_URL, "scans"
    )


@dataclass
class World:
    """Everything a test drives: programme, stores, scan store, clock."""

    programme: Programme
    ledger: SqlLedger
    store: SqlRetentionStore
    system_url: str
    clock: Clock

    def service(self, **options: Any) -> RetentionService:
        return service_for(self.programme, self.store, self.system_url, self.clock, **options)

    def actions(self) -> list[str]:
        return [entry.action for entry in self.ledger.entries()]


@pytest.fixture
def world(database_url: str, system_url: str, tmp_path: Path) -> Iterator[World]:
    ledger = open_ledger(database_url)
    build_system(system_url)
    programme = write_programme(tmp_path / "programme")
    yield World(programme, ledger, SqlRetentionStore(ledger.engine, ledger), system_url, Clock())
    ledger.close()


def totals(report: Any) -> list[tuple[Any, ...]]:
    """A report's rows without their times: what two equal sweeps share."""
    return [(r.rule, r.collection, r.examined, r.ended, r.affected, r.held) for r in report.rows]


# --- sweeps ------------------------------------------------------------------------------------


def test_RT_2_a_sweep_deletes_what_ended_and_reports_it(world: World) -> None:
    report = world.service(first_width=4).run()
    left = contents(world.system_url)
    assert [row[0] for row in left["login_event"]] == list(range(21, 31))
    assert [row[0] for row in left["scan"]] == [12, 21, 22, 30, 31, 32]  # acme 24h, globex 48h
    kept_scans = [12, 21, 22, 30, 31, 32]
    assert [row[0] for row in left["asset"]] == [s * 10 + m for s in kept_scans for m in (0, 1)]
    assert totals(report) == [
        ("scan_data", "scan_db.asset", 18, 6, 6, 0),
        ("scan_data", "scan_db.scan", 9, 3, 3, 0),
        ("login_events", "scan_db.login_event", 30, 20, 20, 0),
    ]
    assert not report.resumed and not report.dry_run and report.errors == []
    assert all(row.longest_statement > 0 for row in report.rows)
    assert "login_events" in report.table() and report.to_dict()["totals"]["deleted"] == 29
    assert world.store.open_sweep() is None
    assert world.actions().count("swept") == 2  # one per rule


def test_RT_2_swept_entries_digest_the_rule_counts_and_window(world: World) -> None:
    report = world.service().run()
    stored = world.store.report(report.sweep)
    assert stored is not None and stored["rows"] == report.to_dict()["rows"]
    swept = [e for e in world.ledger.entries() if e.action == "swept"]
    assert [e.request for e in swept] == [f"sweep:{report.sweep}:1", f"sweep:{report.sweep}:2"]
    assert all(e.after and len(e.after) == 64 for e in swept)
    text = json.dumps([e.to_json() for e in world.ledger.entries()])
    assert "example.test" not in text


def test_RT_2_a_second_sweep_finds_nothing_left(world: World) -> None:
    world.service().run()
    again = world.service().run()
    assert sum(row.affected for row in again.rows) == 0
    assert sum(row.examined for row in again.rows) == 12 + 6 + 10


def test_RT_2_dry_run_changes_nothing_and_reports_what_would_go(world: World) -> None:
    before = contents(world.system_url)
    entries = len(world.ledger.entries())
    dry = world.service(first_width=5).run(dry_run=True)
    assert contents(world.system_url) == before
    assert len(world.ledger.entries()) == entries
    assert world.store.open_sweep() is None and world.store.proofs() == []
    assert dry.dry_run and "dry run" in dry.table()
    real = world.service().run()
    assert totals(dry) == totals(real)


def test_RT_2_rules_filter_sweeps_only_those_rules(world: World) -> None:
    report = world.service().run(rules=["login_events"])
    assert [row.rule for row in report.rows] == ["login_events"]
    assert len(ids(world.system_url, "scan")) == 9
    with pytest.raises(PolicyError, match="no retention rule"):
        world.service().run(rules=["nope"])


def test_RT_2_a_failing_collection_is_reported_and_the_others_still_run(world: World) -> None:
    engine = sa.create_engine(world.system_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE asset"))
    engine.dispose()
    report = world.service().run()
    failed = [row for row in report.rows if row.error]
    assert [row.collection for row in failed] == ["scan_db.asset"]
    assert "asset" in str(failed[0].error) and "password" not in str(failed[0].error)
    assert ids(world.system_url, "login_event") == list(range(21, 31))
    assert world.store.open_sweep() is None  # not a crash: the sweep is closed


# --- scan data: 24 h, 48 h, keep, and the proofs --------------------------------------------


def test_RT_1_scan_data_goes_24h_or_48h_after_the_scan_per_customer(world: World) -> None:
    build_system(world.system_url, at=T0, logins=0)  # scans end at T0-72h, T0-30h, T0-5min
    world.clock.now_at = T0 - timedelta(hours=48, seconds=1)  # acme's first is 24 h old - 1s
    world.service().run()
    assert ids(world.system_url, "scan") == [10, 11, 12, 20, 21, 22, 30, 31, 32]
    world.clock.now_at = T0 - timedelta(hours=48)
    world.service().run()
    assert ids(world.system_url, "scan") == [11, 12, 20, 21, 22, 30, 31, 32]
    world.clock.now_at = T0 + timedelta(hours=24) - timedelta(minutes=5, seconds=1)
    world.service().run()  # acme's second; globex's first two (48 h passed 1 day and 6 h ago)
    assert ids(world.system_url, "scan") == [12, 22, 30, 31, 32]
    world.clock.now_at = T0 + timedelta(hours=24) - timedelta(minutes=5)
    world.service().run()  # acme's last, to the second
    assert ids(world.system_url, "scan") == [22, 30, 31, 32]
    world.clock.now_at = T0 + timedelta(hours=48) - timedelta(minutes=5)
    world.service().run()  # globex's last
    assert ids(world.system_url, "scan") == [30, 31, 32]
    world.clock.now_at = T0 + timedelta(days=400)
    world.service().run()  # initech keeps
    assert ids(world.system_url, "scan") == [30, 31, 32]
    assert {row[1] for row in contents(world.system_url)["asset"]} == {30, 31, 32}
    assert [p.event for p in world.store.proofs("acme")] == ["10", "11", "12"]
    assert [p.event for p in world.store.proofs("globex")] == ["20", "21", "22"]


def test_RT_1_per_scan_proofs_are_stored_ledgered_and_exported(world: World) -> None:
    service = world.service()
    report = service.run()
    proofs = service.proof("acme")
    assert [(p.event, dict(p.rows), p.customer) for p in proofs] == [
        ("10", {"scan_db.asset": 2}, "acme"),
        ("11", {"scan_db.asset": 2}, "acme"),
    ]
    assert [p.event for p in service.proof("globex")] == ["20"]
    assert service.proof("initech") == []
    assert all(p.sweep == report.sweep and p.deleted_at == T0 for p in proofs)
    deleted = [e for e in world.ledger.entries() if e.action == "scan_deleted"]
    assert len(deleted) == 3
    assert {proof_digest(p) for p in world.store.proofs()} == {e.after for e in deleted}
    document = json.loads(service.proof_document("acme"))
    assert document["dpa_reference"] == "DPA-1" and document["rows_deleted"] == 4
    assert document["proofs"][0]["digest"] == proof_digest(proofs[0])
    lines = service.proof_document("acme", "csv").splitlines()
    assert lines[0].startswith("customer,dpa_reference") and len(lines) == 3
    with pytest.raises(RequestError, match="DPA register"):
        service.proof("umbrella")
    with pytest.raises(RequestError, match="json or csv"):
        service.proof_document("acme", "xml")


def test_RT_1_scan_policies_merge_register_and_stored_choices(world: World) -> None:
    service = world.service()
    listed = {p.customer: (p.choice, p.source) for p in service.scan_policies()}
    assert listed == {
        "acme": ("24h", "register"),
        "globex": ("48h", "register"),
        "initech": ("keep", "default"),
    }
    chosen = service.set_scan_policy("initech", "48 hours", actor="staff:ann")
    assert (chosen.choice, chosen.source) == ("48h", "cli")
    service.set_scan_policy("acme", "KEEP", actor="staff:ann")
    listed = {p.customer: (p.choice, p.source) for p in service.scan_policies()}
    assert listed["initech"] == ("48h", "cli") and listed["acme"] == ("keep", "cli")
    assert world.actions().count("scan_policy") == 2
    service.run()
    assert ids(world.system_url, "scan") == [10, 11, 12, 21, 22, 31, 32]


@pytest.mark.parametrize(
    ("customer", "choice", "message"),
    [
        ("acme", "72h", "one of: 24h, 48h, keep"),
        ("acme", "24h; DROP TABLE scan", "one of"),
        ("acme", 24, "one of"),
        ("acme", "x" * 100_000, "one of"),
        ("umbrella", "24h", "DPA register"),
        (None, "24h", "DPA register"),
    ],
)
def test_a_wrong_scan_policy_is_refused_and_nothing_is_stored(
    world: World, customer: Any, choice: Any, message: str
) -> None:
    with pytest.raises(RequestError, match=message):
        world.service().set_scan_policy(customer, choice, actor="staff:ann")
    assert world.store.policies() == {} and world.actions() == []


# --- holds ---------------------------------------------------------------------------------


def test_RT_3_a_subject_hold_protects_the_subjects_rows_only(world: World) -> None:
    service = world.service()
    hold = service.place_hold(
        scope="subject",
        reason="Claim 2026-14",
        owner="legal",
        identity=("email", " ANN@example.test"),
    )
    assert hold.subject == subject_ref("email", "ann@example.test", HASH_KEY)
    report = service.run(rules=["login_events"])
    assert ids(world.system_url, "login_event") == [1, *range(21, 31)]
    assert totals(report) == [("login_events", "scan_db.login_event", 30, 20, 19, 1)]
    assert service.held_for({"email": "Ann@Example.test"}) == [hold]
    assert service.held_for({"email": "bob@example.test", "phone": "x"}) == []


def test_RT_3_a_subject_hold_without_key_lookup_keeps_the_whole_collection(world: World) -> None:
    world.service().place_hold(
        scope="subject", reason="Claim", owner="legal", identity=("email", "ann@example.test")
    )
    report = world.service(keys=False).run(rules=["login_events"])
    assert len(ids(world.system_url, "login_event")) == 30
    assert report.rows[0].held == 20 and any("kept whole" in note for note in report.notes)


def test_RT_3_a_customer_hold_protects_that_customers_rows(world: World) -> None:
    world.service().place_hold(scope="customer", reason="Audit", owner="legal", customer="acme")
    report = world.service().run()
    assert ids(world.system_url, "scan") == [10, 11, 12, 21, 22, 30, 31, 32]
    rows = {row.collection: row for row in report.rows}
    assert rows["scan_db.scan"].held == 2 and rows["scan_db.asset"].held == 4
    assert rows["scan_db.login_event"].held == 0  # no customer column: not the customer's data
    assert [p.event for p in world.store.proofs()] == ["20"]


def test_RT_3_a_collection_hold_protects_the_whole_collection(world: World) -> None:
    world.service().place_hold(
        scope="collection",
        reason="Regulator inquiry",
        owner="dpo",
        collection="scan_db.login_event",
    )
    report = world.service().run()
    assert len(ids(world.system_url, "login_event")) == 30
    assert report.rows[-1].held == 20 and ids(world.system_url, "scan") == [12, 21, 22, 30, 31, 32]


def test_RT_3_every_hold_has_a_review_date_a_year_on_unless_given(world: World) -> None:
    service = world.service()
    hold = service.place_hold(
        scope="collection", reason="Audit", owner="dpo", collection="scan_db.login_event"
    )
    assert hold.review_at == (T0 + timedelta(days=365)).date()
    given = service.place_hold(
        scope="collection",
        reason="Audit",
        owner="dpo",
        collection="scan_db.login_event",
        review_at=T0.date() + timedelta(days=30),
    )
    assert given.review_at == T0.date() + timedelta(days=30)
    with pytest.raises(RequestError, match="review date is in the past"):
        service.place_hold(
            scope="collection",
            reason="Audit",
            owner="dpo",
            collection="scan_db.login_event",
            review_at=T0.date() - timedelta(days=1),
        )
    assert len(service.holds()) == 2  # the refused one was not stored


def test_RT_3_a_filter_hold_protects_matching_rows(world: World) -> None:
    world.service().place_hold(
        scope="filter",
        reason="Disputed",
        owner="legal",
        collection="scan_db.asset",
        conditions=["status = disputed"],
    )
    world.service().run()
    assert 200 in ids(world.system_url, "asset") and 201 not in ids(world.system_url, "asset")


def test_RT_3_injection_text_in_a_condition_is_only_a_value(world: World) -> None:
    hostile = "x'); DROP TABLE login_event; --"
    engine = sa.create_engine(world.system_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE login_event SET status = :s WHERE id = 2"), {"s": hostile}
        )
    engine.dispose()
    hold = world.service().place_hold(
        scope="filter",
        reason="Odd row",
        owner="legal",
        collection="scan_db.login_event",
        conditions=[f"status={hostile}"],
    )
    assert world.store.holds()[0].conditions == hold.conditions
    assert hold.conditions[0].value == hostile
    world.service().run(rules=["login_events"])
    assert ids(world.system_url, "login_event") == [2, *range(21, 31)]


def test_RT_3_a_lifted_hold_no_longer_protects_and_is_ledgered(world: World) -> None:
    service = world.service()
    hold = service.place_hold(
        scope="subject", reason="Claim", owner="legal", identity=("email", "ann@example.test")
    )
    lifted = service.lift_hold(hold.id, actor="staff:ann", reason="Settled")
    assert lifted.lifted_at == T0 and lifted.sealed is None and not lifted.active
    assert service.holds() == [] and service.holds(include_lifted=True)[0].sealed is None
    assert service.held_for({"email": "ann@example.test"}) == []
    assert world.actions() == ["hold_placed", "hold_lifted"]
    service.run(rules=["login_events"])
    assert ids(world.system_url, "login_event") == list(range(21, 31))
    with pytest.raises(RequestError, match="no active hold"):
        service.lift_hold(hold.id, actor="staff:ann", reason="again")


def test_RT_3_a_subject_hold_needs_the_store_key(world: World) -> None:
    with pytest.raises(ConfigurationError, match="TUTELA_STORE_KEY"):
        world.service(sealing=False).place_hold(
            scope="subject", reason="Claim", owner="legal", identity=("email", "a@b.test")
        )
    assert world.store.holds() == []


HOSTILE_HOLDS: list[tuple[dict[str, Any], str]] = [
    ({"scope": "collection"}, "names its collection"),
    ({"scope": "filter", "collection": "scan_db.asset"}, "1 to 20 conditions"),
    ({"scope": "filter", "collection": "scan_db.asset", "conditions": "status=x"}, "1 to 20"),
    ({"scope": "collection", "collection": "scan_db.nope"}, "no such collection"),
    ({"scope": "collection", "collection": "'; DROP TABLE asset; --"}, "no such collection"),
    ({"scope": "collection", "collection": 12}, "no such collection"),
    (
        {"scope": "filter", "collection": "scan_db.asset", "conditions": ["colour=red"]},
        "no column 'colour'",
    ),
    (
        {"scope": "filter", "collection": "scan_db.asset", "conditions": ["id=abc"]},
        "not a integer value",
    ),
    (
        {"scope": "filter", "collection": "scan_db.asset", "conditions": ["status ~ x"]},
        "column op value",
    ),
    (
        {"scope": "filter", "collection": "scan_db.asset", "conditions": ["status=x"] * 21},
        "1 to 20",
    ),
    (
        {"scope": "filter", "collection": "scan_db.asset", "conditions": ["status=" + "x" * 5000]},
        "at most",
    ),
    ({"scope": "customer", "customer": "umbrella"}, "DPA register"),
    ({"scope": "customer"}, "names a customer"),
    ({"scope": "customer", "customer": "acme", "identity": ("email", "a@b.test")}, "subject holds"),
    ({"scope": "subject", "identity": ("passport", "X1")}, "identity is one of"),
    ({"scope": "subject", "identity": ("email",)}, "as \\(type, value\\)"),
    ({"scope": "subject", "identity": ("email", "")}, "1 to 320"),
    ({"scope": "subject", "identity": ("email", "a" * 10_000)}, "1 to 320"),
    ({"scope": "legal", "customer": "acme"}, "scope is one of"),
    ({"scope": None}, "scope is one of"),
    ({"scope": "customer", "customer": "acme", "reason": "x" * 10_000_000}, "at most 2000"),
    ({"scope": "customer", "customer": "acme", "reason": "   "}, "needs a reason"),
    ({"scope": "customer", "customer": "acme", "reason": 5}, "needs a reason"),
    ({"scope": "customer", "customer": "acme", "owner": None}, "needs a owner"),
    ({"scope": "customer", "customer": "acme", "review_at": "2027-01-01"}, "review date"),
    ({"scope": "customer", "customer": "acme", "conditions": ["status=x"]}, "filter holds only"),
]


@pytest.mark.parametrize(("fields", "message"), HOSTILE_HOLDS)
def test_RT_3_hostile_hold_input_is_refused_and_nothing_is_stored(
    world: World, fields: dict[str, Any], message: str
) -> None:
    arguments = {"reason": "Claim", "owner": "legal", **fields}
    with pytest.raises(RequestError, match=message) as raised:
        world.service().place_hold(**arguments)
    assert len(str(raised.value)) < 600
    assert world.store.holds(include_lifted=True) == [] and world.actions() == []


@pytest.mark.parametrize("hold_id", ["nope", "", "x" * 10_000, 42, None, "' OR 1=1 --"])
def test_RT_3_lifting_an_unknown_hold_is_refused(world: World, hold_id: Any) -> None:
    world.service().place_hold(scope="customer", reason="Audit", owner="legal", customer="acme")
    with pytest.raises(RequestError, match="no active hold"):
        world.service().lift_hold(hold_id, actor="staff:ann", reason="done")
    assert len(world.service().holds()) == 1 and world.actions() == ["hold_placed"]


def test_RT_3_a_hold_with_review_date_and_typed_conditions_round_trips(world: World) -> None:
    hold = world.service().place_hold(
        scope="filter",
        reason="Claim",
        owner="legal",
        review_at=date(2027, 1, 1),
        collection="scan_db.asset",
        conditions=["id in (100, 101)", "status != 'gone'"],
    )
    assert hold.conditions[0].value == (100, 101)
    assert world.store.holds() == [hold]
    world.service().run(rules=["scan_data"])
    assert {100, 101} <= set(ids(world.system_url, "asset")) and 110 not in ids(
        world.system_url, "asset"
    )
