"""Assumption rules: every assumption names a value of the programme (GDPR Art. 5(2)).

An assumption marks a fact stated where the source is silent, so a person confirms it
(accountability, Art. 5(2); accuracy, Art. 5(1)(d)); one that names nothing marks nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from checkcases import MINIMAL, TODAY, Case, Edit, add, findings_of

from tutela.checks import run_checks
from tutela.checks.rules.assumptions import RULES
from tutela.programme.loader import load

RULE = "assumptions/unknown-path"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"


def assumption(path: str) -> Edit:
    return add("assumptions", {"path": path, "note": "Chosen because the source is silent."})


CASES: list[Case] = [
    (
        "art5-2 unknown key",
        RULE,
        assumption("retention.three_years.period"),
        assumption("retention.two_years.period"),
    ),
    (
        "art5-2 unknown section",
        RULE,
        assumption("hosting.countries"),
        assumption("recipients.hosting.countries"),
    ),
]


@pytest.mark.parametrize(("rule_id", "bad"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_art5_2_rule_trips_on_a_path_that_names_nothing(rule_id: str, bad: Edit) -> None:
    found = findings_of(rule_id, bad)
    assert len(found) == 1
    assert found[0].severity == "error"
    assert found[0].path == ("assumptions", 0, "path")
    assert "names nothing" in found[0].message and found[0].hint


@pytest.mark.parametrize(("rule_id", "good"), [pytest.param(c[1], c[3], id=c[0]) for c in CASES])
def test_art5_2_rule_passes_a_path_that_names_a_value(rule_id: str, good: Edit) -> None:
    assert findings_of(rule_id, good) == []


def test_art5_2_the_rule_is_registered_in_its_area() -> None:
    assert [rule.id for rule in RULES] == [RULE]


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("retention..period", "empty step"),
        ("retention.two_years.", "ends with a `.`"),
        ("cookies[session.duration", "never closed"),
        ("retention.two_years.period.hours", "is a value"),
        ("recipients.hosting.safeguard.tia.assessed_on", "is not set"),
        ("a." * 200 + "a", "at most 64"),
        ("purposes.newsletter.consent.witdrawal", "has no field `witdrawal`"),
    ],
)
def test_art5_2_hostile_paths_are_findings_not_tracebacks(path: str, said: str) -> None:
    found = findings_of(RULE, assumption(path))
    assert len(found) == 1
    assert said in found[0].message


def test_art5_2_finding_gives_the_file_and_line_of_the_assumption(tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    (folder / "assumptions.yml").write_text(
        "assumptions:\n"
        "  - path: retention.two_years.period\n"
        "    note: Two years is our practice; the source is silent.\n"
        "  - path: recipients.hosting.contries\n"
        "    note: Germany is where the provider hosts.\n",
        encoding="utf-8",
    )
    found = [f for f in run_checks(load(folder), today=TODAY) if f.rule == RULE]
    assert len(found) == 1
    assert found[0].location is not None
    assert Path(found[0].location.source).name == "assumptions.yml"
    assert found[0].location.line == 4
    assert "did you mean `countries`" in found[0].hint


def test_art5_2_example_assumptions_all_resolve() -> None:
    assert [f for f in run_checks(load(EXAMPLE), today=TODAY) if f.rule == RULE] == []
