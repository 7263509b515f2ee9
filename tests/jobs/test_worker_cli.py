"""``tutela worker``: one pass with ``--once``, and a broker URL that is refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.jobs.conftest import approved, customer_emails, ledger_actions, shop_environ
from typer.testing import CliRunner

from tutela.bootstrap import build
from tutela.cli.main import app as cli
from tutela.programme.loader import load_programme
from tutela.testing import shopdb


def test_ac_1_worker_once_runs_the_ready_steps_and_the_periodic_duties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environ = shop_environ(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    app = build(environ)
    programme = load_programme(shopdb.shop_programme_path())
    (email,) = customer_emails(environ["TUTELA_SHOP_URL"], 1)
    request = approved(app, programme, "access", email)
    result = CliRunner().invoke(cli, ["worker", "--once"], env=environ)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 job step(s) run; periodic duties run: notify, lift")
    assert ledger_actions(app, request).count("completed") == 1
    again = CliRunner().invoke(cli, ["worker", "--once"], env=environ)
    assert again.output.startswith("0 job step(s) run; periodic duties run: none"), again.output


@pytest.mark.parametrize(
    "broker",
    ["kafka://user:S3cretPw-0815@127.0.0.1:9092", "redis://user:S3cretPw-0815@127.0.0.1:abc/0", ""],
)
def test_a_broker_url_that_is_not_redis_or_rabbitmq_is_refused_without_its_password(
    broker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environ = shop_environ(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    result = CliRunner().invoke(
        cli, ["worker"], env={**environ, "TUTELA_BROKER_URL": broker or " "}
    )
    assert result.exit_code == 7, result.output
    assert "TUTELA_BROKER_URL" in result.output and "S3cretPw" not in result.output
    assert "Traceback" not in result.output


def test_a_store_not_set_up_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}",
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
    }
    result = CliRunner().invoke(cli, ["worker", "--once"], env=environ)
    assert result.exit_code == 6 and "tutela db upgrade" in result.output, result.output
