"""`tutela check` on a programme that does not load: JSON and SARIF still report, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tutela.checks.report import LOAD_RULE, load_findings
from tutela.cli.main import app
from tutela.errors import Location, PolicyError

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
BROKEN = Path(__file__).resolve().parent / "check_fixtures" / "broken"

LEVELS = {"none", "note", "warning", "error"}


def check(*args: str) -> Any:
    result = CliRunner().invoke(app, ["check", *args])
    assert "Traceback" not in result.output
    return result


def two_problems(folder: Path) -> Path:
    """A copy of the minimal programme with an unknown key and an invalid country."""
    text = (MINIMAL / "organisation.yml").read_text(encoding="utf-8")
    text = text.replace("lead_supervisory_authority: BE", "lead_supervisory_authority: Belgium")
    text = text.replace("organisation:\n", "organisation:\n  legal_nam: Typo Ltd\n", 1)
    (folder / "organisation.yml").write_text(text, encoding="utf-8")
    for name in ("purposes.yml", "systems.yml"):
        (folder / name).write_text((MINIMAL / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """The SARIF 2.1.0 schema's required properties and enumerations that tutela uses."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rule_ids = [rule["id"] for rule in driver.get("rules", [])]
        assert all(isinstance(rule_id, str) for rule_id in rule_ids)
        for result in run["results"]:
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert result["level"] in LEVELS
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            for location in result.get("locations", []):
                physical = location["physicalLocation"]
                assert isinstance(physical["artifactLocation"]["uri"], str)
                region = physical.get("region", {})
                assert all(
                    region[key] >= 1 for key in ("startLine", "startColumn") if key in region
                )


def test_sarif_of_a_programme_that_does_not_load_holds_its_load_errors() -> None:
    result = check(str(BROKEN), "--format", "sarif")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert_valid_sarif(log)
    (run,) = log["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["load/invalid-programme"]
    (finding,) = run["results"]
    assert finding["ruleId"] == "load/invalid-programme" and finding["level"] == "error"
    assert "YAML syntax error" in finding["message"]["text"]
    physical = finding["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("broken/organisation.yml")
    assert physical["region"]["startLine"] >= 3
    assert "YAML syntax error" in result.stderr  # a person still reads it on the terminal


def test_sarif_has_one_result_per_load_error_with_its_line(tmp_path: Path) -> None:
    result = check(str(two_problems(tmp_path)), "-f", "sarif")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert_valid_sarif(log)
    results = log["runs"][0]["results"]
    texts = " ".join(r["message"]["text"] for r in results)
    assert len(results) == 2
    assert "legal_nam" in texts and "lead_supervisory_authority" in texts
    for item in results:
        assert item["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_json_of_a_programme_that_does_not_load_is_a_list_of_load_errors(
    tmp_path: Path,
) -> None:
    result = check(str(two_problems(tmp_path)), "--format", "json")
    assert result.exit_code == 2
    records = json.loads(result.stdout)
    assert [r["rule"] for r in records] == ["load/invalid-programme"] * 2
    for record in records:
        assert set(record) == {"rule", "severity", "message", "hint", "path", "location"}
        assert record["severity"] == "error"
        assert record["location"]["source"].endswith("organisation.yml")
        assert record["location"]["line"] >= 1 and record["location"]["column"] >= 1


def test_missing_programme_in_sarif_has_a_result_without_a_region() -> None:
    result = check("/no/such/programme", "-f", "sarif")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert_valid_sarif(log)
    (finding,) = log["runs"][0]["results"]
    assert "no such file or folder" in finding["message"]["text"]
    assert "region" not in finding["locations"][0]["physicalLocation"]


def test_text_format_of_a_broken_programme_is_unchanged() -> None:
    result = check(str(BROKEN))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error: 1 problem in the programme" in result.stderr


def test_load_findings_carry_path_expected_found_and_hint() -> None:
    where = Location("p/organisation.yml", 4, 3)
    errors = [
        PolicyError(
            "invalid value",
            location=where,
            path="organisation.lead_supervisory_authority",
            expected="an EEA country code",
            found="'Belgium'",
            hint="write BE",
        ),
        PolicyError("no such file or folder", location=Location("p")),
    ]
    first, second = load_findings(errors)
    assert first.rule == LOAD_RULE.id and first.severity == "error"
    assert first.message == (
        "organisation.lead_supervisory_authority: invalid value"
        " (expected an EEA country code, found 'Belgium')"
    )
    assert first.hint == "write BE" and first.location == where
    assert second.hint  # a default hint, never empty
    assert second.path == ()


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_programme_that_loads_reports_no_load_rule(fmt: str) -> None:
    result = check(str(MINIMAL), "--format", fmt)
    assert result.exit_code == 0
    assert "load/invalid-programme" not in result.stdout


def test_the_load_rule_has_a_docs_section() -> None:
    docs = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert f'<a id="{LOAD_RULE.anchor}"></a>' in docs
    assert f"### `{LOAD_RULE.id}`" in docs
