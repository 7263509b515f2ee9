"""`tutela records export` refuses a programme `tutela check` finds errors in (as render does)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tutela.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
RICH = ROOT / "statement" / "statement_rich"  # has error findings
MINIMAL = ROOT / "fixtures" / "minimal"  # warnings only

runner = CliRunner()


def error_findings(path: Path) -> int:
    """How many error findings `tutela check` reports (the count grows with the rules)."""
    from tutela.checks import run_checks
    from tutela.programme.loader import load

    return sum(1 for finding in run_checks(load(path)) if finding.severity == "error")


def test_export_refuses_a_programme_with_error_findings(tmp_path: Path) -> None:
    target = tmp_path / "records.json"
    result = runner.invoke(app, ["records", "export", str(RICH), "-f", "json", "-o", str(target)])
    assert result.exit_code == 1
    assert f"`tutela check` finds {error_findings(RICH)} error findings" in result.stderr
    assert "--allow-errors" in result.stderr
    assert not target.exists()


def test_allow_errors_exports_with_a_warning(tmp_path: Path) -> None:
    target = tmp_path / "records.json"
    args = ["records", "export", str(RICH), "-f", "json", "-o", str(target), "--allow-errors"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"making the records despite {error_findings(RICH)} error findings" in result.stderr
    assert target.stat().st_size > 0


def test_warnings_alone_do_not_block(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "records.json"
    result = runner.invoke(
        app, ["records", "export", str(MINIMAL), "-f", "json", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert target.stat().st_size > 0
