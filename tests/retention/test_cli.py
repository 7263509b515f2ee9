"""`tutela retention`: run, holds, scan policies and proofs through the real CLI (issue 18).

A small processor programme (a scan store with per-customer scan retention and login
events kept 13 months) on a real database of each kind; tutela's store is SQLite. Scans
are placed relative to the wall clock by hours, so no assertion depends on timing.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger

PROGRAMME = """\
retention:
  - key: scan_data
    name: Customers' scanned data
    period: 48h
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
      collections: [app_db.login_event]

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

masking:
  hash_key_env: SCANS_HASH_KEY
  default: "null"

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
  - key: app
    name: The service's own database (as controller)
    owner: Engineering
    hosting_country: BE
    purposes: [security]
    connector: {type: sql, url_env: APP_URL}
    datasets:
      - key: app_db
        name: App
        collections:
          - name: login_event
            retention_from: at
            fields:
              - {name: id, type: integer, primary_key: true}
              - {name: email, type: string, identity: email, data_categories: [user.contact.email]}
              - {name: at, type: datetime, data_categories: [user.device]}
"""

MINISHOP = Path(__file__).resolve().parents[1] / "rights" / "fixtures" / "minishop"
AGES = {"old": timedelta(hours=72), "mid": timedelta(hours=30), "new": timedelta(minutes=5)}
"""Each customer's scans: past 48 h, past 24 h only, just now."""
ACCOUNTS = {"acme": 1, "globex": 2, "initech": 3}


def _system(url: str, now: datetime) -> None:
    """The scan store: 3 scans per customer with 2 assets each, and old and new logins."""
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
        sa.Column("status", sa.String(20)),
    )
    login = sa.Table(
        "login_event",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200)),
        sa.Column("at", sa.DateTime),
    )
    naive = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    scans, assets = [], []
    for customer, account in ACCOUNTS.items():
        for n, age in enumerate(AGES.values()):
            sid = account * 10 + n
            scans.append({"id": sid, "customer_id": account, "completed_at": naive - age})
            for m in range(2):
                email = f"{customer}-{sid}-{m}@example.test"
                status = "disputed" if m == 0 and customer == "globex" else "ok"
                assets.append(
                    {"id": sid * 10 + m, "scan_id": sid, "email": email, "status": status}
                )
    logins = [
        {"id": 1, "email": "ann@example.test", "at": naive - timedelta(days=500)},
        {"id": 2, "email": "bob@example.test", "at": naive - timedelta(days=10)},
    ]
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(scan.insert(), scans)
            connection.execute(asset.insert(), assets)
            connection.execute(login.insert(), logins)
    finally:
        engine.dispose()


@pytest.fixture
def world(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The programme folder, the system on ``database_url``, a SQLite store at head."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "programme"
    folder.mkdir()
    (folder / "organisation.yml").write_bytes((MINISHOP / "organisation.yml").read_bytes())
    (folder / "retention.yml").write_text(PROGRAMME, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    _system(database_url, datetime.now(UTC))
    return {
        "PROGRAMME": str(folder),
        "SCANS_URL": database_url,
        "APP_URL": database_url,  # a second system in the same database
        "TUTELA_DATABASE_URL": store,
        "SCANS_HASH_KEY": "retention-cli-test-key",
        "TUTELA_STORE_KEY": StoreKey.generate(),
    }


def tutela(world: dict[str, str], *args: str) -> Result:
    """Run ``tutela retention ...`` with the programme after the command's path."""
    depth = 3 if args[1] == "hold" else 2
    argv = [*args[:depth], world["PROGRAMME"], *args[depth:]]
    env = {k: v for k, v in world.items() if k != "PROGRAMME"}
    result = CliRunner().invoke(app, argv, env=env)
    assert "Traceback" not in result.output, result.output
    return result


def scan_ids(world: dict[str, str]) -> set[int]:
    return set(_column(world, "SELECT id FROM scan"))


def asset_ids(world: dict[str, str]) -> set[int]:
    return set(_column(world, "SELECT id FROM asset"))


def _column(world: dict[str, str], query: str) -> list[int]:
    engine = sa.create_engine(world["SCANS_URL"])
    try:
        with engine.connect() as connection:
            return [int(v) for v in connection.execute(sa.text(query)).scalars()]
    finally:
        engine.dispose()


def ledger_actions(world: dict[str, str]) -> list[str]:
    ledger = open_ledger(world["TUTELA_DATABASE_URL"], upgrade=False)
    try:
        return [entry.action for entry in ledger.entries()]
    finally:
        ledger.close()


ALL_SCANS = {10, 11, 12, 20, 21, 22, 30, 31, 32}


def test_RT_2_run_deletes_each_customers_scans_after_its_own_choice(world: dict[str, str]) -> None:
    """acme chose 24h: its 72 h and 30 h scans go; globex 48h: only the 72 h one; initech keeps."""
    result = tutela(world, "retention", "run")
    assert result.exit_code == 0, result.output
    assert "scan_data" in result.output and "login_events" in result.output
    assert "scan_db.asset" in result.output and "total" in result.output
    assert scan_ids(world) == ALL_SCANS - {10, 11, 20}
    assert asset_ids(world) == {s * 10 + m for s in ALL_SCANS - {10, 11, 20} for m in (0, 1)}
    assert _column(world, "SELECT id FROM login_event") == [2]  # 500 days > 13 months
    assert "swept" in ledger_actions(world)
    again = tutela(world, "retention", "run", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["totals"]["deleted"] == 0  # nothing left to go


def test_RT_2_dry_run_reports_what_would_go_and_changes_nothing(world: dict[str, str]) -> None:
    before = ledger_actions(world)
    result = tutela(world, "retention", "run", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dry_run"] is True
    rows = {(r["rule"], r["collection"]): r for r in report["rows"]}
    assert rows[("scan_data", "scan_db.scan")]["deleted"] == 3
    assert rows[("scan_data", "scan_db.asset")]["deleted"] == 6
    assert rows[("login_events", "app_db.login_event")]["deleted"] == 1
    assert scan_ids(world) == ALL_SCANS and len(asset_ids(world)) == 18
    assert ledger_actions(world) == before
    text = tutela(world, "retention", "run", "--dry-run")
    assert "dry run" in text.output and scan_ids(world) == ALL_SCANS


def test_run_with_rule_sweeps_only_that_rule(world: dict[str, str]) -> None:
    result = tutela(world, "retention", "run", "--rule", "login_events")
    assert result.exit_code == 0, result.output
    assert scan_ids(world) == ALL_SCANS
    assert _column(world, "SELECT id FROM login_event") == [2]


def test_RT_3_a_customer_hold_keeps_its_rows_until_lifted(world: dict[str, str]) -> None:
    placed = tutela(
        world,
        *("retention", "hold", "place", "--customer", "acme"),
        *("--reason", "Dispute over invoice 118", "--review", "2099-06-30"),
        *("--actor", "staff:alice"),
    )
    assert placed.exit_code == 0, placed.output
    hold_id = placed.output.split()[2].rstrip(":")
    assert "customer acme" in placed.output
    swept = tutela(world, "retention", "run", "--json")
    assert swept.exit_code == 0, swept.output
    assert {10, 11} <= scan_ids(world) and 20 not in scan_ids(world)
    assert json.loads(swept.output)["totals"]["held"] >= 2
    listed = tutela(world, "retention", "hold", "list")
    assert hold_id in listed.output and "Dispute over invoice 118" in listed.output
    lifted = tutela(world, "retention", "hold", "lift", hold_id, "--reason", "settled")
    assert lifted.exit_code == 0, lifted.output
    assert tutela(world, "retention", "hold", "list").output.strip() == "no legal holds"
    everything = json.loads(tutela(world, "retention", "hold", "list", "--all", "--json").output)
    assert [h["id"] for h in everything] == [hold_id] and everything[0]["active"] is False
    assert tutela(world, "retention", "run").exit_code == 0
    assert scan_ids(world) == ALL_SCANS - {10, 11, 20}
    actions = ledger_actions(world)
    assert "hold_placed" in actions and "hold_lifted" in actions


def test_RT_3_a_filter_hold_keeps_only_the_matching_rows(world: dict[str, str]) -> None:
    placed = tutela(
        world,
        *("retention", "hold", "place", "--collection", "scan_db.asset"),
        *("--where", "status=disputed", "--reason", "Pending claim"),
    )
    assert placed.exit_code == 0, placed.output
    assert tutela(world, "retention", "run").exit_code == 0
    assert 200 in asset_ids(world) and 201 not in asset_ids(world)  # globex's old scan


def test_RT_3_a_subject_hold_keeps_the_subjects_rows_and_never_prints_the_identity(
    world: dict[str, str],
) -> None:
    email = "ann@example.test"  # her login event is 500 days old: past 13 months
    placed = tutela(
        world, "retention", "hold", "place", "--subject-email", email, "--reason", "Claim 7"
    )
    assert placed.exit_code == 0, placed.output
    for args in (("hold", "list"), ("hold", "list", "--json"), ("hold", "list", "--all")):
        shown = tutela(world, "retention", *args)
        assert shown.exit_code == 0 and email not in shown.output, shown.output
        assert "Claim 7" in shown.output
    assert email not in placed.output
    swept = tutela(world, "retention", "run", "--json")
    assert swept.exit_code == 0, swept.output
    assert _column(world, "SELECT id FROM login_event") == [1, 2]
    report = json.loads(swept.output)
    held = {row["collection"]: row["held"] for row in report["rows"]}
    assert held["app_db.login_event"] == 1  # her one old login, found as an erasure would
    # a processor's system is not searched for her: while the hold lasts it is kept whole
    processor = sum(rows for collection, rows in held.items() if collection.startswith("scan_db"))
    assert held["scan_db.asset"] > 0 and processor == report["totals"]["held"] - 1
    assert any("scan_db.asset kept whole" in note for note in report["notes"])
    assert email not in swept.output


def test_scan_policy_lists_and_sets_a_customers_choice(world: dict[str, str]) -> None:
    listed = tutela(world, "retention", "scan-policy")
    assert listed.exit_code == 0, listed.output
    assert "acme: 24h" in listed.output and "globex: 48h" in listed.output
    assert "initech: keep" in listed.output
    changed = tutela(world, "retention", "scan-policy", "acme", "keep", "--actor", "staff:bob")
    assert changed.exit_code == 0, changed.output
    assert "acme: keep" in tutela(world, "retention", "scan-policy").output
    assert tutela(world, "retention", "run").exit_code == 0
    assert {10, 11, 12} <= scan_ids(world) and 20 not in scan_ids(world)


def test_proof_exports_per_scan_rows_deleted_as_json_and_csv(
    world: dict[str, str], tmp_path: Path
) -> None:
    assert tutela(world, "retention", "run").exit_code == 0
    shown = tutela(world, "retention", "proof", "acme")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.output)
    assert document["customer"] == "acme"
    events = {p["event"]: p for p in document["proofs"]}
    assert set(events) == {"10", "11"}
    assert events["10"]["rows"]["scan_db.asset"] == 2  # the scan's assets, per scan
    out = tmp_path / "acme.csv"
    written = tutela(world, "retention", "proof", "globex", "--format", "csv", "-o", str(out))
    assert written.exit_code == 0, written.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["event"] for r in rows} == {"20"}
    assert sum(int(r["rows"]) for r in rows if r["collection"] == "scan_db.asset") == 2
    nothing = json.loads(tutela(world, "retention", "proof", "initech").output)
    assert nothing["proofs"] == []


PLACE = ("retention", "hold", "place", "--reason", "r")
HOSTILE = [
    ("retention", "scan-policy", "nobody", "24h"),
    ("retention", "scan-policy", "acme", "1000y"),
    ("retention", "scan-policy", "acme", "24h'; DROP TABLE scan; --"),
    ("retention", "scan-policy", "acme"),
    ("retention", "scan-policy", "acme", "x" * 100_000),
    ("retention", "hold", "lift", "00000000-0000-0000-0000-000000000000", "--reason", "x"),
    ("retention", "hold", "lift", "'; DROP TABLE tutela_ledger; --", "--reason", "x"),
    PLACE,
    (*PLACE, "--where", "status=x"),
    (*PLACE, "--customer", "nobody"),
    (*PLACE, "--collection", "scan_db.nothing"),
    (*PLACE, "--collection", "scan_db.asset", "--where", "nosuch=1"),
    (*PLACE, "--collection", "scan_db.asset", "--where", "status"),
    (*PLACE, "--customer", "acme", "--review", "soon"),
    (*PLACE, "--identity", "email"),
    (*PLACE, "--identity", "shoe_size=44"),
    (*PLACE, "--subject-email", "a@b.c", "--customer", "acme"),
    (*PLACE, "--customer", "acme", "--actor", "root"),
    ("retention", "hold", "place", "--reason", "x" * 100_000, "--customer", "acme"),
    ("retention", "hold", "place", "--reason", "a\x00b", "--customer", "acme"),
    ("retention", "hold", "place", "--reason", "  ", "--customer", "acme"),
    ("retention", "run", "--rule", "no_such_rule"),
    ("retention", "proof", "nobody"),
    ("retention", "proof", "acme", "--format", "xml"),
    ("retention", "proof", "acme", "-o", "/"),
]


@pytest.mark.parametrize("args", HOSTILE, ids=[" ".join(a)[:60] for a in HOSTILE])
def test_hostile_input_fails_cleanly_and_changes_nothing(
    world: dict[str, str], args: tuple[str, ...]
) -> None:
    before = ledger_actions(world)
    result = tutela(world, *args)
    assert result.exit_code in (2, 4), result.output
    assert result.output.strip(), "an error says what to fix"
    assert len(result.output) < 2000  # one message, not a dump
    assert ledger_actions(world) == before
    assert scan_ids(world) == ALL_SCANS and len(asset_ids(world)) == 18
    assert "acme: 24h" in tutela(world, "retention", "scan-policy").output
    assert tutela(world, "retention", "hold", "list").output.strip() == "no legal holds"


def test_a_store_not_set_up_is_refused_with_the_command_to_run(
    world: dict[str, str], tmp_path: Path
) -> None:
    fresh = {**world, "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite'}"}
    result = tutela(fresh, "retention", "run")
    assert result.exit_code == 6, result.output
    assert "tutela db upgrade" in result.output
    assert scan_ids(world) == ALL_SCANS


def test_a_system_without_its_url_fails_naming_the_variable(world: dict[str, str]) -> None:
    result = tutela({k: v for k, v in world.items() if k != "SCANS_URL"}, "retention", "run")
    assert result.exit_code == 5, result.output  # the report is printed, the failure named
    assert "SCANS_URL" in result.output and "total" in result.output
