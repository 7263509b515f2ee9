"""A programme with only systems and datasets: enough for `tutela dsr`, not for publishing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.errors import PolicyErrors
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.records.build import build_records
from tutela.rights.planner import NO_RETENTION, plan_request
from tutela.statement.build import build_statement
from tutela.statement.versions.diff import statement_warnings
from tutela.testing import shopdb

SHOP = Path(shopdb.__file__).resolve().parent / "shop"


def _invoke(args: list[str], env: dict[str, str]) -> Result:
    result = CliRunner().invoke(app, args, env=env)
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def engine_only(sqlite_url: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder holding only the systems section reflect wrote for a small shop."""
    shopdb.build(sqlite_url, customers=3, seed=5)
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM customer LIMIT 1")).scalar_one()
    engine.dispose()
    env = {
        "SHOP_URL": sqlite_url,
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_HASH_KEY": "engine-only-key",
        "EMAIL": f"email={email}",
    }
    folder = tmp_path / "programme"
    folder.mkdir()
    _invoke(["db", "upgrade"], env)  # tutela's new store is set up first
    reflect = ["datasets", "reflect", "--url-env", "SHOP_URL", "--as-system", "shop"]
    _invoke([*reflect, "-o", str(folder / "systems.yml")], env)
    return folder, env


def test_dsr_plans_and_answers_with_no_legal_section(
    engine_only: tuple[Path, dict[str, str]],
) -> None:
    folder, env = engine_only
    programme = load_programme(folder)
    assert (programme.organisation, programme.statement, programme.rights) == (None, None, None)
    plan = _invoke(
        ["dsr", "plan", str(folder), "--type", "access", "--identity", env["EMAIL"]], env
    )
    assert "shop.customer" in plan.stdout
    run = _invoke(["dsr", "run", str(folder), "--type", "access", "--identity", env["EMAIL"]], env)
    assert "data found" in run.stdout and "shop.customer: 1 row(s)" in run.stdout


def test_ER_2_erasure_plan_says_no_retention_is_declared(
    engine_only: tuple[Path, dict[str, str]],
) -> None:
    folder, env = engine_only
    plan = _invoke(
        ["dsr", "plan", str(folder), "--type", "erasure", "--identity", env["EMAIL"]], env
    )
    assert f"note: {NO_RETENTION}" in plan.stdout
    assert "no retention declared" in NO_RETENTION


def test_ER_2_no_note_when_a_legal_obligation_purpose_is_declared() -> None:
    shop = load_programme(SHOP)
    assert plan_request(shop, "erasure", ["email"]).notes == ()
    assert plan_request(shop, "access", ["email"]).notes == ()
    bare = Programme(systems=shop.systems)
    assert plan_request(bare, "erasure", ["email"]).notes == (NO_RETENTION,)


def test_the_statement_and_the_records_name_each_missing_section() -> None:
    bare = Programme(systems=load_programme(SHOP).systems)
    with pytest.raises(PolicyErrors) as statement:
        build_statement(bare)
    assert [e.path for e in statement.value.errors] == [
        "organisation",
        "statement",
        "rights",
        "complaints",
    ]
    assert "the privacy statement cannot be made without it" in str(statement.value)
    with pytest.raises(PolicyErrors) as records:
        build_records(bare)
    assert [e.path for e in records.value.errors] == ["organisation", "statement"]
    assert "tutela init" in str(records.value)


def test_statement_diff_warns_when_the_new_programme_has_no_statement() -> None:
    shop = load_programme(SHOP)
    bare = Programme(systems=shop.systems)
    (warning,) = statement_warnings(shop, bare, [])
    assert "no `statement:` section" in warning
    assert statement_warnings(bare, shop, []) == []
