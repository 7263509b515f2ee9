"""`tutela records export` end to end: files written, defaults and hostile input (RP-1)."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tutela.cli.main import app

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
runner = CliRunner()


def export(*args: str) -> Any:
    return runner.invoke(app, ["records", "export", *args])


def flat(text: str) -> str:
    """Output without Rich's box drawing and line wrapping."""
    return " ".join(text.replace("│", " ").split())


def test_RP_1_export_xlsx(tmp_path: Path) -> None:
    target = tmp_path / "ropa.xlsx"
    result = export(str(MINIMAL), "--format", "xlsx", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "2 controller, 0 processor" in result.stdout
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Controller records", "Processor records", "About"]
    assert book["Controller records"]["A2"].value == "supply_services"


def test_RP_1_export_csv_folder(tmp_path: Path) -> None:
    result = export(str(MINIMAL), "-f", "csv", "-o", str(tmp_path / "ropa"))
    assert result.exit_code == 0, result.output
    with (tmp_path / "ropa" / "controller_records.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["Reference"] for row in rows] == ["supply_services", "newsletter"]
    with (tmp_path / "ropa" / "processor_records.csv").open(encoding="utf-8", newline="") as f:
        processor = list(csv.DictReader(f))
    assert len(processor) == 1 and "no system has role: processor" in processor[0]["Reference"]


def test_RP_1_export_json_and_html(tmp_path: Path) -> None:
    assert export(str(MINIMAL), "-f", "json", "-o", str(tmp_path / "r.json")).exit_code == 0
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(document["controller_records"]) == 2
    assert export(str(MINIMAL), "-f", "html", "-o", str(tmp_path / "r.html")).exit_code == 0
    assert "Controller records (Art. 30(1))" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_RP_1_default_output_is_out_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = export(str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "records.xlsx").is_file()
    assert export(str(MINIMAL), "--format", "csv").exit_code == 0
    assert (tmp_path / "out" / "records" / "controller_records.csv").is_file()


def test_RP_1_two_exports_are_identical(tmp_path: Path) -> None:
    for name in ("one.xlsx", "two.xlsx"):
        result = export(str(MINIMAL), "-o", str(tmp_path / name), "--date", "2026-03-02")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()


@pytest.mark.parametrize("option", ["--date", "--today"])
def test_art30_3_date_option_sets_the_generation_date(tmp_path: Path, option: str) -> None:
    target = tmp_path / "r.json"
    result = export(str(MINIMAL), "-f", "json", "-o", str(target), option, "2026-03-02")
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["generated_on"] == "2026-03-02"


def test_art30_3_generation_date_defaults_to_today(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    assert export(str(MINIMAL), "-f", "json", "-o", str(target)).exit_code == 0
    generated = json.loads(target.read_text(encoding="utf-8"))["generated_on"]
    assert generated in {date.today().isoformat(), (date.today() - timedelta(days=1)).isoformat()}


def test_art30_3_bad_date_is_a_clean_error(tmp_path: Path) -> None:
    result = export(str(MINIMAL), "-f", "json", "-o", str(tmp_path / "r.json"), "--date", "3/2")
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in flat(result.output)
    assert not (tmp_path / "r.json").exists()


def test_records_unknown_format_is_a_clean_error(tmp_path: Path) -> None:
    result = export(str(MINIMAL), "--format", "pdf", "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 2
    assert "'pdf' is not one of 'xlsx', 'csv', 'html', 'json'" in flat(result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.pdf").exists()


def test_records_missing_path_is_a_clean_error(tmp_path: Path) -> None:
    result = export(str(tmp_path / "no-programme"))
    assert result.exit_code == 2
    assert "does not exist" in flat(result.output)
    assert "Traceback" not in result.output


def test_records_broken_programme_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "programme.yml"
    broken.write_text("purposes:\n  - key: [\n", encoding="utf-8")
    result = export(str(broken), "-o", str(tmp_path / "r.json"), "-f", "json")
    assert result.exit_code == 2
    assert "programme.yml" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.json").exists()


def test_records_output_that_is_a_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = export(str(MINIMAL), "-f", "json", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder" in flat(result.output)
    assert "Traceback" not in result.output


def test_records_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = export(str(MINIMAL), "-f", "csv", "-o", str(blocker / "records"))
    assert result.exit_code == 2
    assert "cannot write" in flat(result.output)
    assert "Traceback" not in result.output
