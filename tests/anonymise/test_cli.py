"""`tutela anonymise RELEASE` through the real CLI, store and SQLite source (AN-1..AN-3)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.store.ledger import open_ledger

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
ZIPS = ("1000", "1050", "2000", "2600", "9000")

RELEASES = """\
anonymisation:
  - key: members
    name: Members
    description: Members by age and postcode.
    method: k_anonymity
    k: 3
    quasi_identifiers: [age, zip]
    source: {csv: members.csv}
    hierarchies:
      zip:
        tree: {"1000": [Brussels], "1050": [Brussels], "2000": [Antwerp], "2600": [Antwerp],
               "9000": [Ghent]}
  - key: from_crm
    name: From the CRM
    description: Members by age and postcode, read from the CRM.
    method: k_anonymity
    k: 3
    quasi_identifiers: [age, zip]
    source: {system: crm, query: "SELECT age, zip FROM member"}
  - key: impossible
    name: Impossible
    description: More than there are.
    method: k_anonymity
    k: 50
    quasi_identifiers: [age]
    source: {csv: members.csv}
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A programme (CSV and SQLite sources), tutela's store set up, and the environment."""
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    (folder / "anonymisation.yml").write_text(RELEASES, encoding="utf-8")
    rows = [(20 + i, ZIPS[i % 5]) for i in range(30)]
    lines = ["age,zip", *(f"{age},{zip_code}" for age, zip_code in rows)]
    (folder / "members.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    system = tmp_path / "crm.sqlite"
    with closing(sqlite3.connect(system)) as connection:
        connection.execute("CREATE TABLE member (age INTEGER, zip TEXT)")
        connection.executemany("INSERT INTO member VALUES (?, ?)", rows)
        connection.commit()
    env = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'tutela.sqlite'}",
        "TUTELA_CRM_URL": f"sqlite:///{system}",
        "TUTELA_PROGRAMME": "",
    }
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    return folder, env


def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["anonymise", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _entries(env: dict[str, str]) -> list[tuple[str, str, str | None, str | None]]:
    ledger = open_ledger(env["TUTELA_DATABASE_URL"], upgrade=False)
    try:
        return [(e.action, e.request, e.before, e.after) for e in ledger.entries()]
    finally:
        ledger.close()


def test_AN_3_release_written_with_its_columns_report_and_ledger_entry(
    setup: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = setup
    out, report = tmp_path / "out" / "members.csv", tmp_path / "members.json"
    code, stdout, stderr = _run(
        env, "members", "--programme", str(folder), "-o", str(out), "--report", str(report)
    )
    assert code == 0, stderr
    header, *rows = out.read_text(encoding="utf-8").splitlines()
    assert header == "age,zip" and len(rows) == 30
    assert {row.split(",")[1] for row in rows} <= {*ZIPS, "Brussels", "Antwerp", "Ghent", "*"}
    assert any("-" in row.split(",")[0] for row in rows)  # ages generalised to ranges
    document = json.loads(report.read_text(encoding="utf-8"))
    assert {"release", "model", "parameters", "released", "risk", "made_at"} <= set(document)
    risk = document["risk"]
    for key in ("k", "gcp", "prosecutor_highest", "journalist_highest", "marketer", "utility"):
        assert key in risk
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert document["released"]["sha256"] == digest
    assert "achieved k" in stdout and "prosecutor risk" in stdout
    (entry,) = _entries(env)
    assert entry[:2] == ("anonymised_release", "release:members") and entry[3] == digest
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert entry[2] == hashlib.sha256(canonical.encode("ascii")).hexdigest()
    # never a row of data: the entry is its action, the release's id and two digests
    assert re.fullmatch(r"[0-9a-f]{64}", entry[2] or "") and re.fullmatch(r"[0-9a-f]{64}", digest)


def test_AN_3_query_source_on_sqlite_and_json_report_on_stdout(
    setup: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, env = setup
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = _run(env, "from_crm", "--programme", str(folder), "-f", "json")
    assert code == 0, stderr
    assert json.loads(stdout)["risk"]["k"] >= 3
    assert (tmp_path / "from_crm.csv").read_text(encoding="utf-8").startswith("age,zip\n")
    assert (tmp_path / "from_crm.report.json").is_file()


def test_AN_2_refused_release_exits_1_with_reasons_writes_nothing_and_is_ledgered(
    setup: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = setup
    out = tmp_path / "impossible.csv"
    code, _, stderr = _run(env, "impossible", "--programme", str(folder), "-o", str(out))
    assert code == 1
    assert "misses its model (k=50)" in stderr or "no generalisation meets" in stderr
    assert not out.exists() and not (tmp_path / "impossible.report.json").exists()
    ((action, subject, before, after),) = _entries(env)
    assert (action, subject, after) == ("anonymised_refused", "release:impossible", None)
    assert before is not None


def test_AN_2_dry_run_writes_nothing_and_ledgers_nothing(
    setup: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = setup
    out = tmp_path / "members.csv"
    code, stdout, stderr = _run(
        env, "members", "--programme", str(folder), "-o", str(out), "--dry-run"
    )
    assert code == 0, stderr
    assert "achieved k" in stdout and "dry run" in stderr
    assert not out.exists() and not (tmp_path / "members.report.json").exists()
    assert _entries(env) == []
