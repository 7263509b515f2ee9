"""Render findings as text for people, JSON for scripts, and SARIF 2.1.0 for code scanning.

Rendering is pure: it takes findings (and the rules for SARIF) and returns a string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tutela.checks.findings import CheckContext, Finding, Rule, Violation, format_path
from tutela.errors import Location, PolicyError

DOCS_PAGE = "docs/checks.md"
"""Where each rule has a section; SARIF ``helpUri`` points to ``DOCS_PAGE#<anchor>``."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _no_violations(context: CheckContext) -> tuple[Violation, ...]:
    return ()


LOAD_RULE = Rule(
    id="load/invalid-programme",
    severity="error",
    title="The programme does not load",
    source="tutela programme format (docs/programme.md)",
    check=_no_violations,
    description=(
        "tutela cannot read the programme (YAML syntax, an unknown key, a value of the wrong "
        "type, a missing field, a duplicate key or a broken reference), so no rule ran."
    ),
)
"""The rule of the results reported for a programme that does not load (exit code 2).

It is never run: :func:`load_findings` turns the loader's errors into its findings, so
the JSON and SARIF reports of a broken programme are as machine-readable as any other.
"""


def load_findings(errors: Sequence[PolicyError]) -> list[Finding]:
    """The loader's ``errors`` as findings of :data:`LOAD_RULE`, in the loader's order."""
    return [
        Finding(
            rule=LOAD_RULE.id,
            severity=LOAD_RULE.severity,
            message=_load_message(error),
            hint=error.hint or "fix the programme at this place; see docs/programme.md",
            path=(error.path,) if error.path else (),
            location=error.location,
        )
        for error in errors
    ]


def _load_message(error: PolicyError) -> str:
    text = f"{error.path}: {error.message}" if error.path else error.message
    if error.expected is not None:
        found = f", found {error.found}" if error.found is not None else ""
        text += f" (expected {error.expected}{found})"
    return text


def summary(findings: Sequence[Finding], rule_count: int) -> str:
    """One line: how many errors and warnings, out of how many rules."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if not findings:
        return f"No problems found ({rule_count} rules checked)."
    return (
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
        f"{'s' if warnings != 1 else ''} ({rule_count} rules checked)."
    )


def render_text(findings: Sequence[Finding], rule_count: int) -> str:
    """One block per finding (``file:line:col: severity rule-id: message`` and a hint)."""
    blocks = [
        f"{finding.location or '<programme>'}: {finding.severity} {finding.rule}: "
        f"{finding.message}\n    hint: {finding.hint}"
        for finding in findings
    ]
    return "\n\n".join([*blocks, summary(findings, rule_count)]) + "\n"


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"source": location.source, "line": location.line, "column": location.column}


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as a JSON-ready dict with every field."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "hint": finding.hint,
        "path": format_path(finding.path),
        "location": _location(finding.location),
    }


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of findings (see :func:`finding_record`)."""
    return json.dumps([finding_record(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def artifact_uri(source: str, base: Path | None = None) -> str:
    """A SARIF artifact URI: relative to ``base`` when inside it, else a ``file:`` URI."""
    path = Path(source)
    if not path.is_absolute():
        return path.as_posix()
    if base is not None and path.is_relative_to(base):
        return path.relative_to(base).as_posix()
    return path.as_uri()


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "helpUri": f"{DOCS_PAGE}#{rule.anchor}",
        "help": {"text": f"{rule.description}\nLegal source: {rule.source}"},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"legalSource": rule.source},
    }


def _sarif_location(location: Location, base: Path | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(location.source, base)}}
    if location.line is not None:
        region: dict[str, int] = {"startLine": location.line}
        if location.column is not None:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _sarif_result(finding: Finding, index: int, base: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": finding.severity,
        "message": {"text": f"{finding.message}. Fix: {finding.hint}"},
        "properties": {"path": format_path(finding.path), "hint": finding.hint},
    }
    if finding.location is not None:
        result["locations"] = [_sarif_location(finding.location, base)]
    return result


def render_sarif(
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    *,
    version: str,
    base: Path | None = None,
) -> str:
    """A SARIF 2.1.0 log: ``rules`` become ``tool.driver.rules``, findings become results.

    Every result's ``ruleId`` is one of the driver rules (the rules that ran).
    """
    driver_rules = [_sarif_rule(r) for r in rules.values()]
    positions = {rule_id: i for i, rule_id in enumerate(rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tutela",
                        "version": version,
                        "rules": driver_rules,
                    }
                },
                "results": [_sarif_result(f, positions[f.rule], base) for f in findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
