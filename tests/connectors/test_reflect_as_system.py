"""`tutela datasets reflect --as-system`: a runnable systems section that leaves keys alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.checks import run_checks
from tutela.cli.main import app
from tutela.programme.loader import load
from tutela.programme.models import DatasetField, Programme

SECRET = "Reflect-System-Secret-7"


def _reflect(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(app, ["datasets", "reflect", *args], env=env)
    assert "Traceback" not in result.output
    return result


def _fields(programme: Programme) -> dict[tuple[str, str], DatasetField]:
    return {
        (c.name, f.name): f
        for _, dataset in programme.datasets()
        for c in dataset.collections
        for f in c.fields
    }


def test_as_system_writes_a_systems_section_with_connector_and_todos(
    shop_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "programme"
    folder.mkdir()
    env = {"SHOP_URL": shop_url}
    result = _reflect(
        "--url-env", "SHOP_URL", "--as-system", "shop", "-o", str(folder / "s.yml"), env=env
    )
    assert result.exit_code == 0, result.output
    assert "system 'shop' (6 collections; its URL is read from $SHOP_URL)" in result.stderr
    loaded = load(folder)  # only systems: the engine's programme, no legal section
    (system,) = loaded.programme.systems
    assert system.key == "shop" and system.datasets[0].key == "shop"
    assert system.connector is not None
    assert (system.connector.type, system.connector.url_env, system.connector.url) == (
        "sql",
        "SHOP_URL",
        None,
    )
    assert system.owner.startswith("TODO") and system.hosting_country == "ZZ"
    placeholders = {
        f.path[-1]
        for f in run_checks(loaded, select=["transparency/todo-placeholder"])
        if f.path[:2] == ("systems", 0)
    }
    assert placeholders == {"owner", "hosting_country"}


def test_ER_1_reflected_keys_carry_no_category_and_required_columns_a_masking_that_fits(
    shop_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "systems.yml"
    assert _reflect(shop_url, "--as-system", "shop", "-o", str(target)).exit_code == 0
    loaded = load(target)
    fields = _fields(loaded.programme)
    for address, item in fields.items():
        if item.primary_key or item.references:
            assert item.data_categories == [] and item.masking is None, address
    assert (fields[("customer", "email")].masking, fields[("customer", "email")].nullable) == (
        "hash",
        False,
    )
    card = fields[("payment_card", "last4")]
    assert (card.masking, card.masking_value, card.length) == ("fixed", "XXXX", 4)
    assert fields[("customer", "name")].masking is None  # nullable: the default null
    erasure = run_checks(loaded, select=["erasure"], today=date(2026, 1, 1))
    assert [f for f in erasure if f.severity == "error"] == []


def test_as_system_with_a_url_names_the_variable_and_never_writes_the_password(
    postgres_url: str, tmp_path: Path
) -> None:
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text("CREATE TABLE member (id integer PRIMARY KEY, email text)"))
        connection.execute(sa.text(f"CREATE ROLE byo_reflector LOGIN PASSWORD '{SECRET}'"))
        connection.execute(sa.text("GRANT SELECT ON member TO byo_reflector"))
    url = sa.make_url(postgres_url).set(username="byo_reflector", password=SECRET)
    try:
        result = _reflect(url.render_as_string(hide_password=False), "--as-system", "crm-eu")
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text("DROP OWNED BY byo_reflector"))
            connection.execute(sa.text("DROP ROLE byo_reflector"))
        admin.dispose()
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "connector: {type: sql, url_env: CRM_EU_URL}" in result.stdout
    assert "$CRM_EU_URL" in result.stderr


def test_a_column_a_foreign_key_points_at_gets_no_guess(sqlite_url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE person (id integer PRIMARY KEY, email text UNIQUE)")
        )
        connection.execute(
            sa.text(
                "CREATE TABLE note (id integer PRIMARY KEY, author text REFERENCES person(email))"
            )
        )
    engine.dispose()
    target = tmp_path / "s.yml"
    assert _reflect(sqlite_url, "--as-system", "notes", "-o", str(target)).exit_code == 0
    fields = _fields(load(target).programme)
    assert fields[("person", "email")].data_categories == []
    assert fields[("note", "author")].references[0].to == "person.email"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--as-system", "Shop DB"], "--as-system"),
        (["--key", "Shop"], "--key"),
        (["--as-system", "shop", "--url-env", "shop_url"], "--url-env"),
    ],
)
def test_bad_keys_and_variable_names_are_named(
    sqlite_url: str, args: list[str], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("shop_url", sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (id integer PRIMARY KEY)"))
    engine.dispose()
    url_args = [] if "--url-env" in args else [sqlite_url]
    result = _reflect(*url_args, *args)
    assert result.exit_code == 2 and named in result.output
    assert result.stdout == ""
