"""`tutela db upgrade` and `tutela ledger`: checkpoints, audits naming tampered entries, proofs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.ledger.checkpoint import generate_key
from tutela.ledger.merkle import verify_inclusion
from tutela.store import migrate
from tutela.store.ledger import NewEntry, open_ledger

ORIGIN = "tutela.local/ledger"
KEY = generate_key(ORIGIN)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A store with six entries of three requests, and the ledger's signer key."""
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    ledger = open_ledger(url)
    ledger.append_now(
        [
            NewEntry(START + timedelta(minutes=i), "system", "received", f"req-{i % 3}", None)
            for i in range(6)
        ]
    )
    ledger.close()
    return {"TUTELA_DATABASE_URL": url, "TUTELA_LEDGER_KEY": KEY.private_text()}


def run(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert (env.get("TUTELA_LEDGER_KEY") or "-") not in result.output
    return result


def sql(env: dict[str, str], *statements: str) -> None:
    engine = sa.create_engine(env["TUTELA_DATABASE_URL"])
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def signed(env: dict[str, str]) -> str:
    result = run(env, "ledger", "checkpoint")
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_prints_the_revision(env: dict[str, str]) -> None:
    result = run(env, "db", "upgrade")
    expected = f"tutela's store is at revision {migrate.head()}\n"
    assert (result.exit_code, result.output) == (0, expected)


def test_keygen_prints_a_signer_key_and_its_verifier(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["ledger", "keygen", "example.org/log"])
    assert result.exit_code == 0
    private, public = result.output.splitlines()
    assert private.startswith("TUTELA_LEDGER_KEY=PRIVATE+KEY+example.org/log+")
    assert public.startswith("verifier key: example.org/log+")


def test_checkpoint_refuses_without_a_key(env: dict[str, str]) -> None:
    result = run({**env, "TUTELA_LEDGER_KEY": ""}, "ledger", "checkpoint")
    assert result.exit_code == 7 and "TUTELA_LEDGER_KEY is not set" in result.output
    broken = run({**env, "TUTELA_LEDGER_KEY": "PRIVATE+KEY+x+00+secretish"}, "ledger", "verify")
    assert broken.exit_code == 7 and "secretish" not in broken.output


def test_checkpoint_then_verify_is_intact(env: dict[str, str]) -> None:
    note = signed(env)
    assert note.startswith(f"{ORIGIN}\n6\n")
    result = run(env, "ledger", "verify")
    assert (result.exit_code, result.output) == (
        0,
        "ledger intact: 6 entries, checkpoint at size 6\n",
    )
    open_ledger(env["TUTELA_DATABASE_URL"]).append_now([NewEntry(START, "system", "x", "req-9")])
    later = run(env, "ledger", "verify", "--key", str(KEY.verifier))
    assert later.exit_code == 0 and "7 entries, checkpoint at size 6 (1 appended" in later.output


def test_verify_without_a_checkpoint_fails(env: dict[str, str]) -> None:
    result = run(env, "ledger", "verify")
    assert result.exit_code == 1 and "none signed for the 6 entries" in result.output


EDITED = "UPDATE tutela_ledger_entry SET entry = replace(entry, 'received', 'erased') WHERE seq = 2"
TAMPERING = {
    "edit": ([EDITED], "entry 2: edited"),
    "edit-not-canonical": (
        ["UPDATE tutela_ledger_entry SET entry = entry || ' ' WHERE seq = 3"],
        "entry 3: edited",
    ),
    "delete": (["DELETE FROM tutela_ledger_entry WHERE seq = 4"], "entry 4: deleted"),
    "request-column": (
        ["UPDATE tutela_ledger_entry SET request = 'req-2' WHERE seq = 1"],
        "entry 1: edited: its request column does not name its entry's request",
    ),
    "insert": (
        [
            "UPDATE tutela_ledger_entry SET seq = seq + 100 WHERE seq >= 2",
            "UPDATE tutela_ledger_entry SET seq = seq - 99 WHERE seq >= 100",
            "INSERT INTO tutela_ledger_entry (seq, entry, leaf_hash, created_at, request)"
            " SELECT 2, entry, leaf_hash, created_at, request FROM tutela_ledger_entry"
            " WHERE seq = 0",
        ],
        "entry 2: reordered",
    ),
    "swap": (
        [
            "UPDATE tutela_ledger_entry SET seq = 99 WHERE seq = 1",
            "UPDATE tutela_ledger_entry SET seq = 1 WHERE seq = 3",
            "UPDATE tutela_ledger_entry SET seq = 3 WHERE seq = 99",
        ],
        "entry 1: reordered",
    ),
    "checkpoint": (
        [
            "UPDATE tutela_ledger_checkpoint SET note = replace(note, char(10) || '6' || char(10), "
            "char(10) || '5' || char(10))"
        ],
        "log: checkpoint:",
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_each_kind_of_tampering_fails_verify_naming_the_entry(
    env: dict[str, str], kind: str
) -> None:
    signed(env)
    statements, expected = TAMPERING[kind]
    sql(env, *statements)
    result = run(env, "ledger", "verify")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("tampered:")
    assert expected in result.output, result.output
    refused = run(env, "ledger", "prove", "0")
    assert refused.exit_code == 1 and "run `tutela ledger verify`" in refused.output
    again = run(env, "ledger", "checkpoint")
    assert again.exit_code == 1, again.output


def test_prove_prints_an_inclusion_proof_that_verifies(env: dict[str, str]) -> None:
    signed(env)
    result = run(env, "ledger", "prove", "4")
    assert result.exit_code == 0, result.output
    proof = json.loads(result.output)
    assert (proof["seq"], proof["tree_size"]) == (4, 6)
    verify_inclusion(
        4,
        6,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(node) for node in proof["proof"]],
        bytes.fromhex(proof["root"]),
    )
    beyond = run(env, "ledger", "prove", "6")
    assert beyond.exit_code == 1 and "not in the latest checkpoint" in beyond.output


def test_export_writes_a_bundle_the_offline_verifier_accepts(
    env: dict[str, str], tmp_path: Path
) -> None:
    signed(env)
    target = tmp_path / "bundle.json"
    result = run(env, "ledger", "export", "req-1", "-o", str(target))
    assert result.exit_code == 0, result.output
    checked = subprocess.run(
        [sys.executable, "-m", "tutela.ledger.verifier", str(target), "--key", str(KEY.verifier)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert [e["index"] for e in json.loads(target.read_text())["entries"]] == [1, 4]
    missing = run(env, "ledger", "export", "req-7", "-o", str(target))
    assert missing.exit_code == 1 and "has no entry" in missing.output
