"""Output formats of the linter: text, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from tutela.checks import BUILTIN_RULES, Finding, render_json, render_sarif, render_text
from tutela.checks import run_checks as run
from tutela.checks.report import artifact_uri
from tutela.errors import Location
from tutela.programme.loader import load

HERE = Path(__file__).resolve().parent
NONCOMPLIANT = HERE / "check_fixtures" / "noncompliant"
TODAY = date(2026, 11, 24)


def noncompliant_findings() -> list[Finding]:
    return run(load(NONCOMPLIANT), today=TODAY)


def sarif_log(base: Path | None = None) -> dict[str, Any]:
    text = render_sarif(noncompliant_findings(), BUILTIN_RULES, version="9.9", base=base)
    result: dict[str, Any] = json.loads(text)
    return result


def test_text_has_one_block_per_finding_and_a_summary() -> None:
    findings = noncompliant_findings()
    text = render_text(findings, len(BUILTIN_RULES))
    first = findings[0]
    assert f"{first.location}: {first.severity} {first.rule}: {first.message}" in text
    assert f"    hint: {first.hint}" in text
    assert text.rstrip().endswith(f"2 errors, 1 warning ({len(BUILTIN_RULES)} rules checked).")


def test_text_without_findings_says_so() -> None:
    assert render_text([], 3) == "No problems found (3 rules checked).\n"


def test_json_lists_every_field_of_every_finding() -> None:
    records = json.loads(render_json(noncompliant_findings()))
    assert [r["rule"] for r in records] == [f.rule for f in noncompliant_findings()]
    for record in records:
        assert set(record) == {"rule", "severity", "message", "hint", "path", "location"}
        assert set(record["location"]) == {"source", "line", "column"}
    no_basis = next(r for r in records if r["rule"] == "lawfulness/no-legal-basis")
    assert no_basis["path"] == "purposes[0].legal_basis"
    assert no_basis["location"]["source"].endswith("purposes.yml")
    assert no_basis["location"]["line"] == 12


def test_sarif_has_the_2_1_0_structure() -> None:
    log = sarif_log()
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "tutela" and driver["version"] == "9.9"
    for rule in driver["rules"]:
        assert {"id", "shortDescription", "helpUri", "defaultConfiguration"} <= set(rule)
        assert rule["shortDescription"]["text"]
        assert rule["helpUri"] == f"docs/checks.md#{rule['id'].replace('/', '-')}"
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")


def test_sarif_results_reference_driver_rules_and_locations() -> None:
    (run_,) = sarif_log()["runs"]
    rule_ids = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert run_["results"]
    for result in run_["results"]:
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        assert result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1


def test_sarif_uris_are_relative_to_the_base_folder() -> None:
    (run_,) = sarif_log(base=HERE)["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]
    }
    assert uris == {"check_fixtures/noncompliant/purposes.yml"}


def test_artifact_uri_forms() -> None:
    assert artifact_uri("programme/purposes.yml") == "programme/purposes.yml"
    assert artifact_uri("/srv/p/purposes.yml", Path("/srv")) == "p/purposes.yml"
    assert artifact_uri("/srv/p/purposes.yml", Path("/elsewhere")) == "file:///srv/p/purposes.yml"


def test_sarif_result_without_a_line_has_no_region() -> None:
    finding = Finding("statement/not-versioned", "error", "m", "h", ("statement",), Location("p"))
    log = json.loads(render_sarif([finding], BUILTIN_RULES, version="1"))
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "p"}}
