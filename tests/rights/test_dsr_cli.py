"""`tutela dsr plan|run|batch` through Typer's runner, on the minishop database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from minishop import HASH_KEY, MINISHOP, checksums, email, rows_of
from typer.testing import CliRunner

from tutela.cli.main import app

SECRET = HASH_KEY.decode()


@pytest.fixture
def env(shop_url: str, tmp_path: Path) -> dict[str, str]:
    environ = {
        "MINISHOP_URL": shop_url,
        "MINISHOP_HASH_KEY": SECRET,
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
    }
    assert CliRunner().invoke(app, ["db", "upgrade"], env=environ).exit_code == 0
    return environ


def dsr(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["dsr", *args], env=env)
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    return result.exit_code, result.output


def test_AC_1_plan_prints_steps_and_statements_without_changing_data(
    env: dict[str, str], shop_url: str
) -> None:
    before = checksums(shop_url)
    code, out = dsr(
        env, "plan", str(MINISHOP), "--type", "erasure", "--identity", f"email={email(1)}"
    )
    assert code == 0, out
    assert "shop.customer" in out and "UPDATE customer" in out and "DELETE FROM login_event" in out
    assert "unreachable: shop.warehouse" in out
    code, out = dsr(
        env,
        "plan",
        str(MINISHOP),
        "--type",
        "access",
        "--identity",
        "customer_id=1",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["type"] == "access" and document["steps"][0]["statements"]
    assert checksums(shop_url) == before


def test_AC_5_run_access_writes_json_and_csv(env: dict[str, str], tmp_path: Path) -> None:
    out_dir = tmp_path / "answers"
    code, out = dsr(
        env,
        "run",
        str(MINISHOP),
        "--type",
        "access",
        "--identity",
        f"email={email(2)}",
        "--format",
        "json",
        "--output",
        str(out_dir),
    )
    assert code == 0, out
    document = json.loads(out)
    assert document["results"][0]["processed"] is True
    files = sorted(p.name for p in out_dir.iterdir())
    assert any(name.endswith("shop.customer.csv") for name in files)
    assert any(name.endswith(".json") for name in files)


def test_ER_1_run_erasure_and_a_rerun_replays_nothing(env: dict[str, str], shop_url: str) -> None:
    args = ["run", str(MINISHOP), "--type", "erasure", "--identity", f"email={email(3)}"]
    code, out = dsr(env, *args, "--dry-run")
    assert code == 0 and "would change" in out
    assert rows_of(shop_url, "customer", "id = 3")[0]["name"] == "Name 3"
    code, out = dsr(env, *args)
    assert code == 0 and "retained shop.orders.total under tax_records until" in out
    after = checksums(shop_url)
    code, out = dsr(env, *args)
    assert code == 0 and "resumed" not in out and "no data found" in out
    assert checksums(shop_url) == after


def test_ER_1_batch_from_csv_and_jsonl(env: dict[str, str], tmp_path: Path, shop_url: str) -> None:
    csv_file = tmp_path / "requests.csv"
    csv_file.write_text(f"email,customer_id\n{email(4)},\n,5\n", encoding="utf-8")
    code, out = dsr(env, "batch", str(MINISHOP), "--type", "erasure", "--input", str(csv_file))
    assert code == 0, out
    assert rows_of(shop_url, "customer", "id = 5")[0]["name"] == "REDACTED"
    batch_id = out.splitlines()[0].split()[-1]
    code, out = dsr(
        env,
        "batch",
        str(MINISHOP),
        "--type",
        "erasure",
        "--input",
        str(csv_file),
        "--resume",
        batch_id,
    )
    assert code == 4 and f"batch {batch_id} is finished; nothing to resume" in out
    lines = tmp_path / "requests.jsonl"
    lines.write_text(
        json.dumps({"identities": {"customer_id": "6"}, "changes": {"customer.name": "Zoë"}})
        + "\n",
        encoding="utf-8",
    )
    code, out = dsr(env, "batch", str(MINISHOP), "--type", "rectification", "--input", str(lines))
    assert code == 0, out
    assert rows_of(shop_url, "customer", "id = 6")[0]["name"] == "Zoë"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "erasure", "--identity", "email"], "not of the form name=value"),
        (["--type", "erasure", "--identity", "=x"], "not of the form name=value"),
        (["--type", "erasure", "--identity", "shoe=42"], "unknown identity 'shoe'"),
        (["--type", "rectification", "--identity", "customer_id=1"], "needs at least one change"),
        (
            [
                "--type",
                "rectification",
                "--identity",
                "customer_id=1",
                "--set",
                "customer.phone=" + "9" * 40,
            ],
            "longer than 30",
        ),
    ],
)
def test_hostile_input_is_a_clear_error_and_changes_nothing(
    env: dict[str, str], shop_url: str, args: list[str], message: str
) -> None:
    before = checksums(shop_url)
    code, out = dsr(env, "run", str(MINISHOP), *args)
    assert code == 4 and message in out
    assert checksums(shop_url) == before


def test_batch_input_errors_are_clear(env: dict[str, str], tmp_path: Path) -> None:
    code, out = dsr(
        env, "batch", str(MINISHOP), "--type", "erasure", "--input", str(tmp_path / "no.csv")
    )
    assert code == 4 and "does not exist" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    code, out = dsr(env, "batch", str(MINISHOP), "--type", "erasure", "--input", str(bad))
    assert code == 4 and "line 1" in out
    good = tmp_path / "r.csv"
    good.write_text(f"email\n{email(1)}\n", encoding="utf-8")
    code, out = dsr(
        env, "batch", str(MINISHOP), "--type", "erasure", "--input", str(good), "--resume", "0" * 32
    )
    assert code == 4 and "no batch 00000000000000000000000000000000" in out


def test_ER_1_missing_hash_key_is_a_configuration_error(env: dict[str, str], shop_url: str) -> None:
    before = checksums(shop_url)
    without = {**env, "MINISHOP_HASH_KEY": ""}
    code, out = dsr(
        without, "run", str(MINISHOP), "--type", "erasure", "--identity", "customer_id=1"
    )
    assert code == 7 and "hash key" in out
    assert checksums(shop_url) == before


def test_ER_1_batch_input_splits_by_batch_size_and_reruns_resume(
    env: dict[str, str], tmp_path: Path, shop_url: str
) -> None:
    requests = tmp_path / "five.csv"
    requests.write_text("email\n" + "".join(f"{email(n)}\n" for n in range(1, 6)))
    sized = {**env, "TUTELA_BATCH_SIZE": "2"}
    args = ("batch", str(MINISHOP), "--type", "erasure", "--input", str(requests))
    code, out = dsr(sized, *args, "--format", "json")
    assert code == 0, out
    batches = json.loads(out)["batches"]
    assert [len(b["results"]) for b in batches] == [2, 2, 1]
    assert all(b["resumed"] == [] for b in batches)
    after = checksums(shop_url)
    code, out = dsr(sized, *args, "--format", "json")
    assert code == 0, out
    again = json.loads(out)["batches"]
    assert all(b["resumed"] == [] and b["resumed_from"] is None for b in again)
    assert {b["batch_id"] for b in again}.isdisjoint(b["batch_id"] for b in batches)
    assert not any(r["processed"] for b in again for r in b["results"])  # all erased
    assert checksums(shop_url) == after
    code, out = dsr(sized, *args, "--resume", batches[1]["batch_id"], "--format", "json")
    assert code == 4 and "nothing to resume" in out
    code, out = dsr(sized, *args, "--resume", "0" * 32)
    assert code != 0 and "no batch" in out
