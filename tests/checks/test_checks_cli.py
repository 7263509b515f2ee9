"""`tutela check` through Typer's runner: exit codes, formats, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.checks import BUILTIN_RULES
from tutela.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
FIXTURES = Path(__file__).resolve().parent / "check_fixtures"
NONCOMPLIANT = FIXTURES / "noncompliant"
BROKEN = FIXTURES / "broken"


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_minimal_programme_has_no_errors_and_exits_0() -> None:
    code, output = check(str(MINIMAL))
    assert code == 0
    assert "0 errors" in output


def test_error_findings_exit_1_with_file_line_and_hint() -> None:
    code, output = check(str(NONCOMPLIANT))
    assert code == 1
    assert "purposes.yml:12:5: error lawfulness/no-legal-basis: purpose 'supply_services'" in output
    assert "hint: set legal_basis" in output
    assert "2 errors, 1 warning" in output


def test_warnings_alone_exit_0() -> None:
    code, output = check(str(NONCOMPLIANT), "--select", "processors/recipient-without-dpa")
    assert code == 0
    assert "warning processors/recipient-without-dpa" in output


def test_ignore_drops_the_errors() -> None:
    code, _ = check(str(NONCOMPLIANT), "--ignore", "lawfulness/no-legal-basis,transfers")
    assert code == 0


def test_json_format_is_a_list_of_findings() -> None:
    code, output = check(str(NONCOMPLIANT), "--format", "json")
    assert code == 1
    records = json.loads(output)
    assert {r["rule"] for r in records} == {
        "lawfulness/no-legal-basis",
        "transfers/no-safeguard",
        "processors/recipient-without-dpa",
    }


def test_sarif_format_lists_the_rules_that_ran() -> None:
    code, output = check(str(NONCOMPLIANT), "--format", "sarif", "--select", "transfers")
    assert code == 1
    run = json.loads(output)["runs"][0]
    driver_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert driver_ids == {r for r in BUILTIN_RULES if r.startswith("transfers/")}
    assert [r["ruleId"] for r in run["results"]] == ["transfers/no-safeguard"]


def test_today_option_dates_the_review_checks(tmp_path: Path) -> None:
    code, output = check(str(MINIMAL), "--today", "2026-01-01", "--format", "json")
    assert code == 0 and json.loads(output)


def test_list_rules_shows_every_rule_and_its_origin() -> None:
    code, output = check("--list-rules")
    assert code == 0
    for rule_id in BUILTIN_RULES:
        assert rule_id in output
    assert "built-in" in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((str(BROKEN),), "YAML syntax error"),
        (("/no/such/programme",), "no such file or folder"),
        ((), "give the programme folder"),
        ((str(MINIMAL), "--select", "nonsense"), "--select 'nonsense'"),
        ((str(MINIMAL), "--ignore", "transfers/nope"), "--ignore 'transfers/nope'"),
        ((str(MINIMAL), "--format", "xml"), "xml"),
        ((str(MINIMAL), "--today", "24/11/2026"), "24/11/2026"),
    ],
)
def test_hostile_input_exits_2_with_a_clear_message(args: tuple[str, ...], expected: str) -> None:
    code, output = check(*args)
    assert code == 2
    assert expected in output
    assert "Traceback" not in output


def test_programme_with_invalid_values_exits_2_naming_the_field(tmp_path: Path) -> None:
    (tmp_path / "organisation.yml").write_text(
        (MINIMAL / "organisation.yml")
        .read_text(encoding="utf-8")
        .replace("lead_supervisory_authority: BE", "lead_supervisory_authority: Belgium"),
        encoding="utf-8",
    )
    code, output = check(str(tmp_path))
    assert code == 2
    assert "lead_supervisory_authority" in output
    assert "Traceback" not in output


def test_a_yaml_file_that_is_not_a_programme_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.yml").write_text("- just\n- a list\n", encoding="utf-8")
    code, output = check(str(tmp_path))
    assert code == 2
    assert "Traceback" not in output
