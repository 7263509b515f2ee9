"""`tutela datasets reflect`: a dataset block proposed from a real catalog, secrets hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from ruamel.yaml import YAML
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.connectors.reflect import propose_dataset
from tutela.connectors.sql import SqlConnector
from tutela.programme.models import Dataset, DatasetField
from tutela.testing import shopdb

runner = CliRunner()
SECRET = "Reflect-Secret-42"

SHOP_REFERENCES = {
    ("customer", "address_id"): "address.id",
    ("orders", "customer_id"): "customer.id",
    ("order_item", "order_id"): "orders.id",
    ("payment_card", "customer_id"): "customer.id",
    ("login_event", "customer_id"): "customer.id",
}


def _fields(dataset: Dataset) -> dict[tuple[str, str], DatasetField]:
    return {(c.name, f.name): f for c in dataset.collections for f in c.fields}


def test_reflect_proposes_the_shop_with_references_and_guesses(
    shop_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "shop.yml"
    result = runner.invoke(
        app, ["datasets", "reflect", shop_url, "--key", "shop_db", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "dataset block (6 collections)" in result.stderr
    text = output.read_text(encoding="utf-8")
    dataset = Dataset.model_validate(YAML(typ="safe").load(text))
    assert dataset.key == "shop_db"
    assert {c.name for c in dataset.collections} == {t.name for t in shopdb.TABLES}
    fields = _fields(dataset)
    found = {
        address: [r.to for r in field.references]
        for address, field in fields.items()
        if field.references
    }
    assert found == {address: [target] for address, target in SHOP_REFERENCES.items()}
    email = fields[("customer", "email")]
    assert email.data_categories == ["user.contact.email"]
    assert email.identity == "email" and email.length == 254
    assert email.nullable is False
    assert fields[("customer", "id")].identity == "customer_id"
    assert fields[("customer", "id")].primary_key
    assert fields[("login_event", "ip")].data_categories == ["user.device.ip_address"]
    assert fields[("orders", "total")].data_categories == []
    assert "email, type: varchar" in text and "# guessed from column name" in text


def test_reflect_prints_to_stdout_from_url_env_and_hides_the_password(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shopdb.build(postgres_url, customers=5)
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE ROLE reflector LOGIN PASSWORD '{SECRET}'"))
    url = sa.make_url(postgres_url).set(username="reflector", password=SECRET)
    monkeypatch.setenv("SHOP_REFLECT_URL", url.render_as_string(hide_password=False))
    try:
        result = runner.invoke(app, ["datasets", "reflect", "--url-env", "SHOP_REFLECT_URL"])
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text("DROP OWNED BY reflector"))
            connection.execute(sa.text("DROP ROLE reflector"))
        admin.dispose()
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "reflector:***@" in result.stdout
    assert Dataset.model_validate(YAML(typ="safe").load(result.stdout)).collections


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["not a url at all"], 7, "DB_URL is not a database URL"),
        ([f"postgresql://postgres:{SECRET}@127.0.0.1:1/shop"], 5, "Connection refused"),
        ([f"mysql://root:{SECRET}@127.0.0.1:1/shop"], 5, "Can't connect"),
        ([f"postgresql://postgres:{SECRET}@127.0.0.1:5432/no_such_db_x"], 5, "does not exist"),
        (["oracle://scott@127.0.0.1/orcl"], 7, "no installed SQL driver"),
        (["sqlite:////no/such/folder/x.db"], 5, "does not exist"),
        ([], 7, "either as DB_URL or with --url-env"),
        (["--url-env", "TUTELA_TEST_UNSET_VARIABLE"], 7, "TUTELA_TEST_UNSET_VARIABLE is not set"),
        (["sqlite://", "--url-env", "X"], 7, "either as DB_URL or with --url-env"),
    ],
)
def test_hostile_urls_give_a_clean_error_without_secrets(
    args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, ["datasets", "reflect", *args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and SECRET not in result.output
    assert result.stdout == ""


def test_empty_database_and_unwritable_output_are_clean_errors(
    sqlite_url: str, tmp_path: Path
) -> None:
    Path(sqlite_url.removeprefix("sqlite:///")).touch()
    result = runner.invoke(app, ["datasets", "reflect", sqlite_url])
    assert result.exit_code == 5 and "has no tables" in result.stderr
    shopdb.build(sqlite_url, customers=1)
    target = tmp_path / "missing" / "out.yml"
    result = runner.invoke(app, ["datasets", "reflect", sqlite_url, "-o", str(target)])
    assert result.exit_code == 7 and "cannot write" in result.stderr
    assert not target.exists()


def test_key_of_a_referenced_table_without_identity_is_not_an_identity(sqlite_url: str) -> None:
    shopdb.build(sqlite_url, customers=1)
    connector = SqlConnector("shop", sqlite_url)
    proposal = propose_dataset(connector.describe(), key="shop", name="Shop")
    connector.close()
    fields = _fields(proposal.dataset)
    assert fields[("address", "id")].identity is None
    assert fields[("orders", "id")].identity is None
    assert proposal.reasons[("customer", "id")].startswith("guessed"), proposal.reasons
