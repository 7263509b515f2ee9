"""Schema drift (`tutela check --against`): the rules on hand-built discoveries, then the
CLI on real PostgreSQL and MariaDB databases that drift away from their programme."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tutela import bootstrap
from tutela.cli.main import app
from tutela.discovery.drift import (
    DRIFT_RULES,
    DriftContext,
    Survey,
    categories_agree,
    drift_findings,
    survey_systems,
)
from tutela.discovery.models import ColumnFinding
from tutela.discovery.service import Discovery
from tutela.errors import ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, Connector
from tutela.programme.loader import LoadedProgramme, load
from tutela.taxonomy.vocabulary import Vocabulary

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"

SYSTEMS_YML = """\
systems:
  - key: shop
    name: Shop
    owner: Sales operations
    hosting_country: DE
    purposes: [supply_services, newsletter]
    connector: {type: sql, url_env: SHOP_URL}
    datasets:
      - key: shop_db
        name: Shop database
        collections:
          - name: customer
            fields:
              - {name: id, primary_key: true, identity: customer_id}
              - {name: email, data_categories: [user.contact.email], identity: email}
              - {name: full_name, data_categories: [user.name]}
              - {name: segment}
          - name: purchase
            fields:
              - {name: id, primary_key: true}
              - name: customer_id
                references: [{to: customer.id}]
              - {name: total}
"""

FIRST = ("Anna", "Lukas", "Sofie", "Jan", "Marie", "Pieter", "Claire", "Thomas", "Eva", "Noah")
LAST = ("Peeters", "Janssens", "Dubois", "Müller", "Schmidt", "de Vries", "Martin", "Maes")


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    """The minimal programme with one SQL system `shop` (customers and purchases)."""
    folder = tmp_path / "programme"
    folder.mkdir()
    for name in ("organisation.yml", "purposes.yml"):
        shutil.copy(MINIMAL / name, folder / name)
    (folder / "systems.yml").write_text(SYSTEMS_YML, encoding="utf-8")
    return folder


@pytest.fixture
def loaded(programme: Path) -> LoadedProgramme:
    return load(programme)


# --- the rules on hand-built discoveries ------------------------------------------------------


def table(name: str, *columns: str) -> CollectionInfo:
    return CollectionInfo(name, tuple(ColumnInfo(column, "VARCHAR") for column in columns))


DECLARED_TABLES = (
    table("customer", "id", "email", "full_name", "segment"),
    table("purchase", "id", "customer_id", "total"),
)


def found(where: str, category: str | None, confidence: float = 0.9) -> ColumnFinding:
    name, column = where.split(".")
    evidence = (f"{category} in 48 of 50 sampled values",) if category else ()
    return ColumnFinding(name, column, category, confidence, evidence, sampled=50)


def discovery(
    *findings: ColumnFinding, tables: tuple[CollectionInfo, ...] = DECLARED_TABLES
) -> Survey:
    extra = {f.table for f in findings} - {t.name for t in tables}
    everything = (*tables, *(table(name, *[f.column for f in findings]) for name in extra))
    scan = Discovery(tuple(findings), everything, cells=0, seconds=0.0)
    return Survey({"shop": scan})


def rule_ids(loaded: LoadedProgramme, survey: Survey) -> list[tuple[str, str]]:
    context = DriftContext.of_survey(loaded, survey)
    return [(f.rule, f.message.split("`")[1]) for f in drift_findings(context)]


CLEAN = (
    found("customer.id", None),
    found("customer.email", "user.contact.email", 0.98),
    found("customer.full_name", "user.name", 0.8),
    found("customer.segment", None),
    found("purchase.customer_id", "user.unique_id", 0.7),
    found("purchase.total", None),
)


def replaced(where: str, by: ColumnFinding) -> tuple[ColumnFinding, ...]:
    return tuple(by if f"{f.table}.{f.column}" == where else f for f in CLEAN)


CASES: list[tuple[str, Survey, list[tuple[str, str]]]] = [
    ("declared database matches", discovery(*CLEAN), []),
    (
        "Art30_new_column_with_emails",
        discovery(
            *CLEAN,
            found("customer.backup", "user.contact.email"),
            tables=(
                table("customer", "id", "email", "full_name", "segment", "backup"),
                *DECLARED_TABLES[1:],
            ),
        ),
        [("drift/undeclared-personal-data", "customer.backup")],
    ),
    (
        "Art30_new_table_with_phones",
        discovery(*CLEAN, found("callback.number", "user.contact.phone_number")),
        [("drift/undeclared-personal-data", "callback.number")],
    ),
    (
        "Art30_declared_field_without_category",
        discovery(*replaced("customer.segment", found("customer.segment", "user.contact.email"))),
        [("drift/undeclared-personal-data", "customer.segment")],
    ),
    (
        "low_confidence_is_not_evidence",
        discovery(*CLEAN, found("callback.number", "user.contact.phone_number", 0.4)),
        [],
    ),
    (
        "not_personal_column_in_new_table_is_fine",
        discovery(*CLEAN, found("audit.build", None)),
        [],
    ),
    (
        "reference_field_needs_no_category",
        discovery(*replaced("purchase.customer_id", found("purchase.customer_id", "user"))),
        [],
    ),
    (
        "Art5_2_dropped_column",
        discovery(
            *CLEAN[:2],
            *CLEAN[3:],
            tables=(table("customer", "id", "email", "segment"), DECLARED_TABLES[1]),
        ),
        [("drift/missing-column", "customer.full_name")],
    ),
    (
        "Art5_2_dropped_table",
        discovery(*CLEAN[:4], tables=DECLARED_TABLES[:1]),
        [("drift/missing-column", "purchase")],
    ),
    (
        "column_names_compare_case_insensitively",
        discovery(
            *CLEAN,
            tables=(table("Customer", "ID", "Email", "Full_Name", "Segment"), DECLARED_TABLES[1]),
        ),
        [],
    ),
    (
        "mismatch_email_declared_phone_found",
        discovery(
            *replaced("customer.email", found("customer.email", "user.contact.phone_number"))
        ),
        [("drift/category-mismatch", "customer.email")],
    ),
    (
        "descendant_category_agrees",
        discovery(*replaced("customer.full_name", found("customer.full_name", "user.name.first"))),
        [],
    ),
    (
        "ancestor_category_agrees",
        discovery(*replaced("customer.email", found("customer.email", "user.contact"))),
        [],
    ),
    (
        "low_confidence_mismatch_is_silent",
        discovery(
            *replaced("customer.email", found("customer.email", "user.contact.phone_number", 0.5))
        ),
        [],
    ),
]


@pytest.mark.parametrize(("survey", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_drift_rules_report_exactly_the_drift(
    loaded: LoadedProgramme, survey: Survey, expected: list[tuple[str, str]]
) -> None:
    assert rule_ids(loaded, survey) == expected


def test_unreachable_system_is_an_error_naming_the_variable(loaded: LoadedProgramme) -> None:
    survey = Survey(unreachable={"shop": "connection refused"})
    (finding,) = drift_findings(DriftContext.of_survey(loaded, survey))
    assert (finding.rule, finding.severity) == ("drift/unreachable", "error")
    assert "shop" in finding.message and "connection refused" in finding.message
    assert "SHOP_URL" in finding.hint


def test_findings_point_at_the_programme_lines(loaded: LoadedProgramme) -> None:
    survey = discovery(
        *replaced("customer.email", found("customer.email", "user.contact.phone_number")),
        found("customer.backup", "user.contact.email"),
        tables=(table("customer", "id", "email", "segment", "backup"), DECLARED_TABLES[1]),
    )
    lines = (loaded.root / "systems.yml").read_text(encoding="utf-8").splitlines()
    by_rule = {f.rule: f for f in drift_findings(DriftContext.of_survey(loaded, survey))}
    assert set(by_rule) == set(DRIFT_RULES) - {"drift/unreachable"}

    def line(rule: str) -> str:
        location = by_rule[rule].location
        assert location is not None and location.line is not None
        assert Path(location.source).name == "systems.yml"
        return lines[location.line - 1]

    assert "name: email" in line("drift/category-mismatch")
    assert "name: full_name" in line("drift/missing-column")
    assert "name: customer" in line("drift/undeclared-personal-data")
    message = by_rule["drift/category-mismatch"].message
    assert "user.contact.email" in message and "48 of 50 sampled values" in message


def test_without_a_survey_the_drift_rules_find_nothing(loaded: LoadedProgramme) -> None:
    from tutela.checks import CheckContext

    context = CheckContext.of(loaded)
    assert [f for item in DRIFT_RULES.values() for f in item.run(context)] == []


@pytest.mark.parametrize(
    ("declared", "discovered", "agree"),
    [
        ("user.name", "user.name.first", True),
        ("user.name.first", "user.name", True),
        ("user.contact.email", "user.contact.email", True),
        ("user.contact", "user.contact.address.city", True),
        ("user.contact.email", "user.contact.phone_number", False),
        ("user.name", "user.names", False),
        ("user.financial", "user.payment", False),
    ],
)
def test_categories_agree_along_the_fideslang_tree(
    declared: str, discovered: str, agree: bool
) -> None:
    assert categories_agree(declared, discovered, Vocabulary()) is agree


def test_programme_category_parents_count_as_ancestors() -> None:
    vocabulary = Vocabulary.with_extensions([("custom.badge", "Badge", "user.unique_id", 0, 0)])
    assert categories_agree("user.unique_id", "custom.badge", vocabulary)
    assert not categories_agree("user.contact.email", "custom.badge", vocabulary)


def test_survey_turns_connection_errors_into_reasons() -> None:
    def connect(key: str) -> Connector:
        raise ConnectorError(f"system {key}: server unreachable")

    survey = survey_systems(["shop"], connect)
    assert survey.discoveries == {}
    assert survey.unreachable == {"shop": "system shop: server unreachable"}


# --- end to end: `tutela check --against` on PostgreSQL and MariaDB ---------------------------


def build_shop(url: str, people: int = 60) -> None:
    """The database the programme's `shop` system declares, with synthetic customers."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE customer (id INTEGER PRIMARY KEY, email VARCHAR(120),"
                " full_name VARCHAR(120), segment VARCHAR(20))"
            )
        )
        connection.execute(
            sa.text(
                "CREATE TABLE purchase (id INTEGER PRIMARY KEY, customer_id INTEGER"
                " REFERENCES customer (id), total NUMERIC(10, 2))"
            )
        )
        customers = [
            {
                "id": i,
                "email": f"{FIRST[i % 10].lower()}.{i}@example.com",
                "full_name": f"{FIRST[i % 10]} {LAST[i % 8]}",
                "segment": ("retail", "wholesale", "partner")[i % 3],
            }
            for i in range(1, people + 1)
        ]
        connection.execute(
            sa.text("INSERT INTO customer VALUES (:id, :email, :full_name, :segment)"), customers
        )
        purchases = [
            {"id": i, "customer": 1 + i % people, "total": 10 + (i * 37) % 500} for i in range(200)
        ]
        connection.execute(
            sa.text("INSERT INTO purchase VALUES (:id, :customer, :total)"), purchases
        )
    engine.dispose()


def add_backup_contact(url: str) -> None:
    """An undeclared column whose name says nothing, filled with e-mail addresses."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customer ADD COLUMN backup_ref VARCHAR(120)"))
        connection.execute(
            sa.text("UPDATE customer SET backup_ref = CONCAT('second.', id, '@mail.example.org')")
        )
    engine.dispose()


def drop_full_name(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customer DROP COLUMN full_name"))
    engine.dispose()


def run_check(programme: Path, url: str, *args: str) -> tuple[int, str]:
    application = bootstrap.build({"SHOP_URL": url})
    result = CliRunner().invoke(app, ["check", str(programme), "--against", *args], obj=application)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgresql"),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb, id="mariadb"),
    ]
)
def shop_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url = str(request.getfixturevalue(request.param))
    build_shop(url)
    yield url


def test_check_against_a_database_as_declared_passes(programme: Path, shop_url: str) -> None:
    code, output = run_check(programme, shop_url, "--format", "json")
    drift = [f for f in json.loads(output) if f["rule"].startswith("drift/")]
    assert drift == []
    assert code == 0


def test_check_against_catches_an_added_undeclared_column(programme: Path, shop_url: str) -> None:
    add_backup_contact(shop_url)
    code, text = run_check(programme, shop_url)
    assert code == 1
    assert "error drift/undeclared-personal-data" in text
    assert "customer.backup_ref" in text and "user.contact.email" in text

    _, output = run_check(programme, shop_url, "--format", "json")
    (finding,) = [f for f in json.loads(output) if f["rule"].startswith("drift/")]
    assert finding["rule"] == "drift/undeclared-personal-data"
    assert finding["location"]["source"].endswith("systems.yml")

    _, output = run_check(programme, shop_url, "--format", "sarif", "--select", "drift")
    (run,) = json.loads(output)["runs"]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(DRIFT_RULES)
    (result,) = run["results"]
    assert result["ruleId"] == "drift/undeclared-personal-data"
    assert result["level"] == "error"
    assert "backup_ref" in result["message"]["text"]


def test_check_against_catches_a_dropped_column(programme: Path, shop_url: str) -> None:
    drop_full_name(shop_url)
    code, output = run_check(programme, shop_url, "--format", "json", "--select", "drift")
    assert code == 1
    assert [(f["rule"], f["path"]) for f in json.loads(output)] == [
        ("drift/missing-column", "systems[0].datasets[0].collections[0].fields[2]")
    ]


# --- end to end: the command line around the databases ----------------------------------------


def test_unreachable_database_is_a_finding_not_a_traceback(programme: Path) -> None:
    code, output = run_check(
        programme, "postgresql+psycopg://nobody@127.0.0.1:1/none", "--format", "json"
    )
    assert code == 1
    (finding,) = [f for f in json.loads(output) if f["rule"].startswith("drift/")]
    assert finding["rule"] == "drift/unreachable"
    assert "SHOP_URL" in finding["hint"]


def test_missing_url_variable_is_reported_as_unreachable(programme: Path) -> None:
    application = bootstrap.build({})
    result = CliRunner().invoke(
        app, ["check", str(programme), "--against", "--format", "json"], obj=application
    )
    assert result.exit_code == 1
    (finding,) = [f for f in json.loads(result.stdout) if f["rule"].startswith("drift/")]
    assert finding["rule"] == "drift/unreachable"
    assert "SHOP_URL" in finding["message"]


def test_unknown_system_is_a_usage_error(programme: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(programme), "--against", "--system", "nope"])
    assert result.exit_code == 2
    assert "shop" in result.output


def test_check_without_against_never_connects(programme: Path) -> None:
    application = bootstrap.build({"SHOP_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    result = CliRunner().invoke(app, ["check", str(programme), "-f", "json"], obj=application)
    assert result.exit_code == 0
    assert not [f for f in json.loads(result.stdout) if f["rule"].startswith("drift/")]


def test_list_rules_with_against_lists_the_drift_rules() -> None:
    result = CliRunner().invoke(app, ["check", "--list-rules", "--against"])
    assert all(rule_id in result.stdout for rule_id in DRIFT_RULES)
    plain = CliRunner().invoke(app, ["check", "--list-rules"])
    assert not any(rule_id in plain.stdout for rule_id in DRIFT_RULES)
