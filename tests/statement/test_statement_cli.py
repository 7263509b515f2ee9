"""`tutela statement render` through Typer's runner: output, files, clean errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app

HERE = Path(__file__).resolve().parent
MINIMAL = HERE.parents[0] / "fixtures" / "minimal"
RICH = HERE / "statement_rich"

runner = CliRunner()


def _render(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["statement", "render", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_renders_markdown_to_stdout_by_default() -> None:
    code, output = _render(str(MINIMAL))
    assert code == 0
    assert output.startswith("# Example Analytics privacy statement\n")
    assert "## 15. Complaints" in output


def test_writes_html_to_the_output_file(tmp_path: Path) -> None:
    target = tmp_path / "statement.html"
    code, output = _render(str(RICH), "--format", "html", "--output", str(target), "--allow-errors")
    assert code == 0
    assert re.fullmatch(
        r"warning: making the statement despite \d+ error findings \(--allow-errors\)\n", output
    )
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<section id="complaints">' in html


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "one.md", tmp_path / "two.md"
    assert _render(str(RICH), "-o", str(first), "--allow-errors")[0] == 0
    assert _render(str(RICH), "-f", "md", "-o", str(second), "--allow-errors")[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_missing_programme_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, output = _render(str(missing))
    assert code == 2
    assert "nowhere" in output
    assert "no such file or folder" in output


def test_invalid_programme_is_a_clean_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("organisation:\n  legal_nam: Typo Ltd\n", encoding="utf-8")
    code, output = _render(str(broken))
    assert code == 2
    assert "broken.yml" in output
    assert "legal_nam" in output


@pytest.mark.parametrize("value", ["pdf", "MD", ""])
def test_unknown_format_is_a_usage_error(value: str) -> None:
    code, output = _render(str(MINIMAL), "--format", value)
    assert code == 2
    assert "Invalid value" in output
    assert "'md'" in output and "'html'" in output


def test_refuses_a_programme_check_finds_errors_in(tmp_path: Path) -> None:
    target = tmp_path / "statement.md"
    code, output = _render(str(RICH), "--output", str(target))
    assert code == 1
    assert re.search(r"`tutela check` finds \d+ error findings", output)
    assert f"run `tutela check {RICH}`" in output and "--allow-errors" in output
    assert not target.exists()


def test_allow_errors_renders_with_a_warning_on_stderr() -> None:
    result = runner.invoke(app, ["statement", "render", str(RICH), "--allow-errors"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# ")
    assert re.search(r"despite \d+ error findings", result.stderr)


def test_output_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "out" / "deeper" / "statement.md"
    code, output = _render(str(MINIMAL), "--output", str(target))
    assert code == 0, output
    assert target.read_text(encoding="utf-8").startswith("# Example Analytics")


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    target = tmp_path / "a-file" / "statement.md"
    code, output = _render(str(MINIMAL), "--output", str(target))
    assert code == 7
    assert f"cannot write the statement to {target}" in output
    assert "a folder you can write to" in output
    assert not target.exists()


def test_output_that_is_a_folder_is_a_clean_error(tmp_path: Path) -> None:
    code, output = _render(str(MINIMAL), "--output", str(tmp_path))
    assert code == 7
    assert "cannot write the statement" in output
