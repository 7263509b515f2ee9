"""Art. 30(3)-(4), RP-1: every export says when it was made and from which programme."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.records.build import Records, build_records
from tutela.records.exports import ExportFormat, export_files, to_csv, to_html, to_json, to_xlsx
from tutela.records.tables import programme_digest

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
DAY = date(2026, 3, 2)
PROGRAMME = load_programme(MINIMAL)
RECORDS = build_records(PROGRAMME, generated_on=DAY)


def changed(**statement: str) -> Programme:
    data = PROGRAMME.model_dump(mode="json")
    data["statement"].update(statement)
    return Programme.model_validate(data)


def test_art30_3_records_carry_date_version_and_digest() -> None:
    assert RECORDS.generated_on == DAY
    assert RECORDS.statement_version == "1.0"
    assert RECORDS.digest == programme_digest(PROGRAMME)
    assert RECORDS.digest.startswith("sha256:") and len(RECORDS.digest) == len("sha256:") + 12
    assert RECORDS.version == f"1.0, effective 2026-01-15; programme {RECORDS.digest}"


def test_art30_3_generation_date_defaults_to_today() -> None:
    before = date.today()
    generated = build_records(PROGRAMME).generated_on
    assert before <= generated <= date.today()


def test_art30_3_digest_is_stable_for_the_same_content() -> None:
    reloaded = Programme.model_validate(json.loads(PROGRAMME.model_dump_json()))
    assert programme_digest(reloaded) == programme_digest(PROGRAMME)
    assert build_records(reloaded, generated_on=DAY) == RECORDS


def test_art30_3_digest_changes_with_the_content() -> None:
    assert programme_digest(changed(title="Another title")) != RECORDS.digest
    assert programme_digest(changed(version="1.1")) != RECORDS.digest


def test_art30_3_the_date_does_not_change_the_digest() -> None:
    later = build_records(PROGRAMME, generated_on=date(2027, 1, 1))
    assert later.digest == RECORDS.digest and later.generated_on != RECORDS.generated_on


def _texts(records: Records, fmt: ExportFormat, tmp_path: Path) -> str:
    """Everything an export shows, as one text."""
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx(records)))
        return "\n".join(str(v) for s in book for row in s.iter_rows(values_only=True) for v in row)
    files = export_files(records, fmt, tmp_path / f"records.{fmt}")
    return "\n".join(content.decode() for content in files.values())


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_art30_3_every_format_carries_date_and_programme_version(
    fmt: ExportFormat, tmp_path: Path
) -> None:
    text = _texts(RECORDS, fmt, tmp_path)
    for expected in ("2026-03-02", "1.0", "2026-01-15", RECORDS.digest):
        assert expected in text, (fmt, expected)


def test_art30_3_xlsx_about_sheet_and_page_footers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(RECORDS)))
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Generated on"] == "2026-03-02"
    assert about["Programme digest"] == RECORDS.digest
    assert about["Effective date"] == "2026-01-15"
    footer = book["Controller records"].oddFooter.left.text
    assert footer == f"Generated on 2026-03-02 - {RECORDS.version}"


def test_art30_3_csv_rows_end_with_date_and_version() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(RECORDS, RECORDS.controller))))
    assert rows[0][-2:] == ["Generated on", "Programme version"]
    assert all(row[-2:] == ["2026-03-02", RECORDS.version] for row in rows[1:])


def test_art30_3_json_and_html_name_date_version_and_digest() -> None:
    document = json.loads(to_json(RECORDS))
    assert document["generated_on"] == "2026-03-02"
    assert document["effective_date"] == "2026-01-15"
    assert document["programme_digest"] == RECORDS.digest
    assert "no system has role: processor" in document["notes"]["processor_records"]
    page = to_html(RECORDS)
    assert "<dt>Generated on</dt><dd>2026-03-02</dd>" in page
    assert f"<dt>Programme digest</dt><dd>{RECORDS.digest}</dd>" in page


def test_art30_3_exports_of_another_day_differ_only_by_the_date() -> None:
    later = build_records(PROGRAMME, generated_on=date(2026, 3, 3))
    first, second = to_json(RECORDS), to_json(later)
    assert first != second
    assert first.replace("2026-03-02", "2026-03-03") == second
