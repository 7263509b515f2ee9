"""`tutela demo` tours the Cloudockit example end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"


def test_demo_tour_writes_every_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TUTELA_SHOP_URL", "TUTELA_DATABASE_URL", "TUTELA_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)  # the demo sets them; restored after the test
    result = CliRunner().invoke(app, ["demo", str(EXAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    outputs = ("statement.md", "statement.html", "records.xlsx", "records.json")
    translated = ("statement.fr.html", "statement.nl.html", "statement.de.html")
    for name in (*outputs, *translated):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "Lansweeper Canada Inc." in (tmp_path / "statement.md").read_text(encoding="utf-8")
    records = json.loads((tmp_path / "records.json").read_text(encoding="utf-8"))
    assert records["controller_records"]
    # the next version adds a purpose: a material change, exit code 3
    assert "webinar_recordings" in result.output
    assert "(exit code 3)" in result.output
    assert '<html lang="nl">' in (tmp_path / "statement.nl.html").read_text(encoding="utf-8")
    assert result.output.count("(exit code 0)") == 15
    # the demo's new store is set up first, as a user does (`tutela db upgrade`)
    assert "$ tutela db upgrade" in result.output
    assert result.output.index("$ tutela db upgrade") < result.output.index("$ tutela dsr plan")
    # data-subject requests on the synthetic shop: reflect, plan, access, dry run, erasure, rerun
    assert "name: login_event" in result.output
    assert "would change" in result.output
    assert "retained shop_db.orders.total under tax_records" in result.output
    erase_again = result.output.split("== Erase again")[1]
    assert "no data found" in erase_again and "row(s) changed" not in erase_again
    assert "resumed" not in result.output  # nothing is replayed from tutela's store
    assert sorted(p.suffix for p in (tmp_path / "access").iterdir()) == [".csv"] * 6 + [".json"]
    assert "demo-only-key" not in result.output
